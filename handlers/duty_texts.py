"""How days, duty shifts and calendar entries read, for the commands and the scheduled pushes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.texts import Safe, escape, t
from rules.calendar import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ZH, DayKind, DayStatus
from rules.importing import CellError, parse_date
from rules.reach import OUT_OF_RANGE, out_of_range_values, within_reach
from storage.duty import DutyShift
from storage.models import School

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Past days are read too, so that a command can refuse them as past rather than as not a date.
_RELATIVE = {
    "前天": -2,
    "昨天": -1, "yesterday": -1, "昨日": -1,
    "今天": 0, "today": 0, "今日": 0,
    "明天": 1, "tomorrow": 1, "明日": 1,
    "后天": 2,
}  # fmt: skip
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")


def weekday_name(lang: str, weekday: int) -> str:
    return (WEEKDAY_NAMES_EN if lang == "en" else WEEKDAY_NAMES_ZH)[weekday - 1]


def day_label(lang: str, day: date) -> str:
    """11月26日 周四 / Thu 26 Nov."""
    weekday = weekday_name(lang, day.isoweekday())
    if lang == "en":
        return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]}"
    return f"{day.month}月{day.day}日 {weekday}"


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def school_today(school: School, now: datetime) -> date:
    return now.astimezone(ZoneInfo(school.timezone)).date()


def read_day(text: str, today: date) -> date:
    """A day as people type it: 2026-11-26, 11-26, 11月26日, 今天, 明天, 昨天 or tomorrow.

    A month and day without a year mean the next such day from today on. Raises CellError.
    """
    value = unicodedata.normalize("NFKC", text).strip().casefold()
    if value in _RELATIVE:
        return today + timedelta(days=_RELATIVE[value])
    match = _MONTH_DAY.match(value)
    if match:
        for year in (today.year, today.year + 1):
            try:
                day = date(year, int(match[1]), int(match[2]))
            except ValueError:
                break
            if day >= today:
                return day
        raise CellError("import.err.bad_date", value=text)
    return in_reach(parse_date(text), text, today)


def in_reach(day: date, text: str, today: date) -> date:
    """The day, unless it lies too far from today; raises CellError."""
    if not within_reach(day, today):
        raise CellError(OUT_OF_RANGE, **out_of_range_values(text, today))
    return day


def mention(name: str, telegram_id: int | None) -> Safe:
    """A name that notifies its owner in a group message, when we know their account."""
    if telegram_id is None:
        return Safe(f"<b>{escape(name)}</b>")
    return Safe(f'<a href="tg://user?id={telegram_id}">{escape(name)}</a>')


def who(lang: str, shift: DutyShift, *, notify: bool = False) -> Safe:
    if shift.staff_id is None:
        return t(lang, "duty.nobody")
    name = (
        mention(shift.name, shift.telegram_id) if notify else Safe(f"<b>{escape(shift.name)}</b>")
    )
    if shift.replaced and shift.regular_name:
        return t(lang, "duty.instead", who=name, regular=shift.regular_name)
    return name


def shift_line(lang: str, shift: DutyShift, *, notify: bool = False, gap: bool = False) -> Safe:
    """One post and who is on it; `gap`: its person is away then and nobody stands in yet."""
    return t(
        lang,
        "duty.line",
        start=hhmm(shift.starts_at),
        end=hhmm(shift.ends_at),
        post=shift.post,
        who=t(lang, "duty.needs_replacement", name=shift.name)
        if gap
        else who(lang, shift, notify=notify),
    )


def makeup_note(lang: str, status: DayStatus) -> Safe:
    """What a make-up working day follows, or an empty text on an ordinary day."""
    if status.kind != DayKind.MAKEUP or status.day.isoweekday() == status.timetable_weekday:
        return Safe("")
    if status.timetable_weekday is None:
        return t(lang, "duty.makeup_unset")
    return t(lang, "duty.makeup_note", weekday=weekday_name(lang, status.timetable_weekday))


def day_status_text(lang: str, status: DayStatus) -> Safe:
    """How /calendar describes a day."""
    if status.kind == DayKind.MAKEUP:
        if status.timetable_weekday is None:
            return t(lang, "cal.kind.makeup_unset")
        return t(lang, "cal.kind.makeup", weekday=weekday_name(lang, status.timetable_weekday))
    if status.kind == DayKind.HOLIDAY and status.statutory:
        holiday = t(lang, f"cal.holiday.{status.statutory}")
        return t(lang, "cal.kind.holiday_by_law", holiday=holiday)
    if status.kind == DayKind.CLOSED and status.note:
        return t(lang, "cal.kind.closed_note", note=status.note)
    return t(lang, f"cal.kind.{status.kind.value}")


def render_day(
    lang: str,
    status: DayStatus,
    shifts: list[DutyShift],
    *,
    title: str,
    notify: bool = False,
    gaps: Collection[int] = (),
) -> list[str]:
    """A heading and one line per post; posts in `gaps` (their person is on leave then) say a
    replacement is needed instead of naming the absent person as on duty."""
    lines = [
        t(lang, title, day=day_label(lang, status.day), note=makeup_note(lang, status)),
    ]
    lines += [shift_line(lang, s, notify=notify, gap=s.post_id in gaps) for s in shifts]
    return lines
