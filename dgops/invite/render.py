"""Letters rendered in memory, never on disk: they carry plaintext activation codes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from types import TracebackType

from dgops.letters import LetterContext, render_letter


def _render_chunk(contexts: Sequence[LetterContext]) -> list[bytes]:
    return [render_letter(c) for c in contexts]


class LetterRenderer:
    """Renders letters to PDF bytes in this process (``workers=1``) or in a pool of processes.

    The bytes come back through the pool's pipe, in memory; nothing is written to disk. Use it
    as a context manager so the pool is started once for many batches::

        with LetterRenderer(workers=2) as renderer:
            pdfs = renderer.render(contexts)
    """

    def __init__(self, workers: int = 1, *, chunk_size: int = 10) -> None:
        self.workers = max(1, workers)
        self.chunk_size = max(1, chunk_size)
        self._pool: Executor | None = None

    def __enter__(self) -> LetterRenderer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> Executor:
        if self._pool is None:
            # spawn, not fork: a forked child inherits typst's threads mid-state and can hang.
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self._pool

    def render(self, contexts: Sequence[LetterContext]) -> list[bytes]:
        """PDF bytes of each letter, in order."""
        if self.workers == 1 or len(contexts) <= self.chunk_size:
            return _render_chunk(contexts)
        chunks = [
            contexts[i : i + self.chunk_size] for i in range(0, len(contexts), self.chunk_size)
        ]
        out: list[bytes] = []
        for done in self._executor().map(_render_chunk, chunks):
            out.extend(done)
        return out
