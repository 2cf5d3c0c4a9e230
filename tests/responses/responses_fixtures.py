"""Shared test data of response intake: the small framework, complete answers, the world."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "responses"
MINI = FIXTURES / "mini.yaml"

COMPLETE = {
    "Q_PLAN": "yes",
    "Q_BUDGET": 12.5,
    "Q_CHANNELS": ["web", "line"],
    "Q_STAFF": 4,
    "Q_LEVEL": "2",
}


@dataclass
class World:
    """An open session on a database with cycle 2566 (framework 'mini') and two agencies."""

    session: Session
    cycle_id: int
    agency_ids: dict[str, int]
