"""Signing in: the home redirect, sign-in with a password, first visit with the activation code
(sets the agency's own password), the password-reset link's page, sign-out and the health check.

Failed attempts make the attempt wait (``LoginThrottler``): a password per username and client
address, or per browser when it signed in to that account before; an activation code or a
reset link per address only (they are long and random: nobody guesses them, so nobody may use
them to make an agency wait).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import cast

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dgops.credentials import (
    ActivationResult,
    CredentialError,
    PasswordPolicyError,
    password_problems,
    set_password,
    verify_activation,
    verify_password,
)
from dgops.credentials.models import PortalAccount
from dgops.web.portal import Portal, PortalDep, form_text, read_form, safe_next
from dgops.web.security import (
    AGENCY,
    ResetTokens,
    bounded_form,
    create_session,
    device_mark,
    known_device,
    revoke_account_sessions,
    revoke_session,
)

log = logging.getLogger(__name__)

LOGIN_FAILED = (
    "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง หรือบัญชีถูกระงับ "
    "หากเข้าใช้งานครั้งแรก ให้ใช้รหัสเปิดใช้งานจากหนังสือเชิญ "
    "หากลืมรหัสผ่าน กรุณาติดต่อเจ้าหน้าที่โครงการเพื่อขอลิงก์ตั้งรหัสผ่านใหม่ทางอีเมล"
)
ACTIVATION_FAILED = (
    "ชื่อผู้ใช้หรือรหัสเปิดใช้งานไม่ถูกต้อง หมดอายุ หรือถูกใช้ไปแล้ว กรุณาตรวจสอบกับหนังสือเชิญ หรือติดต่อเจ้าหน้าที่เพื่อขอรหัสใหม่"
)
THROTTLED = (
    "มีการลองเข้าสู่ระบบไม่สำเร็จหลายครั้ง เพื่อความปลอดภัย กรุณารออีกประมาณ {minutes} นาที "
    "แล้วลองใหม่ ระหว่างนี้หากใช้เครื่องที่เคยเข้าสู่ระบบสำเร็จมาก่อน สามารถเข้าสู่ระบบได้ตามปกติ "
    "หากเร่งด่วน กรุณาติดต่อเจ้าหน้าที่โครงการ"
)
PASSWORDS_DIFFER = "รหัสผ่านทั้งสองช่องไม่ตรงกัน"
RESET_LINK_INVALID = (
    "ลิงก์ตั้งรหัสผ่านใหม่นี้ใช้ไม่ได้ (หมดอายุ ถูกใช้ไปแล้ว หรือไม่ครบถ้วน) "
    "กรุณาติดต่อเจ้าหน้าที่โครงการเพื่อขอลิงก์ใหม่ หรือคัดลอกลิงก์จากอีเมลฉบับล่าสุดให้ครบทั้งบรรทัด"
)
LOGIN_PAGE = "login.html.j2"
ACTIVATE_PAGE = "activate.html.j2"
RESET_PAGE = "reset.html.j2"
RESET_PATH = "/password/reset"
"""The page a password-reset e-mail links to (``?token=...``), as ``dgops.credentials`` says."""

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, portal: PortalDep) -> Response:
    """To the questionnaire with a session cookie, else to the sign-in page."""
    target = "/survey" if request.cookies.get(portal.config.cookie_name) else "/login"
    return RedirectResponse(target, status_code=303)


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """For the load balancer: the process answers."""
    return {"status": "ok"}


def login_page(
    portal: Portal,
    request: Request,
    name: str,
    *,
    error: str = "",
    status: int = 200,
    username: str = "",
) -> Response:
    """A sign-in page with a fresh (or the browser's) pre-sign-in CSRF token."""
    token = portal.login_csrf(request)
    back = request.query_params.get("next") or ""
    response = portal.render(
        request,
        name,
        status,
        csrf_token=token,
        error=error,
        username=username,
        next_url=safe_next(back) if back else "",
    )
    portal.set_login_csrf(request, response, token)
    return response


def throttled_message(wait: dt.timedelta) -> str:
    """The Thai notice of a throttled attempt, with the wait in whole minutes."""
    return THROTTLED.format(minutes=max(1, math.ceil(wait.total_seconds() / 60)))


async def read_sign_in_form(request: Request) -> FormData:
    """The form of a sign-in page (no session yet), bounded like every form."""
    return await bounded_form(request, cast(Portal, request.app.state.portal).config)


def start_session(
    portal: Portal,
    request: Request,
    session: Session,
    username: str,
    *,
    notice: str = "signedin",
    back: str = "",
) -> Response:
    """Sign ``username`` in: a new session, its cookie, the known-device cookie of this
    browser, and on to the questionnaire page the agency was on (``back``, checked by
    ``safe_next``) with the ``notice`` of how it signed in."""
    account = session.scalar(
        select(PortalAccount).where(PortalAccount.username == username.strip().upper())
    )
    assert account is not None
    token = create_session(
        session, account_id=account.id, role=AGENCY, now=portal.clock(), config=portal.config
    )
    response = RedirectResponse(f"{safe_next(back)}?msg={notice}", status_code=303)
    response.set_cookie(
        portal.config.cookie_name,
        token,
        max_age=int(portal.config.session_ttl.total_seconds()),
        httponly=True,
        secure=portal.secure_cookies(request),
        samesite=portal.config.cookie_samesite,  # type: ignore[arg-type]
        path="/",
    )
    response.set_cookie(
        portal.config.device_cookie_name,
        device_mark(account),
        max_age=int(portal.config.device_cookie_ttl.total_seconds()),
        httponly=True,
        secure=portal.secure_cookies(request),
        samesite="lax",
        path="/",
    )
    response.delete_cookie(portal.config.csrf_cookie_name, path="/")
    return response


@router.get("/login")
def login_form(request: Request, portal: PortalDep) -> Response:
    """The sign-in page."""
    return login_page(portal, request, LOGIN_PAGE)


def do_login(portal: Portal, request: Request, form: FormData) -> Response:
    """Check the password (throttled per username and address, or per known browser) and
    sign in."""
    portal.check_login_csrf(request, form)
    username, password = form_text(form, "username")[:100], form_text(form, "password")[:1000]
    with portal.db.begin() as s:
        now = portal.clock()
        mark = request.cookies.get(portal.config.device_cookie_name)
        device = known_device(s, username, mark)
        keys = portal.throttler.keys(username, portal.address(request), device=device)
        wait = portal.throttler.wait(s, keys, now=now)
        if wait:
            error = throttled_message(wait)
            return login_page(
                portal, request, LOGIN_PAGE, error=error, status=429, username=username
            )
        if username and verify_password(s, username, password, policy=portal.policy):
            portal.throttler.succeed(s, keys)
            return start_session(portal, request, s, username, back=form_text(form, "next"))
        portal.throttler.fail(s, keys, now=now)
    log.info("failed sign-in from %s", portal.address(request))
    return login_page(portal, request, LOGIN_PAGE, error=LOGIN_FAILED, username=username)


@router.post("/login")
async def login(request: Request, portal: PortalDep) -> Response:
    """Sign in with username and password (argon2 runs off the event loop)."""
    form = await read_sign_in_form(request)
    return await run_in_threadpool(do_login, portal, request, form)


@router.get("/activate")
def activate_form(request: Request, portal: PortalDep) -> Response:
    """The first-visit page: username, activation code and a new password."""
    return login_page(portal, request, ACTIVATE_PAGE)


def do_activate(portal: Portal, request: Request, form: FormData) -> Response:
    """Check the activation code (throttled per address), set the agency's own password and
    sign in."""
    portal.check_login_csrf(request, form)
    username = form_text(form, "username")[:100]
    code = form_text(form, "code")[:100]
    password, again = form_text(form, "password")[:1000], form_text(form, "password2")[:1000]
    if password != again:
        return login_page(portal, request, ACTIVATE_PAGE, error=PASSWORDS_DIFFER, username=username)
    problems = password_problems(password, username.strip().upper(), portal.policy)
    if problems:
        error = " · ".join(problems)
        return login_page(portal, request, ACTIVATE_PAGE, error=error, username=username)
    keys = portal.throttler.keys(None, portal.address(request))
    with portal.db.begin() as s:
        now = portal.clock()
        wait = portal.throttler.wait(s, keys, now=now)
        if wait:
            error = throttled_message(wait)
            return login_page(
                portal, request, ACTIVATE_PAGE, error=error, status=429, username=username
            )
        result = verify_activation(s, username, code, policy=portal.policy, now=now)
        if username and result is ActivationResult.OK:
            set_password(s, username, password, policy=portal.policy, now=now)
            portal.throttler.succeed(s, keys)
            return start_session(portal, request, s, username, notice="welcome")
        portal.throttler.fail(s, keys, now=now)
    log.info("failed activation from %s", portal.address(request))
    return login_page(portal, request, ACTIVATE_PAGE, error=ACTIVATION_FAILED, username=username)


@router.post("/activate")
async def activate(request: Request, portal: PortalDep) -> Response:
    """First visit: activation code → own password, signed in."""
    form = await read_sign_in_form(request)
    return await run_in_threadpool(do_activate, portal, request, form)


def do_logout(portal: Portal, request: Request, form: FormData) -> Response:
    """End the signed-in session (CSRF-checked) and drop its cookie."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        portal.check_csrf(request, principal, form)
        revoke_session(s, request.cookies.get(portal.config.cookie_name), now=portal.clock())
    response = RedirectResponse("/login?msg=bye", status_code=303)
    response.delete_cookie(portal.config.cookie_name, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, portal: PortalDep) -> Response:
    """Sign out."""
    form = await read_form(request)
    return await run_in_threadpool(do_logout, portal, request, form)


# -- the password-reset link -------------------------------------------------------------------


def reset_tokens_of(request: Request) -> ResetTokens | None:
    """The password-reset links service given to ``create_app`` (None: links are unusable)."""
    return cast("ResetTokens | None", getattr(request.app.state, "reset_tokens", None))


def reset_page(
    portal: Portal,
    request: Request,
    *,
    token: str,
    username: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    """The reset page: the form when ``username`` is known, else only ``error``."""
    csrf = portal.login_csrf(request)
    response = portal.render(
        request,
        RESET_PAGE,
        status,
        csrf_token=csrf,
        token=token,
        username=username,
        error=error,
    )
    portal.set_login_csrf(request, response, csrf)
    return response


def link_account(portal: Portal, request: Request, s: Session, token: str) -> PortalAccount | None:
    """The account of a live reset link, or None (unknown, expired, used, no service)."""
    tokens = reset_tokens_of(request)
    if tokens is None or not token or len(token) > 200:
        return None
    try:
        return tokens.check_reset_token(s, token, now=portal.clock())
    except CredentialError:
        return None


def show_reset(portal: Portal, request: Request, token: str) -> Response:
    """GET: the form to set a new password (the link is checked, not used up: mail scanners
    that open links must not spend them)."""
    with portal.db.begin() as s:
        account = link_account(portal, request, s, token)
        if account is None:
            return reset_page(portal, request, token="", error=RESET_LINK_INVALID, status=400)
        return reset_page(portal, request, token=token, username=account.username)


@router.get(RESET_PATH)
async def reset_form(request: Request, portal: PortalDep) -> Response:
    """The page the password-reset e-mail links to."""
    token = request.query_params.get("token", "")
    return await run_in_threadpool(show_reset, portal, request, token)


def do_reset(portal: Portal, request: Request, form: FormData) -> Response:
    """POST: check the link (throttled per address), set the new password, end the account's
    other sessions and sign this browser in."""
    portal.check_login_csrf(request, form)
    token = form_text(form, "token")[:200]
    password, again = form_text(form, "password")[:1000], form_text(form, "password2")[:1000]
    keys = portal.throttler.keys(None, portal.address(request))
    with portal.db.begin() as s:
        now = portal.clock()
        wait = portal.throttler.wait(s, keys, now=now)
        if wait:
            error = throttled_message(wait)
            return reset_page(portal, request, token="", error=error, status=429)
        account = link_account(portal, request, s, token)
        tokens = reset_tokens_of(request)
        if account is None or tokens is None:
            portal.throttler.fail(s, keys, now=now)
            log.info("unusable reset link from %s", portal.address(request))
            return reset_page(portal, request, token="", error=RESET_LINK_INVALID, status=400)
        username = account.username
        if password != again:
            return reset_page(
                portal, request, token=token, username=username, error=PASSWORDS_DIFFER
            )
        try:
            tokens.redeem_reset_token(s, token, password, policy=portal.policy, now=now)
        except PasswordPolicyError as exc:
            error = " · ".join(exc.reasons)
            return reset_page(portal, request, token=token, username=username, error=error)
        except CredentialError:  # spent by a concurrent request
            return reset_page(portal, request, token="", error=RESET_LINK_INVALID, status=400)
        revoke_account_sessions(s, [account.id], now=now)
        return start_session(portal, request, s, username, notice="welcome")


@router.post(RESET_PATH)
async def reset(request: Request, portal: PortalDep) -> Response:
    """Set a new password with a reset link."""
    form = await read_sign_in_form(request)
    return await run_in_threadpool(do_reset, portal, request, form)
