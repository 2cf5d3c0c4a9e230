"""Offline questionnaire import speed and memory: 2,000 filled XLSX files imported.

``python -m bench.bench_responses [--n 2000]``. The files are the real templates of framework
2566 filled with demo answers (``dgops.demo.responses.generate_responses``), written by two
processes; the import runs in a fresh subprocess (SQLite, each file its own transaction) so
that peak memory (``ru_maxrss``) belongs to the import alone. The import runs as ``--draft``
(answers saved, not submitted) because demo answers leave some required questions blank,
which would make a submitting import refuse those files and skip their writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

CODE = "B{:05d}"


def _write_chunk(args: tuple[str, list[int], int]) -> int:
    folder, ids, seed = args
    import pandas as pd

    from dgops.demo.responses import generate_responses
    from dgops.framework import is_missing, load_framework
    from dgops.responses import build_template, template_filename

    fw = load_framework("2566")
    agencies = pd.DataFrame(
        {"level": "department", "agency_type": "government_agency", "mission": "service"},
        index=pd.Index(ids),
    )
    answers = generate_responses(fw, agencies, seed, missing_optional=0.0)

    class _Agency:
        def __init__(self, code: str) -> None:
            self.code, self.name_th = code, f"หน่วยงานทดสอบ {code}"

    for aid, row in answers.iterrows():
        code = CODE.format(aid)
        data = {str(k): v for k, v in row.items() if not is_missing(v)}
        path = Path(folder) / template_filename(code, 2566)
        path.write_bytes(build_template(fw, _Agency(code), 2566, answers=data))
    return len(ids)


def _child(folder: str, db: str, n: int) -> None:
    """In the subprocess: create the cycle and agencies, import the folder, print figures."""
    from sqlalchemy.orm import Session

    from dgops.cycles import create_cycle
    from dgops.db import Database, make_engine, upgrade
    from dgops.registry.models import Agency, AgencyLevel
    from dgops.responses import import_xlsx

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with Session(engine) as s:
        create_cycle(
            s,
            year=2566,
            open_date=dt.date(2023, 7, 1),
            deadline=dt.date(2023, 9, 30),
            actor="bench",
        )
        s.add_all(
            Agency(code=CODE.format(i), name_th=f"หน่วยงาน {i}", level=AgencyLevel.DEPARTMENT)
            for i in range(1, n + 1)
        )
        s.commit()
    start = time.perf_counter()
    report = import_xlsx(Database(engine), folder, cycle_year=2566, actor="bench", draft=True)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict[str, Any] = {
        "files": len(report.files),
        "imported": len(report.imported),
        "failed": len(report.failed),
        "first_error": str(report.errors[0]) if report.errors else None,
        "seconds": round(seconds, 1),
        "files_per_s": round(len(report.files) / seconds, 1),
        "peak_mb": round(peak_kb / 1024),
    }
    print(json.dumps(out, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="number of files")
    parser.add_argument("--workers", type=int, default=2, help="processes writing files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        ids = list(range(1, args.n + 1))
        chunks = [(str(folder), ids[i :: args.workers], 7) for i in range(args.workers)]
        start = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            written = sum(pool.map(_write_chunk, chunks))
        gen_s = time.perf_counter() - start
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        print(
            f"templates: {written} filled XLSX in {gen_s:.1f} s with {args.workers} processes "
            f"({written / gen_s:.1f} files/s, {size_mb:.0f} MB)"
        )
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from bench.bench_responses import _child; _child({str(folder)!r}, "
                f"{str(Path(tmp) / 'bench.sqlite')!r}, {args.n})",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"import: {figures['imported']}/{figures['files']} files in {figures['seconds']} s "
            f"= {figures['files_per_s']} files/s, peak memory {figures['peak_mb']} MB "
            "(one process, SQLite, one transaction per file, --draft)"
        )
        if figures["failed"]:
            print(f"  failed: {figures['failed']}; first: {figures['first_error']}")


if __name__ == "__main__":
    main()
