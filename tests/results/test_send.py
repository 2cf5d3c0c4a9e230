"""send_results through a real SendGrid-compatible sink: issue, render, e-mail exactly once;
one bad letter reported while the others go out; correction letters only where results changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from results_fixtures import (
    answered_cycle,
    release_current,
    released_cycle,
    respondents,
    score_and_advise,
)
from sqlalchemy import Engine, select, update

from dgops.db import Database
from dgops.framework import Framework
from dgops.mail import MailConfig
from dgops.results import (
    AgencyResult,
    ResultLetterInfo,
    current_run,
    letter_infos,
    send_results,
    standing_letters,
)
from dgops.results.models import ResultLetter, ScoreKind, ScoreValue
from dgops.settings import Settings
from dgops_devtools import SinkServer

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "SG.test-key"
DAY = dt.date(2023, 11, 1)


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def sink(outbox: Path) -> Iterator[SinkServer]:
    with SinkServer(api_key=API_KEY, outbox=outbox) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=ROOT, var_dir=tmp_path / "var", portal_url="https://survey.example.org")


@pytest.fixture
def config(sink: SinkServer, settings: Settings) -> MailConfig:
    return MailConfig.from_settings(
        settings, base_url=sink.url, api_key=API_KEY, timeout=2.0, activity_lag=0.0
    )


class Renderer:
    """Stands in for the letter renderer: records what it was asked, fails for ``broken``."""

    def __init__(self, broken: set[str] | None = None) -> None:
        self.broken = broken or set()
        self.calls: list[tuple[str, ResultLetterInfo]] = []

    def __call__(self, result: AgencyResult, info: ResultLetterInfo) -> bytes:
        self.calls.append((result.code, info))
        if result.code in self.broken:
            raise ValueError("ชื่อหน่วยงานมีอักขระที่แบบอักษรไม่มี")
        return f"%PDF-1.7 {result.code} {info.number} {info.kind}".encode()


def _mails(outbox: Path) -> list[dict[str, object]]:
    return [json.loads(f.read_text("utf-8")) for f in sorted(outbox.glob("*.json"))]


def _send(
    engine: Engine, settings: Settings, config: MailConfig, mini: Framework, renderer: Renderer
):  # type: ignore[no-untyped-def]
    return send_results(
        Database(engine),
        settings,
        config,
        2566,
        actor="ops",
        issued_on=DAY,
        renderer=renderer,
        framework=mini,
        send_workers=2,
    )


def test_should_refuse_to_send_before_release(
    engine: Engine,
    cycle_id: int,
    mini: Framework,
    settings: Settings,
    config: MailConfig,
) -> None:
    from dgops.results import ReleaseError

    answered_cycle(engine, cycle_id, mini)
    score_and_advise(engine, mini)
    with pytest.raises(ReleaseError, match="no released results"):
        _send(engine, settings, config, mini, Renderer())


def test_should_send_every_letter_once_and_report_the_one_that_failed(
    engine: Engine,
    cycle_id: int,
    mini: Framework,
    settings: Settings,
    config: MailConfig,
    outbox: Path,
) -> None:
    released_cycle(engine, cycle_id, mini)
    first = _send(engine, settings, config, mini, Renderer(broken={"A007"}))

    assert first.issue.issued == 30  # answered or not, every enrolled agency gets its letter
    assert first.failed_render == [("A007", "ValueError: ชื่อหน่วยงานมีอักขระที่แบบอักษรไม่มี")]
    assert first.rendered == first.accepted == 29
    mails = _mails(outbox)
    assert len(mails) == 29
    mail = next(m for m in mails if m["custom_args"]["dgops_agency"] == "A001")  # type: ignore[index]
    payload = mail["payload"]
    assert isinstance(payload, dict)
    assert payload["subject"].startswith("แจ้งผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัล ประจำปี พ.ศ. 2566")
    (attachment,) = payload["attachments"]
    assert attachment["filename"] == "result-A001.pdf"
    pdf = base64.b64decode(attachment["content"])
    assert pdf.startswith(b"%PDF-1.7 A001 ")
    assert (first.out_dir / "result-A001.pdf").read_bytes() == pdf  # type: ignore[operator]
    to = {r["email"] for r in payload["personalizations"][0]["to"]}
    assert to == {"head1@agency1.go.th"}

    # A re-run sends only what is missing: the letter that failed, with the same number.
    fixed = Renderer()
    again = _send(engine, settings, config, mini, fixed)
    assert (again.issue.issued, again.issue.already) == (0, 30)
    assert (again.accepted, again.already_sent) == (1, 29)
    assert len(_mails(outbox)) == 30
    numbers = {code: info.number for code, info in fixed.calls}
    with Database(engine).begin() as session:
        stored = dict(session.execute(select(ResultLetter.agency_id, ResultLetter.number)).all())
    assert numbers["A007"] == stored[7]
    assert len(set(stored.values())) == 30
    assert all(n.startswith("สพร ๒๕๖๖/ว") for n in stored.values())


def test_should_send_correction_letters_only_to_agencies_whose_results_changed(
    engine: Engine,
    cycle_id: int,
    mini: Framework,
    settings: Settings,
    config: MailConfig,
    outbox: Path,
) -> None:
    released_cycle(engine, cycle_id, mini)
    _send(engine, settings, config, mini, Renderer())
    changed = min(respondents(engine, cycle_id))
    new_run = score_and_advise(
        engine, mini, supersede=True, reason="ข้อมูลหลักฐานของบางหน่วยงานได้รับการตรวจสอบใหม่"
    )
    with Database(engine).begin() as session:
        session.execute(
            update(ScoreValue)
            .where(
                ScoreValue.run_id == new_run,
                ScoreValue.agency_id == changed,
                ScoreValue.kind == ScoreKind.OVERALL,
            )
            .values(score=ScoreValue.score + 1.5)
        )
    release_current(engine, cycle_id)

    renderer = Renderer()
    report = _send(engine, settings, config, mini, renderer)

    assert (report.issue.issued, report.issue.corrections) == (1, 1)
    assert len(report.issue.unchanged) == 29
    ((code, info),) = renderer.calls
    assert code == f"A{changed:03d}"
    assert info.kind == "correction"
    with Database(engine).begin() as session:
        run = current_run(session, cycle_id)
        assert run is not None
        from dgops.letters import load_issuer

        infos = letter_infos(session, run, load_issuer())
        unchanged = next(a for a in range(1, 31) if a != changed)
        standing = standing_letters(session, run, load_issuer(), [changed, unchanged])
        first = session.scalar(
            select(ResultLetter).where(
                ResultLetter.agency_id == changed, ResultLetter.run_id != run.id
            )
        )
    assert first is not None
    assert infos[changed].corrects == (first.number, first.issued_on)
    assert infos[changed].reason_th == "ข้อมูลหลักฐานของบางหน่วยงานได้รับการตรวจสอบใหม่"
    assert infos[changed].number != first.number
    # The page offers each agency the letter that stands: the correction, or the first letter
    # of an agency whose results did not change.
    assert standing[changed] == infos[changed]
    assert standing[unchanged].run_id != run.id
    assert standing[unchanged].kind == "result"
    (last,) = [m for m in _mails(outbox) if m["custom_args"]["dgops_kind"] == "result_correction"]  # type: ignore[index]
    payload = last["payload"]
    assert isinstance(payload, dict)
    assert payload["subject"].startswith("แจ้งแก้ไขผลการสำรวจ")
    assert first.number in payload["content"][0]["value"]
    assert payload["attachments"][0]["filename"] == f"correction-{code}-{run.id}.pdf"
