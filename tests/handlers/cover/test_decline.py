"""A substitute who says no: 拒绝 gives the lesson back to the arrangers, with a reason if typed.

周雅琴 is away all Thursday; 王晴晴 asks 许志强 to cover period 3 (10:00–10:40) of 三(2)班.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from tests.conftest import SHANGHAI
from tests.handlers.cover.test_cover import actions, approved_day_off, needs
from tests.harness import BotHarness, Sent
from tests.schools.leave import CAO, OFFICE_A, OFFICE_B, XU, in_own_chat, seed

LESSON = "11月26日 周四 第3节（10:00–10:40）三(2)班 语文"


async def xu_asked(harness: BotHarness) -> tuple[Sent, Sent]:
    """王晴晴's board and the notice 许志强 gets for period 3."""
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    return board, harness.last(XU)


async def test_declining_with_a_reason_puts_the_lesson_back_and_tells_the_arrangers(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board, notice = await xu_asked(harness)
    assert [label for label, _ in notice.buttons] == ["收到", "拒绝"]
    decline, ack = notice.data_of("拒绝"), notice.data_of("收到")
    stale = "v1:cov:as:1:2:1"  # 1→郭春燕 on a board drawn while 许志强 had the lesson

    await harness.press(harness.user(XU), notice, decline)
    asked = harness.request.find(XU, notice.message_id)
    assert "你要拒绝代课" in asked.plain
    assert (await needs(engine))[0].status == "assigned"  # nothing changes before the answer

    await harness.send(harness.user(XU), "周四上午要去区里听课")

    assert "已拒绝代课" in harness.last(XU).plain
    assert "已拒绝代课" in harness.request.find(XU, notice.message_id).plain
    first = (await needs(engine))[0]
    assert (first.status, first.substitute_id, first.acknowledged_at) == ("open", None, None)
    for arranger in (OFFICE_A, OFFICE_B):
        told = [m.plain for m in harness.in_chat(arranger) if "拒绝代课" in m.plain]
        reason = "\n原因：周四上午要去区里听课"
        assert told == [f"↩️ 许志强 拒绝代课，这节课需要重新安排：{LESSON}{reason}"]
    # 王晴晴's board is drawn again with the lesson to arrange.
    assert "1. 第3节 三(2)班 语文（周雅琴）：待安排" in harness.request.find(
        OFFICE_A, board.message_id
    ).plain.replace("👉 ", "")
    assert await actions(engine) == ["cover_assigned", "cover_declined"]

    # The old buttons are refused: a second decline, a 收到, the board drawn before.
    _, again = await harness.press(harness.user(XU), notice, decline)
    _, acked = await harness.press(harness.user(XU), notice, ack)
    _, old = await harness.press(harness.user(OFFICE_A), in_own_chat(OFFICE_A), stale)
    assert "已经变更" in again["text"] and "已经变更" in acked["text"]
    assert "刚刚变了" in old["text"]
    assert (await needs(engine))[0].status == "open"


async def test_keeping_the_lesson_after_all_makes_later_text_no_reason(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)

    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))
    asked = harness.request.find(XU, notice.message_id)
    await harness.press(harness.user(XU), asked, asked.data_of("收到"))
    await harness.send(harness.user(XU), "好的")

    assert "已确认代课" in harness.request.find(XU, notice.message_id).plain
    first = (await needs(engine))[0]
    assert (first.status, first.acknowledged_at is not None) == ("assigned", True)
    assert not [m for m in harness.in_chat(OFFICE_B) if "拒绝代课" in m.plain]


async def test_declining_without_a_reason_and_nobody_else_can_decline_for_them(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)
    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))
    now = harness.request.find(XU, notice.message_id).data_of("直接拒绝")

    _, other = await harness.press(harness.user(CAO), in_own_chat(CAO), now)
    assert other["text"] == "你没有权限执行这个操作。"
    assert (await needs(engine))[0].status == "assigned"

    await harness.press(harness.user(XU), harness.request.find(XU, notice.message_id), now)

    assert "已拒绝代课" in harness.request.find(XU, notice.message_id).plain
    assert (await needs(engine))[0].status == "open"
    told = [m.plain for m in harness.in_chat(OFFICE_B) if "拒绝代课" in m.plain]
    assert told == [f"↩️ 许志强 拒绝代课，这节课需要重新安排：{LESSON}"]


async def test_a_decline_once_the_lesson_began_is_refused(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)
    clock.set(datetime(2026, 11, 26, 10, 5, tzinfo=SHANGHAI))

    _, answer = await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))

    assert answer["show_alert"]
    assert answer["text"] == (
        f"{LESSON} 已于 10:00 开始上课，不能再拒绝了。请直接联系安排代课的老师。"
    )
    first = (await needs(engine))[0]
    assert (first.status, first.substitute_id is not None) == ("assigned", True)
    assert not [m for m in harness.in_chat(OFFICE_B) if "拒绝代课" in m.plain]


def keeps_chats_of(restarted: BotHarness, before: BotHarness) -> BotHarness:
    """Telegram keeps the messages across a restart: the new bot can edit the old ones."""
    restarted.request.sent.extend(before.request.sent)
    restarted.request._index.update(before.request._index)
    return restarted


async def test_the_reason_typed_after_a_restart_still_declines(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)
    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))

    # The bot restarts while 许志强 types; the dialogue in memory is gone.
    async with BotHarness(Settings(), engine, clock) as bot:
        restarted = keeps_chats_of(bot, harness)
        await restarted.send(restarted.user(XU), "周四上午要去区里听课")
        assert "已拒绝代课" in restarted.request.find(XU, notice.message_id).plain
        assert "已拒绝代课" in restarted.last(XU).plain
        told = [m.plain for m in restarted.in_chat(OFFICE_A) if "拒绝代课" in m.plain]
        assert told and told[0].endswith("\n原因：周四上午要去区里听课")
        # Asked once, answered once: more text is no second reason.
        await restarted.send(restarted.user(XU), "谢谢")
        assert "拒绝" not in restarted.last(XU).plain
    first = (await needs(engine))[0]
    assert (first.status, first.substitute_id) == ("open", None)


async def test_after_a_restart_text_after_another_command_is_no_reason(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)
    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))

    async with BotHarness(Settings(), engine, clock) as restarted:
        await restarted.send(restarted.user(XU), "/today")
        await restarted.send(restarted.user(XU), "好的")
        assert "已拒绝代课" not in restarted.last(XU).plain
    assert (await needs(engine))[0].status == "assigned"


async def test_after_a_restart_a_question_left_long_ago_takes_no_text(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)
    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))
    clock.advance(timedelta(hours=1))  # longer than any dialogue waits

    async with BotHarness(Settings(), engine, clock) as restarted:
        await restarted.send(restarted.user(XU), "好的")
        assert "已拒绝代课" not in restarted.last(XU).plain
    assert (await needs(engine))[0].status == "assigned"


async def test_a_refused_late_decline_keeps_got_it_and_taught_under_the_notice(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)
    clock.set(datetime(2026, 11, 26, 10, 5, tzinfo=SHANGHAI))

    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))

    kept = harness.request.find(XU, notice.message_id)
    assert "不能再拒绝了" in kept.plain
    assert "这节课仍由你代课：请按“收到”确认，上完课按“已上”。" in kept.plain
    assert [label for label, _ in kept.buttons] == ["收到", "已上"]
    await harness.press(harness.user(XU), kept, kept.data_of("已上"))
    assert "✅ 已记下：" in harness.last(XU).plain
    await harness.press(harness.user(XU), kept, kept.data_of("收到"))
    first = (await needs(engine))[0]
    assert (first.status, first.acknowledged_at is not None) == ("assigned", True)


async def test_a_late_decline_in_english_names_the_english_buttons(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    _, notice = await xu_asked(harness)
    await harness.send(harness.user(XU), "/lang en")
    clock.set(datetime(2026, 11, 26, 10, 5, tzinfo=SHANGHAI))

    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))

    kept = harness.request.find(XU, notice.message_id)
    assert "The lesson is still yours: press “Got it” to confirm" in kept.plain
    assert [label for label, _ in kept.buttons] == ["Got it", "Taught"]
