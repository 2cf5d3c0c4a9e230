"""Fixtures of the development tools' tests: the SendGrid sink on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devtools_fixtures import API_KEY

from dgops_devtools import SinkServer


@pytest.fixture
def sink() -> Iterator[SinkServer]:
    with SinkServer(api_key=API_KEY) as server:
        yield server
