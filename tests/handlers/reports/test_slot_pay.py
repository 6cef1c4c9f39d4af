"""Cover in morning reading (早读), noon supervision (午管) and evening study (晚自习) is paid at
the slot's own rate when the school set one, else by its kind; the statement shows each
lesson's slot and the pay adds up to lessons × rates."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import BellPeriod, ManualCover, SchoolClass, Subject
from storage.policies import set_policy
from tests.handlers.reports.test_reports import rows, workbook
from tests.harness import BotHarness
from tests.schools import reports as report_school
from tests.schools.reports import OFFICE

# Period 1 is morning reading, 4 noon supervision, 5 evening study, the others lessons.
BELLS = {
    1: (time(7, 20), time(7, 50), "morning"),
    2: (time(8, 0), time(8, 40), "lesson"),
    3: (time(8, 50), time(9, 30), "lesson"),
    4: (time(12, 10), time(12, 50), "noon"),
    5: (time(19, 0), time(19, 45), "evening"),
}
# Cover 30, merged 20, self-study 10 (the test school's); morning 15, evening 25; noon unset.
SLOT_RATES = {"cover.rate.morning": "15", "cover.rate.noon": "0", "cover.rate.evening": "25"}


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    """The report school's November (曹明 covers period 1 on the 5th and the 10th, 许志强 takes
    period 3 merged), with bells of every kind, the slot rates, and two covers the office
    entered: 曹明 supervising self-study in period 5 (evening) and covering period 4 (noon)."""
    now = clock.now() - timedelta(days=90)
    async with session_factory(engine)() as s, s.begin():
        seeded = await report_school.seed(s, now)
        school_id = seeded.school.id or 0
        for period, (start, end, kind) in BELLS.items():
            s.add(
                BellPeriod(
                    school_id=school_id, period=period, starts_at=start, ends_at=end, kind=kind
                )
            )
        for key, value in SLOT_RATES.items():
            await set_policy(
                session=s,
                school_id=school_id,
                key=key,
                raw_value=value,
                by=None,
                now=now.astimezone(UTC),
            )
        klass = (await s.exec(select(SchoolClass).where(SchoolClass.name == "三(1)班"))).one()
        subject = (await s.exec(select(Subject).where(Subject.name == "数学"))).one()
        cao, zhou = seeded.staff["曹明"], seeded.staff["周雅琴"]
        for day, period, kind in (
            (date(2026, 11, 12), 5, "self_study"),
            (date(2026, 11, 13), 4, "cover"),
        ):
            s.add(
                ManualCover(
                    school_id=school_id,
                    day=day,
                    period=period,
                    class_id=klass.id or 0,
                    subject_id=subject.id or 0,
                    substitute_id=cao.id or 0,
                    absent_id=zhou.id,
                    kind=kind,
                    created_at=now,
                )
            )


async def test_pay_is_lessons_times_the_rate_of_each_slot_kind(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    sent = await harness.send(harness.user(OFFICE), "/report 代课 2026-11")
    book = workbook(sent[0])
    details = rows(book, "明细")
    assert details[1][:4] == ["姓名", "日期", "节次", "时段"]
    lessons = [(r[0], r[2], r[3], r[7], r[-1]) for r in details[2:-1]]
    assert lessons == [
        ("许志强", 3, "正课", "合班", 20),
        ("曹明", 1, "早读", "代课", 15),
        ("曹明", 1, "早读", "代课", 15),
        ("曹明", 5, "晚自习", "看班（补录）", 25),
        ("曹明", 4, "午管", "代课（补录）", 30),  # no noon rate: paid as a cover lesson
    ]
    # Lessons × rates: two morning readings at 15, an evening at 25, a noon cover and a merged
    # class at their kinds' 30 and 20.
    assert details[-1][0] == "合计" and details[-1][-1] == 2 * 15 + 25 + 30 + 20
    totals = {row[0]: row[-2] for row in rows(book, "汇总")[2:] if row[0]}
    assert totals["曹明"] == 2 * 15 + 25 + 30
    assert totals["许志强"] == 20
    assert totals["合计"] == 105


async def test_the_statement_names_the_slot_kinds_in_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await harness.send(harness.user(OFFICE), "/lang en")
    sent = await harness.send(harness.user(OFFICE), "/report cover 2026-11")
    details = rows(workbook(sent[0]), "Details")
    assert details[1][3] == "Slot"
    assert [r[3] for r in details[2:-1]] == [
        "lesson",
        "morning reading",
        "morning reading",
        "evening study",
        "noon supervision",
    ]
    assert details[-1][-1] == 105
