"""A leave request is decided or moves up: nobody waits on someone who is not there.

A step moves up one level (grade leader → academic office → principal → admins; its earlier
deciders keep their say) when it waited `leave.escalate_minutes` (`…_urgent_minutes` for a
leave that starts within a day), or at once when none of its deciders can be reached: no
Telegram account, or the bot's message to them came back (blocked, never started). It keeps
moving up until someone reachable can decide it. The teacher is told each time, and her own
message about the request is redrawn, so it never says it waits for someone it does not.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatcher import Dispatcher, OutcomeContext
from bot.messages import Edit, Send
from bot.texts import t
from rules.approval import can_escalate
from rules.leave_dates import DayPart
from rules.states import LeaveStatus, StepStatus
from storage import audit
from storage.leave import approvals_of, approvers_for, deciders, escalate_step, keep_notice
from storage.models import LeaveApproval, LeaveRequest, School, Staff
from storage.outbox import unreachable_ids
from storage.schedule import Kit, build_kit, leave_lessons
from storage.types import stored_id
from views.leave import (
    approval_markup,
    approval_text,
    kind_label,
    language_of,
    people_names,
    span_label,
    step_label,
    withdraw_markup,
)

Message = Send | Edit


def step_about(step: LeaveApproval) -> str:
    """What an approval request is for: the dispatcher tells us when it cannot be delivered."""
    return f"leave_step:{step.id}"


def notice_about(leave: LeaveRequest) -> str:
    return f"leave_notice:{leave.id}"


async def reachable(
    session: AsyncSession, people: list[Staff], known: set[int] | None = None
) -> list[Staff]:
    """Those the bot can write to: linked to Telegram, and not known to refuse it. `known`:
    the chats this process knows refuse it (kept fresh by the sweep), instead of a query."""
    linked = [p for p in people if p.telegram_id is not None]
    if known is not None:
        return [p for p in linked if p.telegram_id not in known]
    gone = await unreachable_ids(session=session, chat_ids=[p.telegram_id or 0 for p in linked])
    return [p for p in linked if p.telegram_id not in gone]


async def ask(
    session: AsyncSession,
    kit: Kit,
    leave: LeaveRequest,
    step: LeaveApproval,
    people: list[Staff],
    default_lang: str,
    *,
    key: str = "leave.ask_approver",
    header: str = "",
) -> list[Message]:
    """The request with 批准 / 驳回 for each person (`header` above it, already in words)."""
    steps = len(await approvals_of(session=session, leave_id=stored_id(leave)))
    messages: list[Message] = []
    for person in people:
        if person.telegram_id is None:
            continue
        lang = language_of(person, default_lang)
        lead = t(lang, "leave.escalated_header", why=header) + "\n" if header else ""
        messages.append(
            Send(
                person.telegram_id,
                lead + approval_text(lang, kit, leave, step, steps, key),
                approval_markup(lang, step),
                about=step_about(step),
            )
        )
    return messages


def notice(
    kit: Kit, leave: LeaveRequest, default_lang: str, state_key: str, **values: object
) -> list[Message]:
    """The teacher's own message about the request, redrawn with its state."""
    if leave.notice_chat_id is None or leave.notice_message_id is None:
        return []
    teacher = kit.names.staff.get(leave.staff_id)
    lang = language_of(teacher, default_lang) if teacher is not None else default_lang
    text = t(
        lang,
        "leave.notice",
        kind=kind_label(lang, leave.kind),
        span=span_label(lang, leave.first_day, leave.last_day, leave.part),
        state=t(lang, f"leave.notice_state.{state_key}", **values),
    )
    markup = None
    if leave.status == LeaveStatus.PENDING:
        lessons, _ = leave_lessons(
            kit, leave.staff_id, leave.first_day, leave.last_day, DayPart.from_code(leave.part)
        )
        markup = withdraw_markup(lang, leave, handover=bool(lessons))
    return [Edit(leave.notice_chat_id, leave.notice_message_id, text, markup)]


def _tell_teacher(
    kit: Kit, leave: LeaveRequest, default_lang: str, key: str, **values: object
) -> list[Message]:
    teacher = kit.names.staff.get(leave.staff_id)
    if teacher is None or teacher.telegram_id is None:
        return []
    lang = language_of(teacher, default_lang)
    span = span_label(lang, leave.first_day, leave.last_day, leave.part)
    return [Send(teacher.telegram_id, t(lang, key, span=span, **values))]


async def move_up(
    session: AsyncSession,
    kit: Kit,
    leave: LeaveRequest,
    step: LeaveApproval,
    now: datetime,
    default_lang: str,
    *,
    why: str,
    minutes: int = 0,
    tell: bool = True,
) -> list[Message]:
    """Moves the step up until someone reachable can decide it (or it is at the top); asks
    the people added, tells the teacher and redraws her message. `why`: late | unreachable.
    Nothing (no messages) when the step was decided or moved meanwhile."""
    school_id = leave.school_id
    before = await approvers_for(
        session=session, school_id=school_id, approval=step, requester_id=leave.staff_id
    )
    if not can_escalate(step.role, step.level):
        return []
    # The first level up that adds someone the bot can reach; past every level, nobody.
    known = {person.id for person in before}
    target, added = step.level, []
    while can_escalate(step.role, target):
        target += 1
        people = await deciders(
            session=session,
            school_id=school_id,
            role=step.role,
            grade=step.grade,
            requester_id=leave.staff_id,
            level=target,
        )
        added = await reachable(session, [p for p in people if p.id not in known])
        if added:
            break
        known |= {person.id for person in people}
    if not added and why == "late":
        # Nobody new to ask above: it stays with those asked (they are reminded), rather than
        # telling the teacher that nobody can be reached when they can.
        return []
    if not await escalate_step(session=session, approval=step, now=now, to_level=target):
        return []
    await audit.record(
        session=session,
        at=now,
        action="leave_escalated",
        school_id=school_id,
        subject_type="leave",
        subject_id=leave.id,
        detail={
            "step": step.step,
            "level": step.level,
            "why": why,
            "to": [person.id for person in added],
        },
    )
    messages: list[Message] = []
    for person in added:
        lang = language_of(person, default_lang)
        reason = t(lang, f"leave.why.{why}", who=people_names(lang, before), minutes=minutes)
        messages += await ask(session, kit, leave, step, [person], lang, header=reason)
    if not tell:  # the teacher hears it in the answer to her request
        return messages
    teacher = kit.names.staff.get(leave.staff_id)
    lang = language_of(teacher, default_lang) if teacher is not None else default_lang
    reason = t(lang, f"leave.why.{why}", who=people_names(lang, before), minutes=minutes)
    if added:
        names = people_names(lang, added)
        messages += _tell_teacher(
            kit, leave, default_lang, "leave.escalated", why=reason, people=names
        )
        messages += notice(
            kit, leave, default_lang, "waiting", people=names, role=step_label(lang, step)
        )
    else:
        messages += _tell_teacher(kit, leave, default_lang, "leave.escalated_nobody", why=reason)
        messages += notice(kit, leave, default_lang, "nobody")
    return messages


# --- what the dispatcher tells us ----------------------------------------------------------


def install(dispatcher: Dispatcher, default_lang: str) -> None:
    """A request that cannot reach its approvers moves up; the teacher's message is kept."""

    async def step_outcome(ctx: OutcomeContext) -> None:
        if ctx.delivered.status == "sent":
            return
        step = await ctx.session.get(LeaveApproval, _id_of(ctx))
        leave = await ctx.session.get(LeaveRequest, step.leave_id) if step is not None else None
        if (
            step is None
            or leave is None
            or step.status != StepStatus.WAITING
            or leave.status != LeaveStatus.PENDING
        ):
            return
        people = await approvers_for(
            session=ctx.session,
            school_id=leave.school_id,
            approval=step,
            requester_id=leave.staff_id,
        )
        if await reachable(ctx.session, people):
            return  # someone else who may decide it got it
        school = await ctx.session.get(School, leave.school_id)
        if school is None:
            return
        kit = await build_kit(ctx.session, school)
        ctx.out.extend(
            await move_up(ctx.session, kit, leave, step, ctx.now, default_lang, why="unreachable")
        )

    async def notice_outcome(ctx: OutcomeContext) -> None:
        message = ctx.delivered.message
        if ctx.delivered.status == "sent" and isinstance(message, Send) and message.message_id:
            await keep_notice(
                session=ctx.session,
                leave_id=_id_of(ctx),
                chat_id=message.chat_id,
                message_id=message.message_id,
            )

    dispatcher.on_outcome("leave_step", step_outcome, frozenset({"gone", "failed"}))
    dispatcher.on_outcome("leave_notice", notice_outcome, frozenset({"sent"}))


def _id_of(ctx: OutcomeContext) -> int:
    return int(ctx.delivered.message.about.split(":", 1)[1])
