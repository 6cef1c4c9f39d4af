"""Long-term cover (固定代课): for a long absence, who takes each of the absent teacher's weekly
lessons, from which day to which day. The lessons themselves stay cover needs (storage/models/
leave.py), filled from the plan, so boards, slips, My day and the pay statement read them as
any other cover."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from rules.states import PlanStatus
from storage.types import UTCDateTime


class CoverPlan(SQLModel, table=True):
    """The plan of one leave. status: active | ended (`ended_from`: the first day it no longer
    covered, by the office's 结束 or because the teacher came back)."""

    __tablename__ = "cover_plans"
    __table_args__ = (
        UniqueConstraint("leave_id"),
        Index("ix_cover_plans_school_status", "school_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    leave_id: int = Field(foreign_key="leave_requests.id")
    status: str = Field(default=PlanStatus.ACTIVE, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_from: date | None = None


class CoverPlanLesson(SQLModel, table=True):
    """One weekly lesson of the plan: the timetable's weekday (a make-up day follows the weekday
    its notice names), its period and class, and who takes it from `first_day` to `last_day`."""

    __tablename__ = "cover_plan_lessons"
    __table_args__ = (UniqueConstraint("plan_id", "weekday", "period", "class_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="cover_plans.id")
    school_id: int = Field(foreign_key="schools.id")
    weekday: int
    period: int
    class_id: int = Field(foreign_key="classes.id")
    subject_id: int = Field(foreign_key="subjects.id")
    substitute_id: int = Field(foreign_key="staff.id")
    first_day: date
    last_day: date
    set_at: datetime = Field(sa_type=UTCDateTime)
    set_by: int | None = Field(default=None, sa_type=BigInteger)
