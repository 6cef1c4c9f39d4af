"""Lesson handover (课务交接): what an absent teacher leaves for whoever covers, and the line the
substitute sends back after the lesson."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class HandoverNote(SQLModel, table=True):
    """One piece of a handover: typed text, or a photo or document kept by its Telegram file id
    (the file stays with Telegram; the bot only sends the id on).

    `day` and `period` name the lesson of the leave it is for; no day: for the whole leave.
    Lessons are named by time, not by cover need, so that a note can be left while the leave is
    still pending, before any cover need exists.
    kind: text | photo | document. `text` holds the typed text, a photo's caption or a
    document's file name.
    """

    __tablename__ = "handover_notes"
    __table_args__ = (Index("ix_handover_notes_leave", "leave_id", "day", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    leave_id: int = Field(foreign_key="leave_requests.id")
    day: date | None = None
    period: int = Field(default=0)
    kind: str = Field(max_length=8)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    file_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(sa_type=UTCDateTime)


class HandoverChoice(SQLModel, table=True):
    """When the absent teacher of a leave hears how their covered lessons went: at once, or
    (no row, or `at_once` false) on their first school day back."""

    __tablename__ = "handover_choices"

    leave_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("leave_requests.id"), primary_key=True, autoincrement=False
        )
    )
    school_id: int = Field(foreign_key="schools.id")
    at_once: bool = Field(default=False)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CoverReport(SQLModel, table=True):
    """已上: the substitute taught the lesson, with a line on how it went (may be empty).
    `delivered_at`: when the absent teacher was told (None: still to tell)."""

    __tablename__ = "cover_reports"
    __table_args__ = (
        Index("ix_cover_reports_absent", "absent_id", "delivered_at"),
        # The planning of every school's day looks for its reports still to tell.
        Index("ix_cover_reports_school_waiting", "school_id", "delivered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    need_id: int = Field(foreign_key="cover_needs.id", unique=True)
    substitute_id: int = Field(foreign_key="staff.id")
    absent_id: int = Field(foreign_key="staff.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The line is still awaited: the report goes out once it comes, or is skipped.
    awaiting_line: bool = Field(default=True)
    reported_at: datetime = Field(sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
