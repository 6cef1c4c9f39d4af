"""A large school year: 5 schools, 300 staff, 60 classes, full timetables and a year of history.

Also usable by tests: `build(database_url, size=...)` creates it in an empty (or migrated)
database and returns what it made, so a test or a benchmark can act as its people.
Schools are built from the demo school's generator (same files, same importer); the history is
inserted in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import chinese_calendar
from sqlalchemy import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from demo.files import demo_files
from demo.roster import SCHOOL_NAME
from storage import audit
from storage.db import create_engine, session_factory
from storage.importer import IMPORT_KINDS, import_table
from storage.migrate import upgrade_async
from storage.models import (
    CoverNeed,
    Event,
    GroupChat,
    HomeworkPost,
    LeaveApproval,
    LeaveRequest,
    Lesson,
    PatrolReport,
    PushLedger,
    SchoolClass,
    Staff,
    TrainingEntry,
)
from storage.models.duty import DutyPost
from storage.schools import create_school

SCHOOL_NAMES = (SCHOOL_NAME, "焦溪小学", "孟河小学", "泾川小学", "莱芜实验小学")
SHAPE = {grade: 2 for grade in range(1, 7)}  # 12 classes a school, 60 in all
EXTRA_STAFF = 19  # 41 staff come with the shape; 60 a school, 300 in all
ID_BASE = 900_000_000
BATCH = 1000


@dataclass(frozen=True)
class Size:
    schools: int = 5
    leaves: int = 3000
    homework: int = 40_000
    duty_days: int = 10_000
    checkins: int = 2000

    def tenth(self) -> Size:
        return Size(
            self.schools,
            self.leaves // 10,
            self.homework // 10,
            self.duty_days // 10,
            self.checkins // 10,
        )


FULL = Size()
QUICK = FULL.tenth()


@dataclass
class SchoolInfo:
    id: int
    name: str
    group_id: int
    staff: dict[int, int] = field(default_factory=dict)  # telegram id → staff id
    grade_leaders: dict[int, int] = field(default_factory=dict)  # grade → telegram id
    admins: list[int] = field(default_factory=list)  # telegram ids


@dataclass
class Dataset:
    database_url: str
    now: datetime
    schools: list[SchoolInfo]
    counts: dict[str, int]


def group_id_for(index: int) -> int:
    return -1_009_000_000_000 - index


def past_school_days(now: datetime, count: int = 365) -> list[date]:
    days = []
    for back in range(1, count + 1):
        day = now.date() - timedelta(days=back)
        try:
            workday = chinese_calendar.is_workday(day)
        except NotImplementedError:
            workday = day.isoweekday() <= 5
        if workday and day.month not in (7, 8):
            days.append(day)
    return days


async def _school(session: AsyncSession, index: int, name: str, now: datetime) -> SchoolInfo:
    school = await create_school(session=session, name=name, timezone="Asia/Shanghai", now=now)
    assert school.id is not None
    files = demo_files(
        now.date(), classes_per_grade=SHAPE, extra_staff=EXTRA_STAFF, id_base=ID_BASE + index * 1000
    )
    for kind, (filename, data) in files.items():
        if kind in IMPORT_KINDS:
            await import_table(
                session=session,
                school_id=school.id,
                kind=kind,
                data=data,
                filename=filename,
                now=now,
                actor_telegram_id=None,
            )
    info = SchoolInfo(school.id, name, group_id_for(index))
    session.add(
        GroupChat(school_id=school.id, chat_id=info.group_id, title=f"{name}教师群", bound_at=now)
    )
    staff = (await session.exec(select(Staff).where(Staff.school_id == school.id))).all()
    for person in staff:
        if person.telegram_id is not None:
            info.staff[person.telegram_id] = person.id or 0
            if "grade_leader" in person.role_set and person.grade:
                info.grade_leaders[person.grade] = person.telegram_id
            if "admin" in person.role_set:
                info.admins.append(person.telegram_id)
    return info


async def _bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> int:
    for start in range(0, len(rows), BATCH):
        await session.exec(insert(model), params=rows[start : start + BATCH])
    return len(rows)


async def _history(
    session: AsyncSession, info: SchoolInfo, size: Size, now: datetime, rng: random.Random
) -> dict[str, int]:
    """A year of leave with cover, homework, duty and check-ins for one school."""
    share = size.schools
    days = past_school_days(now)
    stamp = now.astimezone(UTC)
    staff_ids = list(info.staff.values())
    lessons = (await session.exec(select(Lesson).where(Lesson.school_id == info.id))).all()
    by_teacher: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        by_teacher.setdefault(lesson.teacher_id, []).append(lesson)
    classes = (
        await session.exec(select(SchoolClass).where(SchoolClass.school_id == info.id))
    ).all()
    counts: dict[str, int] = {}

    leave_rows = []
    for _ in range(size.leaves // share):
        day = rng.choice(days)
        leave_rows.append(
            {
                "school_id": info.id,
                "staff_id": rng.choice(staff_ids),
                "kind": rng.choice(["sick", "personal", "official"]),
                "first_day": day,
                "last_day": day,
                "part": rng.choice(["full", "am", "pm"]),
                "half_days": 2,
                "reason": "家中有事",
                "status": rng.choice(["approved"] * 8 + ["rejected", "withdrawn"]),
                "step": 0,
                "substitute_state": "",
                "created_at": stamp,
                "decided_at": stamp,
            }
        )
    counts["leave_requests"] = await _bulk(session, LeaveRequest, leave_rows)
    leaves = (
        await session.exec(select(LeaveRequest).where(LeaveRequest.school_id == info.id))
    ).all()
    approvals, needs = [], []
    for leave in leaves:
        approvals.append(
            {
                "school_id": info.id,
                "leave_id": leave.id,
                "step": 0,
                "role": "grade_leader",
                "status": leave.status if leave.status in ("approved", "rejected") else "closed",
                "decided_at": stamp,
            }
        )
        if leave.status != "approved":
            continue
        for lesson in by_teacher.get(leave.staff_id, []):
            if lesson.weekday == leave.first_day.isoweekday():
                needs.append(
                    {
                        "school_id": info.id,
                        "leave_id": leave.id,
                        "day": leave.first_day,
                        "period": lesson.period,
                        "class_id": lesson.class_id,
                        "subject_id": lesson.subject_id,
                        "absent_id": leave.staff_id,
                        "status": "assigned",
                        "substitute_id": rng.choice(staff_ids),
                        "version": 1,
                        "assigned_at": stamp,
                        "acknowledged_at": stamp,
                        "created_at": stamp,
                    }
                )
    counts["leave_approvals"] = await _bulk(session, LeaveApproval, approvals)
    counts["cover_needs"] = await _bulk(session, CoverNeed, needs)

    homework = []
    for _ in range(size.homework // share):
        klass = rng.choice(classes)
        taught = [lesson for lesson in lessons if lesson.class_id == klass.id]
        lesson = rng.choice(taught)
        homework.append(
            {
                "school_id": info.id,
                "class_id": klass.id,
                "subject_id": lesson.subject_id,
                "author_id": lesson.teacher_id,
                "day": rng.choice(days),
                "kind": "written" if klass.grade > 2 else "oral",
                "layer": "",
                "minutes": rng.choice([10, 15, 20]),
                "content": "练习册第12页",
                "status": "published",
                "version": 1,
                "announced": True,
                "exception": False,
                "asked": "",
                "return_reason": "",
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    counts["homework_posts"] = await _bulk(session, HomeworkPost, homework)

    posts = (await session.exec(select(DutyPost).where(DutyPost.school_id == info.id))).all()
    # A duty day is one push of the ledger: the morning announcement, or one person's reminder.
    # Two school years of them make the figure the issue names.
    slots = [
        (kind, target, day)
        for day in past_school_days(now, 730)
        for kind, target in [("duty_announce", "group")]
        + [("duty_remind", f"post:{p.id}") for p in posts]
    ]
    ledger, patrols = [], []
    for kind, target, day in slots[: size.duty_days // share]:
        ledger.append(
            {
                "school_id": info.id,
                "kind": kind,
                "target": target,
                "slot": day.isoformat(),
                "status": "sent",
                "claimed_at": stamp,
                "sent_at": stamp,
            }
        )
    for day in days[: size.duty_days // share // 5]:
        patrols.append(
            {
                "school_id": info.id,
                "day": day,
                "half": "am",
                "staff_id": rng.choice(staff_ids),
                "findings": "各班秩序良好。",
                "created_at": stamp,
            }
        )
    counts["duty_days"] = await _bulk(session, PushLedger, ledger)
    counts["patrol_reports"] = await _bulk(session, PatrolReport, patrols)

    session.add(
        Event(
            school_id=info.id,
            title="教研会",
            category="教研",
            weekday=3,
            starts_at=time(15, 30),
            hours_tenths=15,
            audience="all",
            created_at=stamp,
        )
    )
    await session.flush()
    event = (await session.exec(select(Event).where(Event.school_id == info.id))).first()
    meetings = [day for day in days if day.isoweekday() == 3]
    attended = rng.sample(
        [(day, staff_id) for day in meetings for staff_id in staff_ids],
        min(size.checkins // share, len(meetings) * len(staff_ids)),
    )
    checkins = [
        {
            "school_id": info.id,
            "staff_id": staff_id,
            "day": day,
            "hours_tenths": 15,
            "category": "教研",
            "title": "教研会",
            "note": "",
            "source": "checkin",
            "event_id": event.id if event else None,
            "event_day": day,
            "status": "approved",
            "created_at": stamp,
            "reason": "",
        }
        for day, staff_id in attended
    ]
    counts["checkins"] = await _bulk(session, TrainingEntry, checkins)
    return counts


async def build(
    database_url: str, *, size: Size = FULL, now: datetime, seed: int = 20261125
) -> Dataset:
    """Creates the schools and their history in the (empty) database at `database_url`."""
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    rng = random.Random(seed)
    schools: list[SchoolInfo] = []
    totals: dict[str, int] = {}
    try:
        sessions = session_factory(engine)
        for index, name in enumerate(SCHOOL_NAMES[: size.schools]):
            async with sessions() as session, session.begin():
                info = await _school(session, index, name, now)
                for key, value in (await _history(session, info, size, now, rng)).items():
                    totals[key] = totals.get(key, 0) + value
                await audit.record(
                    session=session, at=now, action="school_created", school_id=info.id
                )
            schools.append(info)
    finally:
        await engine.dispose()
    totals["staff"] = sum(len(s.staff) for s in schools)
    return Dataset(database_url, now, schools, totals)
