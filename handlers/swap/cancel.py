"""Approved swaps still ahead (/swaps), and taking one back (撤销调课) before its lessons.

Plans change after a swap is approved: a trip moves, a colleague falls ill. An arranger may undo
it from the approval message while both lessons are still ahead; the timetable, the cover slips
and who is free go back to what they were. A swapped lesson that already has cover arranged is
left alone: that cover would otherwise point at a lesson that moved back under the substitute.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.texts import Safe
from handlers.core.turn import Turn, button, command
from handlers.cover.boards import load_kit, update_slips
from handlers.swap.commands import (
    arranger_may_decide,
    cancel_markup,
    say_closed,
    swap_for_press,
    tell_both,
)
from jobs import kinds
from rules.states import SwapStatus
from storage.cover import hold_school, may_arrange, needs_on
from storage.models import LessonSwap
from storage.schedule import Kit, approved_swaps
from storage.swaps import move_swap
from storage.types import stored_id
from views.leave import swap_line

# Messages one /swaps sends at most; the rest are counted.
MOST_LISTED = 15


def _begun(turn: Turn, kit: Kit, swap: LessonSwap) -> bool:
    """Whether either lesson has begun (or its day is past)."""
    for day, period in ((swap.first_day, swap.first_period), (swap.second_day, swap.second_period)):
        start = kit.schedule.lesson_start(day, period)
        if (start is not None and start <= turn.now) or day < kit.today(turn.now):
            return True
    return False


async def _has_cover(turn: Turn, swap: LessonSwap) -> bool:
    slots = {
        (swap.first_day, swap.first_period, swap.first_class_id),
        (swap.second_day, swap.second_period, swap.second_class_id),
    }
    for day in {swap.first_day, swap.second_day}:
        for need in await needs_on(session=turn.session, school_id=swap.school_id, day=day):
            if (need.day, need.period, need.class_id) in slots:
                return True
    return False


@button()
async def on_cancel(turn: Turn) -> None:
    """撤销调课 by an arranger (not one of the two teachers), while both lessons are ahead."""
    found = await swap_for_press(turn)
    if found is None:
        return
    swap, kit = found
    if not await arranger_may_decide(turn, kit, swap, "sw:cx"):
        return
    me = turn.actor.staff
    line = Safe(swap_line(turn.lang, kit.names, kit.schedule, swap))
    if swap.status != SwapStatus.APPROVED:
        say_closed(turn, kit, swap)
        return
    await hold_school(session=turn.session, school_id=swap.school_id)
    if _begun(turn, kit, swap):
        turn.toast(turn.t("swap.cancel.too_late"), alert=True)
        turn.edit_origin(turn.t("swap.you_approved", swap=line))
        return
    if await _has_cover(turn, swap):
        turn.toast(turn.t("swap.cancel.has_cover"), alert=True)
        return
    if not await move_swap(
        session=turn.session,
        swap_id=stored_id(swap),
        from_states=(SwapStatus.APPROVED,),
        to_state=SwapStatus.CANCELLED,
        now=turn.now,
        by=me.id if me else None,
    ):
        await turn.session.refresh(swap)
        say_closed(turn, kit, swap)
        return
    await turn.session.refresh(swap)
    await turn.audit("swap_cancelled", subject_type="swap", subject_id=swap.id)
    turn.edit_origin(turn.t("swap.cancel.done", swap=line))
    who = me.name if me is not None else turn.actor.display_name
    tell_both(turn, kit, swap, "swap.cancel.notice", who=who)
    update_slips(turn, kit, [swap.first_day, swap.second_day])
    await turn.schedule_changed(swap.school_id, kinds.COVER)


async def cancel_on_closed_days(
    turn: Turn, kit: Kit, first: date, last: date
) -> tuple[list[LessonSwap], list[LessonSwap]]:
    """The school closes these days: an approved swap with a lesson on one of them would move
    the other lesson onto a day without school, and it is lost. Such swaps are cancelled and
    both teachers told; returns (cancelled, left as they were: begun, or with cover arranged,
    for the admin to look at)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    school_id = stored_id(kit.school)
    me = turn.actor.staff
    cancelled: list[LessonSwap] = []
    left: list[LessonSwap] = []
    for swap in await approved_swaps(session=turn.session, school_id=school_id, days=days):
        if _begun(turn, kit, swap) or await _has_cover(turn, swap):
            left.append(swap)
            continue
        if await move_swap(
            session=turn.session,
            swap_id=stored_id(swap),
            from_states=(SwapStatus.APPROVED,),
            to_state=SwapStatus.CANCELLED,
            now=turn.now,
            by=me.id if me else None,
        ):
            cancelled.append(swap)
    for swap in cancelled:
        await turn.session.refresh(swap)
        await turn.audit("swap_cancelled", subject_type="swap", subject_id=swap.id, reason="closed")
        tell_both(turn, kit, swap, "swap.closed_notice")
    if cancelled:
        update_slips(turn, kit, sorted({d for s in cancelled for d in (s.first_day, s.second_day)}))
    return cancelled, left


def _may_undo(turn: Turn, kit: Kit, swap: LessonSwap) -> bool:
    """What `arranger_may_decide` allows, asked without answering: to offer the button."""
    me = turn.actor.staff
    if me is not None and me.id in (swap.proposer_id, swap.colleague_id):
        return False
    return may_arrange(
        me,
        grade=kit.schedule.grades.get(swap.first_class_id),
        policy=kit.arranger_policy,
        is_admin=turn.actor.is_admin,
    )


@command(where="private", staff=True)
async def cmd_swaps(turn: Turn) -> None:
    """`/swaps`: approved swaps still ahead: a teacher's own; for an arranger, those they arrange,
    each with 撤销调课 while neither lesson has begun."""
    me = turn.actor.staff
    if me is None:  # a system admin without a staff record: no school's swaps to list
        turn.reply(turn.t("common.not_linked"))
        return
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    today = kit.today(turn.now)
    shown = []
    for swap in await approved_swaps(session=turn.session, school_id=me.school_id):
        if max(swap.first_day, swap.second_day) < today:
            continue
        mine = me.id in (swap.proposer_id, swap.colleague_id)
        undo = _may_undo(turn, kit, swap) and not _begun(turn, kit, swap)
        if mine or undo:
            shown.append((swap, undo))
    if not shown:
        turn.reply(turn.t("swap.list.none"))
        return
    shown.sort(key=lambda pair: min(pair[0].first_day, pair[0].second_day))
    turn.reply(turn.t("swap.list.title", count=len(shown)))
    for swap, undo in shown[:MOST_LISTED]:
        line = swap_line(turn.lang, kit.names, kit.schedule, swap)
        turn.reply(line, cancel_markup(turn.lang, swap) if undo else None)
    if len(shown) > MOST_LISTED:
        turn.reply(turn.t("swap.list.more", count=len(shown) - MOST_LISTED))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("swaps", cmd_swaps),
        CallbackQueryHandler(on_cancel, pattern=callbacks.SWAP_CANCEL.pattern),
    ]
