"""Benchmark: invite 2,000 agencies end to end — codes, letters in memory, e-mails to a sink.

The sink (``python -m dgops_devtools.sendgrid_sink``) runs in another process on 127.0.0.1,
as SendGrid would be another machine. Reports, per phase: codes issued/s (argon2id),
letters/s, e-mails/s, end-to-end agencies/s, peak memory of this process and of the sink;
and, for comparison, the same letter rendered by plain ``typst.compile`` (WeasyPrint only if
importable).
Run: ``uv run python -m bench.bench_invite [--n 2000] [--batch-size 100] [--letter-workers 1]
[--group-size 25]``; ``--group-size 100`` (the batch size) runs without the overlap of hashing
the next group's codes with rendering and sending the current one, for comparison;
``--latency 0.05`` makes the sink answer each send after 50 ms, as a distant SendGrid does.
The argon2id-only line is the ceiling of code issuing on this machine; with PyNaCl installed
codes are hashed by libsodium (same argon2id, about twice as fast).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the sink did not start on port {port}")


def _set_latency(port: int, seconds: float, n: int) -> None:
    """Make the sink answer each send after ``seconds`` (its ``slow`` fault), as a distant
    API would: sending then waits on the network instead of using the CPU."""
    import json
    import urllib.request

    body = json.dumps({"faults": [{"kind": "slow", "delay": seconds, "count": n * 2}]})
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/sink/faults",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _registry(n: int) -> list[Any]:
    from dgops.demo import generate_registry

    # The first n agencies of the 10k demo registry, detached from parents outside the slice.
    return [dataclasses.replace(r, parent_code=None) for r in generate_registry("10k")[:n]]


def _plain_typst_rate(context: Any, n: int) -> float | None:
    """Letters/s for the same letter set by a fresh ``typst.compile`` call each time (no
    reused compiler, no filled layout): the baseline dgops' letter path is compared with."""
    import json

    import typst

    try:  # private helpers of dgops.letters.render: the same template and data dgops uses
        from dgops.letters.render import (
            DEFAULT_STYLE,
            FONT_DIR,
            _emblem,
            _letter_data,
            _style_data,
            _template_source,
        )
    except ImportError:
        return None
    root, emblem = _emblem(context)
    data = {
        "style": _style_data(DEFAULT_STYLE, context.subject, context.issuer.name),
        "letters": [_letter_data(context, emblem)],
    }
    source = _template_source()
    started = time.perf_counter()
    for _ in range(n):
        typst.compile(
            source,
            root=str(root),
            font_paths=[str(FONT_DIR)],
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            pdf_standards="a-2b",
        )
    return n / (time.perf_counter() - started)


def _weasyprint_rate(n: int) -> float | None:
    try:
        import weasyprint  # type: ignore[import-not-found]
    except ImportError:
        return None
    html = "<html lang='th'><body><p>" + "ขอความอนุเคราะห์ตอบแบบสำรวจ " * 40 + "</p></body></html>"
    started = time.perf_counter()
    for _ in range(n):
        weasyprint.HTML(string=html).write_pdf()
    return n / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print one line per figure; returns the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--letter-workers", type=int, default=1)
    parser.add_argument("--plain", type=int, default=40, help="letters for the typst baseline")
    parser.add_argument(
        "--group-size",
        type=int,
        default=None,
        help="agencies per pipelined group (default dgops.invite.GROUP_SIZE; the batch size "
        "turns the overlap of hashing with rendering and sending off)",
    )
    parser.add_argument(
        "--hash-only", type=int, default=200, help="codes for the argon2id-only figure (0: skip)"
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the sink waits before answering each send (SendGrid's round trip)",
    )
    args = parser.parse_args(argv)

    from dgops.credentials import ACTIVATION_PROFILE, CodePipeline, CredentialPolicy
    from dgops.cycles import create_cycle
    from dgops.db import Database, upgrade
    from dgops.invite import GROUP_SIZE, LetterRenderer, invite_batch, plan_invitations
    from dgops.letters import build_invitation_context, load_issuer
    from dgops.mail import MailConfig
    from dgops.registry import import_registry
    from dgops.settings import Settings

    group_size = args.group_size or GROUP_SIZE
    tmp = Path(tempfile.mkdtemp(prefix="dgops-bench-invite-"))
    settings = Settings(var_dir=tmp)
    db = Database.connect(f"sqlite:///{tmp / 'bench.sqlite'}")
    upgrade(db.engine)
    with db.begin() as session:
        create_cycle(
            session,
            year=2566,
            open_date=dt.date(2023, 7, 3),
            deadline=dt.date(2023, 8, 31),
            actor="bench",
        )
        import_registry(session, _registry(args.n), cycle_year=2566, actor="bench")

    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "dgops_devtools.sendgrid_sink", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    figures: dict[str, float] = {}
    try:
        _wait_for(port)
        if args.latency > 0:
            _set_latency(port, args.latency, args.n)
        config = MailConfig.from_settings(
            settings, base_url=f"http://127.0.0.1:{port}", api_key="SG.bench", activity_lag=0.0
        )
        started = time.perf_counter()
        with db.begin() as session:
            plan = plan_invitations(session, 2566, mail_config=config, settings=settings)
        plan_s = time.perf_counter() - started
        phases: dict[str, float] = {}
        counts: dict[str, int] = {}
        with LetterRenderer(args.letter_workers) as renderer:
            for batch in plan.batches:
                report = invite_batch(
                    db,
                    settings,
                    config,
                    2566,
                    batch,
                    renderer=renderer,
                    actor="bench",
                    group_size=group_size,
                )
                for k, v in report.seconds.items():
                    phases[k] = phases.get(k, 0.0) + v
                for k, n in report.counts.items():
                    counts[k] = counts.get(k, 0) + n
        total = time.perf_counter() - started
        with db.begin() as session:
            cycle_agency = plan.batches[0][0]
            from dgops.cycles import get_cycle
            from dgops.registry.models import Agency

            agency = session.get(Agency, cycle_agency)
            assert agency is not None
            sample = build_invitation_context(
                session, get_cycle(session, 2566), agency, None, load_issuer()
            )
        plain = _plain_typst_rate(sample, args.plain) if args.plain else None
        hash_rate = None
        if args.hash_only:
            # The ceiling: argon2id alone, as issuing runs it (same profile, same threads).
            workers = CredentialPolicy().hash_workers
            t = time.perf_counter()
            with CodePipeline(ACTIVATION_PROFILE, workers=workers) as codes:
                codes.take(args.hash_only)
            hash_rate = args.hash_only / (time.perf_counter() - t)
        weasy = _weasyprint_rate(10)
    finally:
        sink.terminate()
        sink.wait(timeout=10)

    figures = {
        "agencies": float(plan.selected),
        "accepted": float(counts.get("accepted", 0)),
        "plan_s": plan_s,
        "issue_per_s": counts.get("issued", 0) / phases.get("issue", 1.0),
        "letters_per_s": counts.get("letters", 0) / phases.get("render", 1.0),
        "emails_per_s": counts.get("accepted", 0) / phases.get("send", 1.0),
        "end_to_end_per_s": counts.get("accepted", 0) / total,
        "total_s": total,
        "peak_mb": _peak_mb(resource.RUSAGE_SELF),
        "sink_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN),
    }
    figures["projected_10k_s"] = 10_000 / figures["end_to_end_per_s"]
    print(
        f"invite {plan.selected:,} agencies in {len(plan.batches)} batches "
        f"(letter workers {args.letter_workers}, groups of {group_size}, "
        f"sink latency {args.latency:g} s): "
        f"{figures['accepted']:,.0f} accepted, "
        f"{total:.1f} s end to end ({figures['end_to_end_per_s']:.1f} agencies/s; "
        f"10,000 at this rate: {figures['projected_10k_s']:.0f} s)"
    )
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  plan (preflight of every agency): {plan_s:.1f} s")
    print(
        f"  codes (argon2id, committed; time waited for hashes not already made while the "
        f"previous group rendered and sent): {figures['issue_per_s']:.1f}/s "
        f"({phases.get('issue', 0):.1f} s)"
    )
    if hash_rate is not None:
        figures["hash_only_per_s"] = hash_rate
        print(
            f"  argon2id alone ({ACTIVATION_PROFILE.memory_cost} KiB, "
            f"t={ACTIVATION_PROFILE.time_cost}, p={ACTIVATION_PROFILE.parallelism}): "
            f"{hash_rate:.1f}/s "
            f"(10,000 codes: {10_000 / hash_rate:.0f} s of hashing at best)"
        )
    render_s, send_s = phases.get("render", 0.0), phases.get("send", 0.0)
    print(f"  letters (PDF in memory): {figures['letters_per_s']:.1f}/s ({render_s:.1f} s)")
    print(f"  e-mails (to the sink process): {figures['emails_per_s']:.1f}/s ({send_s:.1f} s)")
    print(
        f"  peak memory: {figures['peak_mb']:.0f} MB (this process), "
        f"sink {figures['sink_peak_mb']:.0f} MB"
    )
    if plain is not None:
        figures["plain_typst_per_s"] = plain
        print(f"  same letter, plain typst.compile per letter: {plain:.1f}/s")
    elif args.plain:
        print("  plain typst.compile baseline: unavailable (letter template helpers changed)")
    if weasy is not None:
        figures["weasyprint_per_s"] = weasy
        print(f"  WeasyPrint (simple Thai page): {weasy:.1f}/s")
    else:
        print("  WeasyPrint: not installed (skipped)")
    db.dispose()
    return figures


if __name__ == "__main__":
    main()
