"""board focus and slip messages: a board copy remembers its lesson; the slip can be edited

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cover_board_copies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("need_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("cover_slips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("messages", sa.Text(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("covers", sa.Text(), nullable=False, server_default="{}"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slip_day", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("slip_day")
    with op.batch_alter_table("cover_slips", schema=None) as batch_op:
        batch_op.drop_column("covers")
        batch_op.drop_column("messages")
    with op.batch_alter_table("cover_board_copies", schema=None) as batch_op:
        batch_op.drop_column("need_id")
