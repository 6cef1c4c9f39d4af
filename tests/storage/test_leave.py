"""Leave storage: one winner when decisions race after both read, and who is away when."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.approval import ApprovalStep
from rules.cover import DayLesson
from rules.leave_dates import FULL_DAY, DayPart
from rules.roles import OFFICE
from storage import audit
from storage.cover import create_needs, take_from_group
from storage.leave import (
    approved_absences,
    create_leave,
    decide_step,
    end_leave,
    withdraw,
)
from storage.models import CoverNeed, LeaveApproval, LeaveRequest, School
from tests.conftest import SHANGHAI
from tests.schools import factories

THU = date(2026, 11, 26)


async def school_with_office(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> dict[str, int]:
    async with sessions() as s, s.begin():
        school = await factories.school(s, now)
        await factories.bells(s, school, [("08:00", "08:40"), ("13:30", "14:10")])
        people = {
            name: (await factories.staff(s, school, name, roles=roles)).id or 0
            for name, roles in (
                ("林秀英", "teacher"),
                ("王晴晴", "teacher,office"),
                ("雷琴华", "teacher,office"),
                ("许志强", "teacher"),
            )
        }
        people["school"] = school.id or 0
        return people


async def request_leave(
    sessions: async_sessionmaker[AsyncSession],
    ids: dict[str, int],
    now: datetime,
    part: DayPart = FULL_DAY,
    first: date = THU,
    last: date = THU,
) -> int:
    async with sessions() as s, s.begin():
        leave, _ = await create_leave(
            session=s,
            school_id=ids["school"],
            staff_id=ids["林秀英"],
            kind="official",
            first=first,
            last=last,
            part=part,
            half_days=part.half_days,
            reason="区教研",
            substitute_id=None,
            chain=[ApprovalStep(OFFICE, None, (ids["王晴晴"], ids["雷琴华"]))],
            now=now,
            by=1,
        )
        return leave.id or 0


async def test_two_decisions_after_both_read_give_one_winner(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """Each contender reads the pending request, waits until the other has read it too, then
    decides: the conditional update lets exactly one through, on SQLite and PostgreSQL."""
    ids = await school_with_office(sessions, now)
    leave_id = await request_leave(sessions, ids, now)
    read = {name: asyncio.Event() for name in ("王晴晴", "雷琴华")}

    async def contender(name: str, other: str, approve: bool) -> str | None:
        async with sessions() as s:
            async with s.begin():
                leave = await s.get(LeaveRequest, leave_id)
                approval = (
                    await s.exec(select(LeaveApproval).where(LeaveApproval.leave_id == leave_id))
                ).one()
                assert leave is not None and leave.status == "pending"
            read[name].set()
            await asyncio.wait_for(read[other].wait(), 10)
            async with s.begin():
                outcome = await decide_step(
                    session=s,
                    leave=leave,
                    approval=approval,
                    approve=approve,
                    staff_id=ids[name],
                    now=now,
                )
                if outcome is not None:
                    await audit.record(session=s, at=now, action=f"leave_{outcome}")
                return outcome

    results = await asyncio.gather(
        contender("王晴晴", "雷琴华", True), contender("雷琴华", "王晴晴", False)
    )

    decided = [r for r in results if r is not None]
    assert len(decided) == 1 and decided[0] in ("approved", "rejected")
    async with sessions() as s:
        leave = await s.get(LeaveRequest, leave_id)
        approval = (await s.exec(select(LeaveApproval))).one()
        rows = await audit.entries(session=s)
    assert leave is not None and leave.status in ("approved", "rejected")
    assert approval.status == leave.status
    winner = "王晴晴" if results[0] is not None else "雷琴华"
    assert approval.decided_by == ids[winner]
    assert len(rows) == 1


async def test_a_withdrawn_request_takes_no_decision(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    ids = await school_with_office(sessions, now)
    leave_id = await request_leave(sessions, ids, now)
    async with sessions() as s, s.begin():
        leave = await s.get(LeaveRequest, leave_id)
        approval = (await s.exec(select(LeaveApproval))).one()
        assert leave is not None
        assert await withdraw(session=s, leave=leave, now=now)
        assert not await withdraw(session=s, leave=leave, now=now)
        outcome = await decide_step(
            session=s, leave=leave, approval=approval, approve=True, staff_id=ids["王晴晴"], now=now
        )
    assert outcome is None
    async with sessions() as s:
        assert (await s.exec(select(LeaveApproval))).one().status == "closed"


async def test_who_is_away_and_for_which_part_of_the_day(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    ids = await school_with_office(sessions, now)
    morning = await request_leave(sessions, ids, now, DayPart("am"))
    async with sessions() as s, s.begin():
        leave = await s.get(LeaveRequest, morning)
        assert leave is not None
        leave.status = "approved"
        s.add(leave)
    async with sessions() as s:
        assert await approved_absences(session=s, school_id=ids["school"], day=THU) == {
            ids["林秀英"]: "am"
        }
        assert (
            await approved_absences(session=s, school_id=ids["school"], day=date(2026, 11, 27))
            == {}
        )

    # A full-day leave over two days, ended on the second day at 10:00: that day only the
    # morning counts; a return before the first bell would count for nothing.
    async with sessions() as s, s.begin():
        leave = await s.get(LeaveRequest, morning)
        assert leave is not None
        leave.status = "withdrawn"
        s.add(leave)
    two_days = await request_leave(sessions, ids, now, first=THU, last=date(2026, 11, 27))
    async with sessions() as s, s.begin():
        leave = await s.get(LeaveRequest, two_days)
        assert leave is not None
        leave.status = "approved"
        s.add(leave)
        await s.flush()
        assert await end_leave(
            session=s, leave=leave, now=datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
        )
    async with sessions() as s:
        away_thu = await approved_absences(session=s, school_id=ids["school"], day=THU)
        away_fri = await approved_absences(
            session=s, school_id=ids["school"], day=date(2026, 11, 27)
        )
    assert away_thu == {ids["林秀英"]: "full"} and away_fri == {ids["林秀英"]: "am"}


async def test_two_volunteers_after_both_read_one_takes_the_lesson(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    ids = await school_with_office(sessions, now)
    leave_id = await request_leave(sessions, ids, now)
    async with sessions() as s, s.begin():
        school = await s.get(School, ids["school"])
        assert school is not None
        klass = await factories.school_class(s, school, 3, 2)
        subject = await factories.subject(s, school, "英语")
        leave = await s.get(LeaveRequest, leave_id)
        assert leave is not None
        (need,) = await create_needs(
            session=s,
            leave=leave,
            lessons=[DayLesson(THU, 1, klass.id or 0, 3, subject.id or 0, ids["林秀英"], 0)],
            now=now,
        )
        need.status = "asking"
        s.add(need)
        need_id = need.id
    read = {name: asyncio.Event() for name in ("许志强", "王晴晴")}

    async def volunteer(name: str, other: str) -> bool:
        async with sessions() as s:
            async with s.begin():
                need = await s.get(CoverNeed, need_id)
                assert need is not None and need.status == "asking"
            read[name].set()
            await asyncio.wait_for(read[other].wait(), 10)
            async with s.begin():
                return await take_from_group(session=s, need=need, staff_id=ids[name], now=now)

    results = await asyncio.gather(volunteer("许志强", "王晴晴"), volunteer("王晴晴", "许志强"))
    assert sorted(results) == [False, True]
