"""Training hours: exact decimals, the training year and the pace to the yearly target."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from rules.training import (
    HoursError,
    behind_pace,
    format_hours,
    guess_category,
    pace,
    parse_hours,
    split_title,
    training_year,
)


@pytest.mark.parametrize(
    ("text", "tenths"),
    [("1.5", 15), ("2", 20), ("0.5", 5), ("12", 120), ("1.50", 15), ("３", 30), ("1.5h", 15),
     ("2小时", 20), ("2学时", 20), ("１．５", 15)],
)  # fmt: skip
def test_hours_are_stored_as_exact_tenths(text: str, tenths: int) -> None:
    assert parse_hours(text) == tenths


@pytest.mark.parametrize(
    ("text", "key"),
    [("0.4", "hours.err.range"), ("12.5", "hours.err.range"), ("0", "hours.err.range"),
     ("1.25", "hours.err.one_decimal"), ("abc", "hours.err.not_a_number"),
     ("-1", "hours.err.not_a_number")],
)  # fmt: skip
def test_hours_out_of_bounds_say_why(text: str, key: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    assert caught.value.key == key


def test_hours_read_back_without_float_noise() -> None:
    assert [format_hours(t) for t in (15, 20, 905, 1)] == ["1.5", "2", "90.5", "0.1"]
    # 0.1 + 0.2 is not 0.3 in floating point; tenths add up exactly.
    assert sum(parse_hours(h) for h in ["1.5", "1.5", "0.5"]) == 35


def test_training_year_runs_september_to_august() -> None:
    year = training_year(date(2026, 11, 25))
    assert (year.start, year.end) == (date(2026, 9, 1), date(2027, 8, 31))
    spring = training_year(date(2027, 3, 1))
    assert spring == year
    assert training_year(date(2026, 8, 31)).start == date(2025, 9, 1)
    assert training_year(date(2026, 9, 1)).start == date(2026, 9, 1)


def test_training_year_with_a_school_start_day() -> None:
    year = training_year(date(2026, 1, 10), (1, 1))
    assert (year.start, year.end) == (date(2026, 1, 1), date(2026, 12, 31))
    leap = training_year(date(2027, 3, 5), (2, 29))  # stored once in a leap year
    assert (leap.start, leap.end) == (date(2027, 2, 28), date(2028, 2, 28))


def test_pace_is_the_target_times_the_elapsed_share() -> None:
    year = training_year(date(2026, 11, 25))
    assert year.days == 365
    # 1 Sep to 25 Nov is 86 days of 365.
    assert pace(900, year, date(2026, 11, 25)) == Fraction(900 * 86, 365)
    assert format_hours(pace(900, year, date(2026, 11, 25))) == "21.2"
    assert pace(900, year, date(2027, 8, 31)) == 900
    assert behind_pace(15, 900, year, date(2026, 11, 25))
    assert behind_pace(212, 900, year, date(2026, 11, 25))  # 21.2 < 21.205…
    assert not behind_pace(213, 900, year, date(2026, 11, 25))
    assert behind_pace(0, 900, year, date(2026, 9, 1))  # day one: a 365th of the target is due


def test_categories_are_guessed_from_titles() -> None:
    assert guess_category("教研会") == "教研"
    assert guess_category("周二观课议课") == "观课"
    assert guess_category("区级培训") == "培训"
    assert guess_category("全体教师例会") == "会议"
    assert guess_category("读书分享") == "其他"
    assert guess_category("读书分享", default="培训") == "培训"


def test_a_title_of_several_words_stands_in_quotation_marks() -> None:
    assert split_title(["区级培训", "新课标"]) == ("区级培训", "新课标")
    assert split_title(['"District', 'training"', "new", "standards"]) == (
        "District training",
        "new standards",
    )
    assert split_title(["“区级", "教研”"]) == ("区级 教研", "")
    # An unclosed quotation mark is not a title: the first word is.
    assert split_title(['"District', "training"]) == ('"District', "training")
