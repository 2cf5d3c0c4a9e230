"""Pausing the cyclic garbage collector around bulk work on a whole registry."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a registry is read or imported.

    Reading and importing build tens of objects per row (cells, records, contacts, statement
    parameters). They hold no reference cycles, so reference counting frees them, but their
    number alone triggers full collections that walk every live object again and again: about
    a tenth of a 10,000-agency read and a quarter of its first import. The collector is
    process-wide, so the pause is kept to the call itself and the previous state is restored.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
