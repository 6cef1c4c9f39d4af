"""Reminding approvers of leave requests that wait for them.

A step that has waited `leave.reminder_minutes` reminds its approvers, during school hours only
(first bell to last bell of a school day): once when the delay is over, and again at the first
bell of every later school day while it still waits.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.cover_board import build_kit
from handlers.leave_request import approval_markup, approval_text
from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from storage.leave import approvals_of, approvers_for, pending_leaves, waiting_steps
from storage.models import LeaveApproval, LeaveRequest
from storage.swaps import load_schedule

REMINDER = kinds.LEAVE_REMINDER


async def plan_reminders(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    school_id = ctx.school.id or 0
    steps = await waiting_steps(session=ctx.session, school_id=school_id)
    if not steps:
        return []  # most days: nothing waits, so the timetable is not loaded
    delay = timedelta(minutes=int(ctx.policies.get("leave.reminder_minutes")))
    schedule = await load_schedule(session=ctx.session, school_id=school_id)
    opens, closes = schedule.school_hours(ctx.day)
    start, end = at_local(ctx.day, opens, ctx.tz), at_local(ctx.day, closes, ctx.tz)
    slots = []
    for leave in await pending_leaves(session=ctx.session, school_id=school_id):
        if leave.last_day < ctx.day:
            continue
        step = steps.get(leave.id or 0)
        if step is None or step.waiting_since is None:
            continue
        at = max(step.waiting_since + delay, start)
        if at <= end:
            slots.append(Slot(REMINDER, f"step{step.id}", at, ctx.day.isoformat()))
    return slots


async def send_reminder(ctx: PushContext) -> bool:
    step = await ctx.session.get(LeaveApproval, int(ctx.slot.target.removeprefix("step")))
    leave = await ctx.session.get(LeaveRequest, step.leave_id) if step is not None else None
    if step is None or leave is None or step.status != "waiting" or leave.status != "pending":
        return False
    school_id = ctx.school.id or 0
    kit = await build_kit(ctx.session, ctx.school)
    steps = len(await approvals_of(session=ctx.session, leave_id=leave.id or 0))
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
