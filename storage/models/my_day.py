"""Each person's choice about the morning message of their day (我的今天)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class MyDayPref(SQLModel, table=True):
    """When a staff member gets their day privately; no row: at the default time, on.

    One row per staff record (a person in two schools chooses for each).
    """

    __tablename__ = "my_day_prefs"

    staff_id: int = Field(
        sa_column=Column(Integer, ForeignKey("staff.id"), primary_key=True, autoincrement=False)
    )
    school_id: int = Field(foreign_key="schools.id", index=True)
    send_at: time
    off: bool = Field(default=False)
    updated_at: datetime = Field(sa_type=UTCDateTime)
