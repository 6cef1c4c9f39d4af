"""Events as typed by an admin, who they are for, and the dates they take place on."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from rules.calendar import CalendarData, SchoolCalendar, Span
from rules.events import (
    GRADE,
    SUBJECT,
    Audience,
    EventError,
    EventSpec,
    EventWords,
    checkin_window,
    day_code,
    day_from_code,
    missing_for_add,
    next_occurrence,
    occurrences,
    parse_audience,
    parse_event_day,
    parse_event_words,
    with_example_start,
)
from tests.conftest import SHANGHAI

TODAY = date(2026, 11, 25)  # a Wednesday
AUTUMN = Span(date(2026, 9, 1), date(2027, 1, 22))


def school_calendar(**extra: object) -> SchoolCalendar:
    return SchoolCalendar(CalendarData(terms=[AUTUMN], **extra))  # type: ignore[arg-type]


def weekly(weekday: int, *cancelled: date) -> EventSpec:
    return EventSpec(1, weekday, None, time(15, 30), 15, frozenset(cancelled))


def test_event_add_words_in_the_issues_examples() -> None:
    words = parse_event_words("周三 15:30 1.5 教研会 语文组".split(), TODAY)
    assert words == EventWords(
        weekday=3,
        start=time(15, 30),
        tenths=15,
        audience=Audience(SUBJECT, subject="语文"),
        title="教研会",
    )
    once = parse_event_words("2026-12-02 14:00 2 区级培训 全体".split(), TODAY)
    assert (once.day, once.start, once.tenths, once.audience, once.title) == (
        date(2026, 12, 2),
        time(14, 0),
        20,
        Audience(),
        "区级培训",
    )
    assert missing_for_add(words) == [] and missing_for_add(once) == []


def test_words_are_read_by_their_form_in_any_order() -> None:
    words = parse_event_words("全体 教师 例会 周日 19：00 １".split(), TODAY)
    assert (words.weekday, words.start, words.tenths, words.title) == (7, time(19), 10, "教师 例会")
    assert words.audience == Audience()
    grade = parse_event_words(["三年级", "Tue", "16:10", "1h", "观课议课"], TODAY)
    assert (grade.audience, grade.weekday, grade.tenths) == (Audience(GRADE, grade=3), 2, 10)


def test_a_change_names_only_what_changes() -> None:
    words = parse_event_words(["周四", "16:00"], TODAY)
    assert words == EventWords(weekday=4, start=time(16, 0))
    assert missing_for_add(words) == ["event.part.title"]
    assert parse_event_words([], TODAY).empty


def test_the_issues_short_examples_need_no_length_but_a_start() -> None:
    meeting = parse_event_words("周三 15:30 教研会 语文组".split(), TODAY)
    observation = parse_event_words("周二 观课议课".split(), TODAY)
    assert meeting.tenths is None and missing_for_add(meeting) == []
    assert missing_for_add(observation) == ["event.part.start"]
    assert with_example_start(["周二", "观课议课"], TODAY) == ["周二", "15:30", "观课议课"]
    assert with_example_start(["观课议课"], TODAY) is None


@pytest.mark.parametrize(
    ("word", "expected"),
    [("周三", 3), ("星期日", 7), ("每周二", 2), ("wed", 3), ("Friday", 5),
     ("今天", TODAY), ("明天", date(2026, 11, 26)), ("12-02", date(2026, 12, 2)),
     ("12月2日", date(2026, 12, 2)), ("3-1", date(2027, 3, 1)), ("2026/12/02", date(2026, 12, 2)),
     ("2", None), ("1.5", None), ("教研会", None), ("周三教研", None)],
)  # fmt: skip
def test_days_as_admins_type_them(word: str, expected: int | date | None) -> None:
    assert parse_event_day(word, TODAY) == expected


@pytest.mark.parametrize(
    ("word", "audience"),
    [("全体", Audience()), ("all", Audience()), ("语文组", Audience(SUBJECT, subject="语文")),
     ("数学教研组", Audience(SUBJECT, subject="数学")), ("3年级", Audience(GRADE, grade=3)),
     ("初一年级", Audience(GRADE, grade=7)), ("教研会", None)],
)  # fmt: skip
def test_audiences(word: str, audience: Audience | None) -> None:
    assert parse_audience(word) == audience
    if audience is not None:
        assert Audience.decode(audience.encode()) == audience


@pytest.mark.parametrize(
    ("words", "key"),
    [("周三 周四 15:30 1 会".split(), "event.err.twice"),
     ("周三 25:00 1 会".split(), "event.err.bad_time"),
     ("周三 15:30 1.25 会".split(), "hours.err.one_decimal"),
     ("周三 15:30 13 会".split(), "hours.err.range"),
     ("周三 15:30 0.4 会".split(), "hours.err.range"),
     ("2026-02-30 15:30 1 会".split(), "event.err.bad_date"),
     ("周三 15:30 1 会 十三年级".split(), "event.err.bad_grade"),
     (["周三", "15:30", "1", "会" * 51], "event.err.title_long")],
)  # fmt: skip
def test_clear_errors(words: list[str], key: str) -> None:
    with pytest.raises(EventError) as caught:
        parse_event_words(words, TODAY)
    assert caught.value.key == key


def test_weekly_event_on_school_days_skips_national_day_2026() -> None:
    calendar = school_calendar()
    found = occurrences(weekly(3), calendar, date(2026, 9, 20), date(2026, 10, 20))
    # Wednesday 7 October is inside the National Day holiday.
    assert found == [date(2026, 9, 23), date(2026, 9, 30), date(2026, 10, 14)]


def test_weekend_meeting_in_term_but_not_in_a_public_holiday() -> None:
    calendar = school_calendar()
    sundays = occurrences(weekly(7), calendar, date(2026, 9, 13), date(2026, 10, 18))
    # 20 Sep is a make-up working day; 27 Sep falls in the Mid-Autumn and 4 Oct in the National
    # Day holiday, though the school calendar calls both a plain weekend.
    assert sundays == [date(2026, 9, 13), date(2026, 9, 20), date(2026, 10, 11), date(2026, 10, 18)]


def test_closures_cancellations_and_the_term_end_stop_a_weekly_event() -> None:
    calendar = school_calendar(closures=[Span(date(2026, 12, 9), date(2026, 12, 9), "期中考试")])
    event = weekly(3, date(2026, 12, 16))
    found = occurrences(event, calendar, date(2026, 12, 1), date(2027, 2, 28))
    assert date(2026, 12, 9) not in found and date(2026, 12, 16) not in found
    assert found[:2] == [date(2026, 12, 2), date(2026, 12, 23)]
    assert found[-1] == date(2027, 1, 20)  # the last Wednesday of the term


def test_a_one_off_happens_on_its_date_even_in_the_holidays() -> None:
    calendar = school_calendar()
    summer = EventSpec(2, None, date(2027, 7, 15), time(9), 60)
    assert occurrences(summer, calendar, date(2027, 7, 1), date(2027, 7, 31)) == [summer.day]
    assert occurrences(summer, calendar, date(2027, 8, 1), date(2027, 8, 31)) == []
    cancelled = EventSpec(3, None, date(2026, 12, 2), time(14), 20, frozenset({date(2026, 12, 2)}))
    assert occurrences(cancelled, calendar, date(2026, 12, 1), date(2026, 12, 31)) == []


def test_next_occurrence_is_today_until_it_starts() -> None:
    calendar = school_calendar()
    morning = datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    evening = datetime(2026, 11, 25, 18, 0, tzinfo=SHANGHAI)
    assert next_occurrence(weekly(3), calendar, morning) == date(2026, 11, 25)
    assert next_occurrence(weekly(3), calendar, evening) == date(2026, 12, 2)
    # No term in the calendar: a weekly event has no date to take place on.
    assert next_occurrence(weekly(3), SchoolCalendar(CalendarData()), morning) is None


def test_checkin_window_and_day_codes() -> None:
    begin = datetime(2026, 11, 25, 15, 30, tzinfo=SHANGHAI)
    opens, closes = checkin_window(begin)
    assert (opens.time(), closes.time()) == (time(15, 15), time(16, 0))
    assert day_code(TODAY) == 20261125 and day_from_code(20261125) == TODAY
    assert day_from_code(20261341) is None


def test_a_day_that_next_year_lacks_or_a_year_far_away_is_refused() -> None:
    with pytest.raises(EventError) as leap:
        # Long past this year (read as next year's, which has none); a day just gone stays
        # this year's, so that it can be refused as past.
        parse_event_day("02-29", date(2028, 6, 1))
    with pytest.raises(EventError) as far:
        parse_event_day("9999-12-31", TODAY)
    assert leap.value.key == "event.err.bad_date"
    assert far.value.key == "common.date_out_of_range"
