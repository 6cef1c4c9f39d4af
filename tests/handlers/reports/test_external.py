"""External teachers (外聘/代课) on the cover statement: sheets of their own, with totals of
their own, apart from the teachers on the school's establishment (在编)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import Staff
from tests.handlers.reports.test_reports import only_answer, rows, seed, workbook
from tests.harness import BotHarness
from tests.schools.reports import CAO, OFFICE


async def hire_externally(engine: AsyncEngine, name: str) -> None:
    async with session_factory(engine)() as s, s.begin():
        person = (await s.exec(select(Staff).where(Staff.name == name))).one()
        person.external = True
        s.add(person)


async def test_external_teachers_are_paid_on_sheets_of_their_own_with_their_own_totals(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await hire_externally(engine, "曹明")
    book = workbook((await harness.send(harness.user(OFFICE), "/report 代课 2026-11"))[0])
    assert book.sheetnames == ["在编汇总", "外聘汇总", "在编明细", "外聘明细"]

    staff = rows(book, "在编汇总")
    assert staff[0][0] == "孟河小学 · 代课统计 · 2026-11-01 至 2026-11-30（在编）"
    assert staff[2:5] == [
        ["周雅琴", 0, 0, 0, 0, 2, -2, 0, None],
        ["许志强", 0, 1, 0, 1, 1, 0, 20, None],
        ["合计", 0, 1, 0, 1, 3, -2, 20, None],
    ]
    external = rows(book, "外聘汇总")
    assert external[0][0] == "孟河小学 · 代课统计 · 2026-11-01 至 2026-11-30（外聘）"
    assert external[2:4] == [
        ["曹明", 2, 0, 0, 2, 0, 2, 60, None],
        ["合计", 2, 0, 0, 2, 0, 2, 60, None],
    ]
    # The two parts add up to the month's covers: 3 lessons, 80 yuan.
    assert staff[4][4] + external[3][4] == 3 and staff[4][7] + external[3][7] == 80

    lessons = rows(book, "外聘明细")
    assert [row[0] for row in lessons[2:4]] == ["曹明", "曹明"]
    assert lessons[4][0] == "合计" and lessons[4][2] == 2 and lessons[4][-1] == 60
    assert {row[0] for row in rows(book, "在编明细")[2:-1]} == {"许志强"}


async def test_an_external_teacher_s_own_statement_has_no_empty_staff_sheet(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await hire_externally(engine, "曹明")
    mine = workbook(await only_answer(harness, CAO, "/report 代课 本月"))
    assert mine.sheetnames == ["外聘汇总", "外聘明细"]
    assert rows(mine, "外聘汇总")[2][:5] == ["曹明", 2, 0, 0, 2]


async def test_the_external_sheets_in_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await hire_externally(engine, "曹明")
    await harness.send(harness.user(OFFICE), "/lang en")
    book = workbook((await harness.send(harness.user(OFFICE), "/report cover 2026-11"))[0])
    assert book.sheetnames == [
        "Staff totals",
        "External totals",
        "Staff details",
        "External details",
    ]
    assert str(rows(book, "External totals")[0][0]).endswith(" (external teachers)")


async def test_the_leave_summary_puts_external_teachers_on_a_sheet_of_their_own(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await hire_externally(engine, "许志强")
    document, _chart = await harness.send(harness.user(OFFICE), "/report 考勤 2026-11")
    book = workbook(document)
    assert book.sheetnames == ["在编考勤", "外聘考勤"]
    staff, external = rows(book, "在编考勤"), rows(book, "外聘考勤")
    assert str(staff[0][0]).endswith("（在编）") and str(external[0][0]).endswith("（外聘）")
    # Both sheets have the same leave-type columns, so they can be read side by side.
    assert staff[1] == external[1]
    assert staff[2:] == [["周雅琴", 1, 0, 1, 1, 3, 2, 1], ["合计", 1, 0, 1, 1, 3, 2, 1]]
    assert external[2:] == [["许志强", 0, 0.5, 0.5, 1, 1, 1, 0], ["合计", 0, 0.5, 0.5, 1, 1, 1, 0]]
