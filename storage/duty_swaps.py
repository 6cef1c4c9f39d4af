"""Duty swaps: a colleague takes over someone's duties on a day, once they (and, where the school
asks for it, an admin) agreed. Every decision is a conditional update, so the first one wins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import SchoolCalendar
from rules.rota import windows_overlap
from rules.states import DutySwapStatus
from storage.calendar import school_calendar
from storage.duty import DutyShift, duty_on, set_override
from storage.models import DutySwap

OPEN = (DutySwapStatus.PENDING, DutySwapStatus.ACCEPTED)  # may still be answered or withdrawn


@dataclass
class SwapPlan:
    """What a swap would move, or the text key of why it cannot happen."""

    problem: str | None = None
    given: list[DutyShift] = field(default_factory=list)  # the asker's shifts on `day`
    taken: list[DutyShift] = field(default_factory=list)  # the colleague's on `back_day`


def _busy(shifts: list[DutyShift], staff_id: int, against: list[DutyShift]) -> bool:
    own = [s for s in shifts if s.staff_id == staff_id]
    return any(windows_overlap(a.window, b.window) for a in own for b in against)


async def plan_swap(
    *,
    session: AsyncSession,
    school_id: int,
    day: date,
    from_staff_id: int,
    to_staff_id: int,
    back_day: date | None,
    calendar: SchoolCalendar | None = None,
) -> SwapPlan:
    calendar = calendar or await school_calendar(session=session, school_id=school_id)
    on_day = await duty_on(session=session, school_id=school_id, day=day, calendar=calendar)
    given = [s for s in on_day if s.staff_id == from_staff_id]
    if not given:
        return SwapPlan("dswap.err.not_on_duty")
    if _busy(on_day, to_staff_id, given):
        return SwapPlan("dswap.err.colleague_busy")
    taken: list[DutyShift] = []
    if back_day is not None:
        on_back = await duty_on(
            session=session, school_id=school_id, day=back_day, calendar=calendar
        )
        taken = [s for s in on_back if s.staff_id == to_staff_id]
        if not taken:
            return SwapPlan("dswap.err.colleague_not_on_duty")
        if _busy(on_back, from_staff_id, taken):
            return SwapPlan("dswap.err.you_busy")
    return SwapPlan(None, given, taken)


async def create_swap(
    *,
    session: AsyncSession,
    school_id: int,
    day: date,
    from_staff_id: int,
    to_staff_id: int,
    back_day: date | None,
    now: datetime,
) -> DutySwap:
    swap = DutySwap(
        school_id=school_id,
        day=day,
        from_staff_id=from_staff_id,
        to_staff_id=to_staff_id,
        back_day=back_day,
        created_at=now,
    )
    session.add(swap)
    await session.flush()
    return swap


async def open_swap_for(
    *, session: AsyncSession, school_id: int, from_staff_id: int, day: date
) -> DutySwap | None:
    """An undecided request of this person for that day, if there is one."""
    query = select(DutySwap).where(
        DutySwap.school_id == school_id,
        DutySwap.from_staff_id == from_staff_id,
        DutySwap.day == day,
        col(DutySwap.status).in_(OPEN),
    )
    return (await session.exec(query)).first()


async def open_swaps_in(
    *, session: AsyncSession, school_id: int, today: date, staff_id: int | None = None
) -> list[DutySwap]:
    """The school's undecided requests for today or later; with `staff_id`, only those this
    person made or was asked."""
    query = select(DutySwap).where(
        DutySwap.school_id == school_id,
        col(DutySwap.status).in_(OPEN),
        col(DutySwap.day) >= today,
    )
    if staff_id is not None:
        query = query.where(
            or_(DutySwap.from_staff_id == staff_id, DutySwap.to_staff_id == staff_id)
        )
    return list((await session.exec(query.order_by(col(DutySwap.day), col(DutySwap.id)))).all())


async def move_swap(
    *,
    session: AsyncSession,
    swap_id: int,
    from_states: tuple[DutySwapStatus, ...],
    to_state: DutySwapStatus,
    now: datetime,
    by: int | None = None,
) -> bool:
    """The conditional state change (as storage.swaps.move_swap for lesson swaps); False when
    the swap was no longer in `from_states`: someone was first."""
    result = await session.exec(
        update(DutySwap)
        .where(col(DutySwap.id) == swap_id, col(DutySwap.status).in_(from_states))
        .values(status=to_state, decided_at=now, decided_by=by)
    )
    return result.rowcount == 1


async def apply_swap(
    *, session: AsyncSession, swap: DutySwap, plan: SwapPlan, by: int | None, now: datetime
) -> None:
    """Puts the colleague on the asker's posts (and the asker on theirs, for an exchange)."""
    for shift in plan.given:
        await set_override(
            session=session,
            school_id=swap.school_id,
            post_id=shift.post_id,
            day=shift.day,
            staff_id=swap.to_staff_id,
            reason="swap",
            by=by,
            now=now,
            swap_id=swap.id,
        )
    for shift in plan.taken:
        await set_override(
            session=session,
            school_id=swap.school_id,
            post_id=shift.post_id,
            day=shift.day,
            staff_id=swap.from_staff_id,
            reason="swap",
            by=by,
            now=now,
            swap_id=swap.id,
        )
