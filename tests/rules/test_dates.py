"""Reading a day as every command reads it (rules.dates)."""

from __future__ import annotations

from datetime import date

import pytest

from rules.dates import DateError, looks_like_date, read_day, read_span, take_day, take_span
from rules.reach import OUT_OF_RANGE

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("昨天", date(2026, 11, 24)),
        ("前天", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 24)),
        ("上周一", date(2026, 11, 16)),
        ("last fri", date(2026, 11, 20)),
        ("11-24", date(2026, 11, 24)),  # just gone: this year's, so that it reads as past
        ("9月1日", date(2026, 9, 1)),  # within 90 days back: still this year's
        ("8月1日", date(2027, 8, 1)),  # further back: next year's
        ("this fri", date(2026, 11, 27)),
    ],
)
def test_past_and_relative_days(text: str, day: date) -> None:
    assert read_day(text, TODAY) == day


def test_a_day_far_away_is_out_of_range_not_unknown() -> None:
    with pytest.raises(DateError) as far:
        read_day("9999-12-31", TODAY)
    assert far.value.key == OUT_OF_RANGE
    assert far.value.values["value"] == "9999-12-31"


@pytest.mark.parametrize("text", ["2026-02-30", "13月1日", "12-32"])
def test_a_date_that_does_not_exist_still_looks_like_one(text: str) -> None:
    assert read_day(text, TODAY) is None and looks_like_date(text)


@pytest.mark.parametrize("text", ["王晴晴", "15:30", "1.5h", "教研会"])
def test_other_words_are_not_dates(text: str) -> None:
    assert read_day(text, TODAY) is None and not looks_like_date(text)


def test_take_reads_the_longest_run_of_words_that_names_days() -> None:
    assert take_day(["next", "monday", "王晴晴"], TODAY) == (date(2026, 11, 30), 2)
    assert take_day(["明天", "王晴晴", "后天"], TODAY) == (date(2026, 11, 26), 1)
    assert take_day(["王晴晴"], TODAY) is None
    assert take_span(["12-08", "~", "12-10", "运动会"], TODAY) == (
        (date(2026, 12, 8), date(2026, 12, 10)),
        3,
    )
    assert read_span("12月8日-10日", TODAY) == (date(2026, 12, 8), date(2026, 12, 10))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("11月27日 周五", date(2026, 11, 27)),
        ("Fri 27 Nov", date(2026, 11, 27)),
        ("27 Nov", date(2026, 11, 27)),
        ("Nov 27", date(2026, 11, 27)),
        ("27 november", date(2026, 11, 27)),
        ("2 Jan", date(2027, 1, 2)),
    ],
)
def test_a_day_as_the_bot_writes_it_reads_back_as_that_day(text: str, day: date) -> None:
    assert read_span(text, TODAY) == (day, day)


def test_a_word_that_is_no_month_is_not_a_day() -> None:
    assert read_day("27 foo", TODAY) is None


@pytest.mark.parametrize("text", ["11月27日 周三", "Wed 27 Nov"])
def test_a_weekday_that_is_not_the_day_s_own_is_not_read_with_it(text: str) -> None:
    assert read_day(text, TODAY) is None
