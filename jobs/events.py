"""Event pushes: the reminder the day before, the one 30 minutes before with the check-in
button, and the Monday summary of the week's meetings and training; and how events read.

Each reminder is a slot of its own per event and date, so the push ledger sends it once even
when two bot processes run, and a cancelled date or event is checked again at sending time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.texts import split_message, t
from jobs import kinds, registry
from jobs.delivery import send_to_staff_groups
from jobs.registry import DayContext, PushContext, PushKind, Slot
from rules.events import (
    REMINDER_BEFORE,
    Audience,
    checkin_window,
    ends_at,
    occurs_on,
    starts_at,
)
from rules.training import format_hours
from storage.calendar import school_calendar
from storage.events import (
    audience_members,
    event_in_school,
    occurrences_between,
    spec_and_calendar,
)
from storage.models import Event
from storage.types import stored_id
from views.common import day_label
from views.events import audience_label, checkin_markup, mention_lines

EVE = kinds.EVENT_EVE
SOON = kinds.EVENT_SOON
WEEK = kinds.EVENT_WEEK


def soon_slot(event: Event, day: date, tz: Any) -> Slot:
    """The 30-minutes-before reminder of one date (also sent at once for a late-added event)."""
    begin = starts_at(day, event.starts_at, tz)
    return Slot(SOON, f"e{event.id}", begin - REMINDER_BEFORE, day.isoformat())


async def _taking_place(ctx: DayContext, day: date) -> list[tuple[Event, date]]:
    """The events of `day` (a day planned, or the one after it, for the eve's reminder)."""
    first, last = ctx.days

    async def read() -> list[tuple[Event, date]]:
        school_id = stored_id(ctx.school)
        calendar = await school_calendar(session=ctx.session, school_id=school_id)
        return await occurrences_between(
            session=ctx.session,
            school_id=school_id,
            calendar=calendar,
            start=first,
            end=last + timedelta(days=1),
        )

    return [(event, on) for event, on in await ctx.once_for_days("events", read) if on == day]


async def plan_eve(ctx: DayContext) -> list[Slot]:
    """At events.reminder_time, one reminder for each event taking place tomorrow."""
    tomorrow = ctx.day + timedelta(days=1)
    at = registry.at_local(ctx.day, ctx.policies.get("events.reminder_time"), ctx.tz)
    found = await _taking_place(ctx, tomorrow)
    return [Slot(EVE, f"e{event.id}", at, tomorrow.isoformat()) for event, _ in found]


async def plan_soon(ctx: DayContext) -> list[Slot]:
    """Thirty minutes before each event of the day, the reminder with the check-in button."""
    return [soon_slot(event, day, ctx.tz) for event, day in await _taking_place(ctx, ctx.day)]


async def _still_on(ctx: PushContext) -> tuple[Event, date] | None:
    """The slot's event and date, if the event was not cancelled since the plan was made."""
    try:
        event_id = int(ctx.slot.target.removeprefix("e"))
        day = date.fromisoformat(ctx.slot.key)
    except ValueError:
        return None
    event = await event_in_school(
        session=ctx.session, school_id=stored_id(ctx.school), event_id=event_id
    )
    if event is None:
        return None
    spec, calendar = await spec_and_calendar(session=ctx.session, event=event)
    return (event, day) if occurs_on(spec, day, calendar) else None


async def _remind(ctx: PushContext, key: str, with_button: bool) -> bool:
    found = await _still_on(ctx)
    if found is None:
        return False
    event, day = found
    lang = ctx.services.settings.default_language
    begin = starts_at(day, event.starts_at, ZoneInfo(ctx.school.timezone))
    opens, closes = checkin_window(begin)
    members = await audience_members(
        session=ctx.session,
        school_id=event.school_id,
        audience=Audience.decode(event.audience),
        on=day,
    )
    lines = [
        t(
            lang,
            key,
            title=event.title,
            day=day_label(lang, day),
            start=f"{begin:%H:%M}",
            end=f"{ends_at(begin, event.hours_tenths):%H:%M}",
            audience=audience_label(lang, Audience.decode(event.audience)),
            hours=format_hours(event.hours_tenths),
            opens=f"{opens:%H:%M}",
            closes=f"{closes:%H:%M}",
        ),
        *mention_lines(members),
    ]
    markup = checkin_markup(lang, stored_id(event), day) if with_button else None
    sent = await send_to_staff_groups(
        ctx.bot,
        ctx.session,
        event.school_id,
        list(split_message(lines)),
        markup,
        thread_id=ctx.policies.topic("notices"),
    )
    return sent > 0


async def send_eve(ctx: PushContext) -> bool:
    return await _remind(ctx, "event.remind_eve", with_button=False)


async def send_soon(ctx: PushContext) -> bool:
    return await _remind(ctx, "event.remind_soon", with_button=True)


async def send_week(ctx: PushContext) -> bool:
    """The week's meetings and training, Monday to Sunday; nothing when there are none."""
    monday = ctx.day - timedelta(days=ctx.day.isoweekday() - 1)
    sunday = monday + timedelta(days=6)
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    found = await occurrences_between(
        session=ctx.session,
        school_id=stored_id(ctx.school),
        calendar=calendar,
        start=monday,
        end=sunday,
    )
    if not found:
        return False
    lang = ctx.services.settings.default_language
    lines = [
        t(lang, "event.week_title", start=day_label(lang, monday), end=day_label(lang, sunday))
    ]
    for event, day in found:
        begin = datetime.combine(day, event.starts_at)
        lines.append(
            t(
                lang,
                "event.week_line",
                day=day_label(lang, day),
                start=f"{begin:%H:%M}",
                end=f"{ends_at(begin, event.hours_tenths):%H:%M}",
                title=event.title,
                audience=audience_label(lang, Audience.decode(event.audience)),
                hours=format_hours(event.hours_tenths),
            )
        )
    texts = list(split_message(lines))
    thread = ctx.policies.topic("notices")
    school_id = stored_id(ctx.school)
    return await send_to_staff_groups(ctx.bot, ctx.session, school_id, texts, thread_id=thread) > 0


def push_kinds() -> list[PushKind]:
    return [
        PushKind(EVE, plan_eve, send_eve),
        PushKind(SOON, plan_soon, send_soon),
        PushKind(
            WEEK,
            registry.daily_slot(
                WEEK, "events.week_summary_time", school_days_only=False, weekdays=frozenset({1})
            ),
            send_week,
        ),
    ]
