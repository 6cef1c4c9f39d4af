"""/plan: the fixed cover plan boards (固定代课) of the approved leave ahead, one leave's board,
a weekly lesson given to any colleague for some of the leave's days (an external teacher, say,
who is not among the suggestions), or the plan ended from a day on.

    /plan                      the boards of the leave ahead whose lessons I arrange
    /plan 12                   leave #12's board
    /plan 12 2 许志强 12月7日~12月18日   its second weekly lesson, those days (default: the leave's)
    /plan 12 结束 12月14日       its plan ends from that day (default: today)
"""

from __future__ import annotations

from datetime import date

from telegram.ext import BaseHandler, CommandHandler

from bot.commands import ARRANGERS
from bot.texts import Safe
from handlers.core.colleagues import colleague_named
from handlers.core.turn import Turn, command
from handlers.cover.boards import load_kit
from handlers.cover.plans import arranges, end_from, first_index, give, plan_board
from rules.leave_dates import LeaveDateError, parse_day, parse_span
from rules.states import LeaveStatus
from storage.cover_plans import LeavePlan, approved_leaves_ahead, load_leave_plan
from storage.models import LeaveRequest
from storage.schedule import Kit
from storage.types import stored_id
from views.common import day_label, span_label
from views.cover_plan import weekly_label

# Boards /plan sends at once, the nearest leaves first.
MOST_BOARDS = 5
END_WORDS = ("结束", "end")


@command(where="private", roles=ARRANGERS)
async def cmd_plan(turn: Turn) -> None:
    """`/plan [leave number] [item name [days] | 结束 [day]]`: see the module's docstring."""
    school_id = turn.actor.school_id
    kit = await load_kit(turn, school_id) if school_id is not None else None
    if kit is None:
        turn.reply(turn.t("common.no_school"))
        return
    today = kit.today(turn.now)
    words = turn.args
    if not words:
        await _all_boards(turn, kit, today)
        return
    leave = await _leave_named(turn, words[0])
    if leave is None:
        turn.reply(turn.t("plan.bad_leave", value=words[0]))
        return
    plan = await load_leave_plan(session=turn.session, kit=kit, leave=leave, now=turn.now)
    me, admin = turn.actor.staff, turn.actor.is_admin
    if len(words) == 1:
        index = first_index(plan, me, kit, admin)
        if leave.status != LeaveStatus.APPROVED or index is None:
            turn.reply(turn.t("plan.bad_leave", value=words[0]))
            return
        text, markup = await plan_board(
            turn, kit, plan, index, turn.lang, person=me, is_admin=admin
        )
        turn.reply(text, markup)
    elif words[1].lower() in END_WORDS:
        await _end(turn, kit, leave, plan, words[2:], today)
    elif words[1].isdigit() and len(words) >= 3:
        await _give_typed(turn, kit, leave, plan, words[1:], today)
    else:
        turn.reply(turn.t("plan.usage"))


async def _end(
    turn: Turn, kit: Kit, leave: LeaveRequest, plan: LeavePlan, words: list[str], today: date
) -> None:
    me, admin = turn.actor.staff, turn.actor.is_admin
    if not any(arranges(me, kit, line, is_admin=admin) for line in plan.taken()):
        turn.reply(turn.t("plan.not_active"))
        return
    from_day = today
    if words:
        try:
            from_day = max(parse_day(" ".join(words), today), today)
        except LeaveDateError:
            turn.reply(turn.t("plan.bad_day", value=" ".join(words)))
            return
    count = await end_from(turn, kit, leave, from_day)
    if count is None:
        turn.reply(turn.t("plan.not_active"))
        return
    turn.reply(turn.t("plan.ended", day=day_label(turn.lang, from_day), count=count))


async def _give_typed(
    turn: Turn, kit: Kit, leave: LeaveRequest, plan: LeavePlan, words: list[str], today: date
) -> None:
    """`<item> <name> [days]`: the item-th weekly lesson to that colleague."""
    item, name, days = int(words[0][:6]), words[1], " ".join(words[2:])
    if leave.status != LeaveStatus.APPROVED or not 1 <= item <= len(plan.lines):
        turn.reply(turn.t("plan.bad_item", value=words[0], count=len(plan.lines)))
        return
    line = plan.lines[item - 1]
    if not arranges(turn.actor.staff, kit, line, is_admin=turn.actor.is_admin):
        await turn.audit("denied", command="/plan", subject_type="leave", subject_id=leave.id)
        turn.reply(turn.t("common.not_allowed"))
        return
    person, hint = await colleague_named(turn, leave.school_id, name)
    if person is None:
        turn.reply(turn.t("plan.bad_name", value=name) + hint)
        return
    first, last = max(leave.first_day, today), leave.last_day
    if days:
        try:
            asked_first, asked_last = parse_span(days, today)
        except LeaveDateError:
            turn.reply(turn.t("plan.bad_day", value=days))
            return
        first, last = max(first, asked_first), min(last, asked_last)
        if first > last:
            turn.reply(turn.t("plan.outside_leave", value=days))
            return
    given = await give(turn, kit, leave, line, person, (first, last))
    if given.refusal is not None:
        turn.reply(given.refusal)
        return
    turn.reply(
        turn.t(
            "plan.given",
            name=person.name,
            lesson=Safe(weekly_label(turn.lang, kit.names, line.lesson)),
            span=span_label(turn.lang, first, last),
            count=given.taken,
            kept=given.kept,
        )
    )


async def _leave_named(turn: Turn, word: str) -> LeaveRequest | None:
    number = word.lstrip("#＃")
    if not number.isdigit() or len(number) > 9:
        return None
    leave = await turn.session.get(LeaveRequest, int(number))
    if leave is None or leave.school_id != turn.actor.school_id:
        return None
    return leave


async def _all_boards(turn: Turn, kit: Kit, today: date) -> None:
    """The boards of the approved leave not over yet whose lessons the actor arranges."""
    me, admin = turn.actor.staff, turn.actor.is_admin
    sent = 0
    leaves = await approved_leaves_ahead(
        session=turn.session, school_id=stored_id(kit.school), today=today
    )
    for leave in leaves:
        plan = await load_leave_plan(session=turn.session, kit=kit, leave=leave, now=turn.now)
        index = first_index(plan, me, kit, admin)
        if index is None:
            continue
        text, markup = await plan_board(
            turn, kit, plan, index, turn.lang, person=me, is_admin=admin
        )
        turn.reply(text, markup)
        sent += 1
        if sent == MOST_BOARDS:
            break
    if not sent:
        turn.reply(turn.t("plan.none"))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("plan", cmd_plan)]
