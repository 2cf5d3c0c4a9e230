"""The dgops Airflow plugin: the managers' dashboard in the Airflow UI.

``/dgops/dashboard/`` is served by a FastAPI app whose every route requires Airflow's
authentication; the navigation link "แดชบอร์ดการสำรวจ" opens it. The app is built on its first
request (``dgops_airflow.dashboard.LazyDashboardApp``), so loading plugins imports nothing heavy.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from dgops_airflow.dashboard import LazyDashboardApp


class DgopsPlugin(AirflowPlugin):
    """Mounts the survey dashboard at ``/dgops`` and links it from the navigation."""

    name = "dgops"
    fastapi_apps = [  # noqa: RUF012 - the attribute AirflowPlugin defines
        {"app": LazyDashboardApp(), "url_prefix": "/dgops", "name": "dgops"}
    ]
    external_views = [  # noqa: RUF012
        {
            "name": "แดชบอร์ดการสำรวจ",
            "href": "dgops/dashboard/",
            "destination": "nav",
            "category": "browse",
            "url_route": "dgops-dashboard",
        }
    ]
