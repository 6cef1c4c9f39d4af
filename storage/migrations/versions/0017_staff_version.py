"""staff version: every change to a school's staff list counts up its school's staff_version

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 17:40:00

A trigger, not application code, so that every writer counts: the bot, the `staffroom` import
commands, a restore, and a DBA's own SQL. The bot keeps each school's staff list between actions
under this number (storage/staff_cache.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import staff_version

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("staff_version", sa.Integer(), nullable=False, server_default="0")
        )
    for statement in staff_version.statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in staff_version.statements(op.get_bind().dialect.name, drop=True):
        op.execute(statement)
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_column("staff_version")
