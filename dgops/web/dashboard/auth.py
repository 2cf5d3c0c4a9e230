"""Managers' sign-in for the dashboard in ``dgops web``.

Manager accounts are configuration, not data: ``DGOPS_WEB_MANAGERS`` is a JSON object of
username → argon2id hash (make one with ``python -m dgops.web.dashboard.passwd``). A manager
session is a ``web_session`` row with role ``manager`` (only the token's SHA-256 stored) and its
cookie ``dgops_manager`` is scoped to ``/dashboard``, so it never opens an agency's pages, and an
agency's session (role ``agency``) never opens the dashboard.
"""

from __future__ import annotations

import logging
from typing import Annotated, cast

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dgops.web.dashboard.router import Viewer, dashboard_environment
from dgops.web.models import WebSession
from dgops.web.portal import Portal
from dgops.web.security import create_session, live_session, revoke_session, same_token

log = logging.getLogger(__name__)

ROLE = "manager"
COOKIE = "dgops_manager"
COOKIE_PATH = "/dashboard"
LOGIN_FAILED = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (ผู้บริหารโครงการ)"
THROTTLED = "มีการเข้าสู่ระบบไม่สำเร็จหลายครั้ง กรุณารอประมาณ 15 นาทีแล้วลองใหม่"
CSRF_FAILED = "แบบฟอร์มหมดอายุ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


class ManagerConfig(BaseSettings):
    """``DGOPS_WEB_MANAGERS='{"somchai": "$argon2id$..."}'``: who may open the dashboard."""

    model_config = SettingsConfigDict(env_prefix="DGOPS_WEB_", frozen=True, extra="ignore")

    managers: dict[str, str] = Field(default_factory=dict, repr=False)


def hash_manager_password(password: str) -> str:
    """The argon2id hash to put in ``DGOPS_WEB_MANAGERS`` for ``password``."""
    return PasswordHasher().hash(password)


class _NeedManager(Exception):
    """No live manager session: the page sends the browser to the managers' sign-in."""


class ManagerAuth:
    """Checks manager passwords and sessions; ``viewer`` is the dashboard's dependency."""

    def __init__(self, portal: Portal, managers: dict[str, str]) -> None:
        self.portal = portal
        self.managers = {k.strip().lower(): v for k, v in managers.items()}
        self._hasher = PasswordHasher()
        # The dummy has the same cost as the real hashes, so an unknown name takes as long.
        first = next(iter(self.managers.values()), None)
        dummy_hasher = self._hasher
        if first is not None:
            try:
                dummy_hasher = PasswordHasher.from_parameters(extract_parameters(first))
            except InvalidHashError:
                log.warning("DGOPS_WEB_MANAGERS holds a value that is not an argon2 hash")
        self._dummy = dummy_hasher.hash("dgops-dummy-password-for-timing")
        self.env = dashboard_environment(portal.settings.templates_dir)

    def verify(self, username: str, password: str) -> bool:
        """One argon2 verification whether or not the user exists (no enumeration by time)."""
        stored = self.managers.get(username.strip().lower())
        try:
            ok: bool = self._hasher.verify(stored or self._dummy, password)
        except (VerificationError, InvalidHashError):
            ok = False
        return ok and stored is not None

    def start(self, session: Session) -> str:
        """A new manager session; returns the token for the cookie."""
        return create_session(
            session, account_id=None, role=ROLE, now=self.portal.clock(), config=self.portal.config
        )

    def load(self, session: Session, token: str | None) -> WebSession | None:
        """The live manager session of ``token``, or None."""
        found = live_session(
            session, token, role=ROLE, now=self.portal.clock(), config=self.portal.config
        )
        return None if found is None else found[0]

    def page(
        self, request: Request, *, error: str = "", status: int = 200, notice: str = ""
    ) -> Response:
        """The sign-in page with the pre-sign-in CSRF cookie (the portal's double submit)."""
        token = self.portal.login_csrf(request)
        html = self.env.get_template("dashboard/login.html.j2").render(
            viewer=None, csrf_token=token, error=error, notice=notice
        )
        response = HTMLResponse(html, status_code=status)
        self.portal.set_login_csrf(request, response, token)
        return response

    def viewer(self, request: Request) -> Viewer:
        """The dashboard dependency: the signed-in manager, or a redirect to sign in."""
        with self.portal.db.begin() as s:
            row = self.load(s, request.cookies.get(COOKIE))
            if row is None:
                raise _NeedManager
            return Viewer(name="ผู้บริหารโครงการ", csrf_token=row.csrf_token, logout_url="logout")


async def _need_manager(request: Request, exc: Exception) -> Response:
    response = RedirectResponse("/dashboard/login", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def install_manager_auth(app: FastAPI, portal: Portal, managers: dict[str, str]) -> ManagerAuth:
    """Add the managers' sign-in and sign-out pages to ``app``; returns the auth whose
    ``viewer`` the dashboard router depends on (also kept on ``app.state.manager_auth``)."""
    auth = ManagerAuth(portal, managers)
    app.state.manager_auth = auth
    app.add_exception_handler(_NeedManager, _need_manager)
    app.include_router(router)
    return auth


def manager_auth_of(request: Request) -> ManagerAuth:
    """The FastAPI dependency giving a route the application's :class:`ManagerAuth`."""
    return cast(ManagerAuth, request.app.state.manager_auth)


AuthDep = Annotated[ManagerAuth, Depends(manager_auth_of)]

router = APIRouter(prefix="/dashboard")


@router.get("/login")
def login_form(request: Request, auth: AuthDep) -> Response:
    """The managers' sign-in page."""
    bye = request.query_params.get("msg") == "bye"
    return auth.page(request, notice="ออกจากระบบแล้ว" if bye else "")


def do_login(
    auth: ManagerAuth, request: Request, username: str, password: str, csrf: str | None
) -> Response:
    """Check the manager's password (throttled) and start a manager session."""
    portal = auth.portal
    if not same_token(csrf, request.cookies.get(portal.config.csrf_cookie_name)):
        return auth.page(request, error=CSRF_FAILED, status=403)
    keys = portal.throttler.keys(f"manager:{username}", portal.address(request))
    with portal.db.begin() as s:
        now = portal.clock()
        if portal.throttler.locked(s, keys, now=now):
            return auth.page(request, error=THROTTLED, status=429)
        if username and auth.verify(username, password):
            portal.throttler.succeed(s, keys)
            token = auth.start(s)
        else:
            portal.throttler.fail(s, keys, now=now)
            token = None
    if token is None:
        log.info("failed manager sign-in from %s", portal.address(request))
        return auth.page(request, error=LOGIN_FAILED)
    log.info("manager %s signed in to the dashboard", username.strip().lower())
    response = RedirectResponse("/dashboard/", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(portal.config.session_ttl.total_seconds()),
        httponly=True,
        secure=portal.secure_cookies(request),
        samesite="lax",
        path=COOKIE_PATH,
    )
    response.delete_cookie(portal.config.csrf_cookie_name, path="/")
    return response


@router.post("/login")
async def login(request: Request, auth: AuthDep) -> Response:
    """Sign a manager in (argon2 runs off the event loop)."""
    form = await request.form(max_files=0, max_fields=10)
    username = str(form.get("username") or "")[:100]
    password = str(form.get("password") or "")[:1000]
    csrf = form.get("csrf_token")
    return await run_in_threadpool(
        do_login, auth, request, username, password, csrf if isinstance(csrf, str) else None
    )


def do_logout(auth: ManagerAuth, request: Request, csrf: str | None) -> Response:
    """End the manager's session (CSRF-checked) and drop its cookie."""
    token = request.cookies.get(COOKIE)
    with auth.portal.db.begin() as s:
        row = auth.load(s, token)
        if row is None:
            raise _NeedManager
        if not same_token(csrf, row.csrf_token):
            return auth.page(request, error=CSRF_FAILED, status=403)
        revoke_session(s, token, now=auth.portal.clock())
    response = RedirectResponse("/dashboard/login?msg=bye", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.post("/logout")
async def logout(request: Request, auth: AuthDep) -> Response:
    """Sign the manager out."""
    form = await request.form(max_files=0, max_fields=10)
    csrf = form.get("csrf_token")
    return await run_in_threadpool(
        do_logout, auth, request, csrf if isinstance(csrf, str) else None
    )
