"""Meetings and training as staff read them: an event's line, its audience and schedule, the
mentions of whoever must come, and the check-in button."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, escape, t
from rules.classnames import grade_word
from rules.events import (
    GRADE,
    SUBJECT,
    Audience,
    day_code,
    ends_at,
)
from rules.training import CATEGORY_CODES, format_hours
from storage.models import Event, Staff
from views.common import day_label, weekday_name

MENTIONS_PER_LINE = 10


# ---------------------------------------------------------------- how events read


def audience_label(lang: str, audience: Audience) -> Safe:
    if audience.kind == SUBJECT:
        return t(lang, "event.audience.subject", subject=audience.subject)
    if audience.kind == GRADE:
        name = str(audience.grade) if lang == "en" else grade_word(audience.grade)
        return t(lang, "event.audience.grade", name=name)
    return t(lang, "event.audience.all")


def category_label(lang: str, category: str) -> Safe:
    return t(lang, f"training.category.{CATEGORY_CODES.get(category, 'other')}")


def schedule_label(lang: str, event: Event) -> Safe:
    """每周三 15:30–17:00, or 2026-12-02（周三）14:00–16:00."""
    begin = datetime.combine(date(2000, 1, 3), event.starts_at)
    end = ends_at(begin, event.hours_tenths)
    times = f"{begin:%H:%M}–{end:%H:%M}"
    if event.on_date is not None:
        return t(lang, "event.once", day=day_label(lang, event.on_date), times=times)
    return t(lang, "event.weekly", weekday=weekday_name(lang, event.weekday or 1), times=times)


def event_line(lang: str, event: Event) -> Safe:
    """#3 教研会 · 每周三 15:30–17:00 · 1.5 学时 · 语文组 · 教研"""
    return t(
        lang,
        "event.line",
        id=event.id,
        title=event.title,
        schedule=schedule_label(lang, event),
        hours=format_hours(event.hours_tenths),
        audience=audience_label(lang, Audience.decode(event.audience)),
        category=category_label(lang, event.category),
    )


def mention(staff: Staff) -> str:
    """A mention that notifies linked staff; others are named."""
    if staff.telegram_id is None:
        return escape(staff.name)
    return f'<a href="tg://user?id={staff.telegram_id}">{escape(staff.name)}</a>'


def mention_lines(members: Iterable[Staff]) -> list[str]:
    people = [mention(s) for s in members]
    return [
        " ".join(people[i : i + MENTIONS_PER_LINE])
        for i in range(0, len(people), MENTIONS_PER_LINE)
    ]


def checkin_markup(lang: str, event_id: int, day: date) -> InlineKeyboardMarkup:
    data = callbacks.CHECK_IN.data(event_id, day_code(day))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "event.checkin_button"), callback_data=data)]]
    )


# ---------------------------------------------------------------- slots
