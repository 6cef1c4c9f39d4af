"""Meetings and training events, their cancelled dates, and the training-hours ledger.

Hours are whole tenths of an hour (1.5 hours = 15), so sums are exact on both databases.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from rules.states import TrainingStatus
from storage.types import UTCDateTime


class Event(SQLModel, table=True):
    """A weekly event (weekday set) or a one-off (on_date set), for an audience.

    `audience` is `all`, `subject:<name>` or `grade:<n>`; `active` is False once the whole
    event was cancelled (its check-ins and hours stay).
    """

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    title: str = Field(max_length=50)
    category: str = Field(max_length=16)
    weekday: int | None = None
    on_date: date | None = None
    starts_at: time
    hours_tenths: int
    audience: str = Field(default="all", max_length=40)
    active: bool = Field(default=True)
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class EventCancellation(SQLModel, table=True):
    """One date of a weekly event that does not take place."""

    __tablename__ = "event_cancellations"
    __table_args__ = (UniqueConstraint("event_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    event_id: int = Field(foreign_key="events.id")
    day: date
    cancelled_at: datetime = Field(sa_type=UTCDateTime)
    cancelled_by: int | None = Field(default=None, foreign_key="staff.id")


class TrainingEntry(SQLModel, table=True):
    """Hours in a teacher's training ledger: a check-in at an event, or a self-report.

    A check-in names its event and date (one per person and date, by the unique constraint;
    NULLs never collide, so self-reports are not limited). status: pending | approved | returned.
    """

    __tablename__ = "training_entries"
    __table_args__ = (
        UniqueConstraint("event_id", "event_day", "staff_id"),
        Index("ix_training_entries_staff_day", "staff_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    day: date
    hours_tenths: int
    category: str = Field(max_length=16)
    title: str = Field(max_length=50)
    note: str = Field(default="", max_length=200)
    source: str = Field(max_length=16)  # checkin | self
    event_id: int | None = Field(default=None, foreign_key="events.id")
    event_day: date | None = None
    status: str = Field(default=TrainingStatus.APPROVED, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    reason: str = Field(default="", max_length=200)
