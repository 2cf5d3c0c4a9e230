"""The managers' dashboard as a FastAPI app for the Airflow UI, behind Airflow's sign-in.

Plugin routes are public unless they depend on ``requires_authenticated()``: the dashboard
router is included with that dependency on every route (it accepts the API's Bearer token or the
UI's ``_token`` cookie, so the page works in the UI's iframe). The survey database comes from
:class:`DgopsDatabaseHook` (connection ``dgops_db``, else the dgops settings).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine
    from starlette.types import Receive, Scope, Send

    from dgops.settings import Settings


def build_dashboard_app(
    *,
    engine: Engine | None = None,
    tracking: Any = None,
    settings: Settings | None = None,
    auth: Callable[..., Any] | None = None,
) -> FastAPI:
    """The dashboard app mounted at ``/dgops``; ``app.state.auth_dependency`` is the dependency
    every route carries (Airflow's ``requires_authenticated()`` unless ``auth`` is given)."""
    from fastapi import Depends, FastAPI

    from dgops.db import Database
    from dgops.settings import get_settings
    from dgops.web.dashboard import Viewer, create_dashboard_router
    from dgops.web.middleware import FRAMED_CSP, SecurityHeaders

    settings = settings or get_settings()
    if auth is None:
        from airflow.api_fastapi.core_api.security import requires_authenticated

        auth = requires_authenticated()
    if engine is None:
        from dgops_airflow.hooks import DgopsDatabaseHook

        engine = DgopsDatabaseHook(settings=settings).get_engine()
    db = Database(engine)

    def viewer() -> Viewer:
        return Viewer(name="Airflow")

    app = FastAPI(title="dgops dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    router = create_dashboard_router(
        sessions=db.begin, viewer=viewer, templates_dir=settings.templates_dir, tracking=tracking
    )
    app.include_router(router, dependencies=[Depends(auth)])
    # Framed by the Airflow UI (same origin); the router serves its own assets, never public.
    app.add_middleware(
        SecurityHeaders, csp=FRAMED_CSP, frame_options="SAMEORIGIN", public_prefixes=()
    )
    app.state.auth_dependency = auth
    return app


class LazyDashboardApp:
    """An ASGI app that builds :func:`build_dashboard_app` on its first request, so that
    loading the plugin (every Airflow process does) stays cheap and opens no database."""

    def __init__(self, factory: Callable[[], Any] = build_dashboard_app) -> None:
        self._factory = factory
        self._app: Any = None
        self._lock = threading.Lock()

    @property
    def app(self) -> Any:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._factory()
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
