"""event leave: the 公假 the bot writes for a meeting that takes teachers out of class names it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 14:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leave_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_leave_requests_event_id_events", "events", ["event_id"], ["id"]
        )
        batch_op.create_index("ix_leave_requests_event", ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leave_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_leave_requests_event")
        batch_op.drop_constraint("fk_leave_requests_event_id_events", type_="foreignkey")
        batch_op.drop_column("event_id")
