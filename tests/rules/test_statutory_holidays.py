"""The holidays of a year the State Council table does not know yet, from the law and the sky."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from rules.lunar import lunar_months, lunar_to_solar, solar_term_day
from rules.statutory_holidays import statutory_holiday, statutory_holidays


def test_the_table_really_does_not_know_2027() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("year", "spring", "dragon_boat", "mid_autumn"),
    [
        (2025, date(2025, 1, 29), date(2025, 5, 31), date(2025, 10, 6)),
        (2026, date(2026, 2, 17), date(2026, 6, 19), date(2026, 9, 25)),
    ],
)
def test_lunar_festivals_of_years_the_table_knows(
    year: int, spring: date, dragon_boat: date, mid_autumn: date
) -> None:
    assert lunar_to_solar(year, 1, 1) == spring
    assert lunar_to_solar(year, 5, 5) == dragon_boat
    assert lunar_to_solar(year, 8, 15) == mid_autumn
    for day in (spring, dragon_boat, mid_autumn):
        assert chinese_calendar.get_holiday_detail(day)[1] is not None, day


def test_every_festival_since_2008_lies_in_the_table_s_holiday_of_that_name() -> None:
    # Since 2008 端午 and 中秋 are days off too; a festival on 1 October is under 国庆.
    names = {
        (1, 1): {chinese_calendar.Holiday.spring_festival.value},
        (5, 5): {chinese_calendar.Holiday.dragon_boat_festival.value},
        (8, 15): {
            chinese_calendar.Holiday.mid_autumn_festival.value,
            chinese_calendar.Holiday.national_day.value,
        },
    }
    for year in range(2008, 2027):
        for (month, day), allowed in names.items():
            solar = lunar_to_solar(year, month, day)
            on_holiday, name = chinese_calendar.get_holiday_detail(solar)
            # A festival on a weekend is off without a name in the table.
            assert on_holiday, (year, month, solar)
            assert name in allowed or solar.isoweekday() >= 6, (year, month, solar, name)


def test_leap_months_shift_the_numbering() -> None:
    leap_2025 = [(start, number) for start, number, leap in lunar_months(2025) if leap]
    assert leap_2025 == [(date(2025, 7, 25), 6)]  # 闰六月
    assert lunar_to_solar(2025, 8, 15) == date(2025, 10, 6)
    # 2033's leap 11th month comes before the 2034 new year.
    assert [n for _, n, leap in lunar_months(2034) if leap] == [11]
    assert lunar_to_solar(2034, 1, 1) == date(2034, 2, 19)


def test_solar_terms_agree_with_the_table_s_formula_until_2050() -> None:
    for year in range(2025, 2051):
        terms = {
            name: day
            for day, name in chinese_calendar.get_solar_terms(date(year, 1, 1), date(year, 12, 31))
        }
        assert solar_term_day(year, 15) == terms["清明"], year
        assert solar_term_day(year, 270) == terms["冬至"], year


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_law_s_days_are_days_off_in_the_published_years(year: int) -> None:
    days = statutory_holidays(year)
    assert len(days) == 13 or len(days) == 12  # 中秋 may fall on 1–3 October
    assert not [d for d in days if chinese_calendar.is_workday(d)]


def test_2027_holidays_from_the_law() -> None:
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): "new_year",
        date(2027, 2, 5): "spring_festival",  # 除夕
        date(2027, 2, 6): "spring_festival",
        date(2027, 2, 7): "spring_festival",
        date(2027, 2, 8): "spring_festival",
        date(2027, 4, 5): "qingming",
        date(2027, 5, 1): "labour_day",
        date(2027, 5, 2): "labour_day",
        date(2027, 6, 9): "dragon_boat",
        date(2027, 9, 15): "mid_autumn",
        date(2027, 10, 1): "national_day",
        date(2027, 10, 2): "national_day",
        date(2027, 10, 3): "national_day",
    }
    assert statutory_holiday(date(2027, 1, 4)) is None
    assert statutory_holiday(date(2024, 1, 1)) is None  # before the amended rules
