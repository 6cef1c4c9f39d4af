"""/calendar: the next two weeks for all staff; terms, closures and make-up days for admins."""

from __future__ import annotations

from datetime import date, timedelta

from telegram.ext import BaseHandler, CommandHandler

from bot.texts import split_message
from handlers.core.turn import Turn, command
from handlers.day.calendar_feed import send_my_calendar
from rules import dates
from rules.calendar import DayKind, SchoolCalendar
from rules.import_calendar import MAX_NOTE, parse_makeup_weekday
from rules.importing import CellError
from storage.calendar import school_calendar
from storage.calendar_entries import (
    TermOverlap,
    remove_entries,
    set_closure,
    set_makeup,
    set_term,
)
from views.common import day_label, localised, span_label, weekday_name
from views.duty import (
    day_status_text,
    school_today,
    take_day,
)
from views.leave import swap_line

VIEW_DAYS = 14
ADMIN_ACTIONS = {
    "term": "term",
    "学期": "term",
    "closed": "closed",
    "close": "closed",
    "停课": "closed",
    "放假": "closed",
    "makeup": "makeup",
    "调休": "makeup",
    "补班": "makeup",
    "remove": "remove",
    "delete": "remove",
    "删除": "remove",
}


class Refused(Exception):
    """A typed value we cannot use; carries the catalogue text to answer with."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def _day(words: list[str], today: date) -> tuple[date, int]:
    """The day the first words name (明天, next saturday) and how many words it took."""
    try:
        return take_day(words, today)
    except CellError as exc:
        raise Refused(exc.key, **exc.values) from exc


def _span(words: list[str], today: date) -> tuple[date, date, list[str]]:
    """A day, a range (12月31日~1月1日, 2026-12-31~2027-01-01) or two days, and the words after."""
    if not words:
        raise Refused("cal.usage")
    try:
        found = dates.take_span(words, today)
        if found is None:
            raise Refused("import.err.bad_date", value=words[0])
        (start, end), used = found
        rest = words[used:]
        if start == end and rest:
            second = dates.take_day(rest, today)
            if second is not None:
                end, rest = second[0], rest[second[1] :]
    except dates.DateError as exc:
        raise Refused(exc.key, **exc.values) from exc
    if end < start:
        raise Refused("import.err.range_backwards", start=start, end=end)
    return start, end, rest


# `/calendar me`: one's own four weeks as an .ics file (handlers/day/calendar_feed.py).
MY_CALENDAR = ("me", "我", "我的")


@command(where="any", staff=True)
async def cmd_calendar(turn: Turn) -> None:
    """Shows the next 14 days, or an admin's `/calendar term|closed|makeup|remove …` change."""
    school = turn.actor.school
    if school is None or school.id is None:
        turn.reply(turn.t("common.no_school"))
        return
    words = turn.args
    if words and words[0].casefold() in MY_CALENDAR:
        await send_my_calendar(turn)
        return
    action = ADMIN_ACTIONS.get(words[0].casefold()) if words else None
    if words and action is None:
        turn.reply(turn.t("cal.unknown_action", word=words[0][:20]))
        _reply_usage(turn)
        return
    if action is None:
        await _show(turn, school.id)
        return
    if not turn.actor.is_admin:
        await turn.audit("denied", command="/calendar", change=action)
        turn.reply(turn.t("common.not_allowed"))
        return
    today = school_today(school, turn.now)
    try:
        changed = await _change(turn, school.id, action, words[1:], today)
    except Refused as refused:
        turn.reply(turn.t(refused.key, **localised(turn.lang, refused.values)))
        if refused.key == "cal.usage":
            _reply_usage(turn)
        return
    if changed:
        await turn.schedule_changed(school.id)


def _reply_usage(turn: Turn) -> None:
    turn.reply(turn.t("cal.admin_usage"))


async def _show(turn: Turn, school_id: int) -> None:
    school = turn.actor.school
    assert school is not None
    today = school_today(school, turn.now)
    calendar = await school_calendar(session=turn.session, school_id=school_id)
    end = today + timedelta(days=VIEW_DAYS - 1)
    lines: list[str] = [
        turn.t("cal.title", start=day_label(turn.lang, today), end=day_label(turn.lang, end))
    ]
    for status in calendar.days(today, end):
        mark = "✅" if status.is_school_day else "▫️"
        line = turn.t(
            "cal.line",
            mark=mark,
            day=day_label(turn.lang, status.day),
            status=day_status_text(turn.lang, status),
        )
        lines.append(f"<b>{line}</b>" if status.day == today else line)
    terms = [s for s in calendar.data.terms if s.end >= today]
    lines.append("")
    if terms:
        spans = turn.t("common.list_sep").join(span_label(turn.lang, s.start, s.end) for s in terms)
        lines.append(turn.t("cal.terms", terms=spans))
    else:
        lines.append(turn.t("cal.no_terms"))
    unknown = calendar.unknown_years(status.day for status in calendar.days(today, end))
    if unknown:
        lines.append(turn.t("cal.unknown_year", years="、".join(map(str, unknown))))
    if turn.actor.is_admin:
        lines.append("")
        lines.append(turn.t("cal.admin_usage"))
    for chunk in split_message(lines):
        turn.reply(chunk)


async def _close_days(turn: Turn, school_id: int, first: date, last: date) -> list[str]:
    """What a closure undoes: the cover asked for on those days, and the approved swaps that
    would move a lesson onto them. Returns what the admin is told of it."""
    # Imported here: the cover feature imports this package (group topics) as it loads.
    from handlers.cover.boards import load_kit
    from handlers.cover.closures import release_closed_days
    from handlers.swap.cancel import cancel_on_closed_days

    kit = await load_kit(turn, school_id)
    if kit is None:
        return []
    lines: list[str] = []
    released = await release_closed_days(turn, kit, first, last)
    if released:
        lines.append(turn.t("cal.closed_covers_released", count=len(released)))
    cancelled, left = await cancel_on_closed_days(turn, kit, first, last)
    for key, swaps in (("cal.closed_swaps_cancelled", cancelled), ("cal.closed_swaps_left", left)):
        if swaps:
            lines.append(turn.t(key, count=len(swaps)))
            lines += ["· " + swap_line(turn.lang, kit.names, kit.schedule, s) for s in swaps]
    return lines


async def _change(turn: Turn, school_id: int, action: str, words: list[str], today: date) -> bool:
    """Applies one change and answers it; True when the calendar changed."""
    session = turn.session
    if action == "remove":
        if not words:
            raise Refused("cal.usage")
        day = _day(words, today)[0]
        removed = await remove_entries(session=session, school_id=school_id, start=day)
        if not removed:
            turn.reply(turn.t("cal.nothing_removed", day=day_label(turn.lang, day)))
            return False
        kinds = turn.t("common.list_sep").join(turn.t(f"cal.entry.{e.kind}") for e in removed)
        await turn.audit("calendar_removed", day=day.isoformat(), kinds=[e.kind for e in removed])
        turn.reply(turn.t("cal.removed", day=day_label(turn.lang, day), entries=kinds))
        return True
    if action == "term":
        start, end, _ = _span(words, today)
        if start == end:
            raise Refused("cal.term_needs_end")
        try:
            _, created = await set_term(session=session, school_id=school_id, start=start, end=end)
        except TermOverlap as overlap:
            other = overlap.other
            raise Refused(
                "cal.term_overlap",
                start=day_label(turn.lang, other.start_date),
                end=day_label(turn.lang, other.end_date),
                iso=other.start_date.isoformat(),
            ) from overlap
        await turn.audit("calendar_term", start=start.isoformat(), end=end.isoformat())
        turn.reply(
            turn.t(
                "cal.term_set" if created else "cal.term_moved",
                start=day_label(turn.lang, start),
                end=day_label(turn.lang, end),
            )
        )
        return True
    if action == "closed":
        start, end, rest = _span(words, today)
        note = " ".join(rest)
        if len(note) > MAX_NOTE:
            raise Refused("common.too_long", limit=MAX_NOTE)
        await set_closure(session=session, school_id=school_id, start=start, end=end, note=note)
        await turn.audit("calendar_closed", start=start.isoformat(), end=end.isoformat(), note=note)
        span = span_label(turn.lang, start, end)
        lines: list[str] = [turn.t("cal.closed_set", span=span, note=note or "—")]
        lines += await _close_days(turn, school_id, start, end)
        for chunk in split_message(lines):
            turn.reply(chunk)
        return True
    # makeup
    if not words:
        raise Refused("cal.usage")
    day, used = _day(words, today)
    weekday = None
    if len(words) > used:
        try:
            weekday = parse_makeup_weekday(words[used])
        except CellError as exc:
            raise Refused(exc.key, **exc.values) from exc
    await set_makeup(session=session, school_id=school_id, day=day, weekday=weekday)
    await turn.audit("calendar_makeup", day=day.isoformat(), weekday=weekday)
    calendar = await school_calendar(session=session, school_id=school_id)
    label = day_label(turn.lang, day)
    if weekday is None:
        turn.reply(turn.t("cal.makeup_set_unset", day=label, iso=day.isoformat()))
    else:
        turn.reply(turn.t("cal.makeup_set", day=label, weekday=weekday_name(turn.lang, weekday)))
    _note_outside_term(turn, calendar, day)
    return True


def _note_outside_term(turn: Turn, calendar: SchoolCalendar, day: date) -> None:
    if calendar.status(day).kind == DayKind.OUTSIDE_TERM:
        turn.reply(turn.t("cal.outside_term_note"))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("calendar", cmd_calendar)]
