"""The agency portal's application factory: the shared :class:`Portal`, the routers, the
managers' dashboard, static files and the security headers.

Every page is rendered on the server from ``templates/web/`` and works without JavaScript;
``static/portal.js`` adds autosave and immediate show/hide. The routes live in
``dgops.web.auth`` (sign-in), ``dgops.web.survey`` (the questionnaire), ``dgops.web.evidence``
(files) and ``dgops.web.dashboard`` (the managers' dashboard).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from dgops.credentials import CredentialPolicy
from dgops.db import Database
from dgops.framework import load_framework
from dgops.letters import load_issuer
from dgops.responses import EvidenceLimits, EvidenceStorage
from dgops.settings import Settings, get_settings
from dgops.web import auth, evidence, results, survey
from dgops.web.config import WebConfig
from dgops.web.dashboard import ManagerConfig, create_dashboard_router, install_manager_auth
from dgops.web.middleware import BodyLimit, SecurityHeaders
from dgops.web.portal import Clock, FrameworkSource, Portal, font_dir, install_error_pages
from dgops.web.security import CredentialResetTokens, ResetTokens


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    policy: CredentialPolicy | None = None,
    config: WebConfig | None = None,
    frameworks: FrameworkSource | None = None,
    storage: EvidenceStorage | None = None,
    limits: EvidenceLimits | None = None,
    tracking: Any = None,
    managers: Mapping[str, str] | None = None,
    reset_tokens: ResetTokens | None = None,
    documents: results.ResultDocuments | None = None,
) -> FastAPI:
    """The portal application. Tests inject the database, a clock, a cheap hash policy, a
    framework source and an evidence folder; ``dgops web`` uses the settings for all of them.

    The managers' dashboard is mounted at ``/dashboard/`` (``dgops.web.dashboard``): its
    accounts are ``managers`` (username → argon2 hash; default ``DGOPS_WEB_MANAGERS``) and its
    figures come from ``tracking`` (default ``dgops.fieldwork``). ``reset_tokens`` redeems the
    password-reset links of ``/password/reset`` (default: those ``dgops.credentials`` issues).
    ``documents`` renders the result letters and action plans of ``/results`` (default:
    the letters as they were sent, ``dgops.web.results.LetterFiles``)."""
    settings = settings or get_settings()
    config = config or WebConfig()
    portal = Portal(
        settings=settings,
        db=db or Database.connect(settings.db_url),
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
    app.state.reset_tokens = reset_tokens or CredentialResetTokens()
    app.state.results = results.ResultsCache(
        portal.framework,
        issuer=lambda: load_issuer(settings.templates_dir / "letters" / "issuer.yaml"),
    )
    app.state.result_documents = documents or results.LetterFiles(settings)
    install_error_pages(app)
    app.include_router(auth.router)
    app.include_router(survey.router)
    app.include_router(evidence.router)
    app.include_router(results.router)
    _mount_dashboard(app, portal, tracking, managers)
    static = settings.templates_dir / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    fonts = font_dir()
    if fonts is not None:
        app.mount("/fonts", StaticFiles(directory=str(fonts)), name="fonts")
    # Outermost last: proxy headers, security headers, trusted hosts, then the body limit.
    app.add_middleware(
        BodyLimit,
        default=config.max_form_bytes,
        larger={"/survey/pillar/": config.max_upload_request_bytes},
        json_paths=("/survey/autosave",),
    )
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=trusted_hosts(config, settings), www_redirect=False
    )
    app.add_middleware(SecurityHeaders)
    if config.trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    return app


def _mount_dashboard(
    app: FastAPI, portal: Portal, tracking: Any, managers: Mapping[str, str] | None
) -> None:
    """The dashboard at ``/dashboard/`` behind the managers' sign-in."""
    accounts = dict(managers) if managers is not None else ManagerConfig().managers
    manager_auth = install_manager_auth(app, portal, accounts)
    app.include_router(
        create_dashboard_router(
            sessions=portal.db.begin,
            viewer=manager_auth.viewer,
            templates_dir=portal.settings.templates_dir,
            tracking=tracking,
            clock=portal.clock,
            results=app.state.results,
            documents=app.state.result_documents,
        )
    )


def trusted_hosts(config: WebConfig, settings: Settings) -> list[str]:
    """The ``Host`` names the portal answers to: ``DGOPS_WEB_TRUSTED_HOSTS``, else the host of
    ``DGOPS_PORTAL_URL`` (the address in the e-mails) and the loopback names."""
    if config.trusted_hosts:
        return list(config.trusted_hosts)
    own = urlsplit(settings.portal_url).hostname
    return sorted({"localhost", "127.0.0.1", *([own] if own else [])})
