"""Lesson handover: 周雅琴 leaves what to teach for Thursday's period 3 of 三(2)班; whoever
covers it gets it in private, the staff group never."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from jobs import scheduler
from storage.db import session_factory
from storage.models import HandoverNote
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.leave import GROUP, LEADER, OFFICE_A, TEACHER, XU, in_own_chat, seed

NOTE = "讲第12课《秋天》，练习册第12页；作业：抄写生字两遍"


async def notes(engine: AsyncEngine) -> list[HandoverNote]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(HandoverNote).order_by(HandoverNote.id))).all())


async def leave_for_thursday(harness: BotHarness) -> Sent:
    """周雅琴 asks for Thursday off; returns her own message about the request."""
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    return next(m for m in harness.in_chat(TEACHER) if "撤销" in [b for b, _ in m.buttons])


async def open_period_3(harness: BotHarness, offer: Sent) -> Sent:
    """添加交接, then the first lesson (period 3): returns the prompt."""
    await harness.press(harness.user(TEACHER), offer, offer.data_of("添加交接"))
    menu = harness.last(TEACHER)
    assert "📋 课务交接 · 11月26日 周四" in menu.plain
    assert "1. 11月26日 周四 第3节（10:00–10:40）三(2)班 语文" in menu.plain
    assert "2. 11月26日 周四 第5节（13:30–14:10）三(2)班 语文" in menu.plain
    await harness.press(harness.user(TEACHER), menu, menu.data_of("1."))
    return harness.request.find(TEACHER, menu.message_id)


async def leave_note_and_photo(harness: BotHarness) -> Sent:
    """The note and a photo of the textbook page for period 3, then 完成; returns the prompt."""
    prompt = await open_period_3(harness, await leave_for_thursday(harness))
    assert "✍️ 交接：11月26日 周四 第3节（10:00–10:40）三(2)班 语文" in prompt.plain
    await harness.send(harness.user(TEACHER), NOTE)
    assert harness.last(TEACHER).plain == "已记下文字。继续发送，或按“完成”。"
    await harness.photo(harness.user(TEACHER), "page12")
    got = harness.last(TEACHER)
    assert got.plain == "已收到文件（1/5）。继续发送，或按“完成”。"
    await harness.press(harness.user(TEACHER), got, got.data_of("完成"))
    saved = harness.request.find(TEACHER, got.message_id)
    assert saved.plain.startswith("✅ 交接已保存：11月26日 周四 第3节")
    return saved


async def test_the_handover_reaches_the_substitute_with_the_assignment_and_not_the_group(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await leave_note_and_photo(harness)
    assert [(n.kind, n.period) for n in await notes(engine)] == [("text", 3), ("photo", 3)]

    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    approved = next(m for m in harness.in_chat(TEACHER) if m.plain.startswith("✅ 你的请假"))
    assert "添加交接" in [label for label, _ in approved.buttons]
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    await harness.services.settle()

    told = harness.in_chat(XU)
    assert "请你代课" in told[-3].plain
    assert told[-2].plain == (
        "📋 周雅琴 的交接 · 11月26日 周四 第3节（10:00–10:40）三(2)班 语文\n"
        f"这节课：\n  {NOTE}\n📎 附 1 个文件（见下）"
    )
    assert told[-1].file == ("photo", "page12", b"")
    assert told[-1].plain.startswith("📎 周雅琴 的交接")
    # The arranger and the group see none of it, the evening's slip included.
    start = clock.now()
    clock.set(datetime(2026, 11, 25, 20, 1, tzinfo=SHANGHAI))
    await scheduler.fire_due(harness.app, start, clock.now())
    group = harness.in_chat(GROUP)
    assert any("代课/调课公示" in m.plain for m in group)
    for chat in (GROUP, OFFICE_A):
        assert not [m for m in harness.in_chat(chat) if "秋天" in m.plain or m.file]
        assert not [m for m in harness.in_chat(chat) if "交接" in m.plain]


async def test_a_handover_left_after_the_assignment_goes_to_the_substitute_then(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await leave_for_thursday(harness)
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    await harness.services.settle()
    before = len(harness.in_chat(XU))

    await harness.send(harness.user(TEACHER), "/handover")
    menu = harness.last(TEACHER)
    await harness.press(harness.user(TEACHER), menu, menu.data_of("整个假期"))
    await harness.send(harness.user(TEACHER), "两节课都讲第12课")
    await harness.press(harness.user(TEACHER), harness.last(TEACHER), "v1:hov:done:1:0:0")
    await harness.services.settle()

    assert "已安排的代课老师（许志强）也已收到" in harness.last(TEACHER).plain
    new = [m.plain for m in harness.in_chat(XU)[before:]]
    assert new == [
        "📋 周雅琴 的交接 · 11月26日 周四 第3节（10:00–10:40）三(2)班 语文 （交接已更新）\n"
        "整个假期：\n  两节课都讲第12课"
    ]
    # The menu shows what is left for the whole leave; 返回列表 draws it again in place.
    await harness.send(harness.user(TEACHER), "/handover")
    assert "整个假期（已留：文字）" in harness.last(TEACHER).plain


async def test_only_the_absent_teacher_may_leave_or_change_a_handover(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    offer = await leave_for_thursday(harness)
    day = datetime(2026, 11, 26).toordinal()

    for data in (offer.data_of("添加交接"), f"v1:hov:pick:1:{day}:3", f"v1:hov:clr:1:{day}:3"):
        _, answer = await harness.press(harness.user(XU), in_own_chat(XU), data)
        assert answer["show_alert"] and answer["text"] == "你没有权限执行这个操作。"
    # A lesson the leave does not miss is no lesson to hand over.
    _, answer = await harness.press(harness.user(TEACHER), offer, f"v1:hov:pick:1:{day}:1")
    assert answer["text"] == "这个按钮已失效。"
    await harness.send(harness.user(XU), "/handover")
    assert harness.last(XU).plain.startswith("你现在没有需要代课的请假")
    assert await notes(engine) == []


async def test_the_limits_hold_and_a_lesson_can_be_cleared(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await open_period_3(harness, await leave_for_thursday(harness))

    await harness.send(harness.user(TEACHER), "很" * 1001)
    assert "交接文字共 1000 字以内" in harness.last(TEACHER).plain
    for index in range(5):
        await harness.photo(harness.user(TEACHER), f"p{index}")
    await harness.photo(harness.user(TEACHER), "p5")
    assert harness.last(TEACHER).plain.startswith("每节课最多 5 个文件")
    assert len(await notes(engine)) == 5

    last = harness.last(TEACHER)
    await harness.press(harness.user(TEACHER), last, last.data_of("清空重写"))
    assert harness.request.find(TEACHER, last.message_id).plain.startswith("已清空")
    assert await notes(engine) == []
    await harness.send(harness.user(TEACHER), "重新写")
    assert [n.text for n in await notes(engine)] == ["重新写"]


async def test_in_english(harness: BotHarness, engine: AsyncEngine, clock: ManualClock) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/lang en")
    await harness.send(harness.user(TEACHER), "/leave sick tomorrow fever")
    await harness.send(harness.user(TEACHER), "/handover")
    menu = harness.last(TEACHER)
    assert menu.plain.startswith("📋 Lesson handover")
    await harness.press(harness.user(TEACHER), menu, menu.data_of("Whole leave"))
    assert "✍️ Handover: the whole leave" in harness.request.find(TEACHER, menu.message_id).plain


async def test_a_long_leave_turns_pages_so_a_late_lesson_can_be_picked(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    # Three lessons a week (Thursday 3 and 5, Friday 4) for three weeks: nine to hand over.
    await harness.send(harness.user(TEACHER), "/leave 病假 11月26日至12月11日 发烧")
    await harness.send(harness.user(TEACHER), "/handover")
    menu = harness.last(TEACHER)
    assert "（第 1/3 页，按 ◀ ▶ 翻页）" in menu.plain
    assert [label for label, _ in menu.buttons][-3:] == [
        "下一页 ▶",
        "整个假期",
        "课后反馈：改为立即告诉我",
    ]
    for _ in range(2):
        await harness.press(harness.user(TEACHER), menu, menu.data_of("下一页 ▶"))
        menu = harness.request.find(TEACHER, menu.message_id)
        assert len(menu.buttons) <= 8
    assert "（第 3/3 页，按 ◀ ▶ 翻页）" in menu.plain
    assert "9. 12月11日 周五 第4节（10:50–11:30）三(2)班 语文" in menu.plain
    assert "下一页 ▶" not in [label for label, _ in menu.buttons]
    await harness.press(harness.user(TEACHER), menu, menu.data_of("9."))
    prompt = harness.request.find(TEACHER, menu.message_id)
    assert "✍️ 交接：12月11日 周五 第4节（10:50–11:30）三(2)班 语文" in prompt.plain
    # Nobody else turns her pages.
    _, other = await harness.press(harness.user(XU), in_own_chat(XU), "v1:hovp:pg:1:1")
    assert other["text"] == "你没有权限执行这个操作。"
