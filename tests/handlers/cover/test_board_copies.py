"""Every arranger's copy of a day's cover board follows what another arranger decided."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.cover_boards import copies_of, record_copies
from storage.db import session_factory
from storage.models import CoverBoardCopy, CoverNeed
from tests.conftest import SHANGHAI
from tests.handlers.cover.test_cover import approved_day_off
from tests.harness import BotHarness
from tests.schools.leave import HEAD, LEADER, OFFICE_A, OFFICE_B, TEACHER, XU, seed

THU = date(2026, 11, 26)


async def copies(engine: AsyncEngine) -> list[CoverBoardCopy]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(CoverBoardCopy).order_by(CoverBoardCopy.id))).all())


async def test_the_other_arrangers_copy_shows_the_substitute_and_the_confirmation(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    other = harness.last(OFFICE_B)
    assert {(c.chat_id, c.message_id) for c in await copies(engine)} == {
        (OFFICE_A, board.message_id),
        (OFFICE_B, other.message_id),
    }

    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))

    theirs = harness.request.find(OFFICE_B, other.message_id)
    assert theirs.edited and "（周雅琴）：许志强 代课（待确认）" in theirs.plain
    # It moved on from the lesson arranged to the one still open.
    assert "👉 2. 第5节" in theirs.plain and "2→" in " ".join(label for label, _ in theirs.buttons)
    notice = harness.last(XU)
    await harness.press(harness.user(XU), notice, notice.data_of("收到"))
    for office, message_id in ((OFFICE_A, board.message_id), (OFFICE_B, other.message_id)):
        assert "许志强 代课 ✅已确认" in harness.request.find(office, message_id).plain


async def test_a_newer_copy_shrinks_the_older_one_to_a_pointer(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    older = harness.last(OFFICE_B)
    assert older.buttons
    arranged = (await harness.send(harness.user(OFFICE_B), "/arrange"))[-1]

    # The older copy is one line pointing to the newest, without buttons, and is not kept.
    shrunk = harness.request.find(OFFICE_B, older.message_id)
    assert shrunk.edited and not shrunk.buttons
    assert shrunk.plain == "📋 11月26日 周四的代课安排已更新，请看下面最新的一条。"
    assert {(c.chat_id, c.message_id) for c in await copies(engine)} == {
        (OFFICE_A, board.message_id),
        (OFFICE_B, arranged.message_id),
    }

    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 自习"))

    # Only the newest copy is drawn again; the pointer stays a pointer.
    assert "（周雅琴）：自习" in harness.request.find(OFFICE_B, arranged.message_id).plain
    assert harness.request.find(OFFICE_B, older.message_id).plain == shrunk.plain
    # Another arranger's copy of the day is theirs: 王晴晴's stays live.
    assert harness.request.find(OFFICE_A, board.message_id).buttons


async def test_a_copy_keeps_the_lesson_its_reader_turned_to(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    other = harness.last(OFFICE_B)
    await harness.press(harness.user(OFFICE_B), other, other.data_of("下一个（2）"))
    assert "👉 2. " in harness.request.find(OFFICE_B, other.message_id).plain

    await harness.press(harness.user(OFFICE_A), board, board.data_of("下一个（2）"))
    mine = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), mine, mine.data_of("2 自习"))

    # 雷琴华 was reading lesson 2: her copy is still on it, and shows it decided.
    theirs = harness.request.find(OFFICE_B, other.message_id).plain
    assert "👉 2. 第5节 三(2)班 语文（周雅琴）：自习" in theirs


async def test_copies_of_days_gone_by_are_forgotten(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    school_id = school.school.id or 0
    staff_id = school.staff["王晴晴"].id or 0
    async with session_factory(engine)() as s, s.begin():
        await record_copies(
            session=s,
            copies=[
                (school_id, THU, staff_id, OFFICE_A, 11),
                (school_id, THU, staff_id, OFFICE_A, 12),
            ],
            today=date(2026, 11, 25),
        )
    async with session_factory(engine)() as s:
        kept = await copies_of(session=s, school_id=school_id, day=THU)
    assert [c.message_id for c in kept] == [12, 11]  # newest first
    async with session_factory(engine)() as s, s.begin():
        await record_copies(
            session=s,
            copies=[(school_id, date(2026, 11, 27), staff_id, OFFICE_A, 13)],
            today=date(2026, 11, 27),
        )
    assert [c.message_id for c in await copies(engine)] == [13]


@pytest.mark.both_databases
async def test_a_board_recorded_twice_is_kept_once_and_fails_nothing(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    """A delivery retried after its lease ran out can report the same message again; the
    batch of outcomes it belongs to must still be written."""
    school = await seed(engine, clock.now())
    school_id = school.school.id or 0
    staff_id = school.staff["王晴晴"].id or 0
    twice = (school_id, THU, staff_id, OFFICE_A, 21)
    async with session_factory(engine)() as s, s.begin():
        await record_copies(session=s, copies=[twice, twice], today=None)
    async with session_factory(engine)() as s, s.begin():
        await record_copies(
            session=s, copies=[twice, (school_id, THU, staff_id, OFFICE_B, 22)], today=None
        )
    assert sorted((c.chat_id, c.message_id) for c in await copies(engine)) == [
        (OFFICE_A, 21),
        (OFFICE_B, 22),
    ]


async def test_a_teacher_back_early_takes_the_released_lesson_off_every_copy(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    other = harness.last(OFFICE_B)
    assert "第5节" in other.plain

    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI))  # after period 3, before 5
    await harness.send(harness.user(TEACHER), "/back")

    for office, message_id in ((OFFICE_A, board.message_id), (OFFICE_B, other.message_id)):
        copy = harness.request.find(office, message_id)
        assert copy.edited and "第3节" in copy.plain and "第5节" not in copy.plain


async def test_a_copy_deleted_in_telegram_does_not_stop_the_action(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    other = harness.last(OFFICE_B)
    # One of the two boards was deleted in Telegram: its edit is refused.
    harness.request.faults["editMessageText"] = [
        (400, "Bad Request: message to edit not found", {})
    ]

    _, answer = await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))

    assert answer["text"] == "已安排 许志强"
    assert "请你代课" in harness.last(XU).plain
    boards = [
        harness.request.find(OFFICE_A, board.message_id),
        harness.request.find(OFFICE_B, other.message_id),
    ]
    assert sorted("许志强 代课" in b.plain for b in boards) == [False, True]


async def test_a_long_leave_sends_boards_for_the_coming_week_only(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    # Thursday 26 November to Friday 4 December: eight school days, three steps to approve.
    await harness.send(harness.user(TEACHER), "/leave 病假 2026-11-26~2026-12-04 住院")
    for approver in (LEADER, OFFICE_A, HEAD):
        request = harness.last(approver)
        await harness.press(harness.user(approver), request, request.data_of("批准"))

    for office in (OFFICE_A, OFFICE_B):
        texts = [m.plain for m in harness.in_chat(office)]
        boards = [text for text in texts if text.startswith("📋 代课安排")]
        assert [text.splitlines()[0] for text in boards] == [
            "📋 代课安排 · 11月26日 周四",
            "📋 代课安排 · 11月27日 周五",
        ]
        later = [text for text in texts if "还有 3 节课要安排代课" in text]
        assert later and later[0].startswith("12月3日 周四 至 12月4日 周五 还有 3 节课")
        # Eight school days are a long leave: a fixed cover plan is offered as well.
        assert texts[-1].startswith("🗓 固定代课")
    async with session_factory(engine)() as s:
        days = sorted({n.day for n in (await s.exec(select(CoverNeed))).all()})
    assert days == [date(2026, 11, 26), date(2026, 11, 27), date(2026, 12, 3), date(2026, 12, 4)]


async def test_lessons_past_the_boards_on_one_day_are_named_by_that_day(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 2026-11-26~2026-12-03 住院")
    for approver in (LEADER, OFFICE_A, HEAD):
        request = harness.last(approver)
        await harness.press(harness.user(approver), request, request.data_of("批准"))

    later = [m.plain for m in harness.in_chat(OFFICE_B) if "要安排代课" in m.plain]
    assert len(later) == 1
    assert later[0].startswith("12月3日 周四 还有 ") and " 至 " not in later[0]


def lessons_on(board: str) -> list[str]:
    """The lessons a board lists (number, period, class, subject, who is away), without their
    state and without the mark of the one shown."""
    return [
        line.split("）：")[0].lstrip("👉\u3000 ")
        for line in board.splitlines()
        if re.match(r"^(👉|\u3000) \d+\. 第", line)
    ]


async def test_an_approvals_board_shows_the_whole_day_as_any_later_redraw_does(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await approved_day_off(harness)  # 周雅琴: periods 3 and 5 on Thursday
    await harness.send(harness.user(XU), "/leave 病假 明天 上午 发烧")
    request = harness.last(LEADER)
    await harness.press(harness.user(LEADER), request, request.data_of("批准"))

    board = harness.last(OFFICE_B)
    first = lessons_on(board.plain)
    assert len(first) == 4
    assert sum("周雅琴" in line for line in first) == 2
    assert sum("许志强" in line for line in first) == 2

    mine = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), mine, mine.data_of("1 自习"))

    redrawn = harness.request.find(OFFICE_B, board.message_id).plain
    assert lessons_on(redrawn) == first
    assert "1. 第1节 三(2)班 数学（许志强）：自习" in redrawn
