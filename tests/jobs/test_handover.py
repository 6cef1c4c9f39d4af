"""The handover again before the lesson, and 已上 with a line reaching the absent teacher: on
her first school morning back, or at once when she chose so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import callbacks
from bot.clock import ManualClock
from bot.config import Settings
from jobs import kinds, scheduler
from storage.schools import list_schools
from tests.conftest import SHANGHAI
from tests.handlers.handover.test_handover import NOTE, leave_note_and_photo
from tests.harness import BotHarness, Sent
from tests.schools.leave import GROUP, LEADER, OFFICE_A, TEACHER, XU, in_own_chat, seed

LESSON = "11月26日 周四 第3节（10:00–10:40）三(2)班 语文"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, clock) as bot:
        yield bot


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def move(bot: BotHarness, clock: ManualClock, until: datetime) -> None:
    start = clock.now()
    clock.set(until)
    await scheduler.fire_due(bot.app, start, until)


async def xu_covers_with_handover(harness: BotHarness, engine: AsyncEngine) -> Sent:
    """周雅琴 leaves a note and a photo for period 3; 许志强 is assigned it and confirms.
    Returns his confirmed notice."""
    await seed(engine, datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    await leave_note_and_photo(harness)
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    await harness.services.settle()
    notice = next(m for m in harness.in_chat(XU) if "请你代课" in m.plain)
    await harness.press(harness.user(XU), notice, notice.data_of("收到"))
    return harness.request.find(XU, notice.message_id)


def feedback(bot: BotHarness) -> list[str]:
    return [m.plain for m in bot.in_chat(TEACHER) if m.plain.startswith("📝 代课老师的反馈")]


async def test_the_reminder_carries_the_handover_and_taught_reaches_her_when_back(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    confirmed = await xu_covers_with_handover(harness, engine)
    assert [label for label, _ in confirmed.buttons] == ["已上"]

    await move(harness, clock, at(26, 9, 51))
    reminder = next(m for m in harness.in_chat(XU) if "分钟后代课" in m.plain)
    assert reminder.plain == (
        f"⏰ 10 分钟后代课：{LESSON}（代 周雅琴）\n\n"
        f"📋 周雅琴 的交接 · {LESSON}\n这节课：\n  {NOTE}\n📎 附 1 个文件（见下）"
    )
    assert harness.last(XU).file == ("photo", "page12", b"")
    # Pressed before the lesson: too early.
    _, early = await harness.press(harness.user(XU), reminder, reminder.data_of("已上"))
    assert early["show_alert"] and early["text"] == "这节课 10:00 才开始，上完再点“已上”。"
    # Nobody but the substitute may say it was taught.
    clock.set(at(26, 10, 45))
    taught = reminder.data_of("已上")
    _, other = await harness.press(harness.user(OFFICE_A), in_own_chat(OFFICE_A), taught)
    assert other["text"] == "这节课已经不由你代课了。"

    await harness.press(harness.user(XU), reminder, reminder.data_of("已上"))
    assert harness.last(XU).plain.startswith(f"✅ 已记下：{LESSON} 已上。要告诉 周雅琴")
    await harness.send(harness.user(XU), "讲完了，生字作业已布置")
    assert harness.last(XU).plain == "谢谢！周雅琴 返校后会收到。"
    _, again = await harness.press(harness.user(XU), reminder, reminder.data_of("已上"))
    assert again["text"] == "这节课已经记为已上。"
    assert feedback(harness) == []

    # Friday is her first school day back: she hears it in the morning, once.
    await move(harness, clock, at(27, 7, 1))
    await move(harness, clock, at(27, 9, 0))
    assert feedback(harness) == [
        f"📝 代课老师的反馈：\n· {LESSON}：许志强 已上\n  讲完了，生字作业已布置"
    ]
    assert not [m for m in harness.in_chat(GROUP) if "已上" in m.plain or "生字" in m.plain]


async def test_she_can_choose_to_hear_at_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    confirmed = await xu_covers_with_handover(harness, engine)
    await harness.send(harness.user(TEACHER), "/handover")
    menu = harness.last(TEACHER)
    assert "课后反馈：代课老师的反馈在你返校后第一天早上告诉你。" in menu.plain
    await harness.press(harness.user(TEACHER), menu, menu.data_of("立即告诉我"))
    assert "反馈立即告诉你" in harness.request.find(TEACHER, menu.message_id).plain

    clock.set(at(26, 10, 41))
    await harness.press(harness.user(XU), confirmed, confirmed.data_of("已上"))
    asked = harness.last(XU)
    await harness.press(harness.user(XU), asked, asked.data_of("不用了"))

    assert harness.request.find(XU, asked.message_id).plain == "谢谢！已转告 周雅琴。"
    assert feedback(harness) == [f"📝 代课老师的反馈：\n· {LESSON}：许志强 已上"]
    await move(harness, clock, at(27, 7, 1))
    assert len(feedback(harness)) == 1


async def test_in_english(harness: BotHarness, engine: AsyncEngine, clock: ManualClock) -> None:
    confirmed = await xu_covers_with_handover(harness, engine)
    await harness.send(harness.user(XU), "/lang en")
    clock.set(at(26, 10, 41))
    await harness.press(harness.user(XU), confirmed, confirmed.data_of("已上"))
    assert harness.last(XU).plain.startswith("✅ Noted: Thu 26 Nov period 3")
    await harness.send(harness.user(XU), "All done")
    assert harness.last(XU).plain == "Thank you! 周雅琴 hears it when back."


async def feedback_times(bot: BotHarness, day: int) -> list[str]:
    """When the feedback push is planned that day, as local HH:MM."""
    async with bot.services.sessions() as session:
        [school] = await list_schools(session=session)
    slots = await scheduler.plan_day(bot.services, school, date(2026, 11, day), kinds.HANDOVER)
    return [f"{slot.at.astimezone(SHANGHAI):%H:%M}" for slot in slots]


async def test_she_hears_it_at_her_own_my_day_time_and_only_when_something_waits(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    confirmed = await xu_covers_with_handover(harness, engine)
    # 周雅琴 has her day at 08:00.
    await harness.send(harness.user(TEACHER), "/today")
    await harness.press(
        harness.user(TEACHER), harness.last(TEACHER), callbacks.MY_DAY_AT.data(8 * 60)
    )
    # Nothing waits yet: no feedback is planned for Thursday or Friday.
    assert await feedback_times(harness, 26) == []
    assert await feedback_times(harness, 27) == []

    clock.set(at(26, 10, 41))
    await harness.press(harness.user(XU), confirmed, confirmed.data_of("已上"))
    await harness.send(harness.user(XU), "讲完了")
    # She is away on Thursday; Friday it waits for her, at her time.
    assert await feedback_times(harness, 26) == []
    assert await feedback_times(harness, 27) == ["08:00"]

    await move(harness, clock, at(27, 7, 30))
    assert feedback(harness) == []
    await move(harness, clock, at(27, 8, 1))
    assert feedback(harness) == [f"📝 代课老师的反馈：\n· {LESSON}：许志强 已上\n  讲完了"]
    # Told: nothing is planned for the next school day.
    assert await feedback_times(harness, 30) == []


async def test_an_unconfirmed_substitute_gets_the_reminder_and_handover_all_the_same(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await leave_note_and_photo(harness)
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    await harness.send(harness.user(XU), "/lang en")

    await move(harness, clock, at(26, 9, 51))

    reminder = next(m for m in harness.in_chat(XU) if "In 10 minutes you cover" in m.plain)
    assert "You have not confirmed this cover yet: please press “Got it”." in reminder.plain
    assert NOTE in reminder.plain
    assert [label for label, _ in reminder.buttons] == ["Got it", "Taught"]
    assert harness.last(XU).file == ("photo", "page12", b"")
    await harness.press(harness.user(XU), reminder, reminder.data_of("Got it"))
    assert "Taught" in [label for label, _ in harness.request.find(XU, reminder.message_id).buttons]
