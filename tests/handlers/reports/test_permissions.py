"""Who may have which report is the school's choice (/settings, section 其他): by default a
teacher their own statement and hours, a grade leader their grade, the office the school."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage.db import session_factory
from storage.schools import school_by_name
from tests.handlers.reports.test_reports import names_listed, only_answer, seed, workbook
from tests.harness import BotHarness, Sent
from tests.schools import factories
from tests.schools.reports import CAO, LEADER, OFFICE

ADMIN = 7_300_000_009


async def seed_with_admin(engine: AsyncEngine, clock: ManualClock) -> None:
    await seed(engine, clock)
    async with session_factory(engine)() as s, s.begin():
        school = await school_by_name(session=s, name="孟河小学")
        assert school is not None
        await factories.staff(s, school, "陆建国", roles="principal,admin", telegram_id=ADMIN)


async def report_settings(harness: BotHarness, lang: str = "zh") -> Sent:
    """The admin's settings page with the report policies (the first of the section 其他)."""
    admin = harness.user(ADMIN)
    menu = (await harness.send(admin, "/settings"))[-1]
    await harness.press(admin, menu, menu.data_of("其他" if lang == "zh" else "Other"))
    return menu


async def test_a_teacher_is_refused_the_school_report_and_a_leader_gets_only_the_grade(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_with_admin(engine, clock)
    refused = await only_answer(harness, CAO, "/report 作业 2026-11")
    assert refused.file is None and "你不能查看作业公示记录" in refused.plain
    duty = await only_answer(harness, LEADER, "/report 值周 2026-11")
    assert duty.file is None and "你不能查看值周巡课记录" in duty.plain
    grade = (await harness.send(harness.user(LEADER), "/report 代课 2026-11"))[0]
    assert grade.plain.endswith("（三年级）")
    assert names_listed(workbook(grade), "汇总") == ["周雅琴", "许志强", "合计"]


async def test_the_school_limits_grade_leaders_to_their_own_and_closes_reports_to_teachers(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_with_admin(engine, clock)
    admin = harness.user(ADMIN)
    page = await report_settings(harness)
    assert "年级组长可查看的报表" in page.plain and "老师可查看本人报表" in page.plain

    await harness.press(admin, page, page.data_of("年级组长可查看的报表"))
    assert [label for label, _ in page.buttons][:2] == ["✓ 本年级", "仅本人"]
    await harness.press(admin, page, page.data_of("仅本人"))
    assert "年级组长可查看的报表：本年级 → 仅本人，已生效。" in page.plain

    menu = await only_answer(harness, LEADER, "/report")
    assert [label for label, _ in menu.buttons] == ["代课统计", "学时台账"]
    mine = await only_answer(harness, LEADER, "/report 代课 2026-11")
    assert mine.plain.endswith("（本人）")
    # She covered nothing and gave nothing away: her grade's teachers are not on it.
    assert names_listed(workbook(mine), "汇总") == ["（本时段没有记录）", "合计"]
    refused = await only_answer(harness, LEADER, "/report 考勤 2026-11")
    assert "你不能查看考勤汇总" in refused.plain

    page = await report_settings(harness)
    await harness.press(admin, page, page.data_of("老师可查看本人报表"))
    await harness.press(admin, page, page.data_of("关"))
    assert "老师可查看本人报表：开 → 关，已生效。" in page.plain
    closed = await only_answer(harness, CAO, "/report 代课 本月")
    assert closed.file is None
    assert "学校没有开放报表给你查看；需要时请找教导处。" in closed.plain
    # The leader keeps their own statement; the office still has the whole school.
    assert (await only_answer(harness, LEADER, "/report 代课 2026-11")).file is not None
    school = (await harness.send(harness.user(OFFICE), "/report 代课 2026-11"))[0]
    assert names_listed(workbook(school), "汇总") == ["周雅琴", "许志强", "曹明", "合计"]


async def test_a_teacher_without_reports_is_told_in_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_with_admin(engine, clock)
    await harness.send(harness.user(ADMIN), "/settings 老师可查看本人报表 关")
    await harness.send(harness.user(CAO), "/lang en")
    closed = await only_answer(harness, CAO, "/report")
    assert closed.plain == (
        "Your school does not give you reports; ask the academic office when you need one."
    )
