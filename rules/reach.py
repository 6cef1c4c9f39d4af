"""How far from today a date someone types, or a file holds, may lie.

A school plans a term or a school year ahead and looks back about as far (a leave recorded
late, last term's calendar). A date further away is a slip (2062 for 2026) or a probe
(9999-12-31): refused with the range allowed, before any arithmetic on it can overflow.
"""

from __future__ import annotations

from datetime import date, timedelta

REACH = timedelta(days=2 * 366)
OUT_OF_RANGE = "common.date_out_of_range"


def reach_bounds(today: date) -> tuple[date, date]:
    """The first and the last day a typed date may name."""
    return today - REACH, today + REACH


def within_reach(day: date, today: date) -> bool:
    earliest, latest = reach_bounds(today)
    return earliest <= day <= latest


def out_of_range_values(text: str, today: date) -> dict[str, object]:
    """The values of the OUT_OF_RANGE text: what was typed and the days allowed (with years,
    so written as ISO dates, never as a weekday label)."""
    earliest, latest = reach_bounds(today)
    return {"value": text, "earliest": earliest.isoformat(), "latest": latest.isoformat()}
