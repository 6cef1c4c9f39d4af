"""Reading a day as teachers type it, the same in every command.

今天, 明天, 后天, 大后天, 昨天, 前天; 周四, 下周三, 本周五, 上周一; 11-27, 11/27, 11月27日,
2026-11-27, 2026年11月27日; and a range with ~, 至, 到 or - between two of those (11月27日-29日).
English: today, tomorrow, yesterday, thu, next wed, this fri, last mon, 8 Dec, Dec 8. A day as
the bot writes it (12月8日 周二, Tue 8 Dec) reads back as that day. Full-width digits and
signs are read as their ASCII twins. Past days are read too, so that a command that refuses the
past can say "已经过去" rather than "not understood". `today` always comes from the bot's clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta

from rules.reach import OUT_OF_RANGE, out_of_range_values, within_reach

# A month-day that lies further back than this is read as next year's (typed in December
# for January); anything closer stays this year, so a slip of the finger is caught as "past".
NEXT_YEAR_AFTER_DAYS = 90
# "next monday" is two words when a command splits on spaces; a range may be three.
MAX_WORDS = 3

_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_WEEKDAYS_EN = {
    "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5,
    "sat": 6, "saturday": 6, "sun": 7, "sunday": 7,
}  # fmt: skip
_RELATIVE = {
    "前天": -2,
    "昨天": -1, "昨日": -1, "yesterday": -1,
    "今天": 0, "今日": 0, "today": 0,
    "明天": 1, "明日": 1, "tomorrow": 1, "tmr": 1,
    "后天": 2, "dayaftertomorrow": 2,
    "大后天": 3,
}  # fmt: skip
_CN_WEEKDAY = re.compile(r"^(?P<when>下|本|这|上)?(?:周|星期|礼拜)(?P<day>[一二三四五六日天])$")
_EN_WEEKDAY = re.compile(r"^(?P<when>next|this|last)?(?P<day>[a-z]+)$")
_FULL_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})[日号]?$")
_DAY_ONLY = re.compile(r"^(\d{1,2})[日号]?$")
# As the bot writes a day, so it may be typed back: 12月8日 周二, Tue 8 Dec, 8 Dec, Dec 8.
# The weekday must be the day's own: "12月5日 周三" in `/calendar makeup` is a day and then the
# weekday whose timetable it follows.
_MONTH_DAY_WEEKDAY = re.compile(r"^(\d{1,2})月(\d{1,2})[日号](?:周|星期|礼拜)([一二三四五六日天])$")
_MONTHS_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_DAY_MONTH = re.compile(r"^(?:([a-z]{3,9}),?)?(\d{1,2})([a-z]{3})[a-z]*\.?$")
_EN_MONTH_DAY = re.compile(r"^([a-z]{3})[a-z]*\.?(\d{1,2})$")
_RANGE_WORDS = ("~", "至", "到", "—", "–", "to", "-")


class DateError(ValueError):
    """A day that was read but cannot be used; `key` + `values` for the reply."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def normalise(text: str) -> str:
    """NFKC (full-width digits and signs), lower case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def looks_like_date(text: str) -> bool:
    """Written like a date (2026-02-30, 13月1日) even if no such day exists: worth a
    "not a date" answer rather than being taken for a name or a title."""
    value = normalise(text)
    return bool(_FULL_DATE.match(value) or _MONTH_DAY.match(value))


def _next_weekday(today: date, weekday: int) -> date:
    """The next day with that weekday, today included (周三 typed on a Wednesday is today)."""
    return today + timedelta(days=(weekday - today.isoweekday()) % 7)


def _week_day(today: date, weekday: int, when: str | None, after: date | None) -> date:
    monday = today - timedelta(days=today.isoweekday() - 1)
    if when in ("下", "next"):
        return monday + timedelta(days=7 + weekday - 1)
    if when in ("上", "last"):
        return monday + timedelta(days=weekday - 1 - 7)
    if when in ("本", "这", "this"):
        return monday + timedelta(days=weekday - 1)
    return _next_weekday(after or today, weekday)


def _month_day(today: date, month: int, day: int) -> date | None:
    try:
        found = date(today.year, month, day)
    except ValueError:
        return None
    if found < today - timedelta(days=NEXT_YEAR_AFTER_DAYS):
        try:
            return date(today.year + 1, month, day)
        except ValueError:  # 29 February
            return None
    return found


def weekday_of(text: str) -> tuple[int, str | None] | None:
    """(ISO weekday, 下/本/上/next/this/last or None) when the text names a weekday."""
    value = normalise(text)
    match = _CN_WEEKDAY.match(value)
    if match:
        return _WEEKDAYS[match["day"]], match["when"]
    match = _EN_WEEKDAY.match(value)
    if match and match["day"] in _WEEKDAYS_EN:
        return _WEEKDAYS_EN[match["day"]], match["when"]
    return None


def read_day(text: str, today: date, after: date | None = None) -> date | None:
    """One day as typed, or None when it is not a day.

    A bare weekday is the next one from `after` (the start of a range: 周五-周一 runs over the
    weekend), else from today. A date far from today raises DateError(OUT_OF_RANGE).
    """
    value = normalise(text)
    if value in _RELATIVE:
        return today + timedelta(days=_RELATIVE[value])
    weekday = weekday_of(value)
    if weekday is not None:
        return _week_day(today, weekday[0], weekday[1], after)
    match = _FULL_DATE.match(value)
    if match:
        try:
            full = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        if not within_reach(full, today):
            # Refused here, before a range or a weekday after it is counted from it.
            raise DateError(OUT_OF_RANGE, **out_of_range_values(text, today))
        return full
    match = _MONTH_DAY.match(value)
    if match:
        return _month_day(today, int(match[1]), int(match[2]))
    match = _MONTH_DAY_WEEKDAY.match(value)
    if match:
        found = _month_day(today, int(match[1]), int(match[2]))
        return found if found and found.isoweekday() == _WEEKDAYS[match[3]] else None
    match = _EN_DAY_MONTH.match(value)
    if match and match[3] in _MONTHS_EN:
        found = _month_day(today, _MONTHS_EN.index(match[3]) + 1, int(match[2]))
        named = _WEEKDAYS_EN.get(match[1]) if match[1] else None
        if match[1] and named is None:
            return None
        return found if found and (named is None or found.isoweekday() == named) else None
    match = _EN_MONTH_DAY.match(value)
    if match and match[1] in _MONTHS_EN:
        return _month_day(today, _MONTHS_EN.index(match[1]) + 1, int(match[2]))
    return None


def _range_end(text: str, start: date, today: date) -> date | None:
    """The end of a range: a full day, or just the day of the month (11月27日-29日)."""
    found = read_day(text, today, after=start)
    if found is not None:
        return found
    match = _DAY_ONLY.match(text)
    if match:
        try:
            return start.replace(day=int(match[1]))
        except ValueError:
            return None
    return None


def read_span(text: str, today: date) -> tuple[date, date] | None:
    """A day or a range of days, or None when the text is neither."""
    value = normalise(text)
    single = read_day(value, today)
    if single is not None:
        return single, single
    for word in _RANGE_WORDS:
        position = value.find(word, 1)
        while position > 0:
            start = read_day(value[:position], today)
            if start is not None:
                end = _range_end(value[position + len(word) :], start, today)
                if end is not None:
                    return start, end
            position = value.find(word, position + 1)
    return None


def take_span(words: Sequence[str], today: date) -> tuple[tuple[date, date], int] | None:
    """The days the first words name, and how many words they took: the longest run that reads
    as a day or a range ("next monday", "12-08 ~ 12-10"), or None."""
    for count in range(min(len(words), MAX_WORDS), 0, -1):
        span = read_span("".join(words[:count]), today)
        if span is not None:
            return span, count
    return None


def take_day(words: Sequence[str], today: date) -> tuple[date, int] | None:
    """One day the first words name ("明天", "next monday"), and how many words it took."""
    for count in range(min(len(words), MAX_WORDS), 0, -1):
        day = read_day("".join(words[:count]), today)
        if day is not None:
            return day, count
    return None
