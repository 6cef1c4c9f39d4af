"""Swapping lessons (调课): the one-line /swap, the colleague's 同意 / 拒绝, then the
arranger's 批准 / 驳回. Only an approved swap changes the timetable, the slip and who is free.
The checks are in handlers/swap/checks.py, the wizard in handlers/swap/wizard.py.

Teachers may not swap privately (seed 000: 教师之间不得私自调课): the bot has no other way.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
)

from bot import callbacks
from bot.texts import Safe, t
from handlers.core.outbox import tell
from handlers.core.turn import Turn, button, command
from handlers.cover.boards import default_lang, load_kit, update_slips
from handlers.swap.checks import (
    Proposal,
    SwapRefused,
    check_proposal,
    clash_lines,
    find_colleague,
    refusal_text,
)
from jobs import kinds
from jobs.swap_escalation import (
    expire_if_begun,
    kept_about,
    may_decide_swap,
    swap_arrangers,
)
from rules.leave_dates import LeaveDateError
from rules.states import SwapStatus
from rules.swaps import parse_swap_line
from storage.cover import hold_school, swap_problems
from storage.models import LessonSwap
from storage.schedule import Kit, swap_sides
from storage.swaps import OPEN_SWAP_STATES, create_swap, move_swap, swaps_waiting
from storage.types import stored_id
from views.leave import language_of, swap_line
from views.swap import ask_arranger_message, ask_colleague_message


async def propose(turn: Turn, kit: Kit, proposal: Proposal) -> LessonSwap:
    """Stores the swap and asks the colleague; the proposer may withdraw until it is decided."""
    me = turn.actor.staff
    assert me is not None
    swap = await create_swap(
        session=turn.session,
        school_id=me.school_id,
        mine=proposal.mine,
        theirs=proposal.theirs,
        now=turn.now,
    )
    await turn.audit(
        "swap_proposed", subject_type="swap", subject_id=swap.id, colleague=proposal.colleague.id
    )
    lang = language_of(proposal.colleague, default_lang(turn))
    if proposal.colleague.telegram_id is not None:
        text, markup = ask_colleague_message(lang, kit, swap)
        turn.out.send(proposal.colleague.telegram_id, text, markup, about=kept_about(swap, lang))
    # Kept once sent: redrawn if the swap expires, so it never offers 撤销 on a closed swap.
    turn.out.send(
        turn.chat_id,
        turn.t(
            "swap.proposed"
            if proposal.colleague.telegram_id is not None
            else "swap.proposed_unlinked",
            name=proposal.colleague.name,
            swap=Safe(swap_line(turn.lang, kit.names, kit.schedule, swap)),
        ),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        turn.t("swap.button.withdraw"),
                        callback_data=callbacks.SWAP_WITHDRAW.data(stored_id(swap)),
                    )
                ]
            ]
        ),
        about=kept_about(swap, turn.lang),
    )
    return swap


@command(where="private", staff=True)
async def cmd_swap_line(turn: Turn) -> None:
    """`/swap 周四第3节 <colleague> 周五第2节`."""
    me = turn.actor.staff
    if me is None:  # a system admin without a staff record has no lessons to swap
        turn.reply(turn.t("common.not_linked"))
        return
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    try:
        line = parse_swap_line(turn.arg_text, kit.today(turn.now))
        colleague = await find_colleague(turn, me.school_id, line.colleague)
        proposal = await check_proposal(turn, kit, line.mine, colleague, line.theirs)
    except (SwapRefused, LeaveDateError) as problem:
        turn.reply(refusal_text(turn, problem))
        return
    await propose(turn, kit, proposal)


# --- decisions ---------------------------------------------------------------------------------


async def swap_for_press(turn: Turn) -> tuple[LessonSwap, Kit] | None:
    swap = await turn.row_named(LessonSwap, what="swap")
    if swap is None:
        return None
    kit = await load_kit(turn, swap.school_id)
    assert kit is not None
    return swap, kit


async def _expire_if_past(turn: Turn, kit: Kit, swap: LessonSwap) -> None:
    """A swap still undecided when its first lesson begins can no longer happen; whoever
    presses first finds it so, and everyone concerned is told as the swap watch would."""
    expired = await expire_if_begun(turn.session, kit, swap, turn.now, default_lang(turn))
    if expired is not None:
        turn.out.items.extend(expired)


async def arranger_may_decide(turn: Turn, kit: Kit, swap: LessonSwap, button: str) -> bool:
    """An arranger of the class, not one of the two teachers; a refusal is audited and said."""
    me = turn.actor.staff
    involved = me is not None and me.id in (swap.proposer_id, swap.colleague_id)
    if involved or not may_decide_swap(me, is_admin=turn.actor.is_admin, kit=kit, swap=swap):
        await turn.deny_press(subject_type="swap", subject_id=swap.id, button=button)
        return False
    return True


def cancel_markup(lang: str, swap: LessonSwap) -> InlineKeyboardMarkup:
    """撤销调课 under an approved swap (handlers/swap/cancel.py)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "swap.button.cancel"),
                    callback_data=callbacks.SWAP_CANCEL.data(stored_id(swap)),
                )
            ]
        ]
    )


def say_closed(turn: Turn, kit: Kit, swap: LessonSwap) -> None:
    """The swap is no longer in the state the button was for: what it is now."""
    text = turn.t(
        "swap.closed",
        swap=Safe(swap_line(turn.lang, kit.names, kit.schedule, swap)),
        state=turn.t(f"swap.state.{swap.status}"),
    )
    turn.toast(turn.t("swap.already", state=turn.t(f"swap.state.{swap.status}")), alert=True)
    turn.edit_origin(text)


def tell_both(turn: Turn, kit: Kit, swap: LessonSwap, key: str, **values: object) -> None:
    for staff_id in (swap.proposer_id, swap.colleague_id):
        person = kit.names.staff.get(staff_id)
        if person is None or person.id == (turn.actor.staff.id if turn.actor.staff else None):
            continue
        lang = language_of(person, default_lang(turn))
        tell(
            turn.out,
            person,
            default_lang(turn),
            key,
            swap=Safe(swap_line(lang, kit.names, kit.schedule, swap)),
            **values,
        )


async def _recheck(turn: Turn, kit: Kit, swap: LessonSwap) -> str | None:
    """The clashes the swap would make now (things changed since it was proposed)."""
    mine, theirs = swap_sides(swap, kit.schedule.grades)
    proposal = Proposal(mine, theirs, kit.names.staff[swap.colleague_id])
    clashes = await swap_problems(
        session=turn.session,
        school_id=swap.school_id,
        schedule=kit.schedule,
        mine=mine,
        theirs=theirs,
        ignore_swap=swap.id,
    )
    return clash_lines(turn.lang, kit, proposal, clashes) if clashes else None


@button()
async def on_colleague_answer(turn: Turn) -> None:
    """同意 / 拒绝 by the colleague asked."""
    assert turn.callback is not None
    found = await swap_for_press(turn)
    if found is None:
        return
    swap, kit = found
    me = turn.actor.staff
    if me is None or me.id != swap.colleague_id:
        await turn.deny_press(subject_type="swap", subject_id=swap.id, button="sw")
        return
    await _expire_if_past(turn, kit, swap)
    if swap.status != SwapStatus.ASKED:
        say_closed(turn, kit, swap)
        return
    agree = turn.callback.action == "yes"
    if agree:
        clashes = await _recheck(turn, kit, swap)
        if clashes is not None:
            turn.toast(turn.t("swap.now_clashes_short"), alert=True)
            turn.reply(turn.t("swap.now_clashes", clashes=Safe(clashes)))
            return
    if not await move_swap(
        session=turn.session,
        swap_id=stored_id(swap),
        from_states=(SwapStatus.ASKED,),
        to_state=SwapStatus.AGREED if agree else SwapStatus.DECLINED,
        now=turn.now,
        by=me.id,
    ):
        await turn.session.refresh(swap)
        say_closed(turn, kit, swap)
        return
    await turn.session.refresh(swap)
    await turn.audit(
        "swap_agreed" if agree else "swap_declined", subject_type="swap", subject_id=swap.id
    )
    line = Safe(swap_line(turn.lang, kit.names, kit.schedule, swap))
    turn.edit_origin(turn.t("swap.you_agreed" if agree else "swap.you_declined", swap=line))
    proposer = kit.names.staff.get(swap.proposer_id)
    if not agree:
        if proposer is not None:
            lang = language_of(proposer, default_lang(turn))
            tell(
                turn.out,
                proposer,
                default_lang(turn),
                "swap.declined",
                name=me.name,
                swap=Safe(swap_line(lang, kit.names, kit.schedule, swap)),
            )
        return
    for person in await swap_arrangers(turn.session, kit, swap):
        if person.telegram_id is None:
            continue
        lang = language_of(person, default_lang(turn))
        text, markup = ask_arranger_message(lang, kit, swap)
        turn.out.send(person.telegram_id, text, markup, about=kept_about(swap, lang))
    if proposer is not None:
        lang = language_of(proposer, default_lang(turn))
        tell(
            turn.out,
            proposer,
            default_lang(turn),
            "swap.agreed",
            name=me.name,
            swap=Safe(swap_line(lang, kit.names, kit.schedule, swap)),
        )


@button()
async def on_arranger_decision(turn: Turn) -> None:
    """批准 / 驳回 by the arranger: an approved swap takes effect at once."""
    assert turn.callback is not None
    found = await swap_for_press(turn)
    if found is None:
        return
    swap, kit = found
    me = turn.actor.staff
    if not await arranger_may_decide(turn, kit, swap, "sw"):
        return
    await _expire_if_past(turn, kit, swap)
    if swap.status != SwapStatus.AGREED:
        say_closed(turn, kit, swap)
        return
    approve = turn.callback.action == "ok"
    if approve:
        await hold_school(session=turn.session, school_id=swap.school_id)
        clashes = await _recheck(turn, kit, swap)
        if clashes is not None:
            turn.toast(turn.t("swap.now_clashes_short"), alert=True)
            turn.reply(turn.t("swap.now_clashes", clashes=Safe(clashes)))
            return
    if not await move_swap(
        session=turn.session,
        swap_id=stored_id(swap),
        from_states=(SwapStatus.AGREED,),
        to_state=SwapStatus.APPROVED if approve else SwapStatus.REJECTED,
        now=turn.now,
        by=me.id if me else None,
    ):
        await turn.session.refresh(swap)
        say_closed(turn, kit, swap)
        return
    await turn.session.refresh(swap)
    await turn.audit(
        "swap_approved" if approve else "swap_rejected", subject_type="swap", subject_id=swap.id
    )
    who = me.name if me is not None else turn.actor.display_name
    turn.edit_origin(
        turn.t(
            "swap.you_approved" if approve else "swap.you_rejected",
            swap=Safe(swap_line(turn.lang, kit.names, kit.schedule, swap)),
        ),
        cancel_markup(turn.lang, swap) if approve else None,
    )
    tell_both(turn, kit, swap, "swap.approved" if approve else "swap.rejected", who=who)
    if approve:
        update_slips(turn, kit, [swap.first_day, swap.second_day])
        await turn.schedule_changed(swap.school_id, kinds.COVER)


@button()
async def on_withdraw(turn: Turn) -> None:
    """撤销 by the proposer, until the swap is decided."""
    found = await swap_for_press(turn)
    if found is None:
        return
    swap, kit = found
    me = turn.actor.staff
    if me is None or me.id != swap.proposer_id:
        await turn.deny_press(subject_type="swap", subject_id=swap.id, button="sw:wd")
        return
    await _expire_if_past(turn, kit, swap)
    if not await move_swap(
        session=turn.session,
        swap_id=stored_id(swap),
        from_states=OPEN_SWAP_STATES,
        to_state=SwapStatus.WITHDRAWN,
        now=turn.now,
        by=me.id,
    ):
        await turn.session.refresh(swap)
        say_closed(turn, kit, swap)
        return
    await turn.session.refresh(swap)
    await turn.audit("swap_withdrawn", subject_type="swap", subject_id=swap.id)
    turn.edit_origin(
        turn.t("swap.withdrawn", swap=Safe(swap_line(turn.lang, kit.names, kit.schedule, swap)))
    )
    tell_both(turn, kit, swap, "swap.withdrawn_notice", who=me.name)


async def pending_swaps(turn: Turn, kit: Kit) -> int:
    """For /pending: the swaps waiting for this person's answer or approval; returns how many."""
    me = turn.actor.staff
    if me is None:
        return 0
    shown = 0
    for swap in await swaps_waiting(
        session=turn.session, school_id=me.school_id, state=SwapStatus.ASKED
    ):
        if swap.colleague_id == me.id:
            text, markup = ask_colleague_message(turn.lang, kit, swap)
            turn.reply(text, markup)
            shown += 1
    for swap in await swaps_waiting(
        session=turn.session, school_id=me.school_id, state=SwapStatus.AGREED
    ):
        if me.id not in (swap.proposer_id, swap.colleague_id) and may_decide_swap(
            me, is_admin=turn.actor.is_admin, kit=kit, swap=swap
        ):
            text, markup = ask_arranger_message(turn.lang, kit, swap)
            turn.reply(text, markup)
            shown += 1
    return shown


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(
            on_colleague_answer,
            pattern=callbacks.pattern_of(callbacks.SWAP_AGREE, callbacks.SWAP_DECLINE),
        ),
        CallbackQueryHandler(
            on_arranger_decision,
            pattern=callbacks.pattern_of(callbacks.SWAP_APPROVE, callbacks.SWAP_REJECT),
        ),
        CallbackQueryHandler(on_withdraw, pattern=callbacks.SWAP_WITHDRAW.pattern),
    ]
