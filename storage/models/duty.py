"""Duty rosters, one-day replacements, duty swaps and the daily patrol reports."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from rules.states import DutySwapStatus
from storage.types import UTCDateTime


class DutyPost(SQLModel, table=True):
    """A duty post with its daily window; known by name and start time (护学岗 07:20 / 11:20).

    mode: weekday (one person per weekday) | rotation (an ordered list, one step per school
    day). `anchor_date` is the day the rotation list was imported (see rules/rota.py).
    """

    __tablename__ = "duty_posts"
    __table_args__ = (UniqueConstraint("school_id", "name", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    name: str = Field(max_length=50)
    starts_at: time
    ends_at: time
    mode: str = Field(default="weekday", max_length=16)
    anchor_date: date | None = None
    position: int = Field(default=0)  # the order of the imported file, for listings


class DutyAssignment(SQLModel, table=True):
    """The standing roster: a person on a post for a weekday, or at a place in its rotation."""

    __tablename__ = "duty_assignments"
    __table_args__ = (Index("ix_duty_assignments_post", "post_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    post_id: int = Field(foreign_key="duty_posts.id")
    weekday: int | None = None  # ISO weekday, for a weekday post
    turn: int | None = None  # the place in the list, for a rotation
    staff_id: int = Field(foreign_key="staff.id")


class DutyOverride(SQLModel, table=True):
    """Someone other than the roster's person on a post for one day.

    reason: set (an admin put them there) | swap (an agreed duty swap) | leave (a replacement
    for someone on leave).
    """

    __tablename__ = "duty_overrides"
    __table_args__ = (
        UniqueConstraint("post_id", "day"),
        Index("ix_duty_overrides_school_day", "school_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    post_id: int = Field(foreign_key="duty_posts.id")
    day: date
    staff_id: int = Field(foreign_key="staff.id")
    reason: str = Field(default="set", max_length=16)
    swap_id: int | None = Field(default=None, foreign_key="duty_swaps.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_type=BigInteger)


class DutySwap(SQLModel, table=True):
    """A colleague takes over someone's duties on `day` (and, in exchange, gives theirs on
    `back_day`).

    status: pending (the colleague has not answered) | accepted (waiting for an admin) |
    approved (in effect) | declined | rejected | cancelled | expired.
    """

    __tablename__ = "duty_swaps"
    __table_args__ = (Index("ix_duty_swaps_school_day", "school_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    day: date
    from_staff_id: int = Field(foreign_key="staff.id")
    to_staff_id: int = Field(foreign_key="staff.id")
    back_day: date | None = None
    status: str = Field(default=DutySwapStatus.PENDING, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, sa_type=BigInteger)


class PatrolReport(SQLModel, table=True):
    """What the lesson patrol found in the morning (am) or afternoon (pm) of a school day."""

    __tablename__ = "patrol_reports"
    __table_args__ = (Index("ix_patrol_reports_school_day", "school_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    day: date
    half: str = Field(max_length=2)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    findings: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
