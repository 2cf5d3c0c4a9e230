"""Where the dashboard's figures come from: the ``dgops.fieldwork`` API, behind a protocol.

The router only calls the methods of :class:`Tracking`; ``LiveTracking`` forwards them to
``dgops.fieldwork`` and ``dgops.mail.list_corrections``; tests inject a fake with the same shape.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd
from sqlalchemy.orm import Session

Filters = Mapping[str, str] | None


class ProjectionLike(Protocol):
    """What the dashboard reads from ``dgops.fieldwork.Projection``."""

    @property
    def rate_now(self) -> float: ...
    @property
    def expected_at_deadline(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def days_to_deadline(self) -> int: ...
    @property
    def method(self) -> str: ...


class Tracking(Protocol):
    """The part of the tracking API the dashboard uses (see /docs/dashboard.md)."""

    def agency_progress(
        self,
        session: Session,
        year: int,
        *,
        filters: Filters = None,
        only_nonresponders: bool = False,
        today: dt.date | None = None,
    ) -> pd.DataFrame: ...

    def response_rates(
        self, session: Session, year: int, *, by: str | None = None, filters: Filters = None
    ) -> pd.DataFrame: ...

    def trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame: ...

    def previous_trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame: ...

    def project_rate(
        self,
        session: Session,
        year: int,
        *,
        by: str | None = None,
        value: str | None = None,
        today: dt.date,
    ) -> ProjectionLike: ...

    def behind_groups(self, session: Session, year: int, today: dt.date) -> pd.DataFrame: ...

    def corrections(self, session: Session) -> Sequence[Any]:
        """Open bounced/dropped addresses (``dgops.mail.list_corrections`` lines)."""
        ...


class LiveTracking:
    """The real tracking API (``dgops.fieldwork``), imported on first use."""

    def __init__(self) -> None:
        self._module: Any = None

    @property
    def module(self) -> Any:
        if self._module is None:
            self._module = importlib.import_module("dgops.fieldwork")
        return self._module

    def agency_progress(
        self,
        session: Session,
        year: int,
        *,
        filters: Filters = None,
        only_nonresponders: bool = False,
        today: dt.date | None = None,
    ) -> pd.DataFrame:
        frame: pd.DataFrame = self.module.agency_progress(
            session, year, filters=filters, only_nonresponders=only_nonresponders, today=today
        )
        return frame

    def response_rates(
        self, session: Session, year: int, *, by: str | None = None, filters: Filters = None
    ) -> pd.DataFrame:
        frame: pd.DataFrame = self.module.response_rates(session, year, by=by, filters=filters)
        return frame

    def trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame:
        frame: pd.DataFrame = self.module.trend(session, year, by=by, value=value)
        return frame

    def previous_trend(
        self, session: Session, year: int, *, by: str | None = None, value: str | None = None
    ) -> pd.DataFrame:
        frame: pd.DataFrame = self.module.previous_trend(session, year, by=by, value=value)
        return frame

    def project_rate(
        self,
        session: Session,
        year: int,
        *,
        by: str | None = None,
        value: str | None = None,
        today: dt.date,
    ) -> ProjectionLike:
        result: ProjectionLike = self.module.project_rate(
            session, year, by=by, value=value, today=today
        )
        return result

    def behind_groups(self, session: Session, year: int, today: dt.date) -> pd.DataFrame:
        frame: pd.DataFrame = self.module.behind_groups(session, year, today)
        return frame

    def corrections(self, session: Session) -> Sequence[Any]:
        from dgops.mail import list_corrections

        return list_corrections(session)
