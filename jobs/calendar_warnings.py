"""Warnings to the admins about the calendar, planned on all seven days.

- A make-up working day within the next week that does not say whose weekday it follows (按周X):
  once per make-up day.
- A year the State Council table in the `chinese-calendar` package does not know yet, once the
  next 30 days reach into it: once per year. Until the package knows it, the days the law itself
  gives are closed (rules.statutory_holidays) and the warning lists them; the make-up working days
  cannot be worked out, so the admins are asked to enter them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

from bot.texts import Safe, t
from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from rules.statutory_holidays import holiday_spans
from storage.calendar import school_calendar
from storage.staff import admin_recipients
from storage.types import stored_id
from views.common import day_label, weekday_name

MAKEUP_UNSET = kinds.CALENDAR_MAKEUP_UNSET
UNKNOWN_YEAR = kinds.CALENDAR_UNKNOWN_YEAR
# Private notices to the admins at the start of an office day rather than at dawn.
WARNING_TIME = time(8, 0)
MAKEUP_NOTICE_DAYS = 7
UNKNOWN_YEAR_DAYS = 30


async def plan_makeup_warnings(ctx: DayContext) -> list[Slot]:
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    ahead = calendar.makeups_without_weekday(
        ctx.day + timedelta(days=1), ctx.day + timedelta(days=MAKEUP_NOTICE_DAYS)
    )
    at = at_local(ctx.day, WARNING_TIME, ctx.tz)
    return [Slot(MAKEUP_UNSET, "admins", at, day.isoformat()) for day in ahead]


async def makeup_warning_job(ctx: PushContext) -> bool:
    makeup = date.fromisoformat(ctx.slot.key)
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    if makeup not in calendar.makeups_without_weekday(makeup, makeup):
        return False  # set in the meantime, or no longer a make-up day
    return await _tell_admins(
        ctx,
        lambda lang: t(
            lang,
            "cal.warn_makeup",
            day=day_label(lang, makeup),
            iso=makeup.isoformat(),
            weekday=weekday_name(lang, makeup.isoweekday()),
        ),
    )


async def plan_unknown_year_warnings(ctx: DayContext) -> list[Slot]:
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    ahead = (ctx.day + timedelta(days=i) for i in range(UNKNOWN_YEAR_DAYS + 1))
    at = at_local(ctx.day, WARNING_TIME, ctx.tz)
    return [Slot(UNKNOWN_YEAR, "admins", at, str(year)) for year in calendar.unknown_years(ahead)]


async def unknown_year_job(ctx: PushContext) -> bool:
    year = int(ctx.slot.key)
    return await _tell_admins(
        ctx,
        lambda lang: t(
            lang, "cal.warn_unknown_year", year=year, holidays=law_holidays_text(lang, year)
        ),
    )


def law_holidays_text(lang: str, year: int) -> Safe:
    """元旦 1月1日 周五；春节 2月5日 周五–2月8日 周一；…"""
    parts = []
    for name, first, last in holiday_spans(year):
        # The warning names the year once; each day need not repeat it.
        days = day_label(lang, first, year=False)
        if last != first:
            days += "–" + day_label(lang, last, year=False)
        parts.append(t(lang, "cal.holiday.span", holiday=t(lang, f"cal.holiday.{name}"), days=days))
    return Safe(t(lang, "common.list_sep").join(parts))


async def _tell_admins(ctx: PushContext, text: Callable[[str], str]) -> bool:
    """Each admin in their own language; one blocked admin does not stop the others."""
    settings = ctx.services.settings
    sent = 0
    for telegram_id, lang in await admin_recipients(
        session=ctx.session,
        school_id=stored_id(ctx.school),
        system_admins=settings.bootstrap_admin_ids,
        default_language=settings.default_language,
    ):
        sent += await send_to_chat(ctx.bot, ctx.session, telegram_id, text(lang))
    return sent > 0


def push_kinds() -> list[PushKind]:
    return [
        PushKind(MAKEUP_UNSET, plan_makeup_warnings, makeup_warning_job),
        PushKind(UNKNOWN_YEAR, plan_unknown_year_warnings, unknown_year_job),
    ]
