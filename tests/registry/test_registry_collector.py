from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from dgops.registry._collector import collector_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_should_pause_the_collector_and_restore_it_afterwards() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_should_restore_the_collector_when_the_work_fails() -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("boom")
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_should_leave_a_collector_the_caller_disabled_disabled() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
