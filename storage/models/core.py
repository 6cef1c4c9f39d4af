"""The school, its people, its timetable and calendar, and the system tables.

Every school-owned row carries `school_id`. Telegram ids are 64-bit, so they are BIGINT.
Roles and subjects are short comma-separated code lists: a school has tens of staff, and the
rules read them whole, so a join table would buy nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from rules.states import RegistrationStatus
from storage.types import UTCDateTime


class School(SQLModel, table=True):
    __tablename__ = "schools"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Bumped by every change that moves a scheduled push, so a running bot notices changes
    # made from the command line and rebuilds that school's jobs.
    schedule_version: int = Field(default=0)
    # Counted up by the database on every change to the school's staff (migration 0017).
    staff_version: int = Field(default=0)


class GroupChat(SQLModel, table=True):
    """A Telegram group bound to a school as its staff group."""

    __tablename__ = "group_chats"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    chat_id: int = Field(sa_type=BigInteger, unique=True)
    title: str = Field(default="", max_length=255)
    active: bool = Field(default=True)
    bound_at: datetime = Field(sa_type=UTCDateTime)
    bound_by: int | None = Field(default=None, sa_type=BigInteger)


class UnboundChat(SQLModel, table=True):
    """Groups that were told once that the bot is not bound there (system table, no school)."""

    __tablename__ = "unbound_chats"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    noticed_at: datetime = Field(sa_type=UTCDateTime)


class SchoolClass(SQLModel, table=True):
    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("school_id", "grade", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    grade: int
    number: int
    name: str = Field(max_length=32)


class Subject(SQLModel, table=True):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    name: str = Field(max_length=32)


class Staff(SQLModel, table=True):
    __tablename__ = "staff"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        UniqueConstraint("school_id", "telegram_id"),
        Index("ix_staff_telegram_id", "telegram_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    name: str = Field(max_length=50)
    roles: str = Field(default="teacher", max_length=200)
    subjects: str = Field(default="", max_length=200)
    grade: int | None = None
    head_of_class_id: int | None = Field(default=None, foreign_key="classes.id")
    telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    language: str | None = Field(default=None, max_length=8)
    active: bool = Field(default=True)
    # 外聘/代课: not on the school's establishment (非在编); paid on a sheet of their own, and
    # suggested for cover only where the school allows it (cover.suggest_external).
    external: bool = Field(default=False)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    @property
    def subject_list(self) -> list[str]:
        return [s for s in self.subjects.split(",") if s]


class BellPeriod(SQLModel, table=True):
    __tablename__ = "bell_periods"
    __table_args__ = (UniqueConstraint("school_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    period: int
    starts_at: time
    ends_at: time
    # rules/slots.py SLOT_KINDS: a regular lesson, morning reading, noon supervision or
    # evening study; cover in the last three may be paid at a rate of its own.
    kind: str = Field(default="lesson", max_length=8)


class Lesson(SQLModel, table=True):
    """One weekly lesson of the timetable; weekday is ISO (1 = Monday)."""

    __tablename__ = "lessons"
    __table_args__ = (
        Index("ix_lessons_slot", "school_id", "weekday", "period"),
        Index("ix_lessons_teacher", "teacher_id", "weekday"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    class_id: int = Field(foreign_key="classes.id")
    weekday: int
    period: int
    subject_id: int = Field(foreign_key="subjects.id")
    teacher_id: int = Field(foreign_key="staff.id")
    valid_from: date | None = None
    valid_to: date | None = None


class CalendarEntry(SQLModel, table=True):
    """A term, a closure, or a make-up working day (kind: term | closed | makeup)."""

    __tablename__ = "calendar_entries"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    kind: str = Field(max_length=16)
    start_date: date
    end_date: date
    weekday: int | None = None
    note: str = Field(default="", max_length=200)


class Policy(SQLModel, table=True):
    """A school's value for one policy key; keys without a row use the documented default."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("school_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    key: str = Field(max_length=64)
    value: str = Field(max_length=200)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: int | None = Field(default=None, sa_type=BigInteger)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_school_at", "school_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="schools.id")
    at: datetime = Field(sa_type=UTCDateTime)
    actor_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    actor_staff_id: int | None = None
    action: str = Field(max_length=64)
    subject_type: str = Field(default="", max_length=32)
    subject_id: int | None = None
    detail: str = Field(default="", sa_type=Text)


class Invite(SQLModel, table=True):
    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    code: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, sa_type=BigInteger)


class Registration(SQLModel, table=True):
    """An unlinked user asking to be linked to a staff record.

    status: pending | approved | rejected | expired (nobody decided it in time; the user is
    told). `escalated_at`: when the system admins were told that none of the school's admins
    can be reached.
    """

    __tablename__ = "registrations"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    telegram_id: int = Field(sa_type=BigInteger)
    telegram_name: str = Field(default="", max_length=200)
    status: str = Field(default=RegistrationStatus.PENDING, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, sa_type=BigInteger)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserPref(SQLModel, table=True):
    """Per-person preferences that exist before (or without) a staff record (system table)."""

    __tablename__ = "user_prefs"

    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    language: str | None = Field(default=None, max_length=8)
    school_id: int | None = Field(default=None, foreign_key="schools.id")


class PushLedger(SQLModel, table=True):
    """One row per scheduled push, claimed before sending: the guard against sending twice."""

    __tablename__ = "push_ledger"
    __table_args__ = (UniqueConstraint("school_id", "kind", "target", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    kind: str = Field(max_length=32)
    target: str = Field(max_length=64)
    slot: str = Field(max_length=32)
    status: str = Field(default="claimed", max_length=16)
    claimed_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
