"""/calendar: everyone sees the next two weeks; admins change terms, closures and make-up days."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage import audit
from storage.db import session_factory
from tests.harness import BotHarness
from tests.schools.duty import ADMIN_ID, OTHER_ID, seed


def text(replies: list) -> str:  # type: ignore[type-arg]
    return "\n".join(r.plain for r in replies)


async def test_staff_see_the_next_14_days_marked(harness: BotHarness, engine: AsyncEngine) -> None:
    await seed(engine)
    shown = text(await harness.send(harness.user(OTHER_ID), "/calendar"))
    assert "11月25日 周三　上课" in shown
    assert "11月28日 周六　周末" in shown
    assert "12月8日 周二　上课" in shown and "12月9日" not in shown
    assert "9月1日 周二 至 2027年1月22日 周五" in shown
    assert "/calendar term" not in shown  # the admin commands are for admins


async def test_admin_closes_a_day_and_the_duties_of_that_day_go(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    before = {j.name for j in harness.app.job_queue.jobs()}
    await harness.send(admin, "/duty")  # nothing scheduled yet: the bot started before the school
    done = await harness.send(admin, "/calendar closed 2026-11-25 运动会")
    assert "11月25日 周三 停课（运动会）" in done[-1].plain
    shown = text(await harness.send(admin, "/calendar"))
    assert "11月25日 周三　停课：运动会" in shown
    assert "不上课（停课：运动会）" in text(await harness.send(admin, "/duty"))
    # The scheduled pushes were rebuilt: today has none left, tomorrow's are there.
    jobs = {j.name for j in harness.app.job_queue.jobs()} - before
    assert not any("2026-11-25" in name for name in jobs if name.startswith("push:"))
    assert any(name.endswith("duty_announce:group:2026-11-26") for name in jobs)
    removed = await harness.send(admin, "/calendar remove 2026-11-25")
    assert "已删除" in removed[-1].plain
    assert "今天值班" in text(await harness.send(admin, "/duty"))


async def test_a_make_up_day_gets_its_weekday(harness: BotHarness, engine: AsyncEngine) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    unset = await harness.send(admin, "/calendar makeup 2026-12-05")
    assert "还没有设定按周几" in unset[-1].plain
    assert "12月5日 周六　调休上班，⚠️ 还没有设定按周几" in text(
        await harness.send(admin, "/calendar")
    )
    done = await harness.send(admin, "/calendar makeup 2026-12-05 周三")
    assert "按周三的课表和值班" in done[-1].plain
    shown = text(await harness.send(admin, "/duty 2026-12-05"))
    assert "调休上班，按周三安排" in shown and "王晴晴" in shown


async def test_terms_may_not_overlap(harness: BotHarness, engine: AsyncEngine) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    spring = await harness.send(admin, "/calendar term 2027-02-22 2027-07-02")
    assert "已设定学期：2027年2月22日 周一 至 2027年7月2日 周五" in spring[-1].plain
    overlap = await harness.send(admin, "/calendar term 2026-12-01 2027-03-01")
    assert "重叠" in overlap[-1].plain and "/calendar remove 2026-09-01" in overlap[-1].plain
    moved = await harness.send(admin, "/calendar term 2026-09-01 2027-01-29")
    assert "学期已改为" in moved[-1].plain


async def test_bad_input_is_refused_with_a_clear_message(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    bad_date = await harness.send(admin, "/calendar closed 2026-13-45 考试")
    weekend = await harness.send(admin, "/calendar makeup 2026-12-05 周六")
    backwards = await harness.send(admin, "/calendar closed 2026-12-31 2026-12-01")
    unknown = await harness.send(admin, "/calendar holiday 2026-12-01")
    term_one_day = await harness.send(admin, "/calendar term 2027-02-22")
    assert "“2026-13-45”不是日期" in bad_date[-1].plain
    assert "只能按周一至周五" in weekend[-1].plain
    assert "早于开始日期" in backwards[-1].plain
    assert "不认识“holiday”" in unknown[0].plain
    assert "开始和结束两个日期" in term_one_day[-1].plain
    assert "11月28日 周六　周末" in text(await harness.send(admin, "/calendar"))


async def test_teachers_may_look_but_not_change(harness: BotHarness, engine: AsyncEngine) -> None:
    await seed(engine)
    refused = await harness.send(harness.user(OTHER_ID), "/calendar closed 2026-12-31 期末考试")
    assert refused[-1].plain == "你没有权限执行这个操作。"
    async with session_factory(engine)() as s:
        denied = await audit.entries(session=s, action="denied")
        assert any("/calendar" in d.detail for d in denied)
        assert await audit.entries(session=s, action="calendar_closed") == []
