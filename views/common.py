"""How a day is written to a user, in every message: 12月8日 周二 / Tue 8 Dec.

The year is added only when it is not this year (2027年1月1日 周五 / Fri 1 Jan 2027). Files,
exports and callback data keep ISO dates; a command example a user is to copy keeps one too.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import Clock
from bot.texts import t
from rules.calendar import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ZH

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Whether a day needs its year depends on today. Every message is written under the bot's one
# clock (the one tests set), registered when the application is built, so the many places that
# write a day need not carry today along. Without a clock no year is written.
_clock: Clock | None = None


def use_clock(clock: Clock | None) -> None:
    global _clock
    _clock = clock


def weekday_name(lang: str | None, weekday: int) -> str:
    """周二 / Tue for an ISO weekday (1 = Monday)."""
    return (WEEKDAY_NAMES_EN if lang == "en" else WEEKDAY_NAMES_ZH)[weekday - 1]


def day_label(lang: str | None, day: date, *, year: bool | None = None) -> str:
    """12月8日 周二 / Tue 8 Dec; with the year when it is not this year's (`year=False`: never,
    for a text that names the year already)."""
    values = {
        "year": day.year,
        "month": MONTHS_EN[day.month - 1] if lang == "en" else day.month,
        "day": day.day,
        "weekday": weekday_name(lang, day.isoweekday()),
    }
    this_year = _clock.now().year if _clock is not None and year is not False else day.year
    return str(t(lang, "common.date" if day.year == this_year else "common.date_year", **values))


def moment_label(lang: str | None, moment: datetime) -> str:
    """12月8日 周二 07:20 / Tue 8 Dec 07:20: a day and a time of day, as the moment's own
    timezone reads it (convert to the school's first)."""
    return f"{day_label(lang, moment.date())} {moment:%H:%M}"


def span_label(lang: str | None, first: date, last: date) -> str:
    """One day, or 12月8日 周二 至 12月10日 周四 / Tue 8 Dec to Thu 10 Dec."""
    if first == last:
        return day_label(lang, first)
    return str(
        t(lang, "common.date_span", first=day_label(lang, first), last=day_label(lang, last))
    )


def localised(lang: str | None, values: dict[str, object]) -> dict[str, object]:
    """Values for a text, any day among them written as everywhere else."""
    return {
        name: day_label(lang, value) if isinstance(value, date) else value
        for name, value in values.items()
    }
