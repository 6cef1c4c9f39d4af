"""cover reports by school: an index for each school's reports still to tell

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:30:00

The planning of a school's days reads its covered lessons' reports not yet told; without this
index that read went through every school's reports, a district's whole year of them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cover_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cover_reports_school_waiting", ["school_id", "delivered_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cover_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_cover_reports_school_waiting")
