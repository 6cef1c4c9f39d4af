"""Each person's calendar feed link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class CalendarFeed(SQLModel, table=True):
    """The secret link a phone's calendar subscribes to: `/calendar/<token>.ics`.

    One row per staff record; a new link replaces the token, so the old one stops working at
    once. The token is kept as it is, not hashed: `/calendar me` shows the same link every time,
    so that a teacher can subscribe a second phone without breaking the first.
    """

    __tablename__ = "calendar_feeds"

    staff_id: int = Field(
        sa_column=Column(Integer, ForeignKey("staff.id"), primary_key=True, autoincrement=False)
    )
    school_id: int = Field(foreign_key="schools.id", index=True)
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
