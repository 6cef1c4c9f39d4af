"""`/calendar me`: the coming four weeks of one's own lessons, duty posts and meetings as an .ics
file, imported into a phone's calendar by opening it. Lessons are as they run today (after
approved swaps and covers); a change later is picked up by sending the command again, and the
same ids update the entries a phone imported before.

Where the bot serves calendar feeds (bot/feed.py), the answer also holds the person's own
secret link, which a phone subscribes to and refreshes by itself; 换新链接 replaces it, and the
old link stops working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Attachment
from bot.texts import t
from handlers.core.turn import Turn, button
from rules.ics import IcsEvent, calendar
from storage.calendar_feeds import feed_token, renew_feed_token
from storage.models import School, Staff
from storage.my_day import load_day_book, my_day
from storage.types import stored_id
from views.common import day_label
from views.duty import school_today
from views.feed import feed_message
from views.my_day import calendar_events, plain

DAYS = 28  # four weeks from today


@dataclass(frozen=True)
class CalendarFile:
    data: bytes
    first: date
    last: date


async def my_calendar(
    *, session: AsyncSession, school: School, me: Staff, lang: str, now: datetime
) -> CalendarFile:
    """The person's four weeks from today, the same for the file and for the feed."""
    tz = ZoneInfo(school.timezone)
    today = school_today(school, now)
    events: list[IcsEvent] = []
    for offset in range(DAYS):
        book = await load_day_book(
            session=session, school=school, day=today + timedelta(days=offset), today=today
        )
        mine = my_day(book, me)
        if mine.school_day:
            events += calendar_events(lang, mine, tz, stored_id(me))
    data = calendar(plain(t(lang, "day.ics.name", name=me.name)), events, stamp=now)
    return CalendarFile(data, today, today + timedelta(days=DAYS - 1))


def feed_link(base: str, token: str) -> str:
    return f"{base}/calendar/{token}.ics"


async def send_my_calendar(turn: Turn) -> None:
    school, me = turn.actor.school, turn.actor.staff
    if school is None or me is None:
        turn.reply(turn.t("common.not_linked"))
        return
    if turn.in_group:
        turn.reply(turn.group_t("day.ics.private"), turn.private_chat_button())
        return
    made = await my_calendar(
        session=turn.session, school=school, me=me, lang=turn.lang, now=turn.now
    )
    caption = turn.t(
        "day.ics.caption",
        first=day_label(turn.lang, made.first),
        last=day_label(turn.lang, made.last),
    )
    name = f"staffroom-{made.first:%Y%m%d}.ics"
    turn.out.send(turn.chat_id, caption, attachment=Attachment(name, made.data))
    base = turn.svc.settings.feed_base_url
    if base is not None:
        token = await feed_token(session=turn.session, staff=me, now=turn.now)
        turn.reply(*feed_message(turn.lang, feed_link(base, token)))


@button()
async def on_new_link(turn: Turn) -> None:
    """换新链接: a new feed link for the presser; the old one answers nothing from now on."""
    me = turn.actor.staff
    base = turn.svc.settings.feed_base_url
    if me is None or base is None or turn.in_group:
        await turn.deny_press(button="feed:new")
        return
    token = await renew_feed_token(session=turn.session, staff=me, now=turn.now)
    await turn.audit("calendar_feed_renewed", subject_type="staff", subject_id=me.id)
    turn.toast(turn.t("feed.renewed_toast"))
    turn.edit_origin(*feed_message(turn.lang, feed_link(base, token), renewed=True))
