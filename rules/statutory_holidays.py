"""The public holidays that follow from the law itself, for a year not yet published.

全国年节及纪念日放假办法 as amended in 2024 (in force from 2025) gives everyone: 元旦 1 day
(1 January), 春节 4 days (除夕 and 初一 to 初三), 清明 1 day (the day of the solar term), 劳动节
2 days (1–2 May), 端午 1 day (5th of the 5th lunar month), 中秋 1 day (15th of the 8th lunar month)
and 国庆 3 days (1–3 October). Each year's State Council notice then moves weekends around those
days (调休); which ones cannot be worked out, so this module never names a make-up working day.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from rules.lunar import lunar_to_solar, solar_term_day

# Locale keys (cal.holiday.<key>) in the order of the year.
NEW_YEAR = "new_year"
SPRING_FESTIVAL = "spring_festival"
QINGMING = "qingming"
LABOUR_DAY = "labour_day"
DRAGON_BOAT = "dragon_boat"
MID_AUTUMN = "mid_autumn"
NATIONAL_DAY = "national_day"

# The amended rules; earlier years are all published in the State Council table.
FIRST_YEAR = 2025
QINGMING_LONGITUDE = 15


@functools.lru_cache(maxsize=32)
def statutory_holidays(year: int) -> dict[date, str]:
    """Every day off the law gives in `year`, with the holiday it belongs to.

    Where two fall on one day (中秋 on 1–3 October), the day keeps the national day's name.
    """
    if year < FIRST_YEAR:
        raise ValueError(f"the 2024 rules apply from {FIRST_YEAR}")
    spring = lunar_to_solar(year, 1, 1)
    days: dict[date, str] = {date(year, 1, 1): NEW_YEAR}
    for offset in range(-1, 3):  # 除夕 to 初三
        days[spring + timedelta(days=offset)] = SPRING_FESTIVAL
    days[solar_term_day(year, QINGMING_LONGITUDE)] = QINGMING
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = LABOUR_DAY
    days[lunar_to_solar(year, 5, 5)] = DRAGON_BOAT
    days[lunar_to_solar(year, 8, 15)] = MID_AUTUMN
    for day in (1, 2, 3):
        days[date(year, 10, day)] = NATIONAL_DAY
    return dict(sorted(days.items()))


def statutory_holiday(day: date) -> str | None:
    """The holiday the law gives on `day`, or None (also for years before the amended rules)."""
    if day.year < FIRST_YEAR:
        return None
    return statutory_holidays(day.year).get(day)


def holiday_spans(year: int) -> list[tuple[str, date, date]]:
    """The law's days off in `year` as (holiday, first day, last day), a run of days joined."""
    spans: list[tuple[str, date, date]] = []
    for day, name in statutory_holidays(year).items():
        if spans and spans[-1][0] == name and spans[-1][2] == day - timedelta(days=1):
            spans[-1] = (name, spans[-1][1], day)
        else:
            spans.append((name, day, day))
    return spans
