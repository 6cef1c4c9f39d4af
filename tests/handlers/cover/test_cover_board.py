"""The cover board on a phone: one lesson at a time within a button budget, paged and moving
on as lessons are arranged; a settled lesson reopened on purpose only; who gets boards."""

from __future__ import annotations

from datetime import time

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed, DutyAssignment, DutyPost, Staff
from tests.handlers.conftest import SYSADMIN_ID
from tests.handlers.cover.test_cover import approved_day_off
from tests.harness import BotHarness, Sent
from tests.schools import factories
from tests.schools.leave import (
    CAO,
    LEADER,
    OFFICE_A,
    OFFICE_B,
    TEACHER,
    XU,
    in_own_chat,
    seed,
)
from views.cover_board import BUTTON_BUDGET

EXTRA_TEACHERS = ("甲老师", "乙老师", "丙老师", "丁老师", "戊老师", "己老师")


async def five_lessons_six_free(engine: AsyncEngine, clock: ManualClock) -> None:
    """周雅琴 teaches 三(2)班 in periods 2, 3, 4, 5 and 6 on Thursday; six more Chinese
    teachers of grade 3 have no lesson that day, so every lesson has more candidates than the
    board has room for."""
    school = await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        chinese = await factories.subject(s, school.school, "书法")
        for period in (2, 4, 6):
            await factories.lesson(
                s, school.school, school.c32, 4, period, chinese, school.staff["周雅琴"]
            )
        for name in EXTRA_TEACHERS:
            await factories.staff(s, school.school, name, subjects="语文", grade=3)


def shown(board: Sent) -> str:
    """The number of the lesson a board shows in detail."""
    line = next(line for line in board.plain.splitlines() if line.startswith("👉 "))
    return line.removeprefix("👉 ").split(".", 1)[0]


async def test_a_board_of_many_lessons_keeps_within_its_buttons_and_each_can_be_assigned(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await five_lessons_six_free(engine, clock)
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    boards = {office: harness.last(office) for office in (OFFICE_A, OFFICE_B)}
    for board in boards.values():
        assert "共 5 节，待安排 5 节" in board.plain
        assert len(board.buttons) <= BUTTON_BUDGET

    # Paging goes through every lesson and round again, each page within the budget.
    board = boards[OFFICE_A]
    seen = [shown(board)]
    for _ in range(5):
        await harness.press(harness.user(OFFICE_A), board, board.data_of("下一个"))
        board = harness.request.find(OFFICE_A, board.message_id)
        assert len(board.buttons) <= BUTTON_BUDGET
        seen.append(shown(board))
    assert seen == ["1", "2", "3", "4", "5", "1"]

    # Each lesson is assigned from the board in turn: it moves on to the next by itself.
    for number in "12345":
        assert shown(board) == number
        assign = next(data for label, data in board.buttons if label.startswith(f"{number}→"))
        _, answer = await harness.press(harness.user(OFFICE_A), board, assign)
        assert answer["text"].startswith("已安排")
        board = harness.request.find(OFFICE_A, board.message_id)
        other = harness.request.find(OFFICE_B, boards[OFFICE_B].message_id)
        for copy in (board, other):
            assert len(copy.buttons) <= BUTTON_BUDGET
    assert "待安排 0 节" in board.plain
    async with session_factory(engine)() as s:
        states = [n.status for n in (await s.exec(select(CoverNeed))).all()]
    assert states == ["assigned"] * 5


async def test_a_confirmed_lesson_is_reopened_by_an_arranger_only(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    notice = harness.last(XU)
    await harness.press(harness.user(XU), notice, notice.data_of("收到"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("上一个（1）"))
    board = harness.request.find(OFFICE_A, board.message_id)

    # Confirmed: no button reassigns it; one reopens it.
    labels = [label for label, _ in board.buttons]
    assert "许志强 代课 ✅已确认" in board.plain and "重新安排" in board.plain
    assert labels == ["1 重新安排", "◀ 上一个（2）", "下一个（2）▶"]
    reopen = board.data_of("1 重新安排")

    _, refused = await harness.press(harness.user(CAO), in_own_chat(CAO), reopen)
    assert refused["text"] == "你没有权限执行这个操作。"
    told = len(harness.in_chat(XU))
    _, answer = await harness.press(harness.user(OFFICE_A), board, reopen)

    # The choices are back on her board, but nothing changed yet: 许志强 still covers the
    # lesson and hears nothing, so stopping here leaves no class without a teacher.
    assert answer["text"] == "请选新的安排；选定之前，原来的安排不变。"
    assert len(harness.in_chat(XU)) == told
    board = harness.request.find(OFFICE_A, board.message_id)
    assert "1→郭春燕" in [label for label, _ in board.buttons]
    async with session_factory(engine)() as s:
        need = (await s.exec(select(CoverNeed).order_by(CoverNeed.period))).first()
    assert need is not None and need.status == "assigned" and need.substitute_id is not None

    # Choosing anew is what releases him.
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→郭春燕"))
    assert "不用代课了" in harness.last(XU).plain
    async with session_factory(engine)() as s:
        need = (await s.exec(select(CoverNeed).order_by(CoverNeed.period))).first()
        entries = [e.action for e in await audit.entries(session=s)]
    assert need is not None and need.status == "assigned"
    assert "cover_rearranging" in entries and entries.count("denied") == 1
    # The other arranger's copy follows the new choice.
    other = harness.last(OFFICE_B)
    assert "1. 第3节 三(2)班 语文（周雅琴）：郭春燕 代课" in other.plain


async def give_thursday_patrol(engine: AsyncEngine, name: str) -> None:
    async with session_factory(engine)() as s, s.begin():
        person = (await s.exec(select(Staff).where(Staff.name == name))).one()
        post = DutyPost(
            school_id=person.school_id, name="巡课", starts_at=time(8), ends_at=time(11, 30)
        )
        s.add(post)
        await s.flush()
        s.add(
            DutyAssignment(
                school_id=person.school_id, post_id=post.id or 0, weekday=4, staff_id=person.id
            )
        )


def boards_in(harness: BotHarness, chat: int) -> list[Sent]:
    return [m for m in harness.in_chat(chat) if m.plain.startswith("📋 代课安排")]


async def test_with_the_on_duty_policy_only_the_arranger_on_duty_that_day_gets_the_board(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await give_thursday_patrol(engine, "雷琴华")
    changed = await harness.send(harness.user(SYSADMIN_ID), "/settings cover.boards_to on_duty")
    assert "所有安排人 → 当天值班的安排人" in changed[-1].plain

    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")  # Thursday
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    assert len(boards_in(harness, OFFICE_B)) == 1
    assert boards_in(harness, OFFICE_A) == []
    # 王晴晴 is not on duty, but she still arranges: /arrange shows her the day.
    mine = (await harness.send(harness.user(OFFICE_A), "/arrange 明天"))[-1]
    assert "代课安排 · 11月26日 周四" in mine.plain

    # Friday nobody of the office is on duty: both get Friday's board.
    await harness.send(harness.user(TEACHER), "/leave 事假 2026-11-27 家中有事")
    request = harness.last(LEADER)
    await harness.press(harness.user(LEADER), request, request.data_of("批准"))
    for office in (OFFICE_A, OFFICE_B):
        assert any("11月27日" in m.plain.splitlines()[0] for m in boards_in(harness, office))
