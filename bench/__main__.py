"""``python -m bench``: run every ``bench/bench_*.py`` module's ``main()`` in turn;
``python -m bench registry scoring`` runs only the ones named (``bench_`` may be left out)."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main() -> int:
    """Run each benchmark module; a failing one is reported and the others still run."""
    failed: list[str] = []
    wanted = {a.removeprefix("bench_").removesuffix(".py") for a in sys.argv[1:]}
    paths = sorted(Path(__file__).resolve().parent.glob("bench_*.py"))
    unknown = wanted - {p.stem.removeprefix("bench_") for p in paths}
    if unknown:
        print(f"no such benchmark: {', '.join(sorted(unknown))}")
        return 2
    for path in paths:
        if wanted and path.stem.removeprefix("bench_") not in wanted:
            continue
        name = f"bench.{path.stem}"
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(name)
            entry = getattr(module, "main", None)
            if entry is None:
                print(f"   (no main() in {name}; skipped)")
                continue
            # main() may parse sys.argv: give each one a clean command line.
            sys.argv = [name]
            entry()
        except SystemExit as exc:
            if exc.code not in (None, 0):
                failed.append(name)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            print(f"   {name} failed: {type(exc).__name__}: {exc}")
            failed.append(name)
        print(f"   ({time.perf_counter() - start:.1f} s)", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
