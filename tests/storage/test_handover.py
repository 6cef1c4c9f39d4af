"""Covered lessons' reports waiting for their absent teacher, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.states import CoverStatus, LeaveStatus
from storage.handover import reports_waiting, reports_waiting_until
from storage.models import CoverNeed, CoverReport, HandoverChoice, LeaveRequest
from tests.schools import factories


async def test_each_report_says_from_which_day_its_teacher_hears_it(
    session: AsyncSession, now: datetime
) -> None:
    """Away until Thursday: heard from Friday; the leave ended early, or the teacher chose to
    hear at once: heard any day; away until next week: not yet. As `reports_waiting` says on
    each of those days."""
    school = await factories.school(session, now)
    klass = await factories.school_class(session, school, 3, 1)
    chinese = await factories.subject(session, school, "语文")
    sub = await factories.staff(session, school, "许志强")
    reports = {}
    for name, last_day, status, at_once in (
        ("周雅琴", date(2026, 11, 26), LeaveStatus.APPROVED, False),
        ("郭春燕", date(2026, 11, 30), LeaveStatus.ENDED, False),
        ("林秀英", date(2026, 11, 30), LeaveStatus.APPROVED, True),
        ("曹明", date(2026, 11, 30), LeaveStatus.APPROVED, False),
    ):
        absent = await factories.staff(session, school, name)
        leave = LeaveRequest(
            school_id=school.id,
            staff_id=absent.id,
            kind="sick",
            first_day=date(2026, 11, 24),
            last_day=last_day,
            status=status,
            created_at=now,
        )
        session.add(leave)
        await session.flush()
        if at_once:
            session.add(
                HandoverChoice(leave_id=leave.id, school_id=school.id, at_once=True, updated_at=now)
            )
        need = CoverNeed(
            school_id=school.id,
            leave_id=leave.id,
            day=date(2026, 11, 24),
            period=len(reports) + 1,
            class_id=klass.id,
            subject_id=chinese.id,
            absent_id=absent.id,
            status=CoverStatus.ASSIGNED,
            substitute_id=sub.id,
            created_at=now,
        )
        session.add(need)
        await session.flush()
        session.add(
            CoverReport(
                school_id=school.id,
                need_id=need.id,
                substitute_id=sub.id,
                absent_id=absent.id,
                reported_at=now,
            )
        )
        reports[name] = need.id
    await session.flush()

    found = await reports_waiting_until(
        session=session, school_id=school.id, last=date(2026, 11, 27)
    )

    since = {need.id: day for _, need, day in found}
    assert since == {
        reports["周雅琴"]: date(2026, 11, 27),
        reports["郭春燕"]: None,
        reports["林秀英"]: None,
    }
    for day in (date(2026, 11, 26), date(2026, 11, 27)):
        alone = await reports_waiting(session=session, school_id=school.id, today=day)
        assert [need.id for _, need in alone] == [
            need.id for _, need, first in found if first is None or first <= day
        ]
