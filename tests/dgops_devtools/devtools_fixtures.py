"""Helpers of the development tools' tests."""

from __future__ import annotations

API_KEY = "SG.test-key"
"""The bearer key the sink under test accepts."""
