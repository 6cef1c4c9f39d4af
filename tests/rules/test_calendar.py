"""School days from the State Council calendar and the school's own entries."""

from __future__ import annotations

from datetime import date, timedelta

from rules.calendar import CalendarData, DayKind, SchoolCalendar, Span, state_council_workday

SPRING_2026 = Span(date(2026, 2, 1), date(2026, 7, 10))
AUTUMN_2026 = Span(date(2026, 9, 1), date(2027, 1, 22))


def calendar(**extra: object) -> SchoolCalendar:
    data = CalendarData(terms=[SPRING_2026, AUTUMN_2026], **extra)  # type: ignore[arg-type]
    return SchoolCalendar(data)


def test_spring_festival_2026_is_not_school() -> None:
    cal = calendar()
    festival = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert [cal.is_school_day(d) for d in festival] == [False] * 9
    assert cal.status(date(2026, 2, 16)).kind == DayKind.HOLIDAY
    assert cal.is_school_day(date(2026, 2, 24))


def test_2026_make_up_working_days_are_school_days_inside_a_term() -> None:
    cal = calendar()
    for day in (
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ):
        status = cal.status(day)
        assert status.kind == DayKind.MAKEUP and status.is_school_day, day
        assert status.timetable_weekday is None  # not set yet: the admins are warned
    assert not cal.is_school_day(date(2026, 1, 4))  # a make-up day, but outside every term


def test_national_day_week_is_not_school() -> None:
    cal = calendar()
    assert not any(cal.is_school_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_school_day(date(2026, 10, 8))


def test_make_up_day_follows_the_weekday_the_admin_set() -> None:
    cal = calendar(makeups={date(2026, 10, 10): 5})
    status = cal.status(date(2026, 10, 10))
    assert status.timetable_weekday == 5
    assert cal.makeups_without_weekday(date(2026, 9, 1), date(2026, 10, 31)) == [date(2026, 9, 20)]


def test_closure_wins_over_a_working_day() -> None:
    cal = calendar(closures=[Span(date(2026, 12, 31), date(2026, 12, 31), "期末考试")])
    status = cal.status(date(2026, 12, 31))
    assert status.kind == DayKind.CLOSED and status.note == "期末考试"


def test_unknown_year_is_never_guessed() -> None:
    assert state_council_workday(date(2027, 1, 4)) is None
    cal = calendar()
    monday, saturday = cal.status(date(2027, 1, 4)), cal.status(date(2027, 1, 9))
    assert monday.is_school_day and not monday.state_calendar_known
    assert saturday.kind == DayKind.WEEKEND
    assert cal.unknown_years([date(2026, 12, 31), date(2027, 1, 4)]) == [2027]


def test_school_days_of_a_range_skip_weekends_and_holidays() -> None:
    cal = calendar()
    days = cal.school_days(date(2026, 9, 28), date(2026, 10, 11))
    assert days == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


def test_a_year_the_table_does_not_know_closes_the_days_the_law_gives() -> None:
    assert state_council_workday(date(2027, 1, 1)) is None  # really unknown, not patched
    cal = calendar()
    new_year = cal.status(date(2027, 1, 1))
    assert new_year.kind == DayKind.HOLIDAY and not new_year.is_school_day
    assert new_year.statutory == "new_year" and not new_year.state_calendar_known
    # The make-up working days of 2027 are not guessed: the weekend after stays a weekend.
    assert cal.status(date(2027, 1, 2)).kind == DayKind.WEEKEND
    assert cal.is_school_day(date(2027, 1, 4))
    # The school's own entry still wins: a make-up day it set is a school day.
    cal = calendar(makeups={date(2027, 1, 1): 5})
    assert cal.status(date(2027, 1, 1)).kind == DayKind.MAKEUP
