"""The agency portal: sign-in with activation codes and own passwords, the questionnaire
rendered from the cycle's framework, autosave, evidence upload, review and submission.

``create_app(settings, db=..., clock=...)`` builds the FastAPI application (``dgops.web.app``)
from its routers (``auth``, ``survey``, ``evidence`` and the ``dashboard``), which share one
:class:`Portal` on ``app.state``; ``dgops web`` serves it; ``reset_password`` reissues an
activation code by e-mail. See docs/portal.md.
"""

from __future__ import annotations

from dgops.web.app import create_app
from dgops.web.config import WebConfig
from dgops.web.middleware import SecurityHeaders
from dgops.web.portal import Portal, PortalDep, SurveyContext, portal_of
from dgops.web.reset import ResetError, ResetReport, reset_passwords
from dgops.web.security import (
    LoginThrottler,
    Principal,
    ResetTokens,
    ThrottleEntry,
    clear_throttle,
    hash_token,
    throttled,
)

__all__ = [
    "LoginThrottler",
    "Portal",
    "PortalDep",
    "Principal",
    "ResetError",
    "ResetReport",
    "ResetTokens",
    "SecurityHeaders",
    "SurveyContext",
    "ThrottleEntry",
    "WebConfig",
    "clear_throttle",
    "create_app",
    "hash_token",
    "portal_of",
    "reset_passwords",
    "throttled",
]
