"""Homework postings (作业公示) and the record of each day's published board."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class HomeworkPost(SQLModel, table=True):
    """One class's homework in one subject on one day.

    status: draft (accepted in a several-class posting, waiting for the teacher to confirm),
    over_cap (refused over the cap, kept so the teacher can ask for an exception), exception
    (waiting for the head teacher's exception), pending (waiting for the approver),
    published, returned, withdrawn, cancelled, applied, expired (its day ended with nobody
    having decided it: never published). `pending` and `published` hold minutes against the
    cap. `version` grows with every change, so an approval button built for an older version
    of the posting is refused.

    A change to a published posting that needs an approver is a row of its own in the posting's
    batch, so the group keeps seeing the published version until the change is approved
    (`applied`: its values were copied into the posting it changes) or returned.
    """

    __tablename__ = "homework_posts"
    __table_args__ = (
        Index("ix_homework_posts_class_day", "class_id", "day"),
        Index("ix_homework_posts_school_day", "school_id", "day"),
        # A posting's classes and each class's changes are found by batch.
        Index("ix_homework_posts_batch_class", "batch", "class_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    class_id: int = Field(foreign_key="classes.id")
    subject_id: int = Field(foreign_key="subjects.id")
    author_id: int = Field(foreign_key="staff.id")
    day: date
    kind: str = Field(max_length=16)
    layer: str = Field(default="", max_length=16)
    minutes: int
    content: str = Field(sa_type=Text)
    status: str = Field(max_length=16)
    version: int = Field(default=1)
    # The postings made together (several classes at once) share the id of the first one. A
    # batch holds one posting per class: a later row of the same class is a change of it.
    batch: int | None = None
    # Whether the staff group has seen it (on the board, or as an addition): a later change is
    # then published as a correction.
    announced: bool = Field(default=False)
    # Approved over the cap by the head teacher.
    exception: bool = Field(default=False)
    # Who was asked to decide (head | office | admin): a later change of the publication mode
    # does not take the decision away from them.
    asked: str = Field(default="", max_length=16)
    # How many tiers above `asked` may decide it too, because nobody decided it in time or
    # nobody asked could be reached (jobs/homework_escalation.py); moving up changes who
    # may decide, never the posting itself, so the version (and the buttons) stay.
    level: int = Field(default=0)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    return_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class HomeworkBoard(SQLModel, table=True):
    """A school's board for a day went out: later postings are additions, changes corrections."""

    __tablename__ = "homework_boards"
    __table_args__ = (UniqueConstraint("school_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    day: date
    published_at: datetime = Field(sa_type=UTCDateTime)
