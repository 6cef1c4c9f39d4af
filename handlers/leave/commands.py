"""Asking for leave: the one-line /leave, withdrawing, /myleave, /back (销假), and the answer
of a colleague named as substitute.

The leave type and the reason go to the approvers and the teacher only; a /leave typed in the
group is taken out of it (handlers/leave/group.py).
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.texts import split_message, t
from handlers.core.outbox import tell
from handlers.core.turn import Turn, button, command
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import (
    boards_follow,
    default_lang,
    load_kit,
    tell_arrangers,
    tell_arrangers_of,
    tell_substitute,
    tell_substitutes_released,
    update_slips,
)
from handlers.cover.locked import in_locked_months, tell_kept
from handlers.cover.plans import end_with_leave
from handlers.cover.substitute import close_released_asks
from handlers.cover.substitute_away import reopen_audited
from handlers.leave.request import (
    OPEN_STATES,
    Refusal,
    check_draft,
    draft_from_line,
    refusal_text,
    submit,
)
from jobs import kinds
from rules.leave_dates import LeaveDateError
from rules.states import CoverStatus, LeaveStatus, SubstituteState
from storage.cover import (
    acknowledge,
    change_need,
    hold_school,
    load_cover_day,
    needs_of_leave,
    release_needs,
    why_not,
)
from storage.leave import (
    answer_substitute,
    approvers_for,
    end_leave,
    expire_if_stale,
    leaves_of,
    waiting_step,
    withdraw,
)
from storage.models import CoverNeed, LeaveRequest
from storage.schedule import Kit
from storage.types import stored_id
from views.leave import (
    kind_label,
    language_of,
    need_label,
    span_label,
    step_label,
    withdraw_confirm_markup,
)

MYLEAVE_LIMIT = 10


@command(where="private", staff=True)
async def cmd_leave_line(turn: Turn) -> None:
    """`/leave <type> <days> [part] [代课:<name>] <reason>` in private (in the group:
    handlers/leave/group.py)."""
    school = turn.actor.school
    if school is None or turn.actor.staff is None:
        turn.reply(turn.t("common.not_linked"))
        return
    kit = await load_kit(turn, stored_id(school))
    assert kit is not None
    try:
        checked = await check_draft(turn, draft_from_line(turn.arg_text, kit.today(turn.now)))
    except (LeaveDateError, Refusal) as problem:
        turn.reply(refusal_text(turn, problem))
        return
    await submit(turn, checked, private_chat=turn.actor.telegram_id)


# --- withdrawing, coming back, the named colleague's answer -------------------------------------


async def _own_leave(turn: Turn) -> tuple[LeaveRequest, Kit] | None:
    assert turn.callback is not None
    leave = await turn.row_named(LeaveRequest, what="leave")
    if leave is None:
        return None
    me = turn.actor.staff
    if me is None or me.id != leave.staff_id:
        await turn.deny_press(
            subject_type="leave", subject_id=leave.id, button=turn.callback.action
        )
        return None
    kit = await load_kit(turn, leave.school_id)
    assert kit is not None
    return leave, kit


def state_text(lang: str, leave: LeaveRequest) -> str:
    return t(lang, f"leave.state.{leave.status}")


@button()
async def on_withdraw(turn: Turn) -> None:
    """撤销: asks whether to withdraw the request, below the message pressed (kept as it is)."""
    found = await _own_leave(turn)
    if found is None:
        return
    leave, kit = found
    span = span_label(turn.lang, leave.first_day, leave.last_day, leave.part)
    if await expire_if_stale(session=turn.session, leave=leave, today=kit.today(turn.now)):
        await turn.audit("leave_expired", subject_type="leave", subject_id=leave.id)
    if leave.status != LeaveStatus.PENDING:
        turn.toast(turn.t("leave.not_withdrawable", state=state_text(turn.lang, leave)), alert=True)
        turn.edit_origin(turn.t("leave.closed", span=span, state=state_text(turn.lang, leave)))
        return
    query = turn.update.callback_query
    assert query is not None and query.message is not None
    turn.toast()
    turn.reply(
        turn.t("leave.withdraw_ask", span=span),
        withdraw_confirm_markup(turn.lang, stored_id(leave), query.message.message_id),
    )


@button()
async def on_withdraw_answer(turn: Turn) -> None:
    """确定撤销 withdraws a request nobody has decided yet; 不撤销 keeps it."""
    assert turn.callback is not None
    found = await _own_leave(turn)
    if found is None:
        return
    leave, kit = found
    span = span_label(turn.lang, leave.first_day, leave.last_day, leave.part)
    if callbacks.LEAVE_WITHDRAW_NO.matches(turn.callback):
        turn.toast()
        turn.edit_origin(turn.t("leave.withdraw_kept", span=span))
        return
    origin = callbacks.LEAVE_WITHDRAW_YES.field(turn.callback, "message")
    query = turn.update.callback_query
    assert query is not None and query.message is not None
    if await expire_if_stale(session=turn.session, leave=leave, today=kit.today(turn.now)):
        await turn.audit("leave_expired", subject_type="leave", subject_id=leave.id)
    waiting = await waiting_step(session=turn.session, leave_id=stored_id(leave))
    if not await withdraw(session=turn.session, leave=leave, now=turn.now):
        turn.toast(turn.t("leave.not_withdrawable", state=state_text(turn.lang, leave)), alert=True)
        turn.edit_origin(turn.t("leave.closed", span=span, state=state_text(turn.lang, leave)))
        return
    await turn.audit("leave_withdrawn", subject_type="leave", subject_id=leave.id)
    if waiting is not None:
        for person in await approvers_for(
            session=turn.session,
            school_id=leave.school_id,
            approval=waiting,
            requester_id=leave.staff_id,
        ):
            lang = language_of(person, default_lang(turn))
            tell(
                turn.out,
                person,
                default_lang(turn),
                "leave.withdrawn_notice",
                name=kit.names.person(leave.staff_id),
                span=span_label(lang, leave.first_day, leave.last_day, leave.part),
            )
    _tell_substitute_off(turn, kit, leave)
    done = turn.t("leave.withdrawn", span=span)
    turn.edit_origin(done)
    if origin:
        # The message whose 撤销 was pressed loses its buttons too (its request is gone).
        turn.out.edit(query.message.chat.id, origin, done)
    await release_provisional(turn, kit, leave)
    await turn.schedule_changed(leave.school_id, kinds.LEAVE_AND_COVER)


def _tell_substitute_off(turn: Turn, kit: Kit, leave: LeaveRequest) -> None:
    if leave.substitute_id is None or leave.substitute_state not in (
        SubstituteState.ASKED,
        SubstituteState.AGREED,
    ):
        return
    person = kit.names.staff.get(leave.substitute_id)
    if person is None:
        return
    lang = language_of(person, default_lang(turn))
    tell(
        turn.out,
        person,
        default_lang(turn),
        "leave.substitute_off",
        name=kit.names.person(leave.staff_id),
        span=span_label(lang, leave.first_day, leave.last_day, leave.part),
    )


async def release_provisional(turn: Turn, kit: Kit, leave: LeaveRequest) -> list[CoverNeed]:
    """A leave that was not approved (rejected, withdrawn): the lessons put on the boards
    before its decision are released, their substitutes and arrangers told, boards redrawn."""
    needs = [
        need
        for need in await needs_of_leave(session=turn.session, leave_id=stored_id(leave))
        if need.provisional
    ]
    if not needs:
        return []
    await hold_school(session=turn.session, school_id=leave.school_id)
    previous = {need.id: (need.status, need.substitute_id) for need in needs}
    # Taught while the leave waited, in a month since locked: those covers were paid and stay.
    kept = await in_locked_months(turn, kit, needs)
    released = await release_needs(session=turn.session, needs=needs)
    await turn.audit(
        "leave_provisional_released",
        subject_type="leave",
        subject_id=leave.id,
        released=len(released),
        **({"kept_locked": len(kept)} if kept else {}),
    )
    await tell_kept(turn, kit, kept)
    tell_substitutes_released(turn, kit, released, previous)
    await tell_arrangers_of(
        turn, kit, released, "cover.provisional_released", name=kit.names.person(leave.staff_id)
    )
    await close_released_asks(turn, kit, released)
    for day in sorted({need.day for need in released}):
        redraw_copies(turn, kit, day)
    update_slips(turn, kit, [need.day for need in released])
    return released


def not_started(kit: Kit, leave: LeaveRequest, now: datetime) -> bool:
    """Whether the leave's first day is still ahead (ending it then cancels it)."""
    return leave.first_day > kit.today(now)


async def come_back(turn: Turn, kit: Kit, leave: LeaveRequest) -> None:
    """销假: ends the leave now; cover still ahead is released and its substitutes told."""
    span = span_label(turn.lang, leave.first_day, leave.last_day, leave.part)
    # Called off before its first day: nobody "comes back", the leave is cancelled.
    cancelled = not_started(kit, leave, turn.now)
    if not await end_leave(session=turn.session, leave=leave, now=turn.now):
        turn.reply(turn.t("leave.back.not_approved", span=span, state=state_text(turn.lang, leave)))
        return
    await hold_school(session=turn.session, school_id=leave.school_id)
    ahead = []
    for need in await needs_of_leave(session=turn.session, leave_id=stored_id(leave)):
        start = kit.schedule.lesson_start(need.day, need.period)
        if (start is not None and start > turn.now) or (
            start is None and need.day > kit.today(turn.now)
        ):
            ahead.append(need)
    previous = {need.id: (need.status, need.substitute_id) for need in ahead}
    released = await release_needs(session=turn.session, needs=ahead)
    # A fixed cover plan ends with the leave; its teachers hear it once per weekly lesson.
    told = await end_with_leave(turn, kit, leave, released, previous)
    await turn.audit(
        "leave_ended", subject_type="leave", subject_id=leave.id, released=len(released)
    )
    tell_substitutes_released(turn, kit, released, previous, told)
    await tell_arrangers_of(
        turn,
        kit,
        released,
        "cover.cancelled_for_arranger" if cancelled else "cover.released_for_arranger",
        name=kit.names.person(leave.staff_id),
    )
    await close_released_asks(turn, kit, released)
    # Said only of what happened: with nothing released there is no cover to call off, and
    # substitutes are mentioned only if someone was booked.
    lines: list[str] = [turn.t("leave.cancel.done" if cancelled else "leave.back.done", span=span)]
    if released:
        lines.append(turn.t("leave.back.released", count=len(released)))
    lines.extend("· " + need_label(turn.lang, kit.names, kit.schedule, need) for need in released)
    if any(previous[need.id][0] in (CoverStatus.ASSIGNED, CoverStatus.MERGED) for need in released):
        lines.append(turn.t("leave.back.told"))
    for chunk in split_message(lines):
        turn.reply(chunk)
    for day in sorted({need.day for need in released}):
        redraw_copies(turn, kit, day)
    update_slips(turn, kit, [need.day for need in released] + [kit.today(turn.now)])
    await turn.schedule_changed(leave.school_id, kinds.LEAVE_AND_COVER)


@command(where="private", staff=True)
async def cmd_back(turn: Turn) -> None:
    """/back (销假): ends today's approved leave early."""
    staff = turn.actor.staff
    if staff is None or staff.id is None:
        turn.reply(turn.t("common.not_linked"))
        return
    kit = await load_kit(turn, staff.school_id)
    assert kit is not None
    today = kit.today(turn.now)
    current = [
        leave
        for leave in await leaves_of(session=turn.session, staff_id=staff.id, limit=50)
        if leave.status == LeaveStatus.APPROVED and leave.first_day <= today <= leave.last_day
    ]
    if not current:
        turn.reply(turn.t("leave.back.none"))
        return
    await come_back(turn, kit, current[0])


@button()
async def on_back_button(turn: Turn) -> None:
    """销假 from /myleave, for a leave under way or still ahead."""
    found = await _own_leave(turn)
    if found is None:
        return
    leave, kit = found
    ahead = not_started(kit, leave, turn.now)
    turn.edit_origin(turn.t("leave.cancel.pressed" if ahead else "leave.back.pressed"))
    await come_back(turn, kit, leave)


@command(where="private", staff=True)
async def cmd_myleave(turn: Turn) -> None:
    """/myleave: my recent requests and where each stands, with 撤销 / 销假 buttons."""
    staff = turn.actor.staff
    if staff is None or staff.id is None:
        turn.reply(turn.t("common.not_linked"))
        return
    kit = await load_kit(turn, staff.school_id)
    assert kit is not None
    today = kit.today(turn.now)
    leaves = await leaves_of(session=turn.session, staff_id=staff.id, limit=MYLEAVE_LIMIT)
    if not leaves:
        turn.reply(turn.t("leave.mine.none"))
        return
    lines: list[str] = [turn.t("leave.mine.title")]
    buttons = []
    # Leave a colleague recorded (/leavefor) says who did.
    recorders = {p.telegram_id: p for p in kit.names.staff.values() if p.telegram_id is not None}
    for number, leave in enumerate(leaves, start=1):
        if await expire_if_stale(session=turn.session, leave=leave, today=today):
            await turn.audit("leave_expired", subject_type="leave", subject_id=leave.id)
        state = state_text(turn.lang, leave)
        if leave.status == LeaveStatus.PENDING:
            waiting = await waiting_step(session=turn.session, leave_id=stored_id(leave))
            if waiting is not None:
                state = turn.t("leave.state.pending_at", role=step_label(turn.lang, waiting))
            buttons.append(
                InlineKeyboardButton(
                    turn.t("leave.button.withdraw_n", number=number),
                    callback_data=callbacks.LEAVE_WITHDRAW.data(stored_id(leave)),
                )
            )
        elif leave.status == LeaveStatus.APPROVED and leave.last_day >= today:
            ahead = not_started(kit, leave, turn.now)
            label = "leave.button.cancel_n" if ahead else "leave.button.back_n"
            buttons.append(
                InlineKeyboardButton(
                    turn.t(label, number=number),
                    callback_data=callbacks.LEAVE_BACK.data(stored_id(leave)),
                )
            )
        line: str = turn.t(
            "leave.mine.line",
            number=number,
            span=span_label(turn.lang, leave.first_day, leave.last_day, leave.part),
            kind=kind_label(turn.lang, leave.kind),
            state=state,
        )
        recorder = recorders.get(leave.created_by or 0)
        if leave.created_by != staff.telegram_id and recorder is not None:
            line += turn.t("leave.mine.recorded_by", name=recorder.name)
        lines.append(line)
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    turn.reply("\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


@button()
async def on_substitute_answer(turn: Turn) -> None:
    """The colleague a teacher named agrees (同意) or declines (不同意) to cover."""
    assert turn.callback is not None
    leave = await turn.row_named(LeaveRequest, what="leave")
    if leave is None:
        return
    if turn.callback.action not in ("yes", "no"):
        await turn.refuse_press(reason="unknown_leave", leave=leave.id)
        return
    me = turn.actor.staff
    if me is None or me.id != leave.substitute_id:
        await turn.deny_press(subject_type="leave", subject_id=leave.id, button="lvs")
        return
    kit = await load_kit(turn, leave.school_id)
    assert kit is not None
    agree = turn.callback.action == "yes"
    teacher = kit.names.staff.get(leave.staff_id)
    if not await answer_substitute(
        session=turn.session, leave=leave, staff_id=stored_id(me), agree=agree
    ):
        key = (
            f"leave.substitute_state.{leave.substitute_state}"
            if leave.status in OPEN_STATES
            else f"leave.state.{leave.status}"
        )
        turn.toast(turn.t("leave.substitute_closed", state=turn.t(key)), alert=True)
        turn.edit_origin(turn.t("leave.substitute_closed", state=turn.t(key)))
        return
    await turn.audit(
        "leave_substitute_agreed" if agree else "leave_substitute_declined",
        subject_type="leave",
        subject_id=leave.id,
    )
    span_for = span_label(turn.lang, leave.first_day, leave.last_day, leave.part)
    if teacher is not None:
        lang = language_of(teacher, default_lang(turn))
        tell(
            turn.out,
            teacher,
            default_lang(turn),
            "leave.substitute_agreed" if agree else "leave.substitute_declined",
            name=me.name,
            span=span_label(lang, leave.first_day, leave.last_day, leave.part),
        )
    turn.edit_origin(
        turn.t(
            "leave.you_agreed" if agree else "leave.you_declined",
            name=kit.names.person(leave.staff_id),
            span=span_for,
        )
    )
    if leave.status != LeaveStatus.APPROVED:
        return
    # Already approved: the cover arranged with this colleague is confirmed, or open again.
    await hold_school(session=turn.session, school_id=leave.school_id)
    changed_days = []
    theirs = [
        need
        for need in await needs_of_leave(
            session=turn.session, leave_id=stored_id(leave), states=(CoverStatus.ASSIGNED,)
        )
        if need.substitute_id == me.id
    ]
    # A late 不同意 does not undo cover in a month already locked (and paid).
    kept = [] if agree else await in_locked_months(turn, kit, theirs)
    await tell_kept(turn, kit, kept)
    kept_ids = {need.id for need in kept}
    for need in theirs:
        if need.id in kept_ids:
            continue
        if agree:
            if await acknowledge(
                session=turn.session,
                need=need,
                version=need.version,
                staff_id=stored_id(me),
                now=turn.now,
            ):
                await turn.audit(
                    "cover_acknowledged", subject_type="cover_need", subject_id=need.id
                )
            continue
        if await reopen_audited(turn, need, substitute=stored_id(me), reason="named_declined"):
            changed_days.append(need.day)
            await tell_arrangers(turn, kit, need, "cover.named_declined", name=me.name)
    if changed_days:
        reopened = [
            n
            for n in await needs_of_leave(session=turn.session, leave_id=stored_id(leave))
            if n.status == CoverStatus.OPEN
        ]
        boards_follow(turn, kit, reopened)
        update_slips(turn, kit, changed_days)
        await turn.schedule_changed(leave.school_id, kinds.LEAVE_AND_COVER)


async def assign_named_substitute(
    turn: Turn, kit: Kit, leave: LeaveRequest, needs: list[CoverNeed]
) -> list[CoverNeed]:
    """On approval: the colleague the teacher named covers every lesson they are free for, and
    is told of each one as of any assignment (with 收到)."""
    if leave.substitute_id is None or leave.substitute_state not in (
        SubstituteState.ASKED,
        SubstituteState.AGREED,
    ):
        return []
    assigned = []
    for need in needs:
        cover_day = await load_cover_day(
            session=turn.session, school_id=leave.school_id, day=need.day, schedule=kit.schedule
        )
        # An agreed arrangement stands above the daily cap; a clash does not.
        if why_not(need, leave.substitute_id, cover_day, cap=1_000) is not None:
            continue
        agreed = leave.substitute_state == SubstituteState.AGREED
        if await change_need(
            session=turn.session,
            need=need,
            version=need.version,
            status=CoverStatus.ASSIGNED,
            substitute_id=leave.substitute_id,
            assigned_at=turn.now,
            acknowledged_at=turn.now if agreed else None,
        ):
            assigned.append(need)
            await turn.audit(
                "cover_assigned",
                subject_type="cover_need",
                subject_id=need.id,
                substitute=leave.substitute_id,
                named=True,
            )
            tell_substitute(turn, kit, need, ask_ack=True)
    return assigned


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("myleave", cmd_myleave),
        CommandHandler("back", cmd_back),
        CallbackQueryHandler(on_withdraw, pattern=callbacks.LEAVE_WITHDRAW.pattern),
        CallbackQueryHandler(on_withdraw_answer, pattern=callbacks.LEAVE_WITHDRAW_CONFIRM.pattern),
        CallbackQueryHandler(on_back_button, pattern=callbacks.LEAVE_BACK.pattern),
        CallbackQueryHandler(on_substitute_answer, pattern=callbacks.LEAVE_SUBSTITUTE.pattern),
    ]
