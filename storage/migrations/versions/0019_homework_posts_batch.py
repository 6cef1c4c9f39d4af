"""homework posts by batch: an index for a posting's classes and each class's changes

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 23:00:00

A posting's classes, and the changes of one class's posting, are read by batch. Without this
index the first read went through every school's postings of the year, and the second through
every posting of the class.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("homework_posts", schema=None) as batch_op:
        batch_op.create_index("ix_homework_posts_batch_class", ["batch", "class_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("homework_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_homework_posts_batch_class")
