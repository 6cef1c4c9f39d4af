"""bell slot kinds: a bell period is a regular lesson, morning reading, noon supervision or
evening study, so cover in each can be paid at its own rate

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 14:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bell_periods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="lesson",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("bell_periods", schema=None) as batch_op:
        batch_op.drop_column("kind")
