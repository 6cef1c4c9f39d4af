"""Which days are school days, and which weekday's timetable a day follows.

A school day is inside a term, a working day by the State Council calendar (including the
weekend make-up working days, 调休) and not closed by the school. For a year the State Council
calendar is not known yet, the days off the law itself gives (rules.statutory_holidays: 元旦,
春节, 清明, 劳动节, 端午, 中秋, 国庆) are holidays on top of an ordinary Monday to Friday week and
the school's own entries; the make-up working days (调休) of such a year are never guessed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar

from rules.statutory_holidays import statutory_holiday

WEEKDAY_NAMES_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAY_NAMES_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class DayKind(StrEnum):
    SCHOOL = "school"
    MAKEUP = "makeup"  # a weekend working day; follows the timetable of `timetable_weekday`
    HOLIDAY = "holiday"  # a State Council holiday on a weekday
    WEEKEND = "weekend"
    CLOSED = "closed"  # the school closed it (exams, events)
    OUTSIDE_TERM = "outside_term"


@dataclass(frozen=True)
class DayStatus:
    day: date
    kind: DayKind
    timetable_weekday: int | None = None  # ISO weekday whose timetable and duties apply
    note: str = ""
    state_calendar_known: bool = True
    # For a year the State Council table does not know: the holiday the law gives on this day
    # (a rules.statutory_holidays key), whatever the day's kind.
    statutory: str | None = None

    @property
    def is_school_day(self) -> bool:
        return self.kind in (DayKind.SCHOOL, DayKind.MAKEUP)


@dataclass(frozen=True)
class Span:
    start: date
    end: date
    note: str = ""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass
class CalendarData:
    """The school's own entries, as kept in its calendar table."""

    terms: list[Span] = field(default_factory=list)
    closures: list[Span] = field(default_factory=list)
    makeups: dict[date, int | None] = field(default_factory=dict)  # day -> ISO weekday or unset
    makeup_notes: dict[date, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=8192)
def state_council_workday(day: date) -> bool | None:
    """True/False from the State Council table, or None for a year it does not know.

    Cached: the table never changes while the program runs, and rotations and ranges ask about
    the same days over and over.
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


WorkdayOracle = Callable[[date], "bool | None"]


class SchoolCalendar:
    def __init__(self, data: CalendarData, workday: WorkdayOracle = state_council_workday) -> None:
        self.data = data
        self._workday = workday
        # Worked out once per day: a calendar is built from its data and then read many times
        # (a duty rotation counts the school days since the term began, for every day asked).
        self._statuses: dict[date, DayStatus] = {}

    def status(self, day: date) -> DayStatus:
        found = self._statuses.get(day)
        if found is None:
            found = self._statuses[day] = self._status(day)
        return found

    def _status(self, day: date) -> DayStatus:
        state = self._workday(day)
        known = state is not None
        weekend = day.isoweekday() >= 6
        statutory = None
        if state is None:
            statutory = statutory_holiday(day)
            state = not weekend and statutory is None
        for span in self.data.closures:
            if day in span:
                return DayStatus(
                    day,
                    DayKind.CLOSED,
                    note=span.note,
                    state_calendar_known=known,
                    statutory=statutory,
                )
        if not any(day in term for term in self.data.terms):
            return DayStatus(
                day, DayKind.OUTSIDE_TERM, state_calendar_known=known, statutory=statutory
            )
        if day in self.data.makeups:
            # The school's own entry names the weekday to follow; it also makes a working day
            # of a weekend the State Council table does not know about yet.
            return DayStatus(
                day,
                DayKind.MAKEUP,
                timetable_weekday=self.data.makeups[day],
                note=self.data.makeup_notes.get(day, ""),
                state_calendar_known=known,
                statutory=statutory,
            )
        if not state:
            kind = DayKind.WEEKEND if weekend else DayKind.HOLIDAY
            return DayStatus(day, kind, state_calendar_known=known, statutory=statutory)
        if weekend:
            return DayStatus(
                day, DayKind.MAKEUP, timetable_weekday=None, state_calendar_known=known
            )
        return DayStatus(day, DayKind.SCHOOL, day.isoweekday(), state_calendar_known=known)

    def is_school_day(self, day: date) -> bool:
        return self.status(day).is_school_day

    def days(self, start: date, end: date) -> Iterator[DayStatus]:
        day = start
        while day <= end:
            yield self.status(day)
            day += timedelta(days=1)

    def school_days(self, start: date, end: date) -> list[date]:
        return [s.day for s in self.days(start, end) if s.is_school_day]

    def makeups_without_weekday(self, start: date, end: date) -> list[date]:
        return [
            s.day
            for s in self.days(start, end)
            if s.kind == DayKind.MAKEUP and s.timetable_weekday is None
        ]

    def unknown_years(self, days: Iterable[date]) -> list[int]:
        return sorted({d.year for d in days if self._workday(d) is None})
