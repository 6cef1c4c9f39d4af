"""/today and /tomorrow show a person their day as it really runs; the buttons under it turn the
morning message off (or on again) and choose its time.

A day is one's own business: in the staff group the command is answered with one line and the
day itself goes to the private chat, as other commands that show personal things do.
"""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from handlers.core.turn import Turn, button, command
from jobs import kinds
from storage.my_day import load_day_book, my_day, preference, set_preference
from storage.types import stored_id
from views.duty import school_today
from views.my_day import (
    changed_text,
    day_message,
    preference_markup,
    time_choices,
    time_of,
)


@command(where="any", staff=True)
async def cmd_today(turn: Turn) -> None:
    """Today's lessons (after swaps and cover), duty, meetings and what waits on me."""
    await _show(turn, 0, "today")


@command(where="any", staff=True)
async def cmd_tomorrow(turn: Turn) -> None:
    """The same for tomorrow."""
    await _show(turn, 1, "tomorrow")


async def _show(turn: Turn, ahead: int, heading: str) -> None:
    school = turn.actor.school
    me = turn.actor.staff
    if school is None or me is None:
        turn.reply(turn.t("common.not_linked"))
        return
    today = school_today(school, turn.now)
    book = await load_day_book(
        session=turn.session,
        school=school,
        day=today + timedelta(days=ahead),
        today=today,
        now=turn.now,
    )
    pref = await preference(session=turn.session, staff_id=stored_id(me))
    text, markup = day_message(turn.lang, my_day(book, me), pref, heading=heading)
    if not turn.in_group:
        turn.reply(text, markup)
        return
    if turn.actor.telegram_id in turn.svc.dispatcher.unreachable:
        command_name = "today" if ahead == 0 else "tomorrow"
        turn.reply(
            turn.group_t("day.in_group_unreachable", command=command_name),
            turn.private_chat_button(),
        )
        return
    turn.out.send(turn.actor.telegram_id, text, markup)
    turn.reply(turn.group_t("day.in_group"), turn.private_chat_button())


@button()
async def on_day_button(turn: Turn) -> None:
    """off | on | time (show the choices) | at:<minutes> (choose one)."""
    me = turn.actor.staff
    pressed = turn.callback
    assert pressed is not None
    if me is None:  # only a staff member has a day; a system admin without a record has none
        await turn.deny_press("common.not_linked", button=pressed.action)
        return
    if callbacks.MY_DAY_TIMES.matches(pressed):
        text, markup = time_choices(
            turn.lang, await preference(session=turn.session, staff_id=stored_id(me))
        )
        turn.reply(text, markup)
        return
    if callbacks.MY_DAY_AT.matches(pressed):
        minutes = callbacks.MY_DAY_AT.field(pressed, "minutes")
        chosen = time_of(minutes) if minutes is not None else None
        if chosen is None:  # not one of the times offered
            await turn.refuse_press(reason="unknown_time", minutes=minutes)
            return
        pref = await set_preference(
            session=turn.session, staff=me, now=turn.now, send_at=chosen, off=False
        )
        turn.edit_origin(changed_text(turn.lang, pref))
    elif callbacks.MY_DAY_OFF.matches(pressed) or callbacks.MY_DAY_ON.matches(pressed):
        pref = await set_preference(
            session=turn.session, staff=me, now=turn.now, off=callbacks.MY_DAY_OFF.matches(pressed)
        )
        turn.reply(changed_text(turn.lang, pref), preference_markup(turn.lang, pref))
    else:
        await turn.refuse_press(reason="unknown_action", action=pressed.action)
        return
    await turn.audit("my_day_changed", at=f"{pref.send_at:%H:%M}", off=pref.off)
    await turn.schedule_changed(me.school_id, kinds.MY_DAYS)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("today", cmd_today),
        CommandHandler("tomorrow", cmd_tomorrow),
        CallbackQueryHandler(on_day_button, pattern=callbacks.MY_DAY.pattern),
    ]
