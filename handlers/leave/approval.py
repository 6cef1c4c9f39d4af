"""Deciding leave: 批准 / 驳回 (with a reason), the final approval that creates the cover needs,
and /pending, what waits for me.

Only the first decision counts: the state change is a conditional update, and a press that
lost (a second approver, a double click, a request withdrawn meanwhile) is told who decided.
"""

from __future__ import annotations

import re
from datetime import timedelta

from telegram import ForceReply, Message
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.texts import Safe, t
from handlers.core import follow_ups
from handlers.core.dialogue import dialogue
from handlers.core.outbox import tell
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import TYPED, typed_text
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import boards_follow, default_lang, load_kit, update_slips
from handlers.cover.plans import offer_plan
from handlers.cover.substitute_away import reopen_their_covers
from handlers.duty.leave import ask_for_leave
from handlers.duty.swap import pending_duty_swaps
from handlers.leave.commands import assign_named_substitute, release_provisional, state_text
from handlers.leave.request import ask_approvers
from handlers.swap.commands import pending_swaps
from jobs import kinds
from jobs.leave_escalation import notice
from rules.approval import may_decide
from rules.leave_dates import DayPart
from rules.states import LeaveStatus, StepStatus, SubstituteState
from storage.cover import confirm_needs, create_needs, hold_school
from storage.leave import (
    approvals_of,
    decide_step,
    expire_if_stale,
    pending_leaves,
    step_with_request,
    waiting_for,
    waiting_step,
)
from storage.models import LeaveApproval, LeaveRequest, School
from storage.schedule import Kit, leave_lessons
from storage.staff import staff_for_telegram
from storage.types import stored_id
from views.handover import offer_markup
from views.leave import (
    approval_markup,
    approval_text,
    language_of,
    lessons_block,
    people_names,
    span_label,
    step_label,
)

END = ConversationHandler.END
REASON = 1
REJECT_KEY = "leave_reject"
REJECT_PROMPT = re.compile(r"(?:请假审批|leave approval) #(\d+)")
MAX_NOTE = 300


async def _before_decision(turn: Turn) -> None:
    # Tests hold a decision here (`Services.before_decision`), after everything was read and
    # before anything is written, to prove that two approvers pressing together still give
    # exactly one decision.
    hook = turn.svc.before_decision
    if hook is not None:
        await hook(turn)


async def _load(
    turn: Turn, approval_id: int | None
) -> tuple[LeaveApproval, LeaveRequest, Kit] | None:
    found = (
        await step_with_request(session=turn.session, approval_id=approval_id)
        if approval_id is not None
        else None
    )
    approval, leave = found if found is not None else (None, None)
    if approval is None or leave is None or not await _same_school(turn, leave.school_id):
        await turn.refuse_press(reason="unknown_approval", approval=approval_id)
        return None
    kit = await load_kit(turn, leave.school_id)
    assert kit is not None
    return approval, leave, kit


async def _same_school(turn: Turn, school_id: int) -> bool:
    if turn.actor.school_id == school_id:
        return True
    # An approver at two schools presses a button from the school not currently chosen.
    linked = await staff_for_telegram(session=turn.session, telegram_id=turn.actor.telegram_id)
    return any(s.school_id == school_id for s in linked)


def _closed_text(turn: Turn, kit: Kit, leave: LeaveRequest, approval: LeaveApproval) -> str:
    """Why this step takes no decision any more: who decided it, or what became of the request."""
    span = span_label(turn.lang, leave.first_day, leave.last_day, leave.part)
    name = kit.names.person(leave.staff_id)
    if (
        approval.status in (StepStatus.APPROVED, StepStatus.REJECTED)
        and approval.decided_by is not None
    ):
        return turn.t(
            f"leave.decided_by.{approval.status}",
            who=kit.names.person(approval.decided_by),
            name=name,
            span=span,
        )
    return turn.t("leave.request_closed", name=name, span=span, state=state_text(turn.lang, leave))


async def _open_step(
    turn: Turn, found: tuple[LeaveApproval, LeaveRequest, Kit], *, reply: bool = False
) -> bool:
    """Checks the request still takes this step's decision from this person; answers if not."""
    approval, leave, kit = found
    if await expire_if_stale(session=turn.session, leave=leave, today=kit.today(turn.now)):
        await turn.audit("leave_expired", subject_type="leave", subject_id=leave.id)
        await turn.session.refresh(approval)
    if leave.status != LeaveStatus.PENDING or approval.status != StepStatus.WAITING:
        text = _closed_text(turn, kit, leave, approval)
        if reply:
            turn.reply(text)
        else:
            turn.toast(text, alert=True)
            turn.edit_origin(text)
        return False
    me = turn.actor.staff
    if (
        me is None
        or me.school_id != leave.school_id
        or not may_decide(
            role=approval.role,
            grade=approval.grade,
            staff_id=stored_id(me),
            staff_roles=me.role_set,
            staff_grade=me.grade,
            requester_id=leave.staff_id,
            level=approval.level,
        )
    ):
        await turn.audit("denied", subject_type="leave", subject_id=leave.id, step=approval.step)
        if reply:
            turn.reply(turn.t("common.not_allowed"))
        else:
            turn.toast(turn.t("common.not_allowed"), alert=True)
        return False
    return True


async def decide(
    turn: Turn,
    found: tuple[LeaveApproval, LeaveRequest, Kit],
    *,
    approve: bool,
    note: str = "",
) -> str | None:
    """Records the decision and sends every notice; None (and the winner named) when it lost."""
    approval, leave, kit = found
    me = turn.actor.staff
    assert me is not None
    await _before_decision(turn)
    outcome = await decide_step(
        session=turn.session,
        leave=leave,
        approval=approval,
        approve=approve,
        staff_id=stored_id(me),
        now=turn.now,
        note=note,
    )
    if outcome is None:
        await turn.session.refresh(leave)
        await turn.session.refresh(approval)
        return None
    action = {
        "next": "leave_step_approved",
        "approved": "leave_approved",
        "rejected": "leave_rejected",
    }
    await turn.audit(action[outcome], subject_type="leave", subject_id=leave.id, step=approval.step)
    teacher = kit.names.staff.get(leave.staff_id)
    lang = language_of(teacher, default_lang(turn)) if teacher is not None else default_lang(turn)
    span = span_label(lang, leave.first_day, leave.last_day, leave.part)
    role = step_label(lang, approval)
    if outcome == "rejected":
        tell(
            turn.out,
            teacher,
            default_lang(turn),
            "leave.rejected",
            who=me.name,
            role=role,
            span=span,
            note=note,
        )
        turn.out.items.extend(notice(kit, leave, default_lang(turn), "rejected", who=me.name))
        _release_named(turn, kit, leave)
        if await release_provisional(turn, kit, leave):
            await turn.schedule_changed(leave.school_id, kinds.COVER)
    elif outcome == "next":
        following = await waiting_step(session=turn.session, leave_id=stored_id(leave))
        assert following is not None
        asked = await ask_approvers(turn, kit, leave, following)
        tell(
            turn.out,
            teacher,
            default_lang(turn),
            "leave.step_done",
            who=me.name,
            role=role,
            span=span,
            next=step_label(lang, following),
            people=people_names(lang, asked),
        )
        turn.out.items.extend(
            notice(
                kit,
                leave,
                default_lang(turn),
                "waiting",
                people=people_names(lang, asked),
                role=step_label(lang, following),
            )
        )
        await turn.schedule_changed(leave.school_id, kinds.LEAVE_AND_COVER)
    else:
        turn.out.items.extend(notice(kit, leave, default_lang(turn), "approved", who=me.name))
        await _approved(turn, kit, leave, who=me.name, role=role)
    return outcome


def _release_named(turn: Turn, kit: Kit, leave: LeaveRequest) -> None:
    if leave.substitute_id is None or leave.substitute_state not in (
        SubstituteState.ASKED,
        SubstituteState.AGREED,
    ):
        return
    person = kit.names.staff.get(leave.substitute_id)
    if person is not None:
        lang = language_of(person, default_lang(turn))
        tell(
            turn.out,
            person,
            default_lang(turn),
            "leave.substitute_off",
            name=kit.names.person(leave.staff_id),
            span=span_label(lang, leave.first_day, leave.last_day, leave.part),
        )


async def _approved(turn: Turn, kit: Kit, leave: LeaveRequest, *, who: str, role: str) -> None:
    """The final approval: the lessons still ahead become cover needs, sent to the arrangers,
    and the duties inside the leave ask the arrangers for a replacement."""
    lessons, unknown = leave_lessons(
        kit, leave.staff_id, leave.first_day, leave.last_day, DayPart.from_code(leave.part)
    )
    today = kit.today(turn.now)
    ahead = []
    for lesson in lessons:
        start = kit.schedule.lesson_start(lesson.day, lesson.period)
        if (start is not None and start > turn.now) or (start is None and lesson.day >= today):
            ahead.append(lesson)
    await hold_school(session=turn.session, school_id=leave.school_id)
    # Lessons already on the boards (put there before the decision) stay as they are arranged.
    # Only a leave starting by tomorrow can have them (jobs/leave.py `watch_leaves`).
    confirmed = (
        await confirm_needs(session=turn.session, leave_id=stored_id(leave))
        if leave.first_day <= today + timedelta(days=1)
        else []
    )
    placed = {(need.day, need.period, need.class_id) for need in confirmed}
    needs = await create_needs(
        session=turn.session,
        leave=leave,
        lessons=[x for x in ahead if (x.day, x.period, x.class_id) not in placed],
        now=turn.now,
    )
    for day in sorted({need.day for need in confirmed}):
        redraw_copies(turn, kit, day)
    named = await assign_named_substitute(turn, kit, leave, needs)
    teacher = kit.names.staff.get(leave.staff_id)
    lang = language_of(teacher, default_lang(turn)) if teacher is not None else default_lang(turn)
    covered = ""
    if leave.substitute_id is not None and leave.substitute_state in (
        SubstituteState.ASKED,
        SubstituteState.AGREED,
    ):
        covered = t(
            lang,
            "leave.named_covers",
            name=kit.names.person(leave.substitute_id),
            count=len(named),
        )
    tell(
        turn.out,
        teacher,
        default_lang(turn),
        "leave.approved",
        # The lessons still ahead can be handed over to whoever covers them.
        offer_markup(lang, stored_id(leave)) if ahead else None,
        who=who,
        role=role,
        span=span_label(lang, leave.first_day, leave.last_day, leave.part),
        lessons=Safe(lessons_block(lang, kit, ahead, unknown)),
        covered=covered,
    )
    reopened = await reopen_their_covers(turn, kit, leave)
    if needs or reopened:
        boards_follow(turn, kit, [*needs, *reopened])
        await turn.schedule_changed(leave.school_id, kinds.LEAVE_AND_COVER)
    days = {lesson.day for lesson in lessons} | {
        s.day
        for s in kit.schedule.calendar.days(leave.first_day, leave.last_day)
        if s.is_school_day
    }
    update_slips(turn, kit, days)
    if needs:
        offer_plan(turn, kit, leave)
    turn.then(duties_for_leave, leave_id=stored_id(leave))


@follow_ups.named("leave_duties")
async def duties_for_leave(later: Turn, *, leave_id: int) -> None:
    """On final approval: a replacement is asked for each duty inside the leave."""
    leave = await later.session.get(LeaveRequest, leave_id)
    school = await later.session.get(School, leave.school_id) if leave is not None else None
    if leave is not None and school is not None and leave.status == LeaveStatus.APPROVED:
        await ask_for_leave(later, school, leave)


@button()
async def on_approve(turn: Turn) -> None:
    """批准: decides the current step; the last step approves the request."""
    assert turn.callback is not None
    found = await _load(turn, turn.callback.id())
    if found is None or not await _open_step(turn, found):
        return
    approval, leave, kit = found
    outcome = await decide(turn, found, approve=True)
    if outcome is None:
        text = _closed_text(turn, kit, leave, approval)
        turn.toast(text, alert=True)
        turn.edit_origin(text)
        return
    span = span_label(turn.lang, leave.first_day, leave.last_day, leave.part)
    turn.edit_origin(turn.t("leave.you_approved", name=kit.names.person(leave.staff_id), span=span))


@button()
async def on_reject_press(turn: Turn) -> object:
    """驳回: asks for the reason before anything is decided."""
    assert turn.callback is not None
    found = await _load(turn, turn.callback.id())
    if found is None or not await _open_step(turn, found):
        return END
    approval, leave, kit = found
    turn.context.user_data[REJECT_KEY] = approval.id
    # A forced reply: the reason comes back as a reply naming the step, so it is understood
    # also after a restart has forgotten that this person was asked.
    turn.out.send(
        turn.chat_id,
        turn.t(
            "leave.ask_reject_reason",
            name=kit.names.person(leave.staff_id),
            span=span_label(turn.lang, leave.first_day, leave.last_day, leave.part),
            id=approval.id,
        ),
        ForceReply(input_field_placeholder=turn.t("leave.reject_placeholder")),
    )
    return REASON


def _prompted_step(message: Message | None) -> int | None:
    """The step a reply answers, when it replies to our question for a rejection reason."""
    replied = message.reply_to_message if message is not None else None
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    match = REJECT_PROMPT.search(replied.text or "")
    return int(match[1]) if match else None


class _RejectReply(filters.MessageFilter):
    """A reply to the bot's question for a rejection reason."""

    def filter(self, message: Message) -> bool:
        return _prompted_step(message) is not None


@command(where="private", staff=True)
async def on_reject_reason(turn: Turn) -> object:
    """Stores the rejection with the reason typed."""
    message = turn.update.effective_message
    asked = turn.context.user_data.pop(REJECT_KEY, None)
    # A reply names its own step, even when the person was asked about another one since.
    approval_id = _prompted_step(message) or asked
    note = typed_text(turn)
    if len(note) > MAX_NOTE:
        turn.context.user_data[REJECT_KEY] = approval_id
        turn.reply(turn.t("common.too_long", limit=MAX_NOTE))
        return REASON
    approval = await turn.session.get(LeaveApproval, approval_id) if approval_id else None
    leave = await turn.session.get(LeaveRequest, approval.leave_id) if approval else None
    if approval is None or leave is None:
        turn.reply(turn.t("common.button_invalid"))
        return END
    kit = await load_kit(turn, leave.school_id)
    assert kit is not None
    found = (approval, leave, kit)
    if not await _open_step(turn, found, reply=True):
        return END
    outcome = await decide(turn, found, approve=False, note=note)
    if outcome is None:
        turn.reply(_closed_text(turn, kit, leave, approval))
        return END
    turn.reply(
        turn.t(
            "leave.you_rejected",
            name=kit.names.person(leave.staff_id),
            span=span_label(turn.lang, leave.first_day, leave.last_day, leave.part),
        )
    )
    return END


@command(where="any")
async def on_reject_cancel(turn: Turn) -> object:
    """/cancel while asked for the reason: nothing was decided."""
    turn.context.user_data.pop(REJECT_KEY, None)
    turn.reply(turn.t("leave.reject_cancelled"))
    return END


@command(where="private", staff=True)
async def cmd_pending(turn: Turn) -> None:
    """/pending: the leave requests and swaps waiting for my decision, with their buttons."""
    me = turn.actor.staff
    if me is None:
        turn.reply(turn.t("common.not_linked"))
        return
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    today = kit.today(turn.now)
    for leave in await pending_leaves(session=turn.session, school_id=me.school_id):
        if await expire_if_stale(session=turn.session, leave=leave, today=today):
            await turn.audit("leave_expired", subject_type="leave", subject_id=leave.id)
    waiting = await waiting_for(session=turn.session, school_id=me.school_id, staff=me)
    shown = 0
    for leave, approval in waiting:
        steps = len(await approvals_of(session=turn.session, leave_id=stored_id(leave)))
        turn.reply(
            approval_text(turn.lang, kit, leave, approval, steps),
            approval_markup(turn.lang, approval),
        )
        shown += 1
    shown += await pending_swaps(turn, kit)
    shown += await pending_duty_swaps(turn)
    if not shown:
        turn.reply(turn.t("leave.pending.none"))
    else:
        turn.reply(turn.t("leave.pending.count", count=shown))


def handlers() -> list[BaseHandler]:
    reject = dialogue(
        "leave_reject",
        entry_points=[
            CallbackQueryHandler(on_reject_press, pattern=callbacks.LEAVE_REJECT.pattern)
        ],
        states={
            REASON: [
                MessageHandler(
                    filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, on_reject_reason
                )
            ]
        },
        fallbacks=[CommandHandler("cancel", on_reject_cancel)],
    )
    private_text = TYPED
    return [
        reject,
        # The same reason, answered after a restart forgot the dialogue above.
        MessageHandler(private_text & _RejectReply(), on_reject_reason),
        CommandHandler("pending", cmd_pending),
        CallbackQueryHandler(on_approve, pattern=callbacks.LEAVE_APPROVE.pattern),
    ]
