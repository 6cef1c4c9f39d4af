"""The 公假 the bot writes for the teachers a meeting takes out of class, and their lessons.

Each teacher gets one approved leave per event (kind `official`, the event's title as its
reason), for the run of periods the meeting takes on its date; its lessons become cover needs
like any approved leave's. Changing the event moves the leave and its needs; cancelling it
withdraws them. Leave reasons stay private, as always: the group's slip says only who is away.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.leave_dates import DayPart
from rules.states import CoverStatus, LeaveStatus, SubstituteState
from storage.cover import UNASSIGNED
from storage.models import CoverNeed, Event, LeaveRequest
from storage.types import stored_id

EVENT_LEAVE_KIND = "official"


async def event_leaves(*, session: AsyncSession, event_id: int) -> list[LeaveRequest]:
    """The approved leaves this event wrote, by teacher."""
    query = (
        select(LeaveRequest)
        .where(
            col(LeaveRequest.event_id) == event_id,
            col(LeaveRequest.status) == LeaveStatus.APPROVED,
        )
        .order_by(col(LeaveRequest.staff_id), col(LeaveRequest.id))
    )
    return list((await session.exec(query)).all())


async def write_event_leave(
    *,
    session: AsyncSession,
    event: Event,
    staff_id: int,
    day: date,
    part: DayPart,
    by: int,
    now: datetime,
) -> LeaveRequest:
    """An approved 公假 for the meeting: nobody approves what the school itself arranged."""
    leave = LeaveRequest(
        school_id=event.school_id,
        staff_id=staff_id,
        kind=EVENT_LEAVE_KIND,
        first_day=day,
        last_day=day,
        part=part.code,
        half_days=part.half_days,
        reason=event.title,
        status=LeaveStatus.APPROVED,
        substitute_state=SubstituteState.NONE,
        created_at=now,
        created_by=by,
        decided_at=now,
        event_id=stored_id(event),
    )
    session.add(leave)
    await session.flush()
    return leave


async def move_event_leave(
    *, session: AsyncSession, leave: LeaveRequest, day: date, part: DayPart
) -> bool:
    """The event moved: so does the leave; False when it already matched."""
    if (leave.first_day, leave.last_day, leave.part) == (day, day, part.code):
        return False
    leave.first_day, leave.last_day, leave.part = day, day, part.code
    leave.half_days = part.half_days
    session.add(leave)
    await session.flush()
    return True


async def withdraw_event_leave(*, session: AsyncSession, leave: LeaveRequest) -> bool:
    """The meeting no longer takes the teacher out of class; only the first call does it."""
    result = await session.exec(
        update(LeaveRequest)
        .where(col(LeaveRequest.id) == leave.id, col(LeaveRequest.status) == LeaveStatus.APPROVED)
        .values(status=LeaveStatus.WITHDRAWN)
    )
    await session.refresh(leave)
    return result.rowcount == 1


async def all_needs_of_leave(*, session: AsyncSession, leave_id: int) -> list[CoverNeed]:
    """Every need of the leave, released ones too (a lesson released and wanted again is
    opened again: the table keeps one row per lesson and leave)."""
    query = select(CoverNeed).where(col(CoverNeed.leave_id) == leave_id)
    return list((await session.exec(query)).all())


async def reopen_need(*, session: AsyncSession, need: CoverNeed) -> bool:
    """A released lesson the meeting takes again: back on the boards, arranged by nobody."""
    result = await session.exec(
        update(CoverNeed)
        .where(col(CoverNeed.id) == need.id, col(CoverNeed.status) == CoverStatus.RELEASED)
        .values(merged_class_id=None, version=CoverNeed.version + 1, **UNASSIGNED)
    )
    await session.refresh(need)
    return result.rowcount == 1
