"""The ASGI application ``dgops web`` serves (``uvicorn dgops.web.server:app``)."""

from __future__ import annotations

from dgops.settings import get_settings
from dgops.web.app import create_app

app = create_app(get_settings())
