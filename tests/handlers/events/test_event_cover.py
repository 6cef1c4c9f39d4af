"""A meeting that takes teachers out of class puts their lessons up for cover, as a leave does."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select, update

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import CoverNeed, LeaveRequest
from tests.harness import BotHarness, Sent
from tests.schools.leave import GROUP, LEADER, LIN, OFFICE_A, OFFICE_B, TEACHER, seed


async def ask(harness: BotHarness, user_id: int, text: str) -> Sent:
    """The answer to `text` (an organiser who also arranges cover gets a board after it)."""
    answers = [m for m in await harness.send(harness.user(user_id), text) if m.chat_id == user_id]
    assert answers, "no answer"
    return answers[0]


async def needs(engine: AsyncEngine) -> list[tuple[int, str, int]]:
    async with session_factory(engine)() as s:
        rows = (await s.exec(select(CoverNeed).order_by(col(CoverNeed.id)))).all()
        return [(n.period, n.status, n.absent_id) for n in rows]


async def leaves(engine: AsyncEngine) -> list[LeaveRequest]:
    async with session_factory(engine)() as s:
        return list((await s.exec(select(LeaveRequest))).all())


async def test_a_district_training_on_lessons_puts_them_up_for_cover_and_tells_the_organiser(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    teacher_id = school.staff["周雅琴"].id
    # Thursday 13:30–15:00 for the 语文组: 周雅琴 teaches 三(2)班 in period 5 (13:30).
    reply = await ask(harness, OFFICE_A, "/event add 明天 13:30 1.5 区级培训 语文组")

    assert "这次活动占用了 1 节课，已交给代课安排" in reply.plain
    assert "第5节（13:30–14:10）三(2)班 语文（周雅琴）" in reply.plain
    assert await needs(engine) == [(5, "open", teacher_id)]
    [leave] = await leaves(engine)
    made = (leave.kind, leave.status, leave.part, leave.event_id)
    assert made == ("official", "approved", "p5-6", 1)
    told = harness.last(TEACHER).plain
    assert "你要参加“区级培训”" in told and "三(2)班 语文" in told
    # The other arranger gets the day's board to arrange it; 郭春燕 teaches nothing then.
    board = harness.last(OFFICE_B).plain
    assert "三(2)班 语文" in board
    # At the training, not on leave: the board says where.
    assert "三(2)班 语文 · 周雅琴 参加区级培训" in board and "请假" not in board
    assert all("区级培训" not in m.plain for m in harness.in_chat(LEADER))


@pytest.mark.both_databases  # conditional updates on the leave and its needs, and the new column
async def test_moving_or_cancelling_the_event_releases_or_brings_back_the_cover(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    teacher_id = school.staff["周雅琴"].id
    await ask(harness, OFFICE_A, "/event add 明天 13:30 区级培训 语文组")
    told = len(harness.in_chat(TEACHER))
    renamed = await ask(harness, OFFICE_A, "/event change 1 区级语文培训")
    assert "代课" not in renamed.plain and len(harness.in_chat(TEACHER)) == told
    assert await needs(engine) == [(5, "open", teacher_id)]

    moved = await ask(harness, OFFICE_A, "/event change 1 15:10")
    assert "有 1 节课不再被活动占用，已取消代课" in moved.plain
    assert await needs(engine) == [(5, "released", teacher_id)]
    assert [leave.status for leave in await leaves(engine)] == ["withdrawn"]
    assert "以下 1 节课不用代了" in harness.last(OFFICE_B).plain
    assert "以下 1 节课不再交给代课，照常由你上" in harness.last(TEACHER).plain

    back = await ask(harness, OFFICE_A, "/event change 1 13:30")
    assert "这次活动占用了 1 节课" in back.plain
    assert await needs(engine) == [(5, "released", teacher_id), (5, "open", teacher_id)]

    await ask(harness, OFFICE_A, "/event cancel 1 明天")
    assert await needs(engine) == [(5, "released", teacher_id)] * 2
    assert [leave.status for leave in await leaves(engine)] == ["withdrawn"] * 2


async def test_weekly_and_whole_school_events_put_nothing_up_for_cover(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    weekly = await ask(harness, OFFICE_A, "/event add 周四 13:30 教研会 语文组")
    everyone = await ask(harness, OFFICE_A, "/event add 明天 13:30 全校大会 全体")

    assert "每周活动（下次 11月26日 周四）与参加者的 1 节课时间冲突" in weekly.plain
    assert "全体活动（11月26日 周四）与 2 节课时间冲突" in everyone.plain
    assert "已交给代课安排" not in weekly.plain + everyone.plain
    assert await needs(engine) == []
    assert all("区级" not in m.plain for m in harness.in_chat(GROUP))


async def test_cancelling_a_training_tells_each_teacher_substitute_and_arranger_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    # Thursday 08:00–14:00 takes 郭春燕's period 1 and 周雅琴's periods 3 and 5.
    await ask(harness, OFFICE_A, "/event add 明天 08:00 6 区级培训 语文组")
    assert sorted(period for period, _, _ in await needs(engine)) == [1, 3, 5]
    async with session_factory(engine)() as s, s.begin():
        await s.exec(
            update(CoverNeed)
            .where(col(CoverNeed.period) == 3)
            .values(status="assigned", substitute_id=school.staff["林秀英"].id)
        )
    question = await ask(harness, OFFICE_A, "/event cancel 1")
    sent, _ = await harness.press(harness.user(OFFICE_A), question, question.data_of("确定取消"))

    def private(chat_id: int) -> list[str]:
        return [m.plain for m in sent if m.chat_id == chat_id]

    [teacher] = private(TEACHER)
    assert "“区级培训”已取消或改了时间，以下 2 节课不再交给代课，照常由你上" in teacher
    assert "第3节" in teacher and "第5节" in teacher
    [leader] = private(LEADER)
    assert "以下 1 节课不再交给代课" in leader and "三(1)班 语文" in leader
    [substitute] = private(LIN)
    assert "以下 1 节课不用你代了" in substitute and "第3节" in substitute
    [arranger] = private(OFFICE_B)
    assert "以下 3 节课不用代了" in arranger
    assert "（郭春燕）" in arranger and arranger.count("（周雅琴）") == 2
    # The organiser, an arranger too, reads it in the answer rather than in another message.
    assert not [text for text in private(OFFICE_A) if "不用代了" in text]
    assert [status for _, status, _ in await needs(engine)] == ["released"] * 3


async def test_the_leave_summary_counts_a_training_apart_from_leave_requests(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await ask(harness, OFFICE_A, "/event add 明天 13:30 2 区级培训 语文组")

    sent = await harness.send(harness.user(OFFICE_A), "/report 考勤 2026-11")
    [document] = [m for m in sent if m.chat_id == OFFICE_A and m.file and m.file[0] == "document"]
    assert document.file is not None
    book = load_workbook(io.BytesIO(document.file[2]))
    table = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    header = table[1]
    assert "公假（天）" not in header  # nobody asked for one
    row = dict(zip(header, table[2], strict=True))
    assert row["姓名"] == "周雅琴"
    assert (row["活动/公务（天）"], row["合计（天）"], row["请假次数"]) == (0.5, 0, 0)
    assert row["缺课节数"] == 1
