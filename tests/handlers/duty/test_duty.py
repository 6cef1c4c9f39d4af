"""/duty: today, a week, my duties, the roster; admins replace someone for a day or a weekday."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from jobs import scheduler
from storage import audit
from storage.db import session_factory
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools import factories
from tests.schools.duty import ADMIN_ID, GROUP, LEI_ID, OTHER_ID, ROSTER, WANG_ID, seed


def text(replies: list) -> str:  # type: ignore[type-arg]
    return "\n".join(r.plain for r in replies)


async def test_today_in_private_and_in_the_group(harness: BotHarness, engine: AsyncEngine) -> None:
    await seed(engine)
    wu = harness.user(OTHER_ID)
    private = await harness.send(wu, "/duty")
    group = await harness.send(wu, "/duty", GROUP)
    assert text(private) == (
        "📋 今天值班 11月25日 周三\n"
        "07:20–07:50 护学岗：周雅琴\n"
        "08:00–11:30 巡课（上午）：王晴晴\n"
        "13:30–15:50 巡课（下午）：王晴晴"
    )
    assert group[-1].chat_id == GROUP and group[-1].plain == private[-1].plain
    # Asking does not ping the people on duty; only the morning announcement does.
    assert "tg://user" not in group[-1].text


async def test_the_week_my_duties_and_the_roster(harness: BotHarness, engine: AsyncEngine) -> None:
    await seed(engine)
    week = text(await harness.send(harness.user(OTHER_ID), "/duty week"))
    assert "本周值班（11月23日 周一 至 11月29日 周日）" in week
    assert "📋 11月26日 周四\n07:20–07:50 护学岗：许志强\n08:00–11:30 巡课（上午）：雷琴华" in week
    assert "11月27日 周五\n07:20–07:50 护学岗：周雅琴" in week
    assert "11月28日" not in week
    mine = text(await harness.send(harness.user(WANG_ID), "/duty me"))
    assert "• 11月25日 周三 08:00–11:30 巡课（上午）" in mine
    assert "• 12月2日 周三 13:30–15:50 巡课（下午）" in mine
    assert "没有值班" in text(await harness.send(harness.user(OTHER_ID), "/duty me"))
    roster = text(await harness.send(harness.user(ADMIN_ID), "/duty roster"))
    assert "1. 07:20–07:50 护学岗\n　轮值：周雅琴 → 许志强" in roster
    assert "2. 08:00–11:30 巡课（上午）\n　按星期：周三 王晴晴、周四 雷琴华" in roster
    assert "/duty set" in roster


async def test_admin_replaces_someone_for_a_day_and_the_reminder_follows(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    done = await harness.send(admin, "/duty set 明天 巡课（上午） 吴晓梅")
    assert (
        "11月26日 周四 08:00–11:30“巡课（上午）”改由 吴晓梅 值班（原为 雷琴华）" in done[-1].plain
    )
    assert "巡课（上午）" in harness.last(OTHER_ID).plain and "由你" in harness.last(OTHER_ID).plain
    assert "吴晓梅" in harness.last(LEI_ID).plain and "不用去了" in harness.last(LEI_ID).plain
    shown = text(await harness.send(admin, "/duty 2026-11-26"))
    assert "08:00–11:30 巡课（上午）：吴晓梅（替 雷琴华）" in shown
    assert "13:30–15:50 巡课（下午）：雷琴华" in shown

    start = clock.now()
    clock.set(datetime(2026, 11, 26, 7, 46, tzinfo=SHANGHAI))
    await scheduler.fire_due(harness.app, start, clock.now())
    assert "⏰ 值班提醒" in harness.last(OTHER_ID).plain
    assert "⏰" not in harness.last(LEI_ID).plain

    undone = await harness.send(admin, "/duty unset 2026-11-26 2")
    assert "恢复由 雷琴华 值班" in undone[-1].plain
    assert "08:00–11:30 巡课（上午）：雷琴华" in text(await harness.send(admin, "/duty 2026-11-26"))
    async with session_factory(engine)() as s:
        assert [
            e.action for e in await audit.entries(session=s) if e.action.startswith("duty_")
        ] == [
            "duty_set",
            "duty_unset",
        ]


async def test_admin_changes_who_stands_on_a_weekday(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    done = await harness.send(admin, "/duty weekday 巡课（下午） 周五 吴晓梅")
    assert "每周五 13:30–15:50“巡课（下午）”由 吴晓梅 值班（原为 无）" in done[-1].plain
    assert "每周五" in harness.last(OTHER_ID).plain
    assert "13:30–15:50 巡课（下午）：吴晓梅" in text(await harness.send(admin, "/duty 2026-11-27"))
    # A post that does not run on Fridays can still be staffed for one Friday.
    once = await harness.send(admin, "/duty set 2026-11-27 巡课（上午） 雷琴华")
    assert "改由 雷琴华 值班（原为 无）" in once[-1].plain
    assert "08:00–11:30 巡课（上午）：雷琴华" in text(await harness.send(admin, "/duty 2026-11-27"))
    rotation = await harness.send(admin, "/duty weekday 护学岗 周五 吴晓梅")
    assert "轮值岗位" in rotation[-1].plain


async def test_mistakes_are_explained(harness: BotHarness, engine: AsyncEngine) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    ambiguous = await harness.send(admin, "/duty set 2026-11-26 巡课 吴晓梅")
    assert (
        "对应好几个岗位" in ambiguous[-1].plain
        and "2. 08:00–11:30 巡课（上午）" in ambiguous[-1].plain
    )
    unknown = await harness.send(admin, "/duty set 2026-11-26 2 吴晓眉")
    assert "没有“吴晓眉”" in unknown[-1].plain and "吴晓梅" in unknown[-1].plain
    past = await harness.send(admin, "/duty set 2026-11-24 2 吴晓梅")
    assert "已经过去了" in past[-1].plain
    holiday = await harness.send(admin, "/duty set 2026-11-28 2 吴晓梅")
    assert "不上课（周末）" in holiday[-1].plain
    bad_date = await harness.send(admin, "/duty 2026-02-30")
    assert "“2026-02-30”不是日期" in bad_date[0].plain
    refused = await harness.send(harness.user(OTHER_ID), "/duty set 2026-11-26 2 吴晓梅")
    assert refused[-1].plain == "你没有权限执行这个操作。"


async def test_a_person_cannot_be_on_two_posts_at_once(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    extra = ROSTER + "校门值守,07:30,08:10,周四,,吴晓梅\n"
    imported = await harness.upload(admin, "duty.csv", extra.encode(), "/import duty")
    assert "值班表已导入" in imported[-1].plain and "周一、周二、周三、周五" in imported[-1].plain
    clash = await harness.send(admin, "/duty set 2026-11-26 护学岗 吴晓梅")
    assert "吴晓梅 那天同一时段已经有别的值班了" in clash[-1].plain
    again = await harness.send(admin, "/duty set 2026-11-26 巡课（上午） 雷琴华")
    assert "本来就在" in again[-1].plain


async def test_no_roster_yet(harness: BotHarness, engine: AsyncEngine) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, datetime(2026, 11, 1, tzinfo=SHANGHAI))
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
    answer = await harness.send(harness.user(ADMIN_ID), "/duty")
    assert "/import duty" in answer[-1].plain
