"""/patrol: the day's patrol report from the patroller or the office, and the 17:30 reminder."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Chat, ChatMemberLeft, ChatMemberMember, ChatMemberUpdated, Update, User

from bot.clock import ManualClock
from jobs import scheduler
from storage import audit
from storage.db import session_factory
from tests.conftest import SHANGHAI
from tests.harness import BOT_ID, BotHarness
from tests.schools.duty import ADMIN_ID, GROUP, LEI_ID, OTHER_ID, WANG_ID, seed


def reports(harness: BotHarness) -> list[str]:
    return [m.text for m in harness.in_chat(GROUP) if "巡课通报" in m.plain]


def reminders(harness: BotHarness, chat: int) -> list[str]:
    return [m.plain for m in harness.in_chat(chat) if "还没有发布" in m.plain]


async def until(harness: BotHarness, clock: ManualClock, hour: int, minute: int) -> None:
    start = clock.now()
    clock.set(start.replace(hour=hour, minute=minute))
    await scheduler.fire_due(harness.app, start, clock.now())


async def test_the_patroller_posts_the_report_to_the_group(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    replies = await harness.send(harness.user(WANG_ID), "/patrol 三(2)班第2节 <b>课堂纪律良好</b>")
    (report,) = reports(harness)
    assert report.startswith("📝 <b>巡课通报</b> 11月25日 周三 上午\n巡课：王晴晴")
    assert "&lt;b&gt;课堂纪律良好&lt;/b&gt;" in report  # what people typed is escaped
    assert "上午巡课通报已发到教师群" in replies[-1].plain
    afternoon = await harness.send(
        harness.user(WANG_ID), "/patrol 下午 五(1)班体育课未见教师", GROUP
    )
    assert "11月25日 周三 下午" in reports(harness)[-1]
    assert [r.chat_id for r in afternoon] == [GROUP]  # in the group, the report is the answer


async def test_the_half_of_the_day_is_read_without_a_space_after_it(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    # Typed in the morning, as Chinese is typed: no space after 下午.
    await harness.send(harness.user(WANG_ID), "/patrol 下午巡课正常，无异常")
    await harness.send(harness.user(WANG_ID), "/patrol amazing discipline in 三(2)班")

    first, second = reports(harness)
    assert "11月25日 周三 下午" in first and "巡课正常，无异常" in first
    # "am" only counts as a word of its own.
    assert "11月25日 周三 上午" in second and "amazing discipline" in second


async def test_others_are_refused_and_the_office_may_post(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine)
    refused = await harness.send(harness.user(OTHER_ID), "/patrol 一切正常")
    assert "只有今天巡课的老师（王晴晴）或教导处" in refused[-1].plain
    assert reports(harness) == []
    async with session_factory(engine)() as s:
        assert any("/patrol" in d.detail for d in await audit.entries(session=s, action="denied"))
    clock.advance(timedelta(days=1))  # Thursday: 雷琴华 patrols, 王晴晴 is the academic office
    await harness.send(harness.user(WANG_ID), "/patrol 一切正常")
    await harness.send(harness.user(LEI_ID), "/patrol 三年级走廊有学生追跑")
    assert [r.split("\n")[1] for r in reports(harness)] == ["巡课：王晴晴", "巡课：雷琴华"]


async def test_findings_are_required_and_limited(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine)
    wang = harness.user(WANG_ID)
    empty = await harness.send(wang, "/patrol")
    too_long = await harness.send(wang, "/patrol " + "好" * 1001)
    assert "用法" in empty[-1].plain
    assert "1001 字，最多 1000 字" in too_long[-1].plain
    await harness.send(wang, "/patrol " + "好" * 1000)
    assert len(reports(harness)) == 1
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI))
    weekend = await harness.send(wang, "/patrol 一切正常")
    assert "今天不上课" in weekend[-1].plain


async def test_the_reminder_at_1730_only_when_no_report_came_in(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine)
    await harness.send(harness.user(WANG_ID), "/patrol 上午 一切正常")
    await until(harness, clock, 17, 29)
    assert reminders(harness, WANG_ID) == []
    await until(harness, clock, 17, 31)
    (reminder,) = reminders(harness, WANG_ID)
    assert "下午的巡课通报还没有发布" in reminder and "上午" not in reminder
    # Thursday: 雷琴华 reports both halves in time and hears nothing.
    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))
    await harness.send(harness.user(LEI_ID), "/patrol 上午 正常")
    await harness.send(harness.user(LEI_ID), "/patrol 下午 正常")
    await until(harness, clock, 18, 0)
    assert reminders(harness, LEI_ID) == []


async def test_after_the_bot_was_removed_the_patroller_hears_the_group_is_no_longer_bound(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    bot = User(BOT_ID, "Staffroom", True)
    removed = ChatMemberUpdated(
        Chat(GROUP, Chat.SUPERGROUP, title="教师群"),
        harness.user(ADMIN_ID),
        datetime.now(SHANGHAI),
        ChatMemberMember(bot),
        ChatMemberLeft(bot),
    )
    await harness.feed(Update(993, my_chat_member=removed))

    replies = await harness.send(harness.user(WANG_ID), "/patrol 一切正常")
    assert "已记录" in replies[-1].plain and "已不再绑定（机器人已被移出该群）" in replies[-1].plain
    assert "/bind" in replies[-1].plain and "还没有绑定" not in replies[-1].plain


async def test_a_school_that_never_bound_a_group_hears_so(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine, bind=False)
    replies = await harness.send(harness.user(WANG_ID), "/patrol 一切正常")
    assert "学校还没有绑定教师群" in replies[-1].plain
