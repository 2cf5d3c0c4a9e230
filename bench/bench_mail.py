"""Mail sending speed and memory: 2,000 invitations with a ~60 KB PDF each, to the local sink.

``python -m bench.bench_mail`` (or ``make bench``). The sink runs in its own process (as
SendGrid would be elsewhere) and the sender in a fresh subprocess, so peak memory
(``ru_maxrss``) is the sender's alone. Each send goes through the whole protocol: ledger row,
``sending`` committed, the sendgrid client's POST, ``accepted`` committed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

N = 2_000
PDF_BYTES = 60 * 1024
API_KEY = "SG.bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child(db: str, base_url: str, workers: int) -> None:
    """In the subprocess: set up N agencies, send, re-run; print JSON figures."""
    from dgops.cycles import create_cycle
    from dgops.db import Database, upgrade
    from dgops.mail import (
        Attachment,
        MailConfig,
        OutgoingMessage,
        Recipient,
        send_batch,
    )
    from dgops.registry.models import Agency, AgencyLevel, Contact, ContactRole
    from dgops.settings import PROJECT_ROOT

    database = Database.connect(f"sqlite:///{db}")
    upgrade(database.engine)
    with database.begin() as s:
        cycle = create_cycle(
            s, year=2566, open_date=dt.date(2023, 7, 1), deadline=dt.date(2023, 8, 31), actor="b"
        )
        agencies = [
            Agency(code=f"B{i:05d}", name_th=f"หน่วยงานทดสอบที่ {i}", level=AgencyLevel.DEPARTMENT)
            for i in range(N)
        ]
        s.add_all(agencies)
        s.flush()
        for a in agencies:
            s.add(Contact(agency_id=a.id, role=ContactRole.CIO, email=f"cio@{a.code}.go.th"))
        ids = [(a.id, a.code) for a in agencies]
        cycle_id = cycle.id
    pdf = b"%PDF-1.7\n" + os.urandom(PDF_BYTES - 16) + b"\n%%EOF\n"
    messages = [
        OutgoingMessage(
            cycle_id=cycle_id,
            agency_id=aid,
            agency_code=code,
            kind="invitation",
            cycle_label="2566",
            recipients=(
                Recipient(f"cio@{code}.go.th", ContactRole.CIO, "ผู้บริหารเทคโนโลยีสารสนเทศระดับสูง"),
                Recipient(f"coord@{code}.go.th", ContactRole.COORDINATOR, "ผู้ประสานงาน"),
            ),
            context={
                "agency_name": f"หน่วยงานทดสอบที่ {code}",
                "survey_title": "การสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ ประจำปี พ.ศ. 2566",
                "year_be": 2566,
                "deadline": dt.date(2023, 8, 31),
                "portal_url": "https://survey.dga.example.org",
            },
            attachments=(Attachment(f"letter-{code}.pdf", pdf),),
        )
        for aid, code in ids
    ]
    config = MailConfig(
        base_url=base_url,
        api_key=API_KEY,
        from_email="survey@dga.example.org",
        templates_dir=PROJECT_ROOT / "templates" / "email",
        activity_lag=0.0,
    )
    start = time.perf_counter()
    report = send_batch(database, config, messages, workers=workers)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    rerun = send_batch(database, config, messages, workers=workers)
    rerun_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "sent": report.count("accepted"),
                "seconds": seconds,
                "rerun_skipped": rerun.count("already_accepted"),
                "rerun_seconds": rerun_s,
                "peak_mb": peak_mb,
            }
        )
    )


def main() -> None:
    """Print e-mails/s and the sender's peak memory for 2,000 mails with a 60 KB PDF each."""
    for workers in (4, 8):
        port = _free_port()
        sink = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dgops_devtools.sendgrid_sink",
                "--port",
                str(port),
                "--api-key",
                API_KEY,
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            with tempfile.TemporaryDirectory() as tmp:
                out = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.bench_mail",
                        "--child",
                        str(Path(tmp) / "bench.sqlite"),
                        base,
                        str(workers),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            fig = json.loads(out.strip().splitlines()[-1])
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as r:
                received = json.loads(r.read())["received"]
        finally:
            sink.terminate()
            sink.wait(timeout=10)
        print(
            f"mail send {workers} workers: {fig['sent']} e-mails (60 KB PDF each) in "
            f"{fig['seconds']:5.1f} s = {fig['sent'] / fig['seconds']:6.1f} e-mails/s; "
            f"re-run skipped {fig['rerun_skipped']} in {fig['rerun_seconds']:.2f} s; "
            f"sink received {received}; sender peak {fig['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
