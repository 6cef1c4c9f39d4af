"""The monthly cover statement: on the first school day of a month, at `cover.statement_time`,
last month's 代课统计 goes to the academic office (the admins when it has nobody reachable) as a
workbook, so the cover pay can be checked and paid against it. `cover.statement` turns it off."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Attachment
from bot.offload import off_loop
from bot.texts import t
from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from rules.report_requests import KINDS, Scope, previous_month
from rules.roles import OFFICE
from storage.calendar import school_calendar
from storage.homework import office_staff
from storage.reports import load_report
from storage.staff import school_admins
from storage.types import stored_id
from views.reports import ReportFile, render

STATEMENT = kinds.COVER_STATEMENT


async def plan_statement(ctx: DayContext) -> list[Slot]:
    """On the month's first school day, when the school wants the statement."""
    if not ctx.policies.get("cover.statement") or not ctx.status.is_school_day:
        return []
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    if calendar.school_days(ctx.day.replace(day=1), ctx.day - timedelta(days=1)):
        return []
    at = at_local(ctx.day, ctx.policies.get("cover.statement_time"), ctx.tz)
    return [Slot(STATEMENT, "office", at, f"{ctx.day:%Y-%m}")]


async def send_statement(ctx: PushContext) -> bool:
    """Last month's statement, in each reader's language; nothing when nobody covered."""
    school_id = stored_id(ctx.school)
    period = previous_month(ctx.day)
    report = await load_report(
        session=ctx.session,
        school_id=school_id,
        kind="cover",
        period=period,
        scope=Scope(KINDS),
        today=ctx.day,
    )
    if report.cover is None or not report.cover.teachers:
        return False
    recipients = [
        s
        for s in await office_staff(session=ctx.session, school_id=school_id)
        if OFFICE in s.role_set and s.telegram_id is not None
    ]
    if not recipients:
        recipients = await school_admins(session=ctx.session, school_id=school_id)
    default = ctx.services.settings.default_language
    made: dict[str, ReportFile] = {}
    sent = 0
    for person in recipients:
        if person.telegram_id is None:
            continue
        lang = person.language or default
        if lang not in made:
            made[lang] = await off_loop(render, lang, report)
        text = t(
            lang,
            "report.monthly",
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        )
        attachment = Attachment(made[lang].filename, made[lang].data)
        if await send_to_chat(
            ctx.bot, ctx.session, person.telegram_id, text, attachment=attachment
        ):
            sent += 1
    return sent > 0


def push_kinds() -> list[PushKind]:
    return [PushKind(STATEMENT, plan_statement, send_statement)]
