"""A locked month stays as it was paid: every way a cover of that month could change is refused
or leaves it alone, the person who tried is told who locked the month and how to reopen it, and
the statement's workbook reads the same before and after. The office can unlock it (audited)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot import callbacks
from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed, LeaveApproval, LeaveRequest, Staff
from tests.handlers.reports.test_reports import only_answer, seed, workbook
from tests.harness import BotHarness
from tests.schools.reports import CAO, OFFICE, ZHOU

LOCKED_BY = "2026-11 的代课统计已由 王晴晴 于 12月2日 周三 锁定"


async def statement(harness: BotHarness) -> list[list[list[object]]]:
    """Every value of every sheet of November's cover statement, as the office gets it."""
    sent = await harness.send(harness.user(OFFICE), "/report 代课 2026-11")
    book = workbook(sent[0])  # then the chart
    return [[list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets]


async def need_on(engine: AsyncEngine, day: date, period: int) -> CoverNeed:
    async with session_factory(engine)() as s:
        query = select(CoverNeed).where(CoverNeed.day == day, CoverNeed.period == period)
        found = (await s.exec(query)).first()
        assert found is not None
        return found


async def pending_leave_with_cover_taught(engine: AsyncEngine, clock: ManualClock) -> int:
    """周雅琴 asked for 30 Nov–4 Dec; undecided, her 30 November lesson was covered by 曹明."""
    async with session_factory(engine)() as s, s.begin():
        zhou = (await s.exec(select(Staff).where(Staff.telegram_id == ZHOU))).one()
        cao = (await s.exec(select(Staff).where(Staff.telegram_id == CAO))).one()
        leave = LeaveRequest(
            school_id=zhou.school_id,
            staff_id=zhou.id or 0,
            kind="personal",
            first_day=date(2026, 11, 30),
            last_day=date(2026, 12, 4),
            half_days=10,
            reason="家事",
            status="pending",
            created_at=clock.now() - timedelta(days=5),
        )
        s.add(leave)
        await s.flush()
        s.add(
            LeaveApproval(
                school_id=zhou.school_id,
                leave_id=leave.id or 0,
                step=1,
                role="office",
                status="waiting",
                waiting_since=clock.now(),
            )
        )
        query = select(CoverNeed).where(CoverNeed.day == date(2026, 11, 5), CoverNeed.period == 1)
        old = (await s.exec(query)).one()
        s.add(
            CoverNeed(
                school_id=zhou.school_id,
                leave_id=leave.id,
                day=date(2026, 11, 30),
                period=2,
                class_id=old.class_id,
                subject_id=old.subject_id,
                absent_id=zhou.id or 0,
                status="assigned",
                substitute_id=cao.id,
                provisional=True,
                created_at=clock.now() - timedelta(days=3),
            )
        )
        return leave.id or 0


async def test_no_change_reaches_a_locked_month_and_its_statement_reads_the_same(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    clock.set(clock.now() + timedelta(days=7))  # 2 December: November is over
    leave_id = await pending_leave_with_cover_taught(engine, clock)
    assert "已锁定 2026-11" in (await only_answer(harness, OFFICE, "/report 锁定 2026-11")).plain
    before = await statement(harness)

    # The office enters or removes a November cover: refused, saying who locked it and how to
    # reopen it.
    late = await only_answer(harness, OFFICE, "/report 补录 2026-11-12 2 三(1)班 数学 曹明")
    assert LOCKED_BY in late.plain and "/report 解锁 2026-11" in late.plain

    # 曹明 declines a November lesson (its period has no bell time, so no start says it began).
    covered = await need_on(engine, date(2026, 11, 5), 1)
    menu = await only_answer(harness, CAO, "/report")
    sent, answer = await harness.press(
        harness.user(CAO), menu, callbacks.COVER_DECLINE.data(covered.id, covered.version)
    )
    assert LOCKED_BY in answer["text"] and "这节课的代课不能再改动" in answer["text"]
    assert (await need_on(engine, date(2026, 11, 5), 1)).substitute_id is not None

    # 周雅琴 withdraws the leave: it is withdrawn, the November lesson keeps its cover.
    withdrawing = harness.user(ZHOU)
    await harness.send(withdrawing, "/myleave")
    mine = harness.last(ZHOU)
    await harness.press(withdrawing, mine, callbacks.LEAVE_WITHDRAW.data(leave_id))
    asked = harness.last(ZHOU)
    sent, _ = await harness.press(withdrawing, asked, asked.data_of("确定撤销"))
    told = "\n".join(m.plain for m in sent if m.chat_id == ZHOU)
    assert LOCKED_BY in told and "其中 1 节课的代课保持不变" in told
    async with session_factory(engine)() as s:
        leave = await s.get(LeaveRequest, leave_id)
        assert leave is not None and leave.status == "withdrawn"
    kept = await need_on(engine, date(2026, 11, 30), 2)
    assert (kept.status, kept.substitute_id is not None) == ("assigned", True)

    assert await statement(harness) == before

    # Unlocked (audited), a correction goes in and the statement follows it; locked again.
    refused = await only_answer(harness, CAO, "/report 解锁 2026-11")
    assert "没有权限" in refused.plain or "不能" in refused.plain
    unlocked = await only_answer(harness, OFFICE, "/report 解锁 2026-11")
    assert "已解锁 2026-11 的代课统计（锁定时：代课 4 节，金额 110 元）" in unlocked.plain
    assert "没有锁定" in (await only_answer(harness, OFFICE, "/report unlock 2026-11")).plain
    assert "用法" in (await only_answer(harness, OFFICE, "/report 解锁 十一月")).plain
    added = await only_answer(harness, OFFICE, "/report 补录 2026-11-12 2 三(1)班 数学 曹明")
    assert "已补录" in added.plain
    assert await statement(harness) != before
    again = await only_answer(harness, OFFICE, "/report 锁定 2026-11")
    assert "代课 5 节，金额 140 元" in again.plain
    async with session_factory(engine)() as s:
        [entry] = await audit.entries(session=s, action="cover_month_unlocked")
        assert '"pay": 110' in entry.detail and '"month": "2026-11"' in entry.detail


async def test_a_locked_month_is_explained_in_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    clock.set(clock.now() + timedelta(days=7))
    await only_answer(harness, OFFICE, "/report lock 2026-11")
    await harness.send(harness.user(OFFICE), "/lang en")
    late = await only_answer(harness, OFFICE, "/report add 2026-11-12 2 三(1)班 数学 曹明")
    assert "The cover statement of 2026-11 was locked by 王晴晴 on Wed 2 Dec" in late.plain
    assert "/report unlock 2026-11" in late.plain
    unlocked = await only_answer(harness, OFFICE, "/report unlock 2026-11")
    assert "The cover statement of 2026-11 is unlocked" in unlocked.plain


async def test_a_named_substitute_saying_no_late_leaves_a_locked_month_s_cover(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    clock.set(clock.now() + timedelta(days=7))
    # 许志强 named 曹明 for his 10 November leave; 曹明 never answered, and covered the lesson.
    async with session_factory(engine)() as s, s.begin():
        leave = (
            await s.exec(select(LeaveRequest).where(LeaveRequest.first_day == date(2026, 11, 10)))
        ).one()
        cao = (await s.exec(select(Staff).where(Staff.telegram_id == CAO))).one()
        leave.substitute_id, leave.substitute_state = cao.id, "asked"
        leave_id = leave.id or 0
    await only_answer(harness, OFFICE, "/report 锁定 2026-11")
    before = await statement(harness)

    menu = await only_answer(harness, CAO, "/report")
    sent, _ = await harness.press(
        harness.user(CAO), menu, callbacks.LEAVE_SUBSTITUTE_NO.data(leave_id)
    )
    told = "\n".join(m.plain for m in sent if m.chat_id == CAO)
    assert LOCKED_BY in told and "其中 1 节课的代课保持不变" in told
    kept = await need_on(engine, date(2026, 11, 10), 1)
    assert (kept.status, kept.substitute_id) == ("assigned", cao.id)
    assert await statement(harness) == before
