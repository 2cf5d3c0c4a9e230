"""The agency portal: FastAPI application factory, sign-in, the questionnaire and evidence.

Every page is rendered on the server from ``templates/web/`` and works without JavaScript;
``static/portal.js`` adds autosave and immediate show/hide. Which response a request touches is
decided only by the signed-in session (account → agency and cycle); ids in URLs and forms are
always looked up *within* that response, so another agency's ids find nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData, MutableHeaders, UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dgops.credentials import (
    ActivationResult,
    CredentialPolicy,
    password_problems,
    set_password,
    verify_activation,
    verify_password,
)
from dgops.credentials.models import PortalAccount
from dgops.cycles.models import SurveyCycle
from dgops.db import make_engine
from dgops.framework import Framework, load_framework
from dgops.registry.models import Agency
from dgops.responses import (
    EvidenceError,
    EvidenceFile,
    EvidenceLimits,
    EvidenceStorage,
    IncompleteError,
    LockedError,
    ResponseError,
    answers_of,
    comments_of,
    delete_evidence,
    evidence_of,
    evidence_questions,
    get_response,
    open_evidence,
    progress,
    save_answers,
    store_evidence,
    submit,
)
from dgops.responses.models import Response as ResponseRow
from dgops.settings import Settings, get_settings
from dgops.thai import thai_date
from dgops.web.config import WebConfig
from dgops.web.security import (
    LoginThrottler,
    Principal,
    create_session,
    load_session,
    new_token,
    revoke_session,
    same_token,
)
from dgops.web.views import (
    STATUS_TH,
    UNLOCKED,
    answers_from_form,
    outside_answers,
    pillar_view,
    question_numbers,
)

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
FrameworkSource = Callable[[str], Framework]

LOGIN_FAILED = (
    "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง หรือบัญชีถูกระงับ "
    "หากเข้าใช้งานครั้งแรก ให้ใช้รหัสเปิดใช้งานจากหนังสือเชิญ "
    "หากลืมรหัสผ่าน กรุณาติดต่อเจ้าหน้าที่เพื่อขอรหัสเปิดใช้งานใหม่"
)
ACTIVATION_FAILED = (
    "ชื่อผู้ใช้หรือรหัสเปิดใช้งานไม่ถูกต้อง หมดอายุ หรือถูกใช้ไปแล้ว กรุณาตรวจสอบกับหนังสือเชิญ หรือติดต่อเจ้าหน้าที่เพื่อขอรหัสใหม่"
)
THROTTLED = "มีการเข้าสู่ระบบไม่สำเร็จหลายครั้ง กรุณารอประมาณ 15 นาทีแล้วลองใหม่"
CSRF_FAILED = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"
NOTICES = {
    "saved": "บันทึกร่างเรียบร้อยแล้ว",
    "submitted": "ส่งแบบสำรวจเรียบร้อยแล้ว ขอบคุณที่ให้ความร่วมมือ",
    "welcome": "ตั้งรหัสผ่านเรียบร้อยแล้ว ครั้งต่อไปให้เข้าสู่ระบบด้วยรหัสผ่านนี้",
    "bye": "ออกจากระบบแล้ว",
    "expired": "กรุณาเข้าสู่ระบบ (หมดเวลาการใช้งาน หรือยังไม่ได้เข้าสู่ระบบ)",
    "locked": "แบบสำรวจถูกส่งแล้ว จึงแก้ไขไม่ได้",
}


class _NeedLogin(Exception):
    """No live session: pages redirect to the sign-in page, the autosave endpoint says 401."""


class _BadCsrf(Exception):
    """A POST without the session's CSRF token."""


class _NotFound(Exception):
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
        return str(getattr(self.response.status, "value", self.response.status))

    @property
    def editable(self) -> bool:
        return self.status in UNLOCKED


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


class _SecurityHeaders:
    """Pure ASGI middleware adding CSP and friends (no per-request task, unlike
    BaseHTTPMiddleware); pages that carry agency data are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        public = str(scope.get("path", "")).startswith(("/static/", "/fonts/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                if not public:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


def thai_datetime(value: dt.datetime) -> str:
    """``3 กันยายน 2566 14:05 น.`` in Bangkok time."""
    from pythainlp.util import thai_strftime

    local = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return str(thai_strftime(local.astimezone(_BANGKOK), "%-d %B %Y %H:%M น."))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Portal:
    """The application's state and the helpers its routes share."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        policy: CredentialPolicy,
        config: WebConfig,
        frameworks: FrameworkSource,
        storage: EvidenceStorage,
        limits: EvidenceLimits,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.policy = policy
        self.config = config
        self.storage = storage
        self.limits = limits
        self.throttler = LoginThrottler(config)
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._frameworks: dict[str, Framework] = {}
        self._framework_source = frameworks
        self._lock = threading.Lock()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(settings.templates_dir / "web")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["STATUS_TH"] = STATUS_TH
        self.env.filters["thai_date"] = thai_date
        self.env.filters["thai_datetime"] = thai_datetime

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def framework(self, version: str) -> Framework:
        with self._lock:
            fw = self._frameworks.get(version)
            if fw is None:
                fw = self._framework_source(version)
                self._frameworks[version] = fw
            return fw

    def render(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        context.setdefault("principal", None)
        context.setdefault("csrf_token", "")
        context.setdefault("notice", NOTICES.get(request.query_params.get("msg", ""), ""))
        html = self.env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status_code)

    def secure_cookies(self, request: Request) -> bool:
        if self.config.cookie_secure is not None:
            return self.config.cookie_secure
        return request.url.scheme == "https"

    @staticmethod
    def address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    # -- sessions and CSRF ---------------------------------------------------------------------

    def principal(self, request: Request, session: Session) -> Principal:
        found = load_session(
            session,
            request.cookies.get(self.config.cookie_name),
            now=self.clock(),
            config=self.config,
        )
        if found is None:
            raise _NeedLogin
        return found

    @staticmethod
    def check_csrf(request: Request, principal: Principal, form: FormData | None) -> None:
        sent = request.headers.get("x-csrf-token")
        if form is not None and not sent:
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        if not same_token(sent, principal.csrf_token):
            raise _BadCsrf

    def login_csrf(self, request: Request) -> str:
        """The pre-sign-in CSRF token (double-submit cookie), new when the browser has none."""
        current = request.cookies.get(self.config.csrf_cookie_name)
        return current if current and len(current) <= 100 else new_token()

    def set_login_csrf(self, request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            self.config.csrf_cookie_name,
            token,
            httponly=True,
            secure=self.secure_cookies(request),
            samesite="strict",
            path="/",
        )

    def check_login_csrf(self, request: Request, form: FormData) -> None:
        value = form.get("csrf_token")
        if not same_token(
            value if isinstance(value, str) else None,
            request.cookies.get(self.config.csrf_cookie_name),
        ):
            raise _BadCsrf

    def start_session(self, request: Request, session: Session, username: str) -> Response:
        account = session.scalar(
            select(PortalAccount).where(PortalAccount.username == username.strip().upper())
        )
        assert account is not None
        token = create_session(session, account, now=self.clock(), config=self.config)
        return token_redirect(self, request, token)

    # -- the signed-in agency's survey ---------------------------------------------------------

    def survey(self, session: Session, principal: Principal) -> SurveyContext:
        cycle = session.get(SurveyCycle, principal.cycle_id)
        agency = session.get(Agency, principal.agency_id)
        if cycle is None or agency is None:
            raise _NeedLogin
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

    @staticmethod
    def files_of(session: Session, ctx: SurveyContext) -> list[EvidenceFile]:
        return evidence_of(session, ctx.response)


def token_redirect(portal: Portal, request: Request, token: str) -> Response:
    response = RedirectResponse("/survey?msg=welcome", status_code=303)
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


def _content_disposition(filename: str) -> str:
    ascii_name = "".join(
        c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename
    )
    quoted = urllib.parse.quote(filename, safe="")
    return f"attachment; filename=\"{ascii_name or 'evidence'}\"; filename*=UTF-8''{quoted}"


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    policy: CredentialPolicy | None = None,
    config: WebConfig | None = None,
    frameworks: FrameworkSource | None = None,
    storage: EvidenceStorage | None = None,
    limits: EvidenceLimits | None = None,
    tracking: Any = None,
    managers: Mapping[str, str] | None = None,
) -> FastAPI:
    """The portal application. Tests inject the engine, a clock, a cheap hash policy, a
    framework source and an evidence folder; ``dgops web`` uses the settings for all of them.

    The managers' dashboard is mounted at ``/dashboard/`` (``dgops.web.dashboard``): its
    accounts are ``managers`` (username → argon2 hash; default ``DGOPS_WEB_MANAGERS``) and its
    figures come from ``tracking`` (default ``dgops.tracking``)."""
    settings = settings or get_settings()
    config = config or WebConfig()
    portal = Portal(
        settings=settings,
        engine=engine or make_engine(settings.db_url),
        clock=clock or _utcnow,
        policy=policy or CredentialPolicy(),
        config=config,
        frameworks=frameworks or load_framework,
        storage=storage or EvidenceStorage(settings.var_dir / "evidence"),
        limits=limits or EvidenceLimits(),
    )
    app = FastAPI(
        title="dgops portal", docs_url=None, redoc_url=None, openapi_url=None, debug=False
    )
    app.state.portal = portal
    _install_handlers(app, portal)
    _auth_routes(app, portal)
    _survey_routes(app, portal)
    _dashboard_routes(app, portal, tracking, managers)
    static = settings.templates_dir / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    fonts = _font_dir()
    if fonts is not None:
        app.mount("/fonts", StaticFiles(directory=str(fonts)), name="fonts")
    app.add_middleware(_SecurityHeaders)
    if config.trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    return app


def _dashboard_routes(
    app: FastAPI, portal: Portal, tracking: Any, managers: Mapping[str, str] | None
) -> None:
    from dgops.web.dashboard import ManagerConfig, create_dashboard_router, install_manager_auth

    accounts = dict(managers) if managers is not None else ManagerConfig().managers
    auth = install_manager_auth(app, portal, accounts)
    app.include_router(
        create_dashboard_router(
            sessions=portal.tx,
            viewer=auth.viewer,
            templates_dir=portal.settings.templates_dir,
            tracking=tracking,
            clock=portal.clock,
        )
    )


def _font_dir() -> Path | None:
    try:
        import fontpkg_sarabun
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    path = Path(fontpkg_sarabun.ROOT) / "files"
    return path if path.is_dir() else None


def _install_handlers(app: FastAPI, portal: Portal) -> None:
    def wants_json(request: Request) -> bool:
        return request.url.path == "/survey/autosave" or "application/json" in request.headers.get(
            "accept", ""
        )

    @app.exception_handler(_NeedLogin)
    async def _need_login(request: Request, exc: _NeedLogin) -> Response:
        if wants_json(request):
            return JSONResponse({"ok": False, "error": "login"}, status_code=401)
        response = RedirectResponse("/login?msg=expired", status_code=303)
        response.delete_cookie(portal.config.cookie_name, path="/")
        return response

    @app.exception_handler(_BadCsrf)
    async def _bad_csrf(request: Request, exc: _BadCsrf) -> Response:
        if wants_json(request):
            return JSONResponse({"ok": False, "error": "csrf"}, status_code=403)
        return portal.render(request, "error.html.j2", 403, message=CSRF_FAILED)

    @app.exception_handler(_NotFound)
    async def _not_found(request: Request, exc: _NotFound) -> Response:
        return portal.render(request, "error.html.j2", 404, message="ไม่พบหน้าหรือไฟล์ที่ขอ (not found)")


async def _form(request: Request) -> FormData:
    return await request.form(max_files=50, max_fields=2000)


def _str(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


# -- sign-in ---------------------------------------------------------------------------------


def _auth_routes(app: FastAPI, portal: Portal) -> None:
    from starlette.concurrency import run_in_threadpool

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        target = "/survey" if request.cookies.get(portal.config.cookie_name) else "/login"
        return RedirectResponse(target, status_code=303)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def login_page(
        request: Request, name: str, *, error: str = "", status: int = 200, username: str = ""
    ) -> Response:
        token = portal.login_csrf(request)
        response = portal.render(
            request, name, status, csrf_token=token, error=error, username=username
        )
        portal.set_login_csrf(request, response, token)
        return response

    @app.get("/login")
    def login_form(request: Request) -> Response:
        return login_page(request, "login.html.j2")

    def do_login(request: Request, form: FormData) -> Response:
        portal.check_login_csrf(request, form)
        username, password = _str(form, "username")[:100], _str(form, "password")[:1000]
        keys = portal.throttler.keys(username, portal.address(request))
        with portal.tx() as s:
            now = portal.clock()
            if portal.throttler.locked(s, keys, now=now):
                return login_page(
                    request, "login.html.j2", error=THROTTLED, status=429, username=username
                )
            if username and verify_password(s, username, password, policy=portal.policy):
                portal.throttler.succeed(s, keys)
                return portal.start_session(request, s, username)
            portal.throttler.fail(s, keys, now=now)
        log.info("failed sign-in from %s", portal.address(request))
        return login_page(request, "login.html.j2", error=LOGIN_FAILED, username=username)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(do_login, request, form)

    @app.get("/activate")
    def activate_form(request: Request) -> Response:
        return login_page(request, "activate.html.j2")

    def do_activate(request: Request, form: FormData) -> Response:
        portal.check_login_csrf(request, form)
        username = _str(form, "username")[:100]
        code = _str(form, "code")[:100]
        password, again = _str(form, "password")[:1000], _str(form, "password2")[:1000]
        page = "activate.html.j2"
        if password != again:
            return login_page(request, page, error="รหัสผ่านทั้งสองช่องไม่ตรงกัน", username=username)
        problems = password_problems(password, username.strip().upper(), portal.policy)
        if problems:
            return login_page(request, page, error=" · ".join(problems), username=username)
        keys = portal.throttler.keys(username, portal.address(request))
        with portal.tx() as s:
            now = portal.clock()
            if portal.throttler.locked(s, keys, now=now):
                return login_page(request, page, error=THROTTLED, status=429, username=username)
            result = verify_activation(s, username, code, policy=portal.policy, now=now)
            if username and result is ActivationResult.OK:
                set_password(s, username, password, policy=portal.policy, now=now)
                portal.throttler.succeed(s, keys)
                return portal.start_session(request, s, username)
            portal.throttler.fail(s, keys, now=now)
        log.info("failed activation from %s", portal.address(request))
        return login_page(request, page, error=ACTIVATION_FAILED, username=username)

    @app.post("/activate")
    async def activate(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(do_activate, request, form)

    def do_logout(request: Request, form: FormData) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            portal.check_csrf(request, principal, form)
            revoke_session(s, request.cookies.get(portal.config.cookie_name), now=portal.clock())
        response = RedirectResponse("/login?msg=bye", status_code=303)
        response.delete_cookie(portal.config.cookie_name, path="/")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(do_logout, request, form)


# -- the questionnaire -----------------------------------------------------------------------


def _progress_json(ctx: SurveyContext) -> dict[str, Any]:
    prog = progress(ctx.framework, ctx.answers, evidence=ctx.attached)
    return {
        "answered": prog.answered,
        "required": prog.required,
        "missing": prog.missing,
        "evidence_missing": prog.evidence_missing,
        "by_pillar": {k: list(v) for k, v in prog.by_pillar.items()},
    }


def _survey_routes(app: FastAPI, portal: Portal) -> None:
    from starlette.concurrency import run_in_threadpool

    def page_common(ctx: SurveyContext, session: Session) -> dict[str, Any]:
        prog = progress(ctx.framework, ctx.answers, evidence=ctx.attached)
        comments = comments_of(session, ctx.response, open_only=True)
        return {
            "principal": ctx.principal,
            "csrf_token": ctx.principal.csrf_token,
            "ctx": ctx,
            "progress": prog,
            "comments": comments,
            "general_comments": [c for c in comments if not c.question_id],
            "numbers": question_numbers(ctx.framework),
        }

    @app.get("/survey")
    def overview(request: Request) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            ctx = portal.survey(s, principal)
            return portal.render(request, "overview.html.j2", **page_common(ctx, s))

    def render_pillar(
        request: Request,
        s: Session,
        ctx: SurveyContext,
        code: str,
        *,
        errors: Mapping[str, str] | None = None,
        raw: Mapping[str, Any] | None = None,
        status: int = 200,
    ) -> Response:
        try:
            pillar = ctx.framework.pillar(code)
        except KeyError:
            raise _NotFound from None
        common = page_common(ctx, s)
        shown = ctx.framework.evaluate_show_if(ctx.answers)
        values = {**ctx.answers, **(raw or {})}
        view = pillar_view(
            ctx.framework,
            pillar,
            values,
            shown=shown,
            errors=errors,
            missing=common["progress"].missing,
            evidence_missing=common["progress"].evidence_missing,
            comments=common["comments"],
            files=portal.files_of(s, ctx),
        )
        codes = ctx.framework.pillar_codes
        i = codes.index(code)
        return portal.render(
            request,
            "pillar.html.j2",
            status,
            pillar=view,
            prev_code=codes[i - 1] if i > 0 else None,
            next_code=codes[i + 1] if i + 1 < len(codes) else None,
            outside=outside_answers(ctx.framework, pillar, ctx.answers),
            errors=errors or {},
            max_upload_mb=portal.config.max_upload_bytes // (1024 * 1024),
            **common,
        )

    @app.get("/survey/pillar/{code}")
    def pillar_page(request: Request, code: str) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            ctx = portal.survey(s, principal)
            return render_pillar(request, s, ctx, code)

    def do_save_pillar(request: Request, code: str, form: FormData) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            portal.check_csrf(request, principal, form)
            ctx = portal.survey(s, principal)
            try:
                pillar = ctx.framework.pillar(code)
            except KeyError:
                raise _NotFound from None
            if not ctx.editable:
                return RedirectResponse(f"/survey/pillar/{code}?msg=locked", status_code=303)
            on_page = {q.id for sub in pillar.sub_indicators for q in sub.questions}
            answers, errors = answers_from_form(
                ctx.framework, list(form.multi_items()), allowed=on_page
            )
            actor = principal.username
            channel = portal.config.survey_channel
            if answers:
                result = save_answers(
                    s, ctx.response, answers, framework=ctx.framework, actor=actor, channel=channel
                )
                errors.update(result.errors)
            errors.update(_store_uploads(portal, s, ctx, form, on_page))
            errors.update(_delete_requested(portal, s, ctx, form))
            if errors:
                ctx.answers = answers_of(s, ctx.response)
                ctx.attached = evidence_questions(s, ctx.response)
                raw = {k: v for k, v in answers.items() if k in errors}
                return render_pillar(request, s, ctx, code, errors=errors, raw=raw, status=422)
        target = code
        if _str(form, "go") == "next":
            codes = ctx.framework.pillar_codes
            i = codes.index(code)
            if i + 1 < len(codes):
                target = codes[i + 1]
            else:
                return RedirectResponse("/survey/review", status_code=303)
        return RedirectResponse(f"/survey/pillar/{target}?msg=saved", status_code=303)

    @app.post("/survey/pillar/{code}")
    async def save_pillar(request: Request, code: str) -> Response:
        length = int(request.headers.get("content-length") or 0)
        if length > 5 * portal.config.max_upload_bytes:
            return portal.render(request, "error.html.j2", 413, message="ไฟล์ที่ส่งมามีขนาดใหญ่เกินไป")
        form = await _form(request)
        try:
            return await run_in_threadpool(do_save_pillar, request, code, form)
        finally:
            await form.close()

    def do_autosave(request: Request, form: FormData) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            portal.check_csrf(request, principal, form)
            ctx = portal.survey(s, principal)
            if not ctx.editable:
                return JSONResponse(
                    {"ok": False, "error": "locked", "message": NOTICES["locked"]},
                    status_code=409,
                )
            answers, errors = answers_from_form(ctx.framework, list(form.multi_items()))
            saved: list[str] = []
            cleared: list[str] = []
            if answers:
                try:
                    result = save_answers(
                        s,
                        ctx.response,
                        answers,
                        framework=ctx.framework,
                        actor=principal.username,
                        channel=portal.config.survey_channel,
                    )
                except LockedError:
                    return JSONResponse({"ok": False, "error": "locked"}, status_code=409)
                errors.update(result.errors)
                saved, cleared = result.saved, result.cleared
                ctx.answers = answers_of(s, ctx.response)
            body = {
                "ok": not errors,
                "saved": saved,
                "cleared": cleared,
                "errors": errors,
                "shown": ctx.framework.evaluate_show_if(ctx.answers),
                "progress": _progress_json(ctx),
                "saved_at": portal.clock().astimezone(_BANGKOK).strftime("%H:%M"),
            }
        return JSONResponse(body, status_code=200 if not errors else 422)

    @app.post("/survey/autosave")
    async def autosave(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(do_autosave, request, form)

    @app.get("/survey/evidence/{evidence_id}")
    def download(request: Request, evidence_id: int) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            ctx = portal.survey(s, principal)
            try:
                record, content = open_evidence(s, ctx.response, evidence_id, portal.storage)
            except (EvidenceError, ResponseError):
                raise _NotFound from None
        return Response(
            content,
            media_type=record.content_type,
            headers={"Content-Disposition": _content_disposition(record.filename)},
        )

    @app.get("/survey/review")
    def review(request: Request) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            ctx = portal.survey(s, principal)
            return _render_review(portal, request, s, ctx, page_common(ctx, s))

    def do_submit(request: Request, form: FormData) -> Response:
        with portal.tx() as s:
            principal = portal.principal(request, s)
            portal.check_csrf(request, principal, form)
            ctx = portal.survey(s, principal)
            try:
                submit(
                    s,
                    ctx.response,
                    framework=ctx.framework,
                    actor=principal.username,
                    channel=portal.config.survey_channel,
                )
            except IncompleteError as exc:
                return _render_review(
                    portal, request, s, ctx, page_common(ctx, s), error=exc.message_th, status=422
                )
            except ResponseError:
                return RedirectResponse("/survey?msg=locked", status_code=303)
        return RedirectResponse("/survey?msg=submitted", status_code=303)

    @app.post("/survey/submit")
    async def submit_route(request: Request) -> Response:
        form = await _form(request)
        return await run_in_threadpool(do_submit, request, form)


def _render_review(
    portal: Portal,
    request: Request,
    s: Session,
    ctx: SurveyContext,
    common: dict[str, Any],
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    shown = ctx.framework.evaluate_show_if(ctx.answers)
    files = portal.files_of(s, ctx)
    pillars = [
        pillar_view(
            ctx.framework,
            p,
            ctx.answers,
            shown=shown,
            missing=common["progress"].missing,
            evidence_missing=common["progress"].evidence_missing,
            comments=common["comments"],
            files=files,
        )
        for p in ctx.framework.pillars
    ]
    return portal.render(request, "review.html.j2", status, pillars=pillars, error=error, **common)


def _store_uploads(
    portal: Portal, s: Session, ctx: SurveyContext, form: FormData, allowed: set[str]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, value in form.multi_items():
        if not key.startswith("file:") or not isinstance(value, UploadFile):
            continue
        qid = key.removeprefix("file:")
        if not value.filename:
            continue  # an empty file input
        if qid not in allowed:
            errors[qid] = "ไม่มีคำถามนี้ในส่วนนี้ของแบบสำรวจ (unknown question)"
            continue
        question = ctx.framework.question(qid)
        if question.type != "evidence" and question.evidence == "none":
            errors[qid] = "คำถามนี้ไม่รับไฟล์หลักฐาน (this question takes no file)"
            continue
        content = value.file.read(portal.config.max_upload_bytes + 1)
        if len(content) > portal.config.max_upload_bytes:
            mb = portal.config.max_upload_bytes // (1024 * 1024)
            errors[qid] = f"ไฟล์ใหญ่เกิน {mb} MB (file too large)"
            continue
        try:
            with s.begin_nested():
                store_evidence(
                    s,
                    ctx.response,
                    qid,
                    value.filename,
                    content,
                    actor=ctx.principal.username,
                    storage=portal.storage,
                    limits=portal.limits,
                    framework=ctx.framework,
                )
        except ResponseError as exc:
            errors[qid] = exc.message_th
    return errors


def _delete_requested(
    portal: Portal, s: Session, ctx: SurveyContext, form: FormData
) -> dict[str, str]:
    raw = _str(form, "delete_evidence")
    if not raw:
        return {}
    try:
        evidence_id = int(raw)
    except ValueError:
        raise _NotFound from None
    try:
        delete_evidence(
            s, ctx.response, evidence_id, actor=ctx.principal.username, framework=ctx.framework
        )
    except LockedError:
        return {"_": NOTICES["locked"]}
    except (EvidenceError, ResponseError):
        raise _NotFound from None
    return {}


_BANGKOK = dt.timezone(dt.timedelta(hours=7), "Asia/Bangkok")
