"""Reminding approvers of leave requests that wait for them, moving up those nobody decides,
and expiring those whose time is over.

A step that has waited `leave.reminder_minutes` reminds its approvers, during school hours only
(first bell to last bell of a school day): once when the delay is over, and again at the first
bell of every later school day while it still waits. A step that has waited
`leave.escalate_minutes` (less for a leave starting within a day) moves up a level (see
jobs/leave_escalation.py); a request whose last day is over expires, and the teacher and the
approvers are told. Both are checked every minute while people are awake.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import Edit, Send
from bot.services import Services, services_of
from bot.texts import t
from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.leave_escalation import move_up, notice
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from rules.approval import can_escalate, escalation_due
from rules.leave_dates import DayPart
from rules.states import CoverStatus, LeaveStatus, StepStatus
from storage import audit
from storage.cover import create_needs, hold_school, leaves_with_needs, needs_of_leave
from storage.leave import (
    approvals_of,
    approvers_for,
    expire,
    hold_pending,
    undecided,
    waiting_step,
    waits,
)
from storage.models import LeaveApproval, LeaveRequest, School
from storage.outbox import encode, queue_work
from storage.policies import load_policies
from storage.schedule import build_kit, leave_lessons, load_schedule
from storage.types import stored_id
from views.leave import approval_markup, approval_text, language_of, span_label

log = logging.getLogger(__name__)
Message = Send | Edit

REMINDER = kinds.LEAVE_REMINDER


async def plan_reminders(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    school_id = stored_id(ctx.school)
    waiting = [
        (step_id, since)
        for step_id, since, last_day in await waits(session=ctx.session, school_id=school_id)
        if last_day >= ctx.day
    ]
    if not waiting:
        return []  # most days: nothing waits, so the timetable is not loaded
    delay = timedelta(minutes=int(ctx.policies.get("leave.reminder_minutes")))
    schedule = await load_schedule(session=ctx.session, school_id=school_id)
    opens, closes = schedule.school_hours(ctx.day)
    start, end = at_local(ctx.day, opens, ctx.tz), at_local(ctx.day, closes, ctx.tz)
    slots = []
    for step_id, since in waiting:
        at = max(since + delay, start)
        if at <= end:
            slots.append(Slot(REMINDER, f"step{step_id}", at, ctx.day.isoformat()))
    return slots


async def send_reminder(ctx: PushContext) -> bool:
    step = await ctx.session.get(LeaveApproval, int(ctx.slot.target.removeprefix("step")))
    leave = await ctx.session.get(LeaveRequest, step.leave_id) if step is not None else None
    if (
        step is None
        or leave is None
        or step.status != StepStatus.WAITING
        or leave.status != LeaveStatus.PENDING
    ):
        return False
    school_id = stored_id(ctx.school)
    kit = await build_kit(ctx.session, ctx.school)
    steps = len(await approvals_of(session=ctx.session, leave_id=stored_id(leave)))
    default = ctx.services.settings.default_language
    sent = 0
    for person in await approvers_for(
        session=ctx.session, school_id=school_id, approval=step, requester_id=leave.staff_id
    ):
        if person.telegram_id is None:
            continue
        lang = person.language or default
        text = approval_text(lang, kit, leave, step, steps, "leave.remind_approver")
        if await send_to_chat(
            ctx.bot, ctx.session, person.telegram_id, text, approval_markup(lang, step)
        ):
            sent += 1
    return sent > 0


def push_kinds() -> list[PushKind]:
    return [PushKind(REMINDER, plan_reminders, send_reminder)]


# --- requests nobody decides: they move up, and expire with the teacher told ------------------

# A step moves up, and a request expires, only between these times: nobody is messaged at night.
WAKING = (time(6, 30), time(22, 0))
# A leave starting within this long of its wait is urgent (`leave.escalate_urgent_minutes`).
URGENT_WITHIN = timedelta(days=1)
LEAVE_WATCH_SECONDS = 60
# Any need of a leave, released ones too: a leave whose lessons were on the boards once is not
# put there again.
ANY_STATE = tuple(CoverStatus)


def awake(now: datetime, tz: ZoneInfo) -> bool:
    local = now.astimezone(tz).time()
    return WAKING[0] <= local < WAKING[1]


async def watch_leaves(app: Any) -> tuple[int, int]:
    """Moves up the steps that waited too long and expires the requests whose time is over;
    returns (moved up, expired). Each request in a transaction of its own."""
    svc = services_of(app)
    now = svc.clock.now()
    async with svc.sessions() as session:
        waiting = await undecided(session=session)
        covered = await leaves_with_needs(
            session=session, leave_ids=[stored_id(leave) for leave, _, _ in waiting]
        )
        schools = {stored_id(school) for _, _, school in waiting}
        waits = {school_id: await _waits(session, school_id) for school_id in schools}
    moved = expired = 0
    for leave, step, school in waiting:
        tz = ZoneInfo(school.timezone)
        today = now.astimezone(tz).date()
        # Most requests need nothing this minute; ruling them out here spares each a transaction
        # holding the write lock that the staff's own actions queue behind.
        provisional, shortest = waits[stored_id(school)]
        day_begins = at_local(leave.first_day, time(0), tz)
        try:
            if (
                provisional
                and leave.id not in covered
                and leave.last_day >= today
                and day_begins - now <= provisional
            ):
                await _provisional_cover(app, stored_id(leave), now)
        except Exception:
            log.exception("could not put leave request %s on the boards", leave.id)
        if not awake(now, tz):
            continue
        since = step.escalated_at or step.waiting_since or leave.created_at
        try:
            if leave.last_day < today:
                expired += await _expire(svc, stored_id(leave), now)
            elif min(since + shortest, max(day_begins, since)) <= now:
                moved += await _escalate_if_due(svc, stored_id(leave), stored_id(step), now)
        except Exception:  # one request's trouble must not keep the others waiting
            log.exception("could not move leave request %s on", leave.id)
    return moved, expired


async def _waits(session: Any, school_id: int) -> tuple[timedelta, timedelta]:
    """The school's provisional-cover lead and its shortest escalation wait."""
    policies = await load_policies(session=session, school_id=school_id)
    minutes = [
        int(policies.get(k)) for k in ("leave.escalate_minutes", "leave.escalate_urgent_minutes")
    ]
    return timedelta(minutes=int(policies.get("leave.provisional_minutes"))), timedelta(
        minutes=min(minutes)
    )


async def _escalate_if_due(svc: Services, leave_id: int, step_id: int, now: datetime) -> int:
    messages: list[Message] = []
    async with svc.sessions() as session, session.begin():
        leave = await session.get(LeaveRequest, leave_id)
        step = await session.get(LeaveApproval, step_id)
        school = await session.get(School, leave.school_id) if leave is not None else None
        if leave is None or step is None or school is None or step.status != StepStatus.WAITING:
            return 0
        if not can_escalate(step.role, step.level):
            return 0
        policies = await load_policies(session=session, school_id=stored_id(school))
        schedule = await load_schedule(session=session, school_id=stored_id(school))
        tz = ZoneInfo(school.timezone)
        opens, _ = schedule.school_hours(leave.first_day)
        normal = timedelta(minutes=int(policies.get("leave.escalate_minutes")))
        urgent = timedelta(minutes=int(policies.get("leave.escalate_urgent_minutes")))
        since = step.escalated_at or step.waiting_since or leave.created_at
        due = escalation_due(
            waiting_since=since,
            starts_at=at_local(leave.first_day, opens, tz),
            normal=normal,
            urgent=urgent,
            urgent_within=URGENT_WITHIN,
        )
        if due > now:
            return 0
        kit = await build_kit(session, school)
        minutes = int((now - since).total_seconds() // 60)
        messages = await move_up(
            session,
            kit,
            leave,
            step,
            now,
            svc.settings.default_language,
            why="late",
            minutes=minutes,
        )
        await svc.dispatcher.queue(session, messages, school_id=school.id)
    svc.dispatcher.submit(messages)
    if messages:
        await svc.schedule_changed(leave.school_id, kinds.LEAVE)
    return int(bool(messages))


async def _expire(svc: Services, leave_id: int, now: datetime) -> int:
    """The request's last day is over and nobody decided it: it expires, and the teacher and
    the people it waited for are told (nobody believes it still waits)."""
    messages: list[Message] = []
    async with svc.sessions() as session, session.begin():
        leave = await session.get(LeaveRequest, leave_id)
        school = await session.get(School, leave.school_id) if leave is not None else None
        if leave is None or school is None:
            return 0
        step = await waiting_step(session=session, leave_id=leave_id)
        people = (
            await approvers_for(
                session=session,
                school_id=leave.school_id,
                approval=step,
                requester_id=leave.staff_id,
            )
            if step is not None
            else []
        )
        if not await expire(session=session, leave=leave, now=now):
            return 0
        await audit.record(
            session=session,
            at=now,
            action="leave_expired",
            school_id=leave.school_id,
            subject_type="leave",
            subject_id=leave.id,
        )
        kit = await build_kit(session, school)
        default = svc.settings.default_language
        name = kit.names.person(leave.staff_id)
        for person in [kit.names.staff.get(leave.staff_id), *people]:
            if person is None or person.telegram_id is None:
                continue
            lang = language_of(person, default)
            span = span_label(lang, leave.first_day, leave.last_day, leave.part)
            key = "leave.expired" if person.id == leave.staff_id else "leave.expired_approver"
            messages.append(Send(person.telegram_id, t(lang, key, span=span, name=name)))
        messages += notice(kit, leave, default, "expired")
        await svc.dispatcher.queue(session, messages, school_id=school.id)
    svc.dispatcher.submit(messages)
    await svc.schedule_changed(leave.school_id, kinds.LEAVE)
    return 1


async def _provisional_cover(app: Any, leave_id: int, now: datetime) -> int:
    """A leave nobody decided yet whose first lesson is near (`leave.provisional_minutes`):
    its lessons go on the arrangers' boards now, marked as not yet approved, so that no class
    is left without a teacher whatever the decision. Returns how many lessons."""
    svc = services_of(app)
    messages: list[Message] = []
    async with svc.sessions() as session, session.begin():
        # The request's row first, as a decision takes it: an approval or a withdrawal at this
        # moment either comes first (and this finds the request no longer pending) or after.
        if not await hold_pending(session=session, leave_id=leave_id):
            return 0
        leave = await session.get(LeaveRequest, leave_id)
        school = await session.get(School, leave.school_id) if leave is not None else None
        if leave is None or school is None:
            return 0
        policies = await load_policies(session=session, school_id=stored_id(school))
        lead = timedelta(minutes=int(policies.get("leave.provisional_minutes")))
        if not lead or await needs_of_leave(session=session, leave_id=leave_id, states=ANY_STATE):
            return 0
        kit = await build_kit(session, school)
        lessons, _ = leave_lessons(
            kit, leave.staff_id, leave.first_day, leave.last_day, DayPart.from_code(leave.part)
        )
        # A period with no bell time counts from the opening of its day: early rather than late.
        starts = {
            (x.day, x.period, x.class_id): kit.schedule.lesson_start(x.day, x.period)
            or at_local(x.day, kit.schedule.school_hours(x.day)[0], ZoneInfo(school.timezone))
            for x in lessons
        }
        ahead = [
            x for x in lessons if (start := starts[(x.day, x.period, x.class_id)]) and start > now
        ]
        if not ahead:
            return 0
        first = min(starts[(x.day, x.period, x.class_id)] for x in ahead)
        if first is None or first - now > lead:
            return 0
        await hold_school(session=session, school_id=stored_id(school))
        needs = await create_needs(
            session=session, leave=leave, lessons=ahead, now=now, provisional=True
        )
        await audit.record(
            session=session,
            at=now,
            action="leave_provisional_cover",
            school_id=school.id,
            subject_type="leave",
            subject_id=leave.id,
            detail={"needs": len(needs)},
        )
        default = svc.settings.default_language
        teacher = kit.names.staff.get(leave.staff_id)
        if teacher is not None and teacher.telegram_id is not None:
            lang = language_of(teacher, default)
            span = span_label(lang, leave.first_day, leave.last_day, leave.part)
            messages.append(
                Send(teacher.telegram_id, t(lang, "cover.provisional_teacher", span=span))
            )
        await svc.dispatcher.queue(session, messages, school_id=school.id)
        # The boards and the slips follow as they do after an approval, run at once below.
        days = sorted({need.day for need in needs})
        await queue_work(
            session=session,
            items=[
                (
                    "cover_boards",
                    encode({"school_id": school.id, "ids": [n.id for n in needs]}),
                    school.id,
                ),
                ("cover_slips", encode({"school_id": school.id, "days": days}), school.id),
            ],
            actor_id=None,
            owner=None,  # nobody holds it: the recovery below takes it
            now=now,
            lease=timedelta(0),
        )
    svc.dispatcher.submit(messages)
    await svc.recover_work(app)
    await svc.schedule_changed(leave.school_id, kinds.LEAVE_AND_COVER)
    return len(needs)


async def _leave_watch_job(context: Any) -> None:
    await watch_leaves(context.application)


def start(app: Any) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _leave_watch_job,
            LEAVE_WATCH_SECONDS,
            first=LEAVE_WATCH_SECONDS,
            name="leave:watch",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
