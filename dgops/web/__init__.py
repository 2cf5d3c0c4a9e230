"""The agency portal: sign-in with activation codes and own passwords, the questionnaire
rendered from the cycle's framework, autosave, evidence upload, review and submission.

``create_app(settings, engine=..., clock=...)`` builds the FastAPI application; ``dgops web``
serves it; ``reset_password`` reissues an activation code by e-mail. See docs/portal.md.
"""

from __future__ import annotations

from dgops.web.app import Portal, create_app
from dgops.web.config import WebConfig
from dgops.web.security import LoginThrottler, Principal, hash_token

__all__ = ["LoginThrottler", "Portal", "Principal", "WebConfig", "create_app", "hash_token"]
