"""outbox files and locked cover months: a message can carry a document or a photo (a
report's workbook, its chart); a month's cover statement can be locked once it was paid

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 12:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "file_kind",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True)
        )
        batch_op.add_column(sa.Column("file_data", sa.LargeBinary(), nullable=True))
    op.create_table(
        "cover_month_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("records", sa.Text(), nullable=False),
        sa.Column("locked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_id", "month"),
    )
    op.create_table(
        "manual_covers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("absent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"]),
        sa.ForeignKeyConstraint(["substitute_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["absent_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_manual_covers_school_day", "manual_covers", ["school_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_manual_covers_school_day", table_name="manual_covers")
    op.drop_table("manual_covers")
    op.drop_table("cover_month_locks")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("file_data")
        batch_op.drop_column("file_name")
        batch_op.drop_column("file_kind")
