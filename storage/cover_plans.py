"""Long-term cover plans (固定代课): setting who takes each weekly lesson of a long absence,
filling the leave's cover needs from it, and ending it.

The plan fills the leave's cover needs as it is set (they all exist from the approval on): a
lesson taken by a plan is an assigned cover like any other, so boards, slips, reminders, My day,
the .ics feed and the pay statement need nothing of their own for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.cover import Suggestion
from rules.cover_plans import WeeklyLesson, plan_clash
from rules.states import CoverStatus, LeaveStatus, PlanStatus
from storage.cover import UNASSIGNED, declined_by, load_cover_day, needs_of_leave, suggest
from storage.models import CoverNeed, CoverPlan, CoverPlanLesson, LeaveRequest
from storage.schedule import Kit, Schedule
from storage.types import stored_id

# Lessons a plan may take: those nobody covers yet. A cover already arranged (and maybe
# confirmed) by a colleague stays as it is; the plan's own lessons it may give to another.
FILLABLE = (CoverStatus.OPEN, CoverStatus.ASKING)
# Suggestions ranked for a weekly lesson before those with a clash on a later day are left out.
RANKED = 8


def weekly_of(schedule: Schedule, need: CoverNeed) -> WeeklyLesson:
    """The weekly lesson a need is one day of: a make-up day (调休) follows the weekday its
    notice names."""
    weekday = schedule.status(need.day).timetable_weekday or need.day.isoweekday()
    return WeeklyLesson(weekday, need.period, need.class_id, need.subject_id)


@dataclass
class PlanLine:
    """One weekly lesson of a leave, its days still to cover, and who the plan gives it to."""

    lesson: WeeklyLesson
    needs: list[CoverNeed] = field(default_factory=list)
    row: CoverPlanLesson | None = None


@dataclass
class LeavePlan:
    """What a plan board shows: the leave, its weekly lessons in order, and the plan if set."""

    leave: LeaveRequest
    lines: list[PlanLine]
    plan: CoverPlan | None

    @property
    def active(self) -> bool:
        return self.plan is not None and self.plan.status == PlanStatus.ACTIVE

    def taken(self) -> list[PlanLine]:
        return [line for line in self.lines if line.row is not None]


async def plan_of(*, session: AsyncSession, leave_id: int) -> CoverPlan | None:
    query = select(CoverPlan).where(CoverPlan.leave_id == leave_id)
    return (await session.exec(query)).first()


async def approved_leaves_ahead(
    *, session: AsyncSession, school_id: int, today: date
) -> list[LeaveRequest]:
    """The school's approved leave not over by `today`, the nearest first."""
    query = (
        select(LeaveRequest)
        .where(
            LeaveRequest.school_id == school_id,
            LeaveRequest.status == LeaveStatus.APPROVED,
            col(LeaveRequest.last_day) >= today,
        )
        .order_by(col(LeaveRequest.first_day), col(LeaveRequest.id))
    )
    return list((await session.exec(query)).all())


async def plan_rows(*, session: AsyncSession, plan_id: int) -> list[CoverPlanLesson]:
    query = select(CoverPlanLesson).where(CoverPlanLesson.plan_id == plan_id)
    return list((await session.exec(query)).all())


async def load_leave_plan(
    *, session: AsyncSession, kit: Kit, leave: LeaveRequest, now: datetime
) -> LeavePlan:
    """The leave's weekly lessons from its cover needs still ahead, with the plan's rows."""
    plan = await plan_of(session=session, leave_id=stored_id(leave))
    rows = await plan_rows(session=session, plan_id=stored_id(plan)) if plan is not None else []
    lines: dict[tuple[int, int, int], PlanLine] = {}
    for need in await needs_of_leave(session=session, leave_id=stored_id(leave)):
        if kit.lesson_over(need, now):
            continue
        lesson = weekly_of(kit.schedule, need)
        lines.setdefault(lesson.slot, PlanLine(lesson)).needs.append(need)
    for row in rows:
        line = lines.get((row.weekday, row.period, row.class_id))
        if line is not None and (plan is None or plan.status == PlanStatus.ACTIVE):
            line.row = row
    ordered = [lines[slot] for slot in sorted(lines)]
    return LeavePlan(leave, ordered, plan)


def days_of(line: PlanLine, first: date, last: date) -> list[CoverNeed]:
    return [need for need in line.needs if first <= need.day <= last]


async def clash_of(
    *, session: AsyncSession, kit: Kit, needs: Iterable[CoverNeed], staff_id: int
) -> tuple[CoverNeed, str] | None:
    """The first day on which this person cannot take the lesson, and why."""
    school_id = stored_id(kit.school)
    for need in needs:
        cover_day = await load_cover_day(
            session=session, school_id=school_id, day=need.day, schedule=kit.schedule
        )
        code = plan_clash(
            staff_id,
            need.absent_id,
            need.period,
            cover_day.availability(need.period, kit.cap, without=need.id),
        )
        if code is not None:
            return need, code
    return None


async def plan_suggestions(
    *, session: AsyncSession, kit: Kit, line: PlanLine, now: datetime, limit: int
) -> list[Suggestion]:
    """The colleagues ranked for the lesson's next day, as a board ranks them, without those
    who cannot take it on one of its later days."""
    if not line.needs:
        return []
    first = line.needs[0]
    cover_day = await load_cover_day(
        session=session, school_id=first.school_id, day=first.day, schedule=kit.schedule
    )
    ranked = await suggest(
        session=session,
        need=first,
        cover_day=cover_day,
        # The daily cap is left out of a plan (rules/cover_plans.py `plan_clash`).
        cap=len(kit.schedule.bells) + 10,
        subject_name=kit.names.subjects.get(first.subject_id, ""),
        now=now,
        limit=RANKED,
        # Whoever declined the lesson on one of its days comes last for all of them.
        declined=await declined_by(session=session, needs=line.needs),
    )
    chosen: list[Suggestion] = []
    for suggestion in ranked:
        if len(chosen) == limit:
            break
        clash = await clash_of(
            session=session, kit=kit, needs=line.needs, staff_id=suggestion.staff_id
        )
        if clash is None:
            chosen.append(suggestion)
    return chosen


async def start_plan(
    *, session: AsyncSession, leave: LeaveRequest, now: datetime, by: int | None
) -> CoverPlan:
    """The leave's plan, made active (a plan ended earlier starts over)."""
    plan = await plan_of(session=session, leave_id=stored_id(leave))
    if plan is None:
        plan = CoverPlan(
            school_id=leave.school_id, leave_id=stored_id(leave), created_at=now, created_by=by
        )
        session.add(plan)
    elif plan.status != PlanStatus.ACTIVE:
        plan.status, plan.ended_at, plan.ended_from = PlanStatus.ACTIVE, None, None
        for row in await plan_rows(session=session, plan_id=stored_id(plan)):
            await session.delete(row)
    await session.flush()
    return plan


async def set_row(
    *,
    session: AsyncSession,
    plan: CoverPlan,
    lesson: WeeklyLesson,
    staff_id: int,
    first: date,
    last: date,
    now: datetime,
    by: int | None,
) -> CoverPlanLesson:
    """Who takes the weekly lesson from `first` to `last` (a row set before is replaced)."""
    query = select(CoverPlanLesson).where(
        CoverPlanLesson.plan_id == plan.id,
        CoverPlanLesson.weekday == lesson.weekday,
        CoverPlanLesson.period == lesson.period,
        CoverPlanLesson.class_id == lesson.class_id,
    )
    row = (await session.exec(query)).first()
    if row is None:
        row = CoverPlanLesson(
            plan_id=stored_id(plan),
            school_id=plan.school_id,
            weekday=lesson.weekday,
            period=lesson.period,
            class_id=lesson.class_id,
            subject_id=lesson.subject_id,
            substitute_id=staff_id,
            first_day=first,
            last_day=last,
            set_at=now,
            set_by=by,
        )
    else:
        row.substitute_id, row.first_day, row.last_day = staff_id, first, last
        row.set_at, row.set_by = now, by
    session.add(row)
    await session.flush()
    return row


async def fill(
    *,
    session: AsyncSession,
    needs: Sequence[CoverNeed],
    staff_id: int,
    previous: int | None,
    now: datetime,
    by: int | None,
) -> list[CoverNeed]:
    """Gives the plan's teacher each of these lessons nobody covers yet, or that the plan gave
    `previous` before; returns those that changed. The office agreed the plan with the teacher:
    the lessons are confirmed, so no 收到 is asked for each of weeks of them."""
    allowed: ColumnElement[bool] = col(CoverNeed.status).in_(FILLABLE)
    if previous is not None:
        allowed = or_(
            allowed,
            and_(
                col(CoverNeed.status) == CoverStatus.ASSIGNED,
                col(CoverNeed.substitute_id) == previous,
            ),
        )
    return await _each_changed(
        session,
        needs,
        allowed,
        status=CoverStatus.ASSIGNED,
        substitute_id=staff_id,
        merged_class_id=None,
        assigned_at=now,
        assigned_by=by,
        acknowledged_at=now,
    )


async def give_back(
    *, session: AsyncSession, needs: Sequence[CoverNeed], staff_id: int
) -> list[CoverNeed]:
    """The plan no longer covers these lessons: those its teacher still has are open again,
    to be arranged day by day; returns those that changed."""
    still_theirs = and_(
        col(CoverNeed.status) == CoverStatus.ASSIGNED, col(CoverNeed.substitute_id) == staff_id
    )
    return await _each_changed(session, needs, still_theirs, **UNASSIGNED)


async def _each_changed(
    session: AsyncSession,
    needs: Sequence[CoverNeed],
    condition: ColumnElement[bool],
    **values: Any,
) -> list[CoverNeed]:
    """Changes each need to `values` where `condition` still holds (a conditional update each,
    the version counted up); returns those that changed, read again."""
    changed = []
    for need in needs:
        result = await session.exec(
            update(CoverNeed)
            .where(col(CoverNeed.id) == need.id, condition)
            .values(version=CoverNeed.version + 1, **values)
        )
        if result.rowcount == 1:
            changed.append(need)
    for need in changed:
        await session.refresh(need)
    return changed


async def end_plan(
    *, session: AsyncSession, plan: CoverPlan, from_day: date, now: datetime
) -> list[CoverPlanLesson]:
    """Ends the active plan from `from_day` on (its rows end the day before); returns its rows,
    or [] when it was no longer active (another arranger ended it meanwhile)."""
    result = await session.exec(
        update(CoverPlan)
        .where(col(CoverPlan.id) == plan.id, col(CoverPlan.status) == PlanStatus.ACTIVE)
        .values(status=PlanStatus.ENDED, ended_at=now, ended_from=from_day)
    )
    await session.refresh(plan)
    if result.rowcount != 1:
        return []
    rows = await plan_rows(session=session, plan_id=stored_id(plan))
    for row in rows:
        if row.first_day < from_day <= row.last_day:
            row.last_day = date.fromordinal(from_day.toordinal() - 1)
            session.add(row)
    await session.flush()
    return rows
