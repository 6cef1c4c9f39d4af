"""Lesson swaps: asked, agreed, moved up, told. The timetable they change is storage/schedule.py."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.cover import DayLesson
from rules.states import SwapStatus
from storage.models import LessonSwap, School
from storage.schools import bump_schedule_version

OPEN_SWAP_STATES = (SwapStatus.ASKED, SwapStatus.AGREED)


async def create_swap(
    *, session: AsyncSession, school_id: int, mine: DayLesson, theirs: DayLesson, now: datetime
) -> LessonSwap:
    swap = LessonSwap(
        school_id=school_id,
        proposer_id=mine.teacher_id,
        first_day=mine.day,
        first_period=mine.period,
        first_class_id=mine.class_id,
        first_subject_id=mine.subject_id,
        first_lesson_id=mine.lesson_id,
        colleague_id=theirs.teacher_id,
        second_day=theirs.day,
        second_period=theirs.period,
        second_class_id=theirs.class_id,
        second_subject_id=theirs.subject_id,
        second_lesson_id=theirs.lesson_id,
        created_at=now,
    )
    session.add(swap)
    await session.flush()
    return swap


async def move_swap(
    *,
    session: AsyncSession,
    swap_id: int,
    from_states: tuple[SwapStatus, ...],
    to_state: SwapStatus,
    now: datetime,
    by: int | None = None,
) -> bool:
    """The conditional state change; False when the swap was no longer in `from_states`."""
    values: dict[str, object] = {"status": to_state}
    if to_state in (SwapStatus.AGREED, SwapStatus.DECLINED):
        values["answered_at"] = now
    else:
        values.update(decided_at=now, decided_by=by)
    moved = (
        await session.exec(
            update(LessonSwap)
            .where(col(LessonSwap.id) == swap_id, col(LessonSwap.status).in_(from_states))
            .values(**values)
            .returning(col(LessonSwap.school_id))
        )
    ).first()
    if moved is None:
        return False
    if SwapStatus.APPROVED in (to_state, *from_states):
        # An approved swap moves lessons: the timetable every action reads is kept under the
        # school's schedule_version (storage/school_static.py).
        await bump_schedule_version(session=session, school_id=moved[0])
    return True


async def open_swaps_of(
    *, session: AsyncSession, school_id: int, staff_id: int
) -> list[LessonSwap]:
    """Swaps still waiting for an answer that this person proposed or was asked for."""
    query = (
        select(LessonSwap)
        .where(
            LessonSwap.school_id == school_id,
            col(LessonSwap.status).in_(OPEN_SWAP_STATES),
            or_(LessonSwap.proposer_id == staff_id, LessonSwap.colleague_id == staff_id),
        )
        .order_by(col(LessonSwap.id))
    )
    return list((await session.exec(query)).all())


async def swaps_waiting(
    *, session: AsyncSession, school_id: int, state: SwapStatus
) -> list[LessonSwap]:
    query = (
        select(LessonSwap)
        .where(LessonSwap.school_id == school_id, LessonSwap.status == state)
        .order_by(col(LessonSwap.id))
    )
    return list((await session.exec(query)).all())


async def escalate_swap(
    *, session: AsyncSession, swap: LessonSwap, level: int, now: datetime
) -> bool:
    """Moves an agreed swap up to `level`; False when it was decided, expired or moved up by
    someone else meanwhile (one winner, as for decisions)."""
    result = await session.exec(
        update(LessonSwap)
        .where(
            col(LessonSwap.id) == swap.id,
            col(LessonSwap.status) == SwapStatus.AGREED,
            col(LessonSwap.level) == swap.level,
        )
        .values(level=level, escalated_at=now)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(swap)
    return True


async def mark_swap_told(*, session: AsyncSession, swap: LessonSwap, now: datetime) -> bool:
    """Notes that the proposer of a swap still asked heard that the colleague cannot get it:
    True for the one caller that notes it first."""
    result = await session.exec(
        update(LessonSwap)
        .where(
            col(LessonSwap.id) == swap.id,
            col(LessonSwap.status) == SwapStatus.ASKED,
            col(LessonSwap.escalated_at).is_(None),
        )
        .values(escalated_at=now)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(swap)
    return True


async def open_swaps(*, session: AsyncSession) -> list[tuple[LessonSwap, School]]:
    """Every swap of every school still waiting for an answer (the swap watch, each minute)."""
    query = (
        select(LessonSwap, School)
        .join(School, col(School.id) == col(LessonSwap.school_id))
        .where(col(LessonSwap.status).in_(OPEN_SWAP_STATES))
        .order_by(col(LessonSwap.id))
    )
    return [(swap, school) for swap, school in (await session.exec(query)).all()]
