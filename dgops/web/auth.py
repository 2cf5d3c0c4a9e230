"""Signing in: the home redirect, sign-in with a password, first visit with the activation code
(sets the agency's own password), sign-out and the health check."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dgops.credentials import (
    ActivationResult,
    password_problems,
    set_password,
    verify_activation,
    verify_password,
)
from dgops.credentials.models import PortalAccount
from dgops.web.portal import Portal, PortalDep, form_text, read_form, safe_next
from dgops.web.security import AGENCY, create_session, revoke_session

log = logging.getLogger(__name__)

LOGIN_FAILED = (
    "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง หรือบัญชีถูกระงับ "
    "หากเข้าใช้งานครั้งแรก ให้ใช้รหัสเปิดใช้งานจากหนังสือเชิญ "
    "หากลืมรหัสผ่าน กรุณาติดต่อเจ้าหน้าที่เพื่อขอรหัสเปิดใช้งานใหม่"
)
ACTIVATION_FAILED = (
    "ชื่อผู้ใช้หรือรหัสเปิดใช้งานไม่ถูกต้อง หมดอายุ หรือถูกใช้ไปแล้ว กรุณาตรวจสอบกับหนังสือเชิญ หรือติดต่อเจ้าหน้าที่เพื่อขอรหัสใหม่"
)
THROTTLED = "มีการเข้าสู่ระบบไม่สำเร็จหลายครั้ง กรุณารอประมาณ 15 นาทีแล้วลองใหม่"
PASSWORDS_DIFFER = "รหัสผ่านทั้งสองช่องไม่ตรงกัน"
LOGIN_PAGE = "login.html.j2"
ACTIVATE_PAGE = "activate.html.j2"

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


def start_session(
    portal: Portal,
    request: Request,
    session: Session,
    username: str,
    *,
    notice: str = "signedin",
    back: str = "",
) -> Response:
    """Sign ``username`` in: a new session, its cookie, and on to the questionnaire page the
    agency was on (``back``, checked by ``safe_next``) with the ``notice`` of how it signed in."""
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
    response.delete_cookie(portal.config.csrf_cookie_name, path="/")
    return response


@router.get("/login")
def login_form(request: Request, portal: PortalDep) -> Response:
    """The sign-in page."""
    return login_page(portal, request, LOGIN_PAGE)


def do_login(portal: Portal, request: Request, form: FormData) -> Response:
    """Check the password (throttled per username and address) and sign in."""
    portal.check_login_csrf(request, form)
    username, password = form_text(form, "username")[:100], form_text(form, "password")[:1000]
    keys = portal.throttler.keys(username, portal.address(request))
    with portal.db.begin() as s:
        now = portal.clock()
        if portal.throttler.locked(s, keys, now=now):
            return login_page(
                portal, request, LOGIN_PAGE, error=THROTTLED, status=429, username=username
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
    form = await read_form(request)
    return await run_in_threadpool(do_login, portal, request, form)


@router.get("/activate")
def activate_form(request: Request, portal: PortalDep) -> Response:
    """The first-visit page: username, activation code and a new password."""
    return login_page(portal, request, ACTIVATE_PAGE)


def do_activate(portal: Portal, request: Request, form: FormData) -> Response:
    """Check the activation code (throttled), set the agency's own password and sign in."""
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
    keys = portal.throttler.keys(username, portal.address(request))
    with portal.db.begin() as s:
        now = portal.clock()
        if portal.throttler.locked(s, keys, now=now):
            return login_page(
                portal, request, ACTIVATE_PAGE, error=THROTTLED, status=429, username=username
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
    form = await read_form(request)
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
