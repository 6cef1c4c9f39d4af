"""Taking back an approved swap (撤销调课) before either lesson is taught.

Plans change after a swap is approved: a trip moves, a colleague falls ill. An arranger may undo
it from the approval message while both lessons are still ahead; the timetable, the cover slips
and who is free go back to what they were. A swapped lesson that already has cover arranged is
left alone: that cover would otherwise point at a lesson that moved back under the substitute.
"""

from __future__ import annotations

from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.texts import Safe
from handlers.cover_board import Kit, update_slips
from handlers.leave_texts import swap_line
from handlers.swap import arranger_may_decide, say_closed, swap_for_press, tell_both
from handlers.turn import Turn, button
from jobs import kinds
from storage.cover import hold_school, needs_on
from storage.models import LessonSwap
from storage.swaps import move_swap


def _begun(turn: Turn, kit: Kit, swap: LessonSwap) -> bool:
    """Whether either lesson has begun (or its day is past)."""
    for day, period in ((swap.first_day, swap.first_period), (swap.second_day, swap.second_period)):
        start = kit.schedule.lesson_start(day, period)
        if (start is not None and start <= turn.now) or day < kit.today(turn):
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
    if swap.status != "approved":
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
        swap_id=swap.id or 0,
        from_states=("approved",),
        to_state="cancelled",
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
    await update_slips(turn, kit, [swap.first_day, swap.second_day])
    await turn.schedule_changed(swap.school_id, kinds.COVER)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CallbackQueryHandler(on_cancel, pattern=r"^v1:sw:cx:")]
