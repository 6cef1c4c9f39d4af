"""Meetings and training events: what an admin types, who is invited, and when they happen.

A weekly event (周三教研会, 周二观课议课, seeds 003 and 004) happens on its weekday in term
time, but not on a holiday or a day the school closed, nor on a date an admin cancelled; a
weekend inside the term is allowed, because some schools hold a Sunday staff meeting. A weekend
inside a State Council holiday (the National Day week) is skipped like the holiday. A one-off
event happens on its date, whatever the calendar says: the admin chose that day on purpose
(district training often falls in the holidays).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import chinese_calendar

from rules import dates
from rules.calendar import DayKind, SchoolCalendar
from rules.importing import CellError, parse_grade, parse_weekday
from rules.training import HoursError, looks_like_hours, parse_hours

MAX_TITLE = 50
# The length of an event typed without one: a meeting's usual hour, credited as 1 training hour.
DEFAULT_TENTHS = 10
EXAMPLE_START = "15:30"
MAX_SUBJECT = 16
# The reminder with the check-in button goes out 30 minutes before; check-in opens 15 minutes
# before the start and closes 30 minutes after it.
REMINDER_BEFORE = timedelta(minutes=30)
CHECKIN_OPENS_BEFORE = timedelta(minutes=15)
CHECKIN_CLOSES_AFTER = timedelta(minutes=30)
# How far ahead "next date" looks: past a summer holiday, not forever.
LOOKAHEAD_DAYS = 400
SKIPPED_DAYS = frozenset({DayKind.HOLIDAY, DayKind.CLOSED, DayKind.OUTSIDE_TERM})

ALL = "all"
SUBJECT = "subject"
GRADE = "grade"

_ALL_WORDS = frozenset(
    {"全体", "全体教师", "全体教职工", "全体老师", "全校", "全校教师", "所有人", "all", "everyone"}
)
_GRADE_WORD = re.compile(r"^((?:初|高)?[一二三四五六七八九十\d]{1,2})年级组?$|^grade(\d{1,2})$")
_GROUP_SUFFIX = re.compile(r"(教研组|备课组|学科组|组)$")
_WEEKDAY_WORD = re.compile(r"^每?(周|星期|礼拜)[一二三四五六日天1-7]$")
_WHICH_WEEK = frozenset({"next", "this", "last"})
_TIME_WORD = re.compile(r"^(\d{1,2}):(\d{2})$")


class EventError(ValueError):
    """Something typed that cannot be an event; `key` names the catalogue text."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def _norm(word: str) -> str:
    return unicodedata.normalize("NFKC", word).strip().casefold()


@dataclass(frozen=True)
class Audience:
    """Who an event is for: everyone, a subject group (语文组) or a grade group (三年级)."""

    kind: str = ALL
    subject: str = ""
    grade: int = 0

    def encode(self) -> str:
        if self.kind == SUBJECT:
            return f"{SUBJECT}:{self.subject}"
        if self.kind == GRADE:
            return f"{GRADE}:{self.grade}"
        return ALL

    @classmethod
    def decode(cls, text: str) -> Audience:
        kind, _, value = text.partition(":")
        if kind == SUBJECT and value:
            return cls(SUBJECT, subject=value)
        if kind == GRADE and value.isdigit():
            return cls(GRADE, grade=int(value))
        return cls()


EVERYONE = Audience()


def parse_audience(word: str) -> Audience | None:
    """全体 / all, 语文组 (also 语文教研组), 三年级 (also 3年级, 初一年级, grade3); else None."""
    value = _norm(word)
    if value in _ALL_WORDS:
        return EVERYONE
    grade = _GRADE_WORD.match(value)
    if grade is not None:
        try:
            return Audience(GRADE, grade=parse_grade(grade[1] or grade[2]))
        except CellError as exc:
            raise EventError("event.err.bad_grade", value=word) from exc
    suffix = _GROUP_SUFFIX.search(value)
    if suffix is not None:
        subject = unicodedata.normalize("NFKC", word).strip()[: suffix.start()]
        if not subject or len(subject) > MAX_SUBJECT:
            raise EventError("event.err.bad_group", value=word)
        return Audience(SUBJECT, subject=subject)
    return None


def parse_event_day(word: str, today: date) -> int | date | None:
    """An ISO weekday (周三, 每周三, Wed: a weekly event), a date as every command reads it
    (明天, 下周三, 12月2日, 12-02, 2026-12-02, next wed), or None.

    A bare number is never a day here: in a command it is the length in hours (1.5 is not 1月5日).
    """
    value = _norm(word)
    if _WEEKDAY_WORD.match(value) or (value.isalpha() and value.isascii()):
        try:
            return parse_weekday(value.removeprefix("每"))
        except CellError:
            pass
    if looks_like_hours(value):
        return None
    try:
        day = dates.read_day(value, today)
    except dates.DateError as exc:
        raise EventError(exc.key, **exc.values) from exc
    if day is None and dates.looks_like_date(value):
        raise EventError("event.err.bad_date", value=word)
    return day


def parse_event_time(word: str) -> time | None:
    match = _TIME_WORD.match(_norm(word))
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise EventError("event.err.bad_time", value=word)
    return time(hour, minute)


@dataclass(frozen=True)
class EventWords:
    """What `/event add` or `/event change` said; None where a part was not given."""

    weekday: int | None = None
    day: date | None = None
    start: time | None = None
    tenths: int | None = None
    audience: Audience | None = None
    title: str | None = None

    @property
    def empty(self) -> bool:
        return self == EventWords()


def _join_next(words: Iterable[str]) -> list[str]:
    """ "next wed", "this fri": two words that name one day, read as one."""
    joined: list[str] = []
    for word in words:
        if joined and _norm(joined[-1]) in _WHICH_WEEK and dates.weekday_of(word) is not None:
            joined[-1] = f"{joined[-1]} {word}"
        else:
            joined.append(word)
    return joined


def parse_event_words(words: Iterable[str], today: date) -> EventWords:
    """Reads the words in any order by their form: a weekday or date, a time, a number of hours,
    an audience; everything else is the title. Each part may be given once."""
    found: dict[str, Any] = {}  # each part as its parser read it
    title: list[str] = []

    def put(part: str, value: Any, word: str) -> None:
        if part in found:
            raise EventError("event.err.twice", word=word)
        found[part] = value

    for word in _join_next(words):
        when = parse_event_day(word, today)
        if when is not None:
            put("when", when, word)
            continue
        start = parse_event_time(word)
        if start is not None:
            put("start", start, word)
            continue
        if looks_like_hours(word):
            try:
                put("tenths", parse_hours(word), word)
            except HoursError as exc:
                raise EventError(exc.key, **exc.values) from exc
            continue
        audience = parse_audience(word)
        if audience is not None:
            put("audience", audience, word)
            continue
        title.append(word.strip())
    text = " ".join(w for w in title if w) or None
    if text is not None and len(text) > MAX_TITLE:
        raise EventError("event.err.title_long", limit=MAX_TITLE)
    when = found.get("when")
    return EventWords(
        weekday=when if isinstance(when, int) else None,
        day=when if isinstance(when, date) else None,
        start=found.get("start"),
        tenths=found.get("tenths"),
        audience=found.get("audience"),
        title=text,
    )


def missing_for_add(words: EventWords) -> list[str]:
    """The parts an event cannot do without (catalogue keys), in the order they are typed.

    The length is not one of them: a school office writes 周三 15:30 教研会 and means the usual
    hour (DEFAULT_TENTHS). The start time is: no default would be right for most schools.
    """
    missing = []
    if words.weekday is None and words.day is None:
        missing.append("event.part.when")
    if words.start is None:
        missing.append("event.part.start")
    if words.title is None:
        missing.append("event.part.title")
    return missing


def with_example_start(words: list[str], today: date) -> list[str] | None:
    """The admin's own words with a start time put after the day, to show how the command
    should have looked; None when no day was given."""
    for index, word in enumerate(words):
        try:
            when = parse_event_day(word, today)
        except EventError:
            return None
        if when is not None:
            return [*words[: index + 1], EXAMPLE_START, *words[index + 1 :]]
    return None


@dataclass(frozen=True)
class EventSpec:
    """A stored event as the occurrence rules need it."""

    id: int
    weekday: int | None  # ISO weekday of a weekly event
    day: date | None  # the date of a one-off event
    start: time
    tenths: int
    cancelled: frozenset[date] = frozenset()

    @property
    def recurring(self) -> bool:
        return self.day is None


def in_public_holiday(day: date) -> bool:
    """Whether a weekend day lies inside a named State Council holiday (the National Day week).

    The school calendar calls such a Sunday a plain weekend; a Sunday staff meeting in the middle
    of the Golden Week is still off. A year the table does not know has no named holidays.
    """
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return name is not None


def occurs_on(event: EventSpec, day: date, calendar: SchoolCalendar) -> bool:
    if day in event.cancelled:
        return False
    if event.day is not None:
        return day == event.day
    if day.isoweekday() != event.weekday:
        return False
    kind = calendar.status(day).kind
    if kind == DayKind.WEEKEND:
        return not in_public_holiday(day)
    return kind not in SKIPPED_DAYS


def occurrences(event: EventSpec, calendar: SchoolCalendar, start: date, end: date) -> list[date]:
    """The dates from `start` to `end` (inclusive) on which the event takes place."""
    if event.day is not None:
        return (
            [event.day]
            if start <= event.day <= end and occurs_on(event, event.day, calendar)
            else []
        )
    assert event.weekday is not None
    day = start + timedelta(days=(event.weekday - start.isoweekday()) % 7)
    found = []
    while day <= end:
        if occurs_on(event, day, calendar):
            found.append(day)
        day += timedelta(days=7)
    return found


def next_occurrence(event: EventSpec, calendar: SchoolCalendar, now: datetime) -> date | None:
    """The first date, today included when it has not started yet, or None within a year."""
    today = now.date()
    for day in occurrences(event, calendar, today, today + timedelta(days=LOOKAHEAD_DAYS)):
        if day > today or event.start >= now.time():
            return day
    return None


def starts_at(day: date, start: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, start, tzinfo=tz)


def ends_at(begin: datetime, tenths: int) -> datetime:
    return begin + timedelta(minutes=tenths * 6)


def checkin_window(begin: datetime) -> tuple[datetime, datetime]:
    """When the check-in button works: from 15 minutes before the start to 30 minutes after."""
    return begin - CHECKIN_OPENS_BEFORE, begin + CHECKIN_CLOSES_AFTER


def parse_id(word: str) -> int | None:
    """A record id typed as 3 or #3; None for anything else (or too long to be one)."""
    value = unicodedata.normalize("NFKC", word).strip().lstrip("#")
    return int(value) if value.isdigit() and len(value) < 10 else None


def day_code(day: date) -> int:
    """A date as the integer 20261125, for callback data (ids only)."""
    return day.year * 10000 + day.month * 100 + day.day


def day_from_code(code: int) -> date | None:
    try:
        return date(code // 10000, code // 100 % 100, code % 100)
    except ValueError:
        return None
