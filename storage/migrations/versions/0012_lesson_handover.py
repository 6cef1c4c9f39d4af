"""lesson handover: a message can send on a file Telegram holds (by its id); notes and files
an absent teacher leaves for the lessons of a leave, when they hear back, and the
substitute's 已上 with a line on how the lesson went

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 15:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
    op.create_table(
        "handover_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("leave_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["leave_id"], ["leave_requests.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handover_notes_leave", "handover_notes", ["leave_id", "day", "period"])
    op.create_table(
        "handover_choices",
        sa.Column("leave_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("at_once", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["leave_id"], ["leave_requests.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("leave_id"),
    )
    op.create_table(
        "cover_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("absent_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("awaiting_line", sa.Boolean(), nullable=False),
        sa.Column("reported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["absent_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["need_id"], ["cover_needs.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["substitute_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("need_id"),
    )
    op.create_index("ix_cover_reports_absent", "cover_reports", ["absent_id", "delivered_at"])


def downgrade() -> None:
    op.drop_index("ix_cover_reports_absent", table_name="cover_reports")
    op.drop_table("cover_reports")
    op.drop_table("handover_choices")
    op.drop_index("ix_handover_notes_leave", table_name="handover_notes")
    op.drop_table("handover_notes")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("file_id")
