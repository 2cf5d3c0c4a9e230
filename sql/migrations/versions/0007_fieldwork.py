"""fieldwork snapshots and reminder holds

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fieldwork_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("group_field", sa.String(length=32), nullable=False),
        sa.Column("group_value", sa.String(length=200), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("not_started", sa.Integer(), nullable=False),
        sa.Column("in_progress", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["survey_cycle.id"],
            name=op.f("fk_fieldwork_snapshot_cycle_id_survey_cycle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fieldwork_snapshot")),
        sa.UniqueConstraint(
            "cycle_id", "day", "group_field", "group_value", name="uq_fieldwork_snapshot_key"
        ),
    )
    with op.batch_alter_table("fieldwork_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fieldwork_snapshot_cycle_id"), ["cycle_id"], unique=False
        )

    op.create_table(
        "reminder_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "hold",
                "cancel",
                name="reminder_hold_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_reminder_hold_agency_id_agency"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["survey_cycle.id"],
            name=op.f("fk_reminder_hold_cycle_id_survey_cycle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_hold")),
        sa.UniqueConstraint("cycle_id", "agency_id", name="uq_reminder_hold_key"),
    )
    with op.batch_alter_table("reminder_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_hold_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_hold_agency_id"))
    op.drop_table("reminder_hold")
    with op.batch_alter_table("fieldwork_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fieldwork_snapshot_cycle_id"))
    op.drop_table("fieldwork_snapshot")
