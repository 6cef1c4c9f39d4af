"""Chinese lunisolar dates (农历) and solar terms, worked out from the sun and the moon.

The `chinese-calendar` package stops at the last year the State Council has published, yet the
statutory holidays of a later year follow from the law alone, once 春节, 端午, 中秋 and 清明 are
known. Those come from astronomy with the rules of the calendar in use since 1929 (Beijing time,
UTC+8): a month begins on the day of a new moon; the 11th month holds the winter solstice; in a
year of 13 months between two 11th months, the first month without a principal term (中气) is the
leap month and repeats the number before it.

New moons follow Meeus, *Astronomical Algorithms*, ch. 49 (within a minute or so); the sun's
longitude his low-precision ch. 25 (about 0.01°, a quarter of an hour). A day is only wrong when a
new moon or a term falls within minutes of midnight, which the tests check for the years the
State Council table knows.
"""

from __future__ import annotations

import functools
import math
from datetime import date, timedelta

_J2000 = 2451545.0
_BEIJING = 8 / 24  # days east of Greenwich
_SYNODIC = 29.530588861
_ORDINAL_OFFSET = 1721424.5  # Julian day of 0001-01-01 00:00 UT minus its ordinal (1)


def _sin(degrees: float) -> float:
    return math.sin(math.radians(degrees))


def _delta_t_days(year: float) -> float:
    """Terrestrial minus universal time (Espenak & Meeus polynomials), in days."""
    if year < 2050:
        t = year - 2000
        seconds = 62.92 + 0.32217 * t + 0.005589 * t * t
    else:
        seconds = -20 + 32 * ((year - 1820) / 100) ** 2 - 0.5628 * (2150 - year)
    return seconds / 86400


def _beijing_date(jde: float) -> date:
    """The civil date in Beijing of a moment given in Julian ephemeris days."""
    year = 2000 + (jde - _J2000) / 365.25
    jd_beijing = jde - _delta_t_days(year) + _BEIJING
    return date.fromordinal(math.floor(jd_beijing - _ORDINAL_OFFSET))


def _new_moon_jde(k: int) -> float:
    """The k-th new moon after the one of 6 January 2000 (Meeus 49.1 with its corrections)."""
    t = k / 1236.85
    jde = (
        2451550.09766 + _SYNODIC * k + 0.00015437 * t**2 - 0.000000150 * t**3 + 0.00000000073 * t**4
    )
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = 2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3
    mp = 201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4
    f = 160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4
    omega = 124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3
    jde += (
        -0.40720 * _sin(mp)
        + 0.17241 * e * _sin(m)
        + 0.01608 * _sin(2 * mp)
        + 0.01039 * _sin(2 * f)
        + 0.00739 * e * _sin(mp - m)
        - 0.00514 * e * _sin(mp + m)
        + 0.00208 * e * e * _sin(2 * m)
        - 0.00111 * _sin(mp - 2 * f)
        - 0.00057 * _sin(mp + 2 * f)
        + 0.00056 * e * _sin(2 * mp + m)
        - 0.00042 * _sin(3 * mp)
        + 0.00042 * e * _sin(m + 2 * f)
        + 0.00038 * e * _sin(m - 2 * f)
        - 0.00024 * e * _sin(2 * mp - m)
        - 0.00017 * _sin(omega)
        - 0.00007 * _sin(mp + 2 * m)
        + 0.00004 * _sin(2 * mp - 2 * f)
        + 0.00004 * _sin(3 * m)
        + 0.00003 * _sin(mp + m - 2 * f)
        + 0.00003 * _sin(2 * mp + 2 * f)
        - 0.00003 * _sin(mp + m + 2 * f)
        + 0.00003 * _sin(mp - m + 2 * f)
        - 0.00002 * _sin(mp - m - 2 * f)
        - 0.00002 * _sin(3 * mp + m)
        + 0.00002 * _sin(4 * mp)
    )
    planetary = (
        (0.000325, 299.77 + 0.107408 * k - 0.009173 * t**2),
        (0.000165, 251.88 + 0.016321 * k),
        (0.000164, 251.83 + 26.651886 * k),
        (0.000126, 349.42 + 36.412478 * k),
        (0.000110, 84.66 + 18.206239 * k),
        (0.000062, 141.74 + 53.303771 * k),
        (0.000060, 207.14 + 2.453732 * k),
        (0.000056, 154.84 + 7.306860 * k),
        (0.000047, 34.52 + 27.261239 * k),
        (0.000042, 207.19 + 0.121824 * k),
        (0.000040, 291.34 + 1.844379 * k),
        (0.000037, 161.72 + 24.198154 * k),
        (0.000035, 239.56 + 25.513099 * k),
        (0.000023, 331.55 + 3.592518 * k),
    )
    return jde + sum(c * _sin(a) for c, a in planetary)


def _sun_longitude(jde: float) -> float:
    """The sun's apparent ecliptic longitude in degrees (Meeus ch. 25, low precision)."""
    t = (jde - _J2000) / 36525
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    m = 357.52911 + 35999.05029 * t - 0.0001537 * t * t
    c = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * _sin(m)
        + (0.019993 - 0.000101 * t) * _sin(2 * m)
        + 0.000289 * _sin(3 * m)
    )
    omega = 125.04 - 1934.136 * t
    return (l0 + c - 0.00569 - 0.00478 * _sin(omega)) % 360


def _term_jde(year: int, longitude: int) -> float:
    """When the sun reaches `longitude` (a multiple of 15°) during the Gregorian `year`."""
    # 0° (春分) is near 20 March; the sun gains a little under a degree a day.
    guess = date(year, 3, 20) + timedelta(days=round((longitude % 360) * 365.2422 / 360))
    if guess.year > year:
        guess = guess.replace(year=year)  # 冬至 etc. stay inside the year asked about
    jde = guess.toordinal() + _ORDINAL_OFFSET
    for _ in range(20):
        step = 58 * _sin(longitude - _sun_longitude(jde))
        jde += step
        if abs(step) < 1e-6:
            break
    return jde


def solar_term_day(year: int, longitude: int) -> date:
    """The Beijing date on which the sun reaches `longitude`: 15° is 清明, 270° 冬至."""
    return _beijing_date(_term_jde(year, longitude))


def _new_moons(start: date, end: date) -> list[date]:
    """The Beijing dates of the new moons from `start` to `end`."""
    k = math.floor((start.toordinal() + _ORDINAL_OFFSET - 2451550.09766) / _SYNODIC) - 1
    days: list[date] = []
    while True:
        day = _beijing_date(_new_moon_jde(k))
        if day > end:
            return days
        if day >= start:
            days.append(day)
        k += 1


def _principal_terms(year: int) -> list[date]:
    """The twelve principal terms (中气, multiples of 30°) of a Gregorian year."""
    return [solar_term_day(year, longitude) for longitude in range(0, 360, 30)]


@functools.lru_cache(maxsize=64)
def lunar_months(year: int) -> tuple[tuple[date, int, bool], ...]:
    """The months from the 11th month of lunar year `year - 1` to the 10th of `year`.

    Each is (first day, number 1–12, leap). That span holds months 1–10 of `year`, so all of its
    festivals.
    """
    solstice_before = solar_term_day(year - 1, 270)
    solstice = solar_term_day(year, 270)
    moons = _new_moons(solstice_before - timedelta(days=31), solstice + timedelta(days=31))
    first = max(i for i, d in enumerate(moons) if d <= solstice_before)
    last = max(i for i, d in enumerate(moons) if d <= solstice)
    starts = moons[first : last + 1]  # the last one is the next 11th month's first day
    terms = sorted(_principal_terms(year - 1) + _principal_terms(year))
    leap_index = None
    if len(starts) == 14:  # 13 months between the two 11th months: one is leap
        leap_index = next(
            i
            for i in range(len(starts) - 1)
            if not any(starts[i] <= term < starts[i + 1] for term in terms)
        )
    months: list[tuple[date, int, bool]] = []
    number = 10
    for i, start in enumerate(starts[:-1]):
        leap = i == leap_index
        if not leap:
            number = number % 12 + 1
        months.append((start, number, leap))
    return tuple(months)


def lunar_to_solar(year: int, month: int, day: int) -> date:
    """The Gregorian date of day `day` of the (not leap) month `month` (1–10) of lunar `year`."""
    if not 1 <= month <= 10:
        raise ValueError(f"lunar month {month} is not one this table covers")
    start = next(s for s, number, leap in lunar_months(year)[2:] if number == month and not leap)
    return start + timedelta(days=day - 1)
