"""requests escalate and expire: swaps, homework postings and link requests move up and close

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:12:31.402113

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("request_messages", schema=None) as batch_op:
        batch_op.create_index("ix_request_messages_subject", ["kind", "subject_id"], unique=False)

    with op.batch_alter_table("lesson_swaps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("escalated_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("homework_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("escalated_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("escalated_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("escalated_at")

    with op.batch_alter_table("homework_posts", schema=None) as batch_op:
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("level")

    with op.batch_alter_table("lesson_swaps", schema=None) as batch_op:
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("level")

    with op.batch_alter_table("request_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_request_messages_subject")

    op.drop_table("request_messages")
