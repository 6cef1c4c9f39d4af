"""`/calendar me`: the coming four weeks of one's own lessons, duty posts and meetings as an .ics
file, imported into a phone's calendar by opening it. Lessons are as they run today (after
approved swaps and covers); a change later is picked up by sending the command again, and the
same ids update the entries a phone imported before."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.messages import Attachment
from handlers.core.turn import Turn
from rules.ics import IcsEvent, calendar
from storage.my_day import load_day_book, my_day
from storage.types import stored_id
from views.common import day_label
from views.duty import school_today
from views.my_day import calendar_events, plain

DAYS = 28  # four weeks from today


async def send_my_calendar(turn: Turn) -> None:
    school, me = turn.actor.school, turn.actor.staff
    if school is None or me is None:
        turn.reply(turn.t("common.not_linked"))
        return
    if turn.in_group:
        turn.reply(turn.group_t("day.ics.private"), turn.private_chat_button())
        return
    tz = ZoneInfo(school.timezone)
    today = school_today(school, turn.now)
    last = today + timedelta(days=DAYS - 1)
    events: list[IcsEvent] = []
    for offset in range(DAYS):
        book = await load_day_book(
            session=turn.session, school=school, day=today + timedelta(days=offset), today=today
        )
        mine = my_day(book, me)
        if mine.school_day:
            events += calendar_events(turn.lang, mine, tz, stored_id(me))
    data = calendar(plain(turn.t("day.ics.name", name=me.name)), events, stamp=turn.now)
    caption = turn.t(
        "day.ics.caption", first=day_label(turn.lang, today), last=day_label(turn.lang, last)
    )
    name = f"staffroom-{today:%Y%m%d}.ics"
    turn.out.send(turn.chat_id, caption, attachment=Attachment(name, data))
