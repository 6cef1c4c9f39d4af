"""/unreachable: who on the staff list the bot cannot write to, for the admins.

A request or a cover board sent to someone who never linked a Telegram account, never started
the bot or blocked it goes nowhere; approvals already skip such people (they move up), but the
school should know them and ask them to open the bot.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram.ext import BaseHandler, CommandHandler

from bot.commands import ADMINS
from bot.texts import Safe
from handlers.core.turn import Turn, command
from storage.outbox import unreachable_since
from storage.staff import school_staff
from views.common import moment_label

# The list stays one message on a phone; a school with more is told how many are left out.
SHOWN = 40


@command(where="private", roles=ADMINS)
async def cmd_unreachable(turn: Turn) -> None:
    """Lists staff not linked to Telegram, and those whose chat refused the bot's messages."""
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.not_linked"))
        return
    staff = await school_staff(session=turn.session, school_id=school_id)
    refused = await unreachable_since(session=turn.session)
    school = turn.actor.school
    tz = ZoneInfo(school.timezone) if school is not None else turn.svc.settings.timezone
    lines: list[str] = []
    for person in staff:
        # An external teacher (外聘) is marked: often the one the office has to chase.
        name = person.name + (turn.t("reach.external_mark") if person.external else "")
        if person.telegram_id is None:
            lines.append(turn.t("reach.not_linked", name=name))
        elif person.telegram_id in refused:
            since, _ = refused[person.telegram_id]
            when = moment_label(turn.lang, since.astimezone(tz))
            lines.append(turn.t("reach.refused", name=name, since=when))
    if not lines:
        turn.reply(turn.t("reach.everyone"))
        return
    more = len(lines) - SHOWN
    body = "\n".join(lines[:SHOWN]) + ("\n" + turn.t("reach.more", count=more) if more > 0 else "")
    turn.reply(turn.t("reach.list", count=len(lines), lines=Safe(body)))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("unreachable", cmd_unreachable)]
