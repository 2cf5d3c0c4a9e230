"""Operators reset a password: a one-time link by e-mail (through the local SendGrid sink) to
the designated coordinators only, old password and sessions gone, the link sets a new password
once and the agency finds its answers intact."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from dgops.credentials import ResetTokenError, redeem_reset_token
from dgops.mail import MailConfig, MailMessage
from dgops.registry.models import Contact, ContactRole
from dgops.settings import PROJECT_ROOT
from dgops.web.reset import ResetError, ResetReport, reset_passwords
from dgops_devtools import SinkServer
from tests.web.conftest import (
    PASSWORD,
    TestClient,
    World,
    activate,
    csrf_of,
    survey_csrf,
)

API_KEY = "SG.test-key"


def _mail_config(url: str) -> MailConfig:
    return MailConfig(
        base_url=url,
        api_key=API_KEY,
        from_email="survey@dga.example.org",
        templates_dir=PROJECT_ROOT / "templates" / "email",
        activity_lag=0.0,
        max_attempts=2,
        backoff_base=0.01,
    )


def _add_contact(world: World, key: str, *, everyone: bool = False) -> None:
    roles = [ContactRole.COORDINATOR]
    if everyone:
        roles += [ContactRole.HEAD, ContactRole.CIO, ContactRole.BACKUP]
    with world.db.begin() as s:
        for role in roles:
            s.add(
                Contact(
                    agency_id=world.agencies[key].agency_id,
                    role=role,
                    name="คุณสมใจ ใจดี",
                    email=f"{role.value}-{key.lower()}@agency.go.th".replace(
                        "coordinator-", "coord-"
                    ),
                )
            )


def _reset(world: World, code: str, url: str, **options: Any) -> ResetReport:
    """An operator's reset of one agency, mailed through the sink at ``url``."""
    return reset_passwords(
        world.db,
        2566,
        [code],
        actor="operator1",
        mail_config=_mail_config(url),
        portal_url=options.pop("portal_url", "http://127.0.0.1:8000"),
        **options,
    )


def _token(text: str) -> str:
    url = re.search(r"(https?://\S+/password/reset\?token=\S+)", text)
    assert url, text
    return parse_qs(urlsplit(url.group(1)).query)["token"][0]


def test_should_email_a_new_code_that_replaces_the_password(
    app: FastAPI, world: World, tmp_path: Path
) -> None:
    a = world.agencies["A"]
    _add_contact(world, "A")
    with TestClient(app) as old:
        activate(old, a)
        token = survey_csrf(old)
        old.post("/survey/autosave", data={"csrf_token": token, "_q": "STAFF", "STAFF": "7"})
        with SinkServer(api_key=API_KEY, outbox=tmp_path / "outbox") as sink:
            report = _reset(
                world,
                a.code,
                sink.url,
                portal_url="https://survey.example.go.th",
                now=world.clock(),
            )
            mails = sink.received()
        assert report.delivered == [a.code]
        assert report.sessions_revoked == 1
        assert old.get("/survey", follow_redirects=False).status_code == 303  # session ended
    assert len(mails) == 1
    mail = mails[0]
    assert mail.to == ["coord-a@agency.go.th"]
    assert "ลิงก์ตั้งรหัสผ่านใหม่" in mail.subject
    assert "รหัสเปิดใช้งาน" not in mail.text  # no plaintext code any more
    assert mail.tracking_settings["click_tracking"] == {"enable": False, "enable_text": False}
    token = _token(mail.text)
    assert token in mail.html
    assert mail.text.count("https://survey.example.go.th/password/reset?token=") == 1
    with TestClient(app) as c:
        page = c.get("/login")
        r = c.post(
            "/login",
            data={"csrf_token": csrf_of(page.text), "username": a.username, "password": PASSWORD},
        )
        assert "ไม่ถูกต้อง" in r.text  # the old password no longer works
    new_password = "รหัสผ่านใหม่หลังตั้งใหม่-01"
    with world.db.begin() as s:
        redeem_reset_token(s, token, new_password, policy=world.policy, now=world.clock())
    with world.db.begin() as s, pytest.raises(ResetTokenError):
        redeem_reset_token(s, token, new_password + "x", policy=world.policy, now=world.clock())
    with TestClient(app) as c:
        page = c.get("/login")
        c.post(
            "/login",
            data={
                "csrf_token": csrf_of(page.text),
                "username": a.username,
                "password": new_password,
            },
        )
        assert 'value="7"' in c.get("/survey/pillar/P2").text
    with world.db.begin() as s:
        rounds = list(
            s.scalars(select(MailMessage.round).where(MailMessage.kind == "password_reset"))
        )
        assert rounds == [1]


def test_should_send_the_link_to_the_designated_coordinators_only(
    world: World, tmp_path: Path
) -> None:
    _add_contact(world, "B", everyone=True)
    with SinkServer(api_key=API_KEY) as sink:
        reset_passwords(
            world.db,
            2566,
            [world.agencies["B"].code],
            actor="operator1",
            mail_config=_mail_config(sink.url),
            portal_url="http://127.0.0.1:8000",
        )
        (mail,) = sink.received()
    assert mail.to == ["coord-b@agency.go.th"]
    assert mail.cc == ["backup-b@agency.go.th"]


def test_should_refuse_the_link_after_its_short_lifetime(world: World) -> None:
    _add_contact(world, "B")
    with SinkServer(api_key=API_KEY) as sink:
        reset_passwords(
            world.db,
            2566,
            [world.agencies["B"].code],
            actor="operator1",
            mail_config=_mail_config(sink.url),
            portal_url="http://127.0.0.1:8000",
            ttl=dt.timedelta(minutes=15),
            now=world.clock(),
        )
        (mail,) = sink.received()
    assert "ภายใน 15 นาที" in mail.text
    with world.db.begin() as s, pytest.raises(ResetTokenError, match="expired"):
        redeem_reset_token(
            s,
            _token(mail.text),
            "รหัสผ่านใหม่หลังตั้งใหม่-01",
            policy=world.policy,
            now=world.clock() + dt.timedelta(minutes=16),
        )


def test_should_use_a_new_mail_round_for_each_reset(world: World, tmp_path: Path) -> None:
    _add_contact(world, "B")
    with SinkServer(api_key=API_KEY) as sink:
        for _ in range(2):
            reset_passwords(
                world.db,
                2566,
                [world.agencies["B"].code],
                actor="operator1",
                mail_config=_mail_config(sink.url),
                portal_url="http://127.0.0.1:8000",
            )
        assert len(sink.received()) == 2
    with world.db.begin() as s:
        rounds = sorted(s.scalars(select(MailMessage.round)))
    assert rounds == [1, 2]


def test_should_change_nothing_when_an_agency_has_no_email(app: FastAPI, world: World) -> None:
    a = world.agencies["A"]
    with pytest.raises(ResetError, match="no contact e-mail"):
        _reset(world, a.code, "http://127.0.0.1:9")
    with pytest.raises(ResetError, match="unknown agency"):
        _reset(world, "NOPE", "http://127.0.0.1:9")
    with TestClient(app) as c:
        activate(c, a)  # the letter's code still works: nothing was reissued


def test_should_keep_the_link_out_of_the_database_and_the_logs(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The reset link is a credential: only its hash is stored; it is in the e-mail alone."""
    import logging

    from sqlalchemy import select as select_all

    from dgops.db.schema import load_all_models

    a = world.agencies["A"]
    _add_contact(world, "A")
    caplog.set_level(logging.DEBUG)
    with SinkServer(api_key=API_KEY, outbox=tmp_path / "outbox") as sink:
        _reset(
            world, a.code, sink.url, portal_url="https://survey.example.go.th", now=world.clock()
        )
        (mail,) = sink.received()
    token = _token(mail.text)
    stored: list[str] = []
    with world.db.begin() as s:
        for table in load_all_models().sorted_tables:
            stored += [repr(row) for row in s.execute(select_all(table)).all()]
    assert stored, "the database holds the reset and its audit rows"
    assert not [row for row in stored if token in row]
    assert token not in caplog.text
