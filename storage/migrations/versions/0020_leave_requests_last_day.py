"""leave requests by school and last day: an index for who is away on a day

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:30:00

Who is away on a day (the duty roster, the cover boards, the slips) was read through the
school's index by status: every approved leave of the year, each on its own page, to keep the
few that reach the day. A school's first `/duty` of a morning in a district of 500 schools read
about 490 pages of leave for it (15-29 ms from disk). The leaves ending on or after the day are
few.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leave_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leave_requests_school_last_day", ["school_id", "last_day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("leave_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_leave_requests_school_last_day")
