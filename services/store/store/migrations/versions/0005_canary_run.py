"""canary_run: rounds of the end-to-end canary

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 13:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('canaryrun',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('canaryrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canaryrun_completed_at'), ['completed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('canaryrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canaryrun_completed_at'))
    op.drop_table('canaryrun')
