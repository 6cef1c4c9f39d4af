"""Policies: defaults from the source documents, validation with the allowed range."""

from __future__ import annotations

from datetime import time

import pytest

from rules.policies import SPECS, PolicyError, PolicySet, spec


def test_defaults_follow_the_double_reduction_caps() -> None:
    policies = PolicySet()
    assert [policies.homework_cap(g) for g in range(1, 10)] == [0, 0, 45, 45, 60, 60, 90, 90, 90]
    assert policies.get("cover.daily_cap") == 2
    assert policies.get("duty.announce_time") == time(7, 0)
    assert policies.get("training.target_hours") == 90
    assert policies.get("training.year_start") == (9, 1)


def test_every_default_is_itself_valid() -> None:
    for item in SPECS:
        assert item.normalise(item.default) == item.default, item.key


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("homework.cap.grade3", " 40 ", "40"),
        ("duty.announce_time", "7:05", "07:05"),
        ("duty.announce_time", "07：30", "07:30"),
        ("homework.publication", "OFFICE", "office"),
        ("duty.swap_needs_admin", "开", "on"),
        ("training.year_start", "9-1", "09-01"),
    ],
)
def test_values_are_normalised(key: str, raw: str, stored: str) -> None:
    assert spec(key).normalise(raw) == stored


@pytest.mark.parametrize(
    ("key", "raw", "allowed"),
    [
        ("homework.cap.grade3", "241", "0–240"),
        ("homework.cap.grade3", "-1", "0–240"),
        ("homework.cap.grade3", "forty", "0–240"),
        ("duty.announce_time", "24:00", "HH:MM, 00:00–23:59"),
        ("cover.arranger", "principal", "office | grade_leader"),
        ("cover.boards_to", "principal", "all | on_duty"),
        ("training.year_start", "13-01", "MM-DD"),
    ],
)
def test_bad_values_name_the_allowed_range(key: str, raw: str, allowed: str) -> None:
    with pytest.raises(PolicyError) as refused:
        spec(key).normalise(raw)
    assert refused.value.allowed == allowed


def test_boards_go_to_every_arranger_unless_the_school_says_the_one_on_duty() -> None:
    assert PolicySet().get("cover.boards_to") == "all"
    assert PolicySet({"cover.boards_to": "on_duty"}).get("cover.boards_to") == "on_duty"
    assert spec("cover.boards_to").normalise("ON_DUTY") == "on_duty"


def test_stored_values_override_defaults_and_unknown_keys_are_ignored() -> None:
    policies = PolicySet({"homework.cap.grade3": "40", "no.such.key": "1"})
    assert policies.homework_cap(3) == 40 and not policies.is_default("homework.cap.grade3")
    assert policies.homework_cap(12) is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("02-30", "no_such_day"),
        ("04-31", "no_such_day"),
        ("06-31", "no_such_day"),
        ("13-01", "no_such_day"),
        ("00-10", "no_such_day"),
        ("09-00", "no_such_day"),
        ("02-29", "leap_day"),
        ("9月1日", "bad_value"),
    ],
)
def test_a_year_start_no_calendar_has_is_refused(raw: str, problem: str) -> None:
    with pytest.raises(PolicyError) as refused:
        spec("training.year_start").normalise(raw)
    assert refused.value.problem == problem and refused.value.allowed == "MM-DD"


def test_a_year_start_is_a_day_every_year_has() -> None:
    year_start = spec("training.year_start")
    assert [year_start.normalise(raw) for raw in ("02-28", "3-1", "04-30", "12-31")] == [
        "02-28",
        "03-01",
        "04-30",
        "12-31",
    ]
    with pytest.raises(PolicyError):
        year_start.normalise("02-30")
    # One stored before the check is still read; rules/training.py starts that year on the
    # month's last day.
    assert PolicySet({"training.year_start": "02-30"}).get("training.year_start") == (2, 30)
