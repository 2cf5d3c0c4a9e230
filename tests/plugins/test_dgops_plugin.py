"""The dgops Airflow plugin: the dashboard app refuses anonymous requests, serves an
authenticated one, and the plugin loads in Airflow's plugin manager."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("airflow")

from dgops_airflow.dashboard import LazyDashboardApp, build_dashboard_app
from fastapi import FastAPI
from sqlalchemy import Engine

from dgops.cycles.models import SurveyCycle
from dgops.db import Database
from dgops.settings import PROJECT_ROOT, Settings
from tests.web.conftest import TestClient
from tests.web.dashboard.conftest import FakeTracking

pytestmark = pytest.mark.airflow


@pytest.fixture
def plugin_app(sqlite_engine: Engine, tmp_path: Path) -> FastAPI:
    with Database(sqlite_engine).begin() as s:
        s.add(
            SurveyCycle(
                year_be=2566,
                year_ce=2023,
                framework_version="2566",
                title_th="การสำรวจระดับความพร้อมรัฐบาลดิจิทัล ประจำปี พ.ศ. 2566",
                open_date=dt.date(2023, 7, 3),
                deadline=dt.date(2023, 8, 31),
            )
        )
    return build_dashboard_app(
        engine=sqlite_engine,
        tracking=FakeTracking(),
        settings=Settings(var_dir=tmp_path, home=PROJECT_ROOT),
    )


@pytest.fixture(scope="module")
def auth_manager() -> object:
    """Airflow's configured auth manager (the API server initialises it at start-up)."""
    from airflow.api_fastapi.app import init_auth_manager

    return init_auth_manager()


def test_should_refuse_unauthenticated_requests_on_every_route(
    plugin_app: FastAPI, auth_manager: object
) -> None:
    with TestClient(plugin_app) as c:
        for path in (
            "/dashboard/",
            "/dashboard/export/nonresponders.xlsx",
            "/dashboard/assets/dashboard.css",
        ):
            r = c.get(path)
            assert r.status_code in (401, 403), (path, r.status_code)
            assert "องค์การบริหารส่วนตำบล" not in r.text
        forged = c.get("/dashboard/", cookies={"_token": "not-a-jwt"})
        assert forged.status_code in (401, 403)


def test_should_serve_the_dashboard_to_an_authenticated_user(plugin_app: FastAPI) -> None:
    plugin_app.dependency_overrides[plugin_app.state.auth_dependency] = lambda: None
    with TestClient(plugin_app) as c:
        r = c.get("/dashboard/")
        assert r.status_code == 200
        assert "เหลือเวลาถึงกำหนดส่ง" in r.text
        assert "ออกจากระบบ" not in r.text  # Airflow signs users out, not the dashboard
        assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert c.get("/dashboard/export/groups.xlsx").status_code == 200


def test_should_build_the_app_only_on_the_first_request() -> None:
    built: list[int] = []

    def factory() -> FastAPI:
        built.append(1)
        return FastAPI()

    lazy = LazyDashboardApp(factory)
    assert built == []
    assert isinstance(lazy.app, FastAPI)
    assert lazy.app is lazy.app
    assert built == [1]


def test_should_load_in_airflows_plugin_manager_without_errors() -> None:
    from airflow import plugins_manager

    plugins, errors = plugins_manager._get_plugins()
    assert errors == {}
    dgops = [p for p in plugins if p.name == "dgops"]
    assert len(dgops) == 1
    (app,) = dgops[0].fastapi_apps
    assert app["url_prefix"] == "/dgops"
    assert isinstance(app["app"], LazyDashboardApp)
    (view,) = dgops[0].external_views
    assert view["href"] == "dgops/dashboard/"
    assert view["destination"] == "nav"
    info = plugins_manager.get_plugin_info(attrs_to_dump=["fastapi_apps", "external_views"])
    assert any(i["name"] == "dgops" for i in info)
