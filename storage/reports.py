"""What the office's reports read: a school's covers, leave, hours, homework and duties in a
period, as the plain records rules/reports.py sums. Leave reasons are never selected."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import SchoolCalendar
from rules.homework import Kind
from rules.policies import PolicySet
from rules.report_requests import Period, Scope
from rules.reports import (
    KIND_OF_STATUS,
    CoverRecord,
    DutyRecord,
    HomeworkRecord,
    LeaveRecord,
    PatrolRecord,
    Rates,
    Report,
    TrainingRecord,
    cover_statement,
    homework_ledger,
    leave_summary,
    leave_weeks,
    missing_patrols,
    training_ledger,
)
from rules.rota import is_patrol
from rules.slots import LESSON
from rules.states import HomeworkStatus, TrainingStatus
from rules.training import TrainingYear, pace, training_year
from storage.calendar import school_calendar
from storage.cover import LIVE_STATES, hold_school
from storage.duty import duties_between
from storage.leave import AWAY_STATES, part_on_return_day
from storage.models import (
    BellPeriod,
    CoverMonthLock,
    CoverNeed,
    HomeworkPost,
    LeaveRequest,
    ManualCover,
    PatrolReport,
    School,
    Staff,
    TrainingEntry,
)
from storage.policies import load_policies
from storage.schedule import Names, bell_times, load_names
from storage.school_static import school_static
from storage.staff import school_staff
from storage.types import stored_id

# Postings the school published: the record an inspection reads.
PUBLISHED = (HomeworkStatus.PUBLISHED,)


@dataclass
class SchoolBook:
    """What every report of a school needs: its name, people, calendar and policies."""

    school: School
    names: Names
    calendar: SchoolCalendar
    policies: PolicySet
    grades: dict[int, int]  # class id → grade

    @property
    def staff(self) -> dict[int, Staff]:
        return self.names.staff

    def person_grade(self, staff_id: int) -> int | None:
        person = self.staff.get(staff_id)
        return person.grade if person is not None else None

    @property
    def external(self) -> frozenset[int]:
        """The external teachers (外聘/代课), whom the statements list apart."""
        return frozenset(staff_id for staff_id, person in self.staff.items() if person.external)

    def terms(self) -> list[tuple[date, date]]:
        return [(span.start, span.end) for span in self.calendar.data.terms]


async def school_book(*, session: AsyncSession, school_id: int) -> SchoolBook:
    school = await session.get(School, school_id)
    assert school is not None
    static = await school_static(session=session, school_id=school_id)
    return SchoolBook(
        school=school,
        names=await load_names(session=session, school_id=school_id),
        calendar=await school_calendar(session=session, school_id=school_id),
        policies=await load_policies(session=session, school_id=school_id),
        grades=static.grades,
    )


def cover_rates(policies: PolicySet) -> Rates:
    return Rates(
        cover=policies.get("cover.rate.cover"),
        merged=policies.get("cover.rate.merged"),
        self_study=policies.get("cover.rate.self_study"),
        morning=policies.get("cover.rate.morning"),
        noon=policies.get("cover.rate.noon"),
        evening=policies.get("cover.rate.evening"),
    )


async def month_locks(
    *, session: AsyncSession, school_id: int, period: Period
) -> dict[date, CoverMonthLock]:
    """The locked months the period touches, by their first day."""
    query = select(CoverMonthLock).where(
        CoverMonthLock.school_id == school_id,
        col(CoverMonthLock.month) >= period.start.replace(day=1),
        col(CoverMonthLock.month) <= period.end,
    )
    return {lock.month: lock for lock in (await session.exec(query)).all()}


def _record_json(record: CoverRecord, rate: int) -> dict[str, object]:
    return {
        "day": record.day.isoformat(),
        "period": record.period,
        "class": record.class_name,
        "subject": record.subject,
        "absent": record.absent_id,
        "substitute": record.substitute_id,
        "kind": record.kind,
        "merged_with": record.merged_with,
        "rate": rate,
        "manual": record.manual,
        "slot": record.slot,
    }


def _record_of(row: dict[str, Any]) -> CoverRecord:
    return CoverRecord(
        day=date.fromisoformat(row["day"]),
        period=row["period"],
        class_name=row["class"],
        subject=row["subject"],
        absent_id=row["absent"],
        substitute_id=row["substitute"],
        kind=row["kind"],
        merged_with=row["merged_with"],
        rate=row["rate"],
        manual=row.get("manual", False),
        slot=row.get("slot", LESSON),
    )


async def lock_month(
    *,
    session: AsyncSession,
    school_id: int,
    month: Period,
    names: Names,
    rates: Rates,
    by: int | None,
    now: datetime,
) -> CoverMonthLock | None:
    """Keeps the month's covers as they stand, at today's rates; None when it was locked
    already (the lock that exists stands)."""
    # After a booking under way, before the next: what is kept is what the guard then protects.
    await hold_school(session=session, school_id=school_id)
    records = await cover_records(session=session, school_id=school_id, period=month, names=names)
    lock = CoverMonthLock(
        school_id=school_id,
        month=month.start,
        records=json.dumps([_record_json(r, r.pay(rates)) for r in records], ensure_ascii=False),
        locked_at=now,
        locked_by=by,
    )
    try:
        async with session.begin_nested():
            session.add(lock)
    except IntegrityError:
        return None
    return lock


async def cover_records(
    *, session: AsyncSession, school_id: int, period: Period, names: Names
) -> list[CoverRecord]:
    """The period's arranged lessons (taught, merged or left as self-study), oldest first; a
    locked month's as they stood when it was locked."""
    locks = await month_locks(session=session, school_id=school_id, period=period)
    kept = [
        record
        for lock in locks.values()
        for record in map(_record_of, json.loads(lock.records))
        if record.day in period
    ]
    slots = await slot_kinds(session=session, school_id=school_id)
    live = await _live_records(
        session=session, school_id=school_id, period=period, names=names, slots=slots
    )
    live += await _manual_records(
        session=session, school_id=school_id, period=period, names=names, slots=slots
    )
    merged = [r for r in live if r.day.replace(day=1) not in locks] + kept
    return sorted(merged, key=lambda r: (r.day, r.period, r.class_name))


async def slot_kinds(*, session: AsyncSession, school_id: int) -> dict[int, str]:
    """Each bell period's slot kind (早读, 午管, 晚自习 or a regular lesson), by its number."""
    query = select(BellPeriod.period, BellPeriod.kind).where(BellPeriod.school_id == school_id)
    return dict((await session.exec(query)).all())


async def _manual_records(
    *, session: AsyncSession, school_id: int, period: Period, names: Names, slots: dict[int, str]
) -> list[CoverRecord]:
    query = select(ManualCover).where(
        ManualCover.school_id == school_id,
        col(ManualCover.day) >= period.start,
        col(ManualCover.day) <= period.end,
    )
    return [
        CoverRecord(
            day=entry.day,
            period=entry.period,
            class_name=names.classes.get(entry.class_id, "?"),
            subject=names.subjects.get(entry.subject_id, "?"),
            absent_id=entry.absent_id or 0,
            substitute_id=entry.substitute_id,
            kind=entry.kind,
            manual=True,
            slot=slots.get(entry.period, LESSON),
        )
        for entry in (await session.exec(query)).all()
    ]


async def add_manual_cover(*, session: AsyncSession, entry: ManualCover) -> ManualCover:
    session.add(entry)
    await session.flush()
    return entry


async def remove_manual_cover(
    *, session: AsyncSession, school_id: int, entry_id: int
) -> ManualCover | None:
    """The entry, deleted; None when the school has no such entry."""
    entry = await session.get(ManualCover, entry_id)
    if entry is None or entry.school_id != school_id:
        return None
    await session.delete(entry)
    await session.flush()
    return entry


async def _live_records(
    *, session: AsyncSession, school_id: int, period: Period, names: Names, slots: dict[int, str]
) -> list[CoverRecord]:
    query = (
        select(CoverNeed)
        .where(
            CoverNeed.school_id == school_id,
            col(CoverNeed.day) >= period.start,
            col(CoverNeed.day) <= period.end,
            col(CoverNeed.status).in_(tuple(KIND_OF_STATUS)),
        )
        .order_by(col(CoverNeed.day), col(CoverNeed.period), col(CoverNeed.class_id))
    )
    return [
        CoverRecord(
            day=need.day,
            period=need.period,
            class_name=names.classes.get(need.class_id, "?"),
            subject=names.subjects.get(need.subject_id, "?"),
            absent_id=need.absent_id,
            substitute_id=need.substitute_id,
            kind=KIND_OF_STATUS[need.status],
            merged_with=names.classes.get(need.merged_class_id or 0, ""),
            slot=slots.get(need.period, LESSON),
        )
        for need in (await session.exec(query)).all()
    ]


async def missed_lessons(*, session: AsyncSession, school_id: int, period: Period) -> Counter[int]:
    """Lessons each teacher missed through leave in the period (those that needed cover and
    were not released by an early return)."""
    query = (
        select(CoverNeed.absent_id, func.count())
        .where(
            CoverNeed.school_id == school_id,
            col(CoverNeed.day) >= period.start,
            col(CoverNeed.day) <= period.end,
            col(CoverNeed.status).in_(LIVE_STATES),
        )
        .group_by(col(CoverNeed.absent_id))
    )
    return Counter({staff_id: count for staff_id, count in (await session.exec(query)).all()})


async def leave_records(
    *, session: AsyncSession, school: School, period: Period
) -> list[LeaveRecord]:
    """Approved (or ended) leave overlapping the period: type, days and part, never the reason."""
    # sqlmodel types select() for up to four columns; these seven are read as plain values, and the
    # reason is deliberately not among them.
    query = select(  # type: ignore[call-overload]
        LeaveRequest.staff_id,
        LeaveRequest.kind,
        LeaveRequest.first_day,
        LeaveRequest.last_day,
        LeaveRequest.part,
        LeaveRequest.returned_at,
        LeaveRequest.event_id,
    ).where(
        LeaveRequest.school_id == school.id,
        col(LeaveRequest.status).in_(AWAY_STATES),
        col(LeaveRequest.first_day) <= period.end,
        col(LeaveRequest.last_day) >= period.start,
    )
    tz = ZoneInfo(school.timezone)
    bells = await bell_times(session=session, school_id=stored_id(school))
    first_bell = min((start for start, _ in bells.values()), default=None)
    records = []
    for staff_id, kind, first, last, part, returned_at, event_id in (
        await session.exec(query)
    ).all():
        returned_on: date | None = None
        part_on_return: str | None = None
        if returned_at is not None:
            back = returned_at.astimezone(tz)
            returned_on = back.date()
            probe = LeaveRequest(
                school_id=0,
                staff_id=0,
                kind=kind,
                first_day=first,
                last_day=last,
                part=part,
                created_at=returned_at,
            )
            part_on_return = part_on_return_day(probe, back.time(), first_bell)
        records.append(
            LeaveRecord(
                staff_id,
                kind,
                first,
                last,
                part,
                returned_on,
                part_on_return,
                event=event_id is not None,
            )
        )
    return records


async def training_records(
    *, session: AsyncSession, school_id: int, year: TrainingYear, until: date
) -> list[TrainingRecord]:
    """The training year's approved entries up to `until`."""
    query = (
        select(TrainingEntry)
        .where(
            TrainingEntry.school_id == school_id,
            TrainingEntry.status == TrainingStatus.APPROVED,
            col(TrainingEntry.day) >= year.start,
            col(TrainingEntry.day) <= until,
        )
        .order_by(col(TrainingEntry.day), col(TrainingEntry.id))
    )
    return [
        TrainingRecord(e.staff_id, e.day, e.title, e.category, e.hours_tenths, e.source)
        for e in (await session.exec(query)).all()
    ]


async def homework_records(
    *, session: AsyncSession, book: SchoolBook, period: Period
) -> list[HomeworkRecord]:
    """The period's published postings, oldest first. Only the columns the ledger shows are
    read (not what was set as homework): a term of a large school is tens of thousands."""
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() up to four columns
            HomeworkPost.day,
            HomeworkPost.class_id,
            HomeworkPost.subject_id,
            HomeworkPost.author_id,
            HomeworkPost.kind,
            HomeworkPost.minutes,
            HomeworkPost.exception,
            HomeworkPost.decided_by,
        )
        .where(
            HomeworkPost.school_id == book.school.id,
            col(HomeworkPost.day) >= period.start,
            col(HomeworkPost.day) <= period.end,
            col(HomeworkPost.status).in_(PUBLISHED),
        )
        .order_by(col(HomeworkPost.day), col(HomeworkPost.class_id), col(HomeworkPost.id))
    )
    names = book.names
    return [
        HomeworkRecord(
            day=day,
            class_id=class_id,
            class_name=names.classes.get(class_id, "?"),
            grade=book.grades.get(class_id, 0),
            subject=names.subjects.get(subject_id, "?"),
            minutes=minutes,
            written=kind == Kind.WRITTEN,
            author=names.person(author_id),
            exception=exception,
            decided_by=names.person(decided_by) if decided_by else "",
        )
        for day, class_id, subject_id, author_id, kind, minutes, exception, decided_by in (
            await session.exec(query)
        ).all()
    ]


async def duty_records(
    *, session: AsyncSession, book: SchoolBook, period: Period
) -> list[DutyRecord]:
    shifts = await duties_between(
        session=session,
        school_id=stored_id(book.school),
        start=period.start,
        end=period.end,
        calendar=book.calendar,
    )
    return [
        DutyRecord(
            day=day,
            post=shift.post,
            person=shift.name,
            planned=shift.regular_name,
            reason=(shift.reason or "") if shift.replaced else "",
        )
        for day, day_shifts in sorted(shifts.items())
        for shift in day_shifts
    ]


async def patrol_records(
    *, session: AsyncSession, book: SchoolBook, period: Period
) -> list[PatrolRecord]:
    query = (
        select(PatrolReport)
        .where(
            PatrolReport.school_id == book.school.id,
            col(PatrolReport.day) >= period.start,
            col(PatrolReport.day) <= period.end,
        )
        .order_by(col(PatrolReport.day), col(PatrolReport.half), col(PatrolReport.id))
    )
    return [
        PatrolRecord(r.day, r.half, book.names.person(r.staff_id), r.findings)
        for r in (await session.exec(query)).all()
    ]


async def load_report(
    *,
    session: AsyncSession,
    school_id: int,
    kind: str,
    period: Period,
    scope: Scope,
    today: date,
) -> Report:
    """The report summed for its reader: a grade leader's holds their grade, a teacher's
    their own records. `today` sets the training pace and the patrols still to come."""
    book = await school_book(session=session, school_id=school_id)
    names = {staff_id: person.name for staff_id, person in book.staff.items()}
    report = Report(kind, book.school.name, period, scope, names)
    if kind == "cover":
        locks = await month_locks(session=session, school_id=school_id, period=period)
        report.locked = sorted(locks)

    def include(staff_id: int) -> bool:
        return scope.covers_person(staff_id, book.person_grade(staff_id))

    if kind == "cover":
        records = await cover_records(
            session=session, school_id=school_id, period=period, names=book.names
        )
        report.cover = cover_statement(
            records,
            names,
            cover_rates(book.policies),
            include=include,
            external=book.external,
        )
    elif kind == "leave":
        records = await cover_records(
            session=session, school_id=school_id, period=period, names=book.names
        )
        leaves = await leave_records(session=session, school=book.school, period=period)
        report.leave_weeks = leave_weeks(
            leaves, period, book.calendar.is_school_day, include=include
        )
        report.leave = leave_summary(
            leaves,
            records,
            await missed_lessons(session=session, school_id=school_id, period=period),
            names,
            period,
            book.calendar.is_school_day,
            include=include,
            external=book.external,
        )
    elif kind == "training":
        year = training_year(period.end, book.policies.get("training.year_start"))
        target = book.policies.get("training.target_hours") * 10
        until = min(period.end, max(today, period.start))
        people = [
            stored_id(person)
            for person in await school_staff(session=session, school_id=school_id)
            if include(stored_id(person))
        ]
        report.training = training_ledger(
            await training_records(session=session, school_id=school_id, year=year, until=until),
            names,
            period,
            target=target,
            pace=pace(target, year, until),
            people=people,
        )
    elif kind == "homework":
        postings = [
            record
            for record in await homework_records(session=session, book=book, period=period)
            if scope.grade is None or record.grade == scope.grade
        ]
        caps = {grade: book.policies.homework_cap(grade) for grade in range(1, 10)}
        report.homework = postings
        report.class_days, report.shares = homework_ledger(postings, caps)
    else:
        report.duties = await duty_records(session=session, book=book, period=period)
        report.patrols = await patrol_records(session=session, book=book, period=period)
        report.missing_patrols = missing_patrols(
            sorted({duty.day for duty in report.duties if is_patrol(duty.post)}),
            [(p.day, p.half) for p in report.patrols],
            until=min(period.end, today - timedelta(days=1)),
        )
    return report
