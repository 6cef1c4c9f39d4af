"""my day prefs: when each person gets the message of their day, or not at all

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 12:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "my_day_prefs",
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("send_at", sa.Time(), nullable=False),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    with op.batch_alter_table("my_day_prefs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_my_day_prefs_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("my_day_prefs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_my_day_prefs_school_id"))
    op.drop_table("my_day_prefs")
