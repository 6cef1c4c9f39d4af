"""Calendar feeds: `GET /calendar/<token>.ics`, the file `/calendar me` sends, for a phone's
calendar to subscribe to and refresh by itself.

Served by the bot's small web server (bot/health.py), whose port a reverse proxy reaches.
Every link that does not name a present person's current token (never made, replaced, of
someone who left, malformed) gets the same plain 404, so a wrong link tells nothing. The
server keeps no access log, and nothing here logs the path: the token is the secret.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from telegram.ext import Application

from bot.services import services_of
from handlers.core.actor import language_of
from handlers.day.calendar_feed import my_calendar
from storage.calendar_feeds import staff_of_feed
from storage.schools import school_by_id

log = logging.getLogger(__name__)

PATH = "/calendar/{name}"
SUFFIX = ".ics"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def not_found() -> web.Response:
    return web.Response(status=404, text="404: Not Found")


class Feeds:
    """Answers feed requests with the person's calendar as it is now."""

    def __init__(self, application: AnyApplication) -> None:
        self.application = application

    async def answer(self, request: web.Request) -> web.Response:
        name = request.match_info.get("name", "")
        if not name.endswith(SUFFIX):
            return not_found()
        svc = services_of(self.application)
        async with svc.sessions() as session:
            me = await staff_of_feed(session=session, token=name[: -len(SUFFIX)])
            school = (
                await school_by_id(session=session, school_id=me.school_id)
                if me is not None
                else None
            )
            if me is None or school is None or me.telegram_id is None:
                return not_found()
            # As the person's own answers are written: their staff record's language first.
            lang = me.language or await language_of(
                session=session, settings=svc.settings, telegram_id=me.telegram_id
            )
            made = await my_calendar(
                session=session, school=school, me=me, lang=lang, now=svc.clock.now()
            )
        return web.Response(
            body=made.data,
            content_type="text/calendar",
            charset="utf-8",
            headers={
                # A timetable is personal: no shared cache keeps a copy.
                "Cache-Control": "private, no-store",
                "Content-Disposition": f'inline; filename="staffroom-{made.first:%Y%m%d}.ics"',
            },
        )
