"""What every dgops task and DAG declaration share, so that a task body is one call into dgops.

A task::

    @task
    def snapshot() -> int:
        with task_env() as env:
            with env.db.begin() as session:
                return take_snapshot(session, env.cycle_year, env.logical_day)

:func:`task_env` hands the task its survey database (from the ``dgops_db`` connection, disposed
of when the block ends), the dgops settings, the run's params and actor, and the SendGrid
``MailConfig`` on first use. A DAG::

    @dgops_dag("dgops_registry", tags=["registry"], doc_md=DOC_MD)
    def dgops_registry() -> None: ...

:func:`dgops_dag` adds what every dgops DAG has (owner, retries with exponential backoff, a
time limit per task and per run, one run at a time, no catch-up, the ``dgops`` tag, the
``cycle_year`` param). This module imports nothing heavy: DAG files import it at parse time, and
dgops itself is imported only inside the tasks.

**A stage of the year chained by Assets** (``dgops_airflow.assets``). The DAG waits for the
asset of the stage before it and produces its own; a run started by the asset takes the cycle
year from the event, a run by hand from its ``cycle_year`` param (which therefore needs a
default: ``cycle_year_param(when_empty=...)``)::

    from dgops_airflow import QUALITY_VERIFIED, RESULTS_RELEASED, announce, task_env

    @task(outlets=[RESULTS_RELEASED])
    def release() -> None:
        with task_env() as env:              # env.cycle_year: the event's year, else the param
            ...                              # one call into dgops
        announce(RESULTS_RELEASED, env.cycle_year)   # the next DAG acts on the same year

    @dgops_dag(
        "dgops_results",
        schedule=QUALITY_VERIFIED,
        cycle_year=cycle_year_param(when_empty="the year of the quality-verified event"),
        tags=["results"],
        doc_md=DOC_MD,
    )
    def dgops_results() -> None: ...

A task whose run must not announce anything (a dry run) raises ``AirflowSkipException``: a
skipped task emits no asset event. :func:`cycle_year_from_trigger` reads the year of the
triggering events directly (``None`` for a run by hand). Long tasks set their own
``execution_timeout`` (``@task(execution_timeout=...)``); long DAGs pass ``dagrun_timeout``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from airflow.sdk import DAG, Asset, Param, dag, get_current_context
from airflow.sdk.exceptions import AirflowFailException

from dgops_airflow.hooks import DgopsDatabaseHook
from dgops_airflow.sendgrid import SendGridHook

if TYPE_CHECKING:
    from airflow.sdk.bases.timetable import BaseTimetable
    from airflow.sdk.definitions.asset import BaseAsset

    from dgops.db import Database
    from dgops.mail import MailConfig
    from dgops.settings import Settings

OWNER = "survey-ops"
"""Who answers for the dgops DAGs (``owner`` of every task)."""

RETRIES = 3
"""Retries of every dgops task: infrastructure (database, SendGrid) may come back; data errors
are raised as ``AirflowFailException`` instead, which is never retried."""

RETRY_BACKOFF = 2.0
"""Each retry waits twice as long as the one before (``retry_exponential_backoff``)..."""
MAX_RETRY_DELAY = dt.timedelta(minutes=30)
"""... up to this: 2, 4, 8 minutes with the default ``retry_delay``, never more than 30."""
EXECUTION_TIMEOUT = dt.timedelta(hours=1)
"""Default time limit of one try of a task (a hung database or SendGrid call is killed and
retried instead of holding the run for ever). 10,000 invitations take minutes, not hours."""
DAGRUN_TIMEOUT = dt.timedelta(hours=6)
"""Default time limit of a whole DAG run (the fieldwork day, which waits for office hours,
sets its own)."""
DATA_ERRORS: tuple[type[Exception], ...] = (
    ValueError,  # dgops' data errors are ValueErrors: CycleError, ConfigError, TableError ...
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)
"""Errors about the data or the operator's input that :func:`task_env` always fails fast on;
a task adds its package's own (``RegistryError``, ``SuiteError`` …) with ``no_retry``."""


@dataclass
class TaskEnv:
    """What a running dgops task gets from Airflow (see :func:`task_env`)."""

    db: Database
    """The survey database: ``with env.db.begin() as session:`` is one transaction."""
    settings: Settings
    params: Mapping[str, Any]
    """The run's params (``cycle_year`` …)."""
    run_id: str
    logical_date: dt.datetime
    trigger_cycle_year: int | None = None
    """The cycle year carried by the asset event that started the run (``None`` by hand)."""
    sendgrid_conn_id: str = SendGridHook.default_conn_name
    _mail: MailConfig | None = field(default=None, init=False, repr=False)

    @property
    def actor(self) -> str:
        """Who the audit trail and the send ledger name for this run: ``airflow:<run_id>``."""
        return f"airflow:{self.run_id}"

    @property
    def cycle_year(self) -> int:
        """The survey year (Buddhist era) the run acts on: the year of the asset event that
        started it, else the ``cycle_year`` param. Neither: ``AirflowFailException`` (not
        retried: a run without a year cannot succeed later)."""
        if self.trigger_cycle_year is not None:
            return self.trigger_cycle_year
        chosen = self.params.get("cycle_year")
        if chosen is None:
            raise AirflowFailException(
                "ไม่ได้ระบุปีการสำรวจ (cycle_year) / no cycle_year: trigger the DAG with "
                '{"cycle_year": 2568} or let the asset event of the previous stage start it'
            )
        return int(chosen)

    @property
    def logical_day(self) -> dt.date:
        """The Bangkok calendar day of the run's logical date."""
        from dgops.thai import local_date

        return local_date(self.logical_date)

    @property
    def mail(self) -> MailConfig:
        """SendGrid's ``MailConfig`` from the ``dgops_sendgrid`` connection (read once)."""
        if self._mail is None:
            hook = SendGridHook(self.sendgrid_conn_id, settings=self.settings)
            self._mail = hook.get_config()
        return self._mail


def _describe(exc: Exception) -> str:
    # RegistryError.format() lists every issue (file › row › column); the log needs all of them.
    formatter = getattr(exc, "format", None)
    return str(formatter()) if callable(formatter) else str(exc)


@contextmanager
def task_env(
    *,
    no_retry: tuple[type[Exception], ...] = (),
    context: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    db_conn_id: str = DgopsDatabaseHook.default_conn_name,
    sendgrid_conn_id: str = SendGridHook.default_conn_name,
) -> Iterator[TaskEnv]:
    """The running task's :class:`TaskEnv`; the database is disposed of when the block ends.

    ``no_retry``: exceptions that are about the data, not the infrastructure (a missing cycle,
    a broken suite), on top of :data:`DATA_ERRORS`: retrying cannot help, so they fail the task
    at once (``AirflowFailException`` with the exception's ``format()`` when it has one, else
    its message). Anything else (database, network, SendGrid) is retried. ``context`` defaults
    to Airflow's current task context (``run_id``, ``logical_date``, ``params``, the triggering
    asset events); ``settings`` to the dgops settings.
    """
    from dgops.db import Database
    from dgops.settings import get_settings

    ctx: Mapping[str, Any] = get_current_context() if context is None else context
    settings = settings or get_settings()
    db = Database(DgopsDatabaseHook(db_conn_id, settings=settings).get_engine())
    env = TaskEnv(
        db=db,
        settings=settings,
        params=ctx.get("params") or {},
        run_id=str(ctx["run_id"]),
        logical_date=run_moment(ctx),
        trigger_cycle_year=cycle_year_from_trigger(ctx),
        sendgrid_conn_id=sendgrid_conn_id,
    )
    try:
        yield env
    except (*DATA_ERRORS, *no_retry) as exc:
        raise AirflowFailException(_describe(exc)) from exc
    finally:
        db.dispose()


def run_moment(ctx: Mapping[str, Any]) -> dt.datetime:
    """The moment a run acts for: its logical date, or for a run triggered without one
    (``logical_date: null`` through the REST API) the time it was queued for (``run_after``),
    else now — never a ``KeyError`` that Airflow would retry as if it were transient."""
    logical = ctx.get("logical_date")
    if logical is not None:
        return cast(dt.datetime, logical)
    after = getattr(ctx.get("dag_run"), "run_after", None)
    return cast(dt.datetime, after) if after is not None else dt.datetime.now(dt.UTC)


def cycle_year_from_trigger(ctx: Mapping[str, Any]) -> int | None:
    """The ``cycle_year`` in the ``extra`` of the asset events that started the run (the
    newest event that has one), or ``None``: a run by hand, by the clock, or an event without a
    year. Several stages may produce events before the run starts: the newest year wins."""
    events = ctx.get("triggering_asset_events") or {}
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    years = [
        (getattr(event, "timestamp", None) or oldest, int(year))
        for asset_events in events.values()
        for event in asset_events
        if (year := (getattr(event, "extra", None) or {}).get("cycle_year")) is not None
    ]
    return max(years)[1] if years else None


def announce(asset: Asset, cycle_year: int, *, context: Mapping[str, Any] | None = None) -> None:
    """Put ``cycle_year`` in the ``extra`` of the event ``asset`` gets when the running task
    succeeds (the task lists ``asset`` in its ``outlets``); the DAG scheduled on ``asset`` then
    acts on that year (:func:`cycle_year_from_trigger`)."""
    ctx = get_current_context() if context is None else context
    ctx["outlet_events"][asset].extra = {"cycle_year": int(cycle_year)}


def xcom(arg: Any) -> Any:
    """An upstream task's output passed on to a TaskFlow task in a DAG body.

    Airflow types the call with the task function's own parameters (the pulled value) while the
    DAG body holds an ``XComArg``; this says so once, instead of loosening every task's types.
    """
    return arg


def cycle_year_param(*, when_empty: str | None = None) -> Param:
    """The ``cycle_year`` param (พ.ศ., 2560–2700); required unless ``when_empty`` says what an
    empty value means."""
    title = "ปีการสำรวจ (พ.ศ.) / survey year (Buddhist era)"
    if when_empty is None:
        return Param(type="integer", minimum=2560, maximum=2700, title=title)
    return Param(
        None,
        type=["null", "integer"],
        minimum=2560,
        maximum=2700,
        title=f"{title}; empty = {when_empty}",
    )


def default_args(
    *,
    retry_delay: dt.timedelta = dt.timedelta(minutes=2),
    execution_timeout: dt.timedelta = EXECUTION_TIMEOUT,
) -> dict[str, Any]:
    """Every dgops task's owner, time limit and retries (exponential backoff, capped)."""
    return {
        "owner": OWNER,
        "retries": RETRIES,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": RETRY_BACKOFF,
        "max_retry_delay": MAX_RETRY_DELAY,
        "execution_timeout": execution_timeout,
    }


def dgops_dag(
    dag_id: str,
    *,
    doc_md: str,
    tags: Collection[str],
    params: Mapping[str, Param] | None = None,
    cycle_year: Param | None = None,
    schedule: str | BaseAsset | BaseTimetable | None = None,
    start_date: dt.date | None = None,
    retry_delay: dt.timedelta = dt.timedelta(minutes=2),
    execution_timeout: dt.timedelta = EXECUTION_TIMEOUT,
    dagrun_timeout: dt.timedelta = DAGRUN_TIMEOUT,
) -> Callable[[Callable[[], None]], Callable[..., DAG]]:
    """Airflow's ``@dag`` with what every dgops DAG has.

    One run at a time, no catch-up, tags ``dgops`` + ``tags``, :func:`default_args`
    (``retry_delay``, ``execution_timeout`` per task), ``dagrun_timeout`` for the whole run, and
    the ``cycle_year`` param first (``cycle_year_param()`` unless given), then ``params``.
    ``schedule``: ``None`` (by hand), a cron string, an asset of ``dgops_airflow.assets`` (the
    stage before) or a timetable (``AssetOrTimeSchedule``). ``start_date`` is midnight of that
    day in Bangkok.
    """
    start = None
    if start_date is not None:
        from dgops.thai import BANGKOK

        start = dt.datetime.combine(start_date, dt.time(0), tzinfo=BANGKOK)
    return dag(
        dag_id=dag_id,
        schedule=schedule,
        start_date=start,
        max_active_runs=1,
        catchup=False,
        dagrun_timeout=dagrun_timeout,
        tags=["dgops", *tags],
        doc_md=doc_md,
        default_args=default_args(retry_delay=retry_delay, execution_timeout=execution_timeout),
        params={"cycle_year": cycle_year or cycle_year_param(), **(params or {})},
    )
