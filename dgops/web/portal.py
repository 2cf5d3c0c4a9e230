"""The portal's shared state and the helpers every router uses: rendering, cookies, sessions,
CSRF, the signed-in agency's survey, and the errors that become redirects or error pages.

One :class:`Portal` lives on ``app.state.portal``; routes get it with the ``PortalDep``
dependency. Which response a request touches is decided only by the signed-in session
(account → agency and cycle); ids in URLs and forms are always looked up *within* that response,
so another agency's ids find nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dgops.credentials import CredentialPolicy
from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.framework import Framework
from dgops.registry.models import Agency
from dgops.responses import (
    EvidenceLimits,
    EvidenceStorage,
    answers_of,
    evidence_questions,
    get_response,
)
from dgops.responses.models import Response as ResponseRow
from dgops.settings import Settings
from dgops.templating import environment
from dgops.web.config import WebConfig
from dgops.web.security import (
    LoginThrottler,
    Principal,
    bounded_form,
    load_session,
    new_token,
    same_token,
)
from dgops.web.views import STATUS_TH, UNLOCKED

Clock = Callable[[], dt.datetime]
FrameworkSource = Callable[[str], Framework]

CSRF_FAILED = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"
NOT_FOUND = "ไม่พบหน้าหรือไฟล์ที่ต้องการ อาจถูกลบไปแล้ว หรือลิงก์ไม่ถูกต้อง"
NOTICES = {
    "saved": "บันทึกร่างเรียบร้อยแล้ว",
    "submitted": "ส่งแบบสำรวจเรียบร้อยแล้ว ขอบคุณที่ให้ความร่วมมือ",
    "welcome": "ตั้งรหัสผ่านเรียบร้อยแล้ว ครั้งต่อไปให้เข้าสู่ระบบด้วยรหัสผ่านนี้",
    "signedin": "เข้าสู่ระบบเรียบร้อยแล้ว",
    "bye": "ออกจากระบบแล้ว",
    "expired": "กรุณาเข้าสู่ระบบ (หมดเวลาการใช้งาน หรือยังไม่ได้เข้าสู่ระบบ) "
    "เมื่อเข้าสู่ระบบแล้วจะกลับไปยังหน้าที่ทำค้างไว้",
    "locked": "แบบสำรวจถูกส่งแล้ว จึงแก้ไขไม่ได้",
    "closed": "พ้นกำหนดส่งแบบสำรวจแล้ว จึงบันทึกหรือส่งคำตอบไม่ได้ กรุณาติดต่อทีมงานโครงการ",
}
"""The notices a page shows for its ``?msg=`` parameter."""


_NEXT_PAGE = re.compile(r"^(/survey(/pillar/[A-Za-z0-9._-]{1,40}|/review)?|/results)$")


def safe_next(path: str | None) -> str:
    """The page to return to after sign-in: only the portal's own survey pages and the results
    page (never another site, never a POST-only address); else the overview."""
    return path if path and _NEXT_PAGE.match(path) else "/survey"


def next_page(request: Request) -> str:
    """The page a request was on, to come back to after signing in again."""
    path = request.url.path
    if path == "/survey/submit":
        return "/survey/review"
    return safe_next(path)


class NeedLogin(Exception):
    """No live session: pages redirect to the sign-in page, the autosave endpoint says 401."""


class BadCsrf(Exception):
    """A POST without the session's CSRF token."""


class NotFound(Exception):
    """Nothing with that id in the signed-in agency's response (also for other agencies' ids)."""


@dataclass
class SurveyContext:
    """What every questionnaire page needs, for the signed-in agency only."""

    principal: Principal
    cycle: SurveyCycle
    agency: Agency
    framework: Framework
    response: ResponseRow
    answers: dict[str, Any]
    attached: set[str]

    @property
    def status(self) -> str:
        """The response's status value (``in_progress``, ``submitted``, ...)."""
        return str(getattr(self.response.status, "value", self.response.status))

    @property
    def editable(self) -> bool:
        """True while the agency may still change its answers."""
        return self.status in UNLOCKED


class Portal:
    """The application's state (database, clock, policies, frameworks, templates) and the
    request helpers its routers share."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        clock: Clock,
        policy: CredentialPolicy,
        config: WebConfig,
        frameworks: FrameworkSource,
        storage: EvidenceStorage,
        limits: EvidenceLimits,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.policy = policy
        self.config = config
        self.storage = storage
        self.limits = limits
        self.throttler = LoginThrottler(config)
        self._frameworks: dict[str, Framework] = {}
        self._framework_source = frameworks
        self._lock = threading.Lock()
        self.env = environment(settings.templates_dir / "web")
        self.env.globals["STATUS_TH"] = STATUS_TH
        self.env.globals["SURVEY_TEAM"] = {
            "name": settings.survey_team_name,
            "phone": settings.survey_team_phone,
            "email": settings.survey_team_email,
            "hours": settings.survey_team_hours,
        }

    def framework(self, version: str) -> Framework:
        """The framework of ``version``, loaded once per application."""
        with self._lock:
            fw = self._frameworks.get(version)
            if fw is None:
                fw = self._framework_source(version)
                self._frameworks[version] = fw
            return fw

    def render(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        """A page of ``templates/web``; the ``?msg=`` notice is filled in."""
        context.setdefault("principal", None)
        context.setdefault("csrf_token", "")
        context.setdefault("notice", NOTICES.get(request.query_params.get("msg", ""), ""))
        html = self.env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status_code)

    def secure_cookies(self, request: Request) -> bool:
        """Whether cookies get ``Secure``: as configured, else when the request is HTTPS."""
        if self.config.cookie_secure is not None:
            return self.config.cookie_secure
        return request.url.scheme == "https"

    @staticmethod
    def address(request: Request) -> str:
        """The client's address (the proxy's word only from a trusted proxy)."""
        return request.client.host if request.client else "unknown"

    # -- sessions and CSRF ---------------------------------------------------------------------

    def principal(self, request: Request, session: Session) -> Principal:
        """The signed-in agency account; :class:`NeedLogin` without a live session."""
        found = load_session(
            session,
            request.cookies.get(self.config.cookie_name),
            now=self.clock(),
            config=self.config,
        )
        if found is None:
            raise NeedLogin
        return found

    @staticmethod
    def check_csrf(request: Request, principal: Principal, form: FormData | None) -> None:
        """:class:`BadCsrf` unless the header or the form carries the session's token."""
        sent = request.headers.get("x-csrf-token")
        if form is not None and not sent:
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        if not same_token(sent, principal.csrf_token):
            raise BadCsrf

    def login_csrf(self, request: Request) -> str:
        """The pre-sign-in CSRF token (double-submit cookie), new when the browser has none."""
        current = request.cookies.get(self.config.csrf_cookie_name)
        return current if current and len(current) <= 100 else new_token()

    def set_login_csrf(self, request: Request, response: Response, token: str) -> None:
        """Send the pre-sign-in CSRF cookie with a sign-in page."""
        response.set_cookie(
            self.config.csrf_cookie_name,
            token,
            httponly=True,
            secure=self.secure_cookies(request),
            samesite="strict",
            path="/",
        )

    def check_login_csrf(self, request: Request, form: FormData) -> None:
        """:class:`BadCsrf` unless the form's token is the pre-sign-in cookie's."""
        value = form.get("csrf_token")
        if not same_token(
            value if isinstance(value, str) else None,
            request.cookies.get(self.config.csrf_cookie_name),
        ):
            raise BadCsrf

    # -- the signed-in agency's survey ---------------------------------------------------------

    def survey(self, session: Session, principal: Principal) -> SurveyContext:
        """The signed-in agency's cycle, framework, response, answers and attached evidence."""
        cycle = session.get(SurveyCycle, principal.cycle_id)
        agency = session.get(Agency, principal.agency_id)
        if cycle is None or agency is None:
            raise NeedLogin
        framework = self.framework(cycle.framework_version)
        response = get_response(session, principal.cycle_id, principal.agency_id)
        return SurveyContext(
            principal=principal,
            cycle=cycle,
            agency=agency,
            framework=framework,
            response=response,
            answers=answers_of(session, response),
            attached=evidence_questions(session, response),
        )


def font_dir() -> Path | None:
    """The folder of the Sarabun font files (the portal's ``/fonts``, the dashboard's assets)."""
    try:
        import fontpkg_sarabun
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    path = Path(fontpkg_sarabun.ROOT) / "files"
    return path if path.is_dir() else None


def portal_of(request: Request) -> Portal:
    """The FastAPI dependency giving a route the application's :class:`Portal`."""
    return cast(Portal, request.app.state.portal)


PortalDep = Annotated[Portal, Depends(portal_of)]
"""A route parameter typed ``portal: PortalDep`` receives the application's Portal."""


def _check_session(portal: Portal, request: Request) -> None:
    with portal.db.begin() as s:
        portal.principal(request, s)


async def read_form(request: Request) -> FormData:
    """The signed-in agency's form: the session is checked *before* the body is read (none:
    :class:`NeedLogin`), and the form is bounded (``WebConfig`` fields, files, field size)."""
    portal = portal_of(request)
    await run_in_threadpool(_check_session, portal, request)
    return await bounded_form(request, portal.config)


def form_text(form: FormData, key: str) -> str:
    """A text field of ``form`` ("" when missing or a file)."""
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _wants_json(request: Request) -> bool:
    return request.url.path == "/survey/autosave" or "application/json" in request.headers.get(
        "accept", ""
    )


async def _need_login(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "error": "login"}, status_code=401)
    query = urllib.parse.urlencode({"msg": "expired", "next": next_page(request)})
    response = RedirectResponse(f"/login?{query}", status_code=303)
    response.delete_cookie(portal_of(request).config.cookie_name, path="/")
    return response


async def _bad_csrf(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "error": "csrf"}, status_code=403)
    return portal_of(request).render(request, "error.html.j2", 403, message=CSRF_FAILED)


async def _not_found(request: Request, exc: Exception) -> Response:
    return portal_of(request).render(request, "error.html.j2", 404, message=NOT_FOUND)


def install_error_pages(app: FastAPI) -> None:
    """Turn :class:`NeedLogin`, :class:`BadCsrf` and :class:`NotFound` into responses."""
    app.add_exception_handler(NeedLogin, _need_login)
    app.add_exception_handler(BadCsrf, _bad_csrf)
    app.add_exception_handler(NotFound, _not_found)
