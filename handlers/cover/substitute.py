"""The substitute's side of cover: 我来 in the group, 收到 in private, and /covers, the
fairness ledger of who covered how much.

A lesson asked for in the group can end before anyone takes it: a 我来 then is refused, and the
group's post says the lesson is over instead of asking on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.texts import Safe, split_message, t
from handlers.core.turn import Turn, button, command
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import (
    default_lang,
    load_kit,
    need_for_press,
    over_text,
    refuse_over,
    tell_arrangers,
    tell_substitute,
    unavailable_text,
    update_slips,
)
from rules import dates
from rules.reach import OUT_OF_RANGE, out_of_range_values, within_reach
from rules.roles import GRADE_LEADER, OFFICE
from rules.states import CoverStatus
from storage.cover import (
    acknowledge,
    cover_counts,
    hold_school,
    load_cover_day,
    month_span,
    take_from_group,
    why_not,
)
from storage.cover_declines import forget_ask
from storage.models import CoverNeed
from storage.outbox import sent_about, sent_about_each
from storage.schedule import Kit
from storage.types import stored_id
from views.handover import taught_markup
from views.leave import need_label

ASK_ABOUT = "cover_ask"


@button()
async def on_volunteer(turn: Turn) -> None:
    """我来 in the group: the first eligible volunteer covers the lesson."""
    found = await need_for_press(turn)
    if found is None:
        return
    need, kit = found
    me = turn.actor.staff
    if me is None:
        await turn.deny_press(
            "common.not_linked", subject_type="cover_need", subject_id=need.id, button="cov:me"
        )
        return
    if need.status != CoverStatus.ASKING:
        key = (
            "cover.ask.taken"
            if need.status in (CoverStatus.ASSIGNED, CoverStatus.MERGED)
            else "cover.ask.closed"
        )
        turn.toast(turn.t(key, name=kit.names.person(need.substitute_id)), alert=True)
        turn.edit_origin(_group_closed_text(turn, kit, need))
        return
    if kit.lesson_over(need, turn.now):
        await refuse_over(turn, kit, need, "cover.over.volunteer")
        turn.edit_origin(_group_closed_text(turn, kit, need))
        return
    await hold_school(session=turn.session, school_id=need.school_id)
    cover_day = await load_cover_day(
        session=turn.session, school_id=need.school_id, day=need.day, schedule=kit.schedule
    )
    problem = why_not(need, stored_id(me), cover_day, kit.cap)
    if problem is not None:
        turn.toast(unavailable_text(turn, kit, cover_day, need, stored_id(me), problem), alert=True)
        return
    if not await take_from_group(
        session=turn.session, need=need, staff_id=stored_id(me), now=turn.now
    ):
        turn.toast(turn.t("cover.ask.taken", name=kit.names.person(need.substitute_id)), alert=True)
        turn.edit_origin(_group_closed_text(turn, kit, need))
        return
    await turn.audit("cover_volunteered", subject_type="cover_need", subject_id=need.id)
    turn.toast(turn.t("cover.ask.thanks"))
    turn.edit_origin(_group_closed_text(turn, kit, need))
    tell_substitute(turn, kit, need, ask_ack=False)
    await tell_arrangers(turn, kit, need, "cover.ask.taken_notice", name=me.name)
    redraw_copies(turn, kit, need.day, focus=need.id)
    update_slips(turn, kit, [need.day])


def ask_about(need: CoverNeed) -> str:
    """What the group's 我来 post for a lesson is kept under in the outbox."""
    return f"{ASK_ABOUT}:{need.id}"


async def close_group_asks(turn: Turn, need: CoverNeed) -> None:
    """The lesson was settled another way (an arranger's choice): each group post asking for it
    now says so, without its 我来 button."""
    posts = await sent_about(session=turn.session, about=ask_about(need))
    if not posts:
        return
    kit = await load_kit(turn, need.school_id)
    if kit is None:
        return
    text = _group_closed_text(turn, kit, need)
    for chat_id, message_id in posts:
        turn.out.edit(chat_id, message_id, text, school_id=need.school_id)


async def close_released_asks(
    turn: Turn, kit: Kit, needs: Sequence[CoverNeed], key: str = "cover.ask.released"
) -> None:
    """Lessons nobody needs to cover any more (their teacher's leave ended or was withdrawn;
    `key` says why): the group's posts about them, asking or thanking the volunteer, say so,
    so that the group does not read a cover that no longer holds."""
    by_about = {ask_about(need): need for need in needs}
    posts = await sent_about_each(session=turn.session, abouts=list(by_about))
    lang = default_lang(turn)
    for about, sent in posts.items():
        need = by_about[about]
        lesson = Safe(need_label(lang, kit.names, kit.schedule, need))
        text = t(lang, key, lesson=lesson, name=kit.names.person(need.absent_id))
        for chat_id, message_id in sent:
            turn.out.edit(chat_id, message_id, text, school_id=need.school_id)


def _group_closed_text(turn: Turn, kit: Kit, need: CoverNeed) -> str:
    lang = default_lang(turn)
    lesson = Safe(need_label(lang, kit.names, kit.schedule, need))
    if need.status in (CoverStatus.ASSIGNED, CoverStatus.MERGED):
        return t(lang, "cover.ask.done", lesson=lesson, name=kit.names.person(need.substitute_id))
    if need.status == CoverStatus.ASKING:
        # Still asked, and nobody came before the lesson ended.
        return over_text(lang, kit, need, "cover.ask.over")
    return t(lang, "cover.ask.withdrawn", lesson=lesson)


@button()
async def on_acknowledge(turn: Turn) -> None:
    """收到: the substitute confirms they will cover."""
    assert turn.callback is not None
    found = await need_for_press(turn)
    version = callbacks.COVER_ACKNOWLEDGE.field(turn.callback, "version")
    if found is None or version is None:
        return
    need, kit = found
    me = turn.actor.staff
    if me is None or (need.substitute_id != me.id and need.version == version):
        # Never this person's lesson to cover: a forwarded or forged button.
        await turn.deny_press(subject_type="cover_need", subject_id=need.id, button="cov:ok")
        return
    if (
        need.substitute_id != me.id
        or need.version != version
        or need.status != CoverStatus.ASSIGNED
    ):
        turn.toast(turn.t("cover.ack.changed"), alert=True)
        turn.edit_origin(
            turn.t(
                "cover.ack.outdated",
                lesson=Safe(need_label(turn.lang, kit.names, kit.schedule, need)),
            )
        )
        return
    lesson = Safe(need_label(turn.lang, kit.names, kit.schedule, need))
    if not await acknowledge(
        session=turn.session, need=need, version=version, staff_id=stored_id(me), now=turn.now
    ):
        turn.toast(turn.t("cover.ack.already"))
        turn.edit_origin(
            turn.t("cover.ack.done", lesson=lesson, teacher=kit.names.person(need.absent_id))
        )
        return
    await turn.audit("cover_acknowledged", subject_type="cover_need", subject_id=need.id)
    # 收到 ends a question 拒绝 asked, as it ends the dialogue: what is typed next is no reason.
    await forget_ask(session=turn.session, telegram_id=turn.actor.telegram_id)
    # 已上 stays under it, to press after the lesson.
    turn.edit_origin(
        turn.t("cover.ack.done", lesson=lesson, teacher=kit.names.person(need.absent_id)),
        taught_markup(turn.lang, stored_id(need)),
    )
    redraw_copies(turn, kit, need.day, focus=need.id)


_MONTH = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})月?$")


def _month_of(text: str, today: date) -> date | None:
    """12月, 2026-12, or any day as every command reads it (明天, 12月8日): its month."""
    if not text:
        return today.replace(day=1)
    match = _MONTH.match(text.strip())
    if match and 1 <= int(match[2]) <= 12:
        return date(int(match[1] or today.year), int(match[2]), 1)
    day = dates.read_day(text, today)  # raises DateError for a day too far away
    return day.replace(day=1) if day is not None else None


@command(where="private", staff=True)
async def cmd_covers(turn: Turn) -> None:
    """`/covers [month]`: cover counts per teacher; a teacher sees their own."""
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.no_school"))
        return
    kit = await load_kit(turn, school_id)
    assert kit is not None
    today = kit.today(turn.now)
    try:
        month = _month_of(turn.arg_text, today)
    except dates.DateError as problem:
        turn.reply(turn.t(problem.key, **problem.values))
        return
    if month is None:
        turn.reply(turn.t("cover.covers.bad_month", value=turn.arg_text))
        return
    if not within_reach(month, today.replace(day=1)):
        turn.reply(turn.t(OUT_OF_RANGE, **out_of_range_values(turn.arg_text, today)))
        return
    first, last = month_span(month)
    counts = await cover_counts(session=turn.session, school_id=school_id, first=first, last=last)
    label = turn.t("cover.covers.month", year=month.year, month=month.month)
    roles = turn.actor.roles
    sees_all = (
        turn.actor.is_admin
        or OFFICE in roles
        or (GRADE_LEADER in roles and kit.arranger_policy == "grade_leader")
    )
    if not sees_all:
        me = turn.actor.staff
        turn.reply(
            turn.t("cover.covers.mine", month=label, count=counts[me.id] if me and me.id else 0)
        )
        return
    if not counts:
        turn.reply(turn.t("cover.covers.none", month=label))
        return
    lines = [turn.t("cover.covers.title", month=label)]
    for staff_id, count in sorted(
        counts.items(), key=lambda item: (-item[1], kit.names.person(item[0]))
    ):
        lines.append(turn.t("cover.covers.line", name=kit.names.person(staff_id), count=count))
    for chunk in split_message(lines):
        turn.reply(chunk)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("covers", cmd_covers),
        CallbackQueryHandler(on_volunteer, pattern=callbacks.COVER_VOLUNTEER.pattern),
        CallbackQueryHandler(on_acknowledge, pattern=callbacks.COVER_ACKNOWLEDGE.pattern),
    ]
