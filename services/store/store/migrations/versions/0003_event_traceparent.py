"""event.traceparent: webhooks continue the trace of the message that caused them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 06:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('traceparent', sqlmodel.sql.sqltypes.AutoString(length=55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('traceparent')
