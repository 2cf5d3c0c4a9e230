"""The managers' dashboard: response rates with targets, the trend against last year and the
projection, days to deadline, non-responders with contacts and reminders, bounced addresses to
fix, filters by group and an XLSX export of every table. See docs/dashboard.md.

``create_dashboard_router(sessions=..., viewer=..., templates_dir=...)`` is mounted by
``dgops web`` (behind managers' sign-in, :func:`install_manager_auth`) and by the Airflow plugin
(behind Airflow's authentication). The figures come from ``dgops.fieldwork`` (:class:`Tracking`).
"""

from __future__ import annotations

from dgops.web.dashboard.auth import (
    ManagerAuth,
    ManagerConfig,
    hash_manager_password,
    install_manager_auth,
)
from dgops.web.dashboard.router import Viewer, create_dashboard_router
from dgops.web.dashboard.source import LiveTracking, ProjectionLike, Tracking
from dgops.web.dashboard.views import GROUP_FIELDS, TABLES, DashboardQuery, Table
from dgops.web.dashboard.xlsx import safe_text, table_xlsx

__all__ = [
    "GROUP_FIELDS",
    "TABLES",
    "DashboardQuery",
    "LiveTracking",
    "ManagerAuth",
    "ManagerConfig",
    "ProjectionLike",
    "Table",
    "Tracking",
    "Viewer",
    "create_dashboard_router",
    "hash_manager_password",
    "install_manager_auth",
    "safe_text",
    "table_xlsx",
]
