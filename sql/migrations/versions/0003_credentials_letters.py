"""credentials and letters: portal accounts, activation codes, letter numbers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('letter_counter',
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('year_be', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('unit', 'year_be', name=op.f('pk_letter_counter'))
    )
    op.create_table('letter_number',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('year_be', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_letter_number_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_id'], ['survey_cycle.id'], name=op.f('fk_letter_number_cycle_id_survey_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_number')),
    sa.UniqueConstraint('cycle_id', 'agency_id', 'kind', name=op.f('uq_letter_number_cycle_id')),
    sa.UniqueConstraint('unit', 'year_be', 'seq', name=op.f('uq_letter_number_unit'))
    )
    with op.batch_alter_table('letter_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_number_agency_id'), ['agency_id'], unique=False)

    op.create_table('portal_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=True),
    sa.Column('password_set_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_portal_account_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_id'], ['survey_cycle.id'], name=op.f('fk_portal_account_cycle_id_survey_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_account')),
    sa.UniqueConstraint('cycle_id', 'agency_id', name=op.f('uq_portal_account_cycle_id')),
    sa.UniqueConstraint('username', name=op.f('uq_portal_account_username'))
    )
    with op.batch_alter_table('portal_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_account_agency_id'), ['agency_id'], unique=False)

    op.create_table('activation_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=256), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['portal_account.id'], name=op.f('fk_activation_code_account_id_portal_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_code'))
    )
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_code_account_id'), ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activation_code_account_id'))

    op.drop_table('activation_code')
    with op.batch_alter_table('portal_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_account_agency_id'))

    op.drop_table('portal_account')
    with op.batch_alter_table('letter_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_number_agency_id'))

    op.drop_table('letter_number')
    op.drop_table('letter_counter')
