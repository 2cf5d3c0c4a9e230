"""scoring results: score runs, scores, agency and national recommendations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('score_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('framework_version', sa.String(length=32), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('status', sa.Enum('current', 'superseded', name='score_run_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('n_agencies', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['survey_cycle.id'], name=op.f('fk_score_run_cycle_id_survey_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_run'))
    )
    with op.batch_alter_table('score_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_run_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index('uq_score_run_current_per_cycle', ['cycle_id'], unique=True, sqlite_where=sa.text("status = 'current'"), postgresql_where=sa.text("status = 'current'"))

    op.create_table('agency_recommendation',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('sub_indicator', sa.String(length=32), nullable=False),
    sa.Column('pillar', sa.String(length=32), nullable=False),
    sa.Column('rec_class', sa.Enum('outstanding', 'fairly_outstanding', 'accelerate', name='recommendation_class', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('peer_mean', sa.Double(), nullable=True),
    sa.Column('impact', sa.Double(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('advice_th', sa.Text(), nullable=False),
    sa.Column('lead_unit', sa.String(length=200), nullable=False),
    sa.Column('support_units', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_agency_recommendation_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['score_run.id'], name=op.f('fk_agency_recommendation_run_id_score_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'agency_id', 'sub_indicator', name=op.f('pk_agency_recommendation'))
    )
    with op.batch_alter_table('agency_recommendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_recommendation_agency_id'), ['agency_id'], unique=False)

    op.create_table('national_recommendation',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=64), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('title_th', sa.String(length=300), nullable=False),
    sa.Column('summary_th', sa.Text(), nullable=False),
    sa.Column('actions_th', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['score_run.id'], name=op.f('fk_national_recommendation_run_id_score_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'theme', name=op.f('pk_national_recommendation'))
    )
    op.create_table('score_value',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('overall', 'pillar', 'sub_indicator', name='score_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('group_code', sa.String(length=16), nullable=True),
    sa.Column('rank_national', sa.Integer(), nullable=True),
    sa.Column('rank_peer', sa.Integer(), nullable=True),
    sa.Column('peer_size', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_score_value_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['score_run.id'], name=op.f('fk_score_value_run_id_score_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'agency_id', 'kind', 'code', name=op.f('pk_score_value'))
    )
    with op.batch_alter_table('score_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_value_agency_id'), ['agency_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('score_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_value_agency_id'))

    op.drop_table('score_value')
    op.drop_table('national_recommendation')
    with op.batch_alter_table('agency_recommendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_recommendation_agency_id'))

    op.drop_table('agency_recommendation')
    with op.batch_alter_table('score_run', schema=None) as batch_op:
        batch_op.drop_index('uq_score_run_current_per_cycle', sqlite_where=sa.text("status = 'current'"), postgresql_where=sa.text("status = 'current'"))
        batch_op.drop_index(batch_op.f('ix_score_run_cycle_id'))

    op.drop_table('score_run')
