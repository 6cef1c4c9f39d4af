"""The reports' queries on SQLite and PostgreSQL: what a month of the test school adds up to."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.report_requests import KINDS, Period, Scope, month_of
from storage.models import BellPeriod, CoverNeed
from storage.policies import set_policy
from storage.reports import cover_rates, cover_records, load_report, lock_month, school_book
from tests.schools import reports as report_school

NOVEMBER = month_of(date(2026, 11, 1))
TODAY = date(2026, 11, 25)


async def test_the_cover_statement_adds_up_to_the_covers_in_the_database(
    session: AsyncSession, now: datetime
) -> None:
    seeded = await report_school.seed(session, now)
    school_id = seeded.school.id or 0
    report = await load_report(
        session=session,
        school_id=school_id,
        kind="cover",
        period=NOVEMBER,
        scope=Scope(KINDS),
        today=TODAY,
    )
    in_db = (
        await session.exec(
            select(func.count()).where(
                CoverNeed.school_id == school_id,
                col(CoverNeed.day) >= NOVEMBER.start,
                col(CoverNeed.day) <= NOVEMBER.end,
                col(CoverNeed.substitute_id).is_not(None),
                col(CoverNeed.status).in_(("assigned", "merged")),
            )
        )
    ).one()
    statement = report.cover
    assert statement is not None
    assert statement.covered == in_db == 3
    rows = {
        t.name: (t.counts["cover"], t.counts["merged"], t.given_away, t.pay)
        for t in statement.teachers
    }
    assert rows == {
        "曹明": (2, 0, 0, 60),
        "许志强": (0, 1, 1, 20),
        "周雅琴": (0, 0, 2, 0),
    }
    assert statement.pay == 80


async def test_the_leave_summary_counts_days_by_type_and_the_lessons_missed(
    session: AsyncSession, now: datetime
) -> None:
    seeded = await report_school.seed(session, now)
    report = await load_report(
        session=session,
        school_id=seeded.school.id or 0,
        kind="leave",
        period=NOVEMBER,
        scope=Scope(KINDS),
        today=TODAY,
    )
    rows = {r.name: (dict(r.halves), r.missed, r.covered, r.self_study) for r in report.leave}
    assert rows == {
        "周雅琴": ({"sick": 2}, 3, 2, 1),
        "许志强": ({"personal": 1}, 1, 1, 0),
    }


async def test_a_grade_leader_sees_their_grade_and_a_teacher_only_themselves(
    session: AsyncSession, now: datetime
) -> None:
    seeded = await report_school.seed(session, now)
    school_id = seeded.school.id or 0

    async def names(scope: Scope, kind: str = "cover") -> list[str]:
        report = await load_report(
            session=session,
            school_id=school_id,
            kind=kind,
            period=Period(date(2026, 9, 1), date(2026, 12, 31)),
            scope=scope,
            today=TODAY,
        )
        if kind == "training":
            return [row.name for row in report.training]
        assert report.cover is not None
        return [t.name for t in report.cover.teachers]

    assert await names(Scope(("cover",), grade=3)) == ["周雅琴", "许志强"]  # staff list order
    assert await names(Scope(("cover",), staff_id=seeded.staff["曹明"].id)) == ["曹明"]
    hours = await load_report(
        session=session,
        school_id=school_id,
        kind="training",
        period=NOVEMBER,
        scope=Scope(("training",), staff_id=seeded.staff["曹明"].id),
        today=TODAY,
    )
    [row] = hours.training
    assert (row.name, row.in_period, row.year_total) == ("曹明", 30, 45)


async def test_a_month_is_locked_once_and_its_covers_are_kept_as_they_stood(
    session: AsyncSession, now: datetime
) -> None:
    seeded = await report_school.seed(session, now)
    school_id = seeded.school.id or 0
    book = await school_book(session=session, school_id=school_id)
    rates = cover_rates(book.policies)

    async def lock() -> object:
        return await lock_month(
            session=session,
            school_id=school_id,
            month=NOVEMBER,
            names=book.names,
            rates=rates,
            by=None,
            now=now,
        )

    assert await lock() is not None
    assert await lock() is None  # the first lock stands
    await session.exec(
        update(CoverNeed).where(col(CoverNeed.day) == date(2026, 11, 5)).values(status="released")
    )
    kept = await cover_records(
        session=session, school_id=school_id, period=NOVEMBER, names=book.names
    )
    assert [(r.day.day, r.period, r.kind, r.rate) for r in kept] == [
        (5, 1, "cover", 30),
        (5, 3, "merged", 20),
        (5, 5, "self_study", 10),
        (10, 1, "cover", 30),
    ]
    # A period that runs into an unlocked month reads that month as it is now.
    longer = Period(date(2026, 11, 10), date(2026, 12, 31))
    later = await cover_records(
        session=session, school_id=school_id, period=longer, names=book.names
    )
    assert [(r.day, r.rate) for r in later] == [(date(2026, 11, 10), 30), (date(2026, 12, 1), None)]


async def test_a_locked_month_keeps_each_lesson_s_slot_and_the_slot_s_rate(
    session: AsyncSession, now: datetime
) -> None:
    seeded = await report_school.seed(session, now)
    school_id = seeded.school.id or 0
    session.add(
        BellPeriod(
            school_id=school_id,
            period=1,
            starts_at=time(7, 20),
            ends_at=time(7, 50),
            kind="morning",
        )
    )
    await set_policy(
        session=session,
        school_id=school_id,
        key="cover.rate.morning",
        raw_value="15",
        by=None,
        now=now.astimezone(UTC),
    )
    book = await school_book(session=session, school_id=school_id)
    await lock_month(
        session=session,
        school_id=school_id,
        month=NOVEMBER,
        names=book.names,
        rates=cover_rates(book.policies),
        by=None,
        now=now,
    )
    # The bell changes afterwards: the locked month stays as it was paid.
    await session.exec(update(BellPeriod).values(kind="lesson"))
    kept = await cover_records(
        session=session, school_id=school_id, period=NOVEMBER, names=book.names
    )
    assert [(r.day.day, r.period, r.slot, r.rate) for r in kept] == [
        (5, 1, "morning", 15),
        (5, 3, "lesson", 20),
        (5, 5, "lesson", 10),
        (10, 1, "morning", 15),
    ]
