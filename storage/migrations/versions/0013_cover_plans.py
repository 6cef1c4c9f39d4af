"""cover plans: a long absence's fixed cover (固定代课), who takes each weekly lesson when

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cover_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("leave_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_from", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["leave_id"], ["leave_requests.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("leave_id"),
    )
    with op.batch_alter_table("cover_plans", schema=None) as batch_op:
        batch_op.create_index("ix_cover_plans_school_status", ["school_id", "status"], unique=False)
    op.create_table(
        "cover_plan_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("set_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["cover_plans.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["substitute_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "weekday", "period", "class_id"),
    )


def downgrade() -> None:
    op.drop_table("cover_plan_lessons")
    with op.batch_alter_table("cover_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_cover_plans_school_status")
    op.drop_table("cover_plans")
