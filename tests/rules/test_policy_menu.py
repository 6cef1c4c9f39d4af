"""The settings menu's layout and the 双减 rules, with plain values."""

from __future__ import annotations

import pytest

from rules.policies import SPECS, spec
from rules.policy_menu import (
    PER_PAGE,
    SECTIONS,
    double_reduction_breach,
    entry,
    options,
    page_of,
    pages,
    resolve,
    section_of,
    spec_by_ref,
    spellings,
)


def test_every_policy_has_a_fixed_number_and_a_place_on_one_page() -> None:
    refs = [entry(item.key).ref for item in SPECS]
    assert len(set(refs)) == len(refs)
    assert all(spec_by_ref(entry(item.key).ref) == item for item in SPECS)
    listed = [item.key for section in SECTIONS for page in pages(section) for item in page]
    assert sorted(listed) == sorted(item.key for item in SPECS)
    assert all(len(page) <= PER_PAGE for section in SECTIONS for page in pages(section))


def test_a_number_no_policy_has_names_nothing() -> None:
    assert spec_by_ref(0) is None and spec_by_ref(999) is None and spec_by_ref(None) is None


def test_sections_and_pages() -> None:
    assert [s.name for s in SECTIONS][:6] == [
        "leave",
        "cover",
        "homework",
        "duty",
        "events",
        "training",
    ]
    assert section_of("patrol.reminder_time").name == "duty"
    homework = [[item.key for item in page] for page in pages(section_of("homework.publication"))]
    assert homework[0][0] == "homework.publication"
    assert [len(page) for page in homework] == [4, 4, 5]
    assert page_of("homework.cap.grade3") == 1
    # Who approves and the longest leave first, the longest of each kind together, the
    # reminders after: no page lists more than five, so a middle page keeps its page turns.
    leave = [[item.key for item in page] for page in pages(section_of("leave.max_days"))]
    assert [len(page) for page in leave] == [3, 3, 5]
    assert leave[0][-1] == "leave.max_days"
    assert leave[1] == [
        "leave.maternity_max_days",
        "leave.sick_max_days",
        "leave.personal_max_days",
    ]


def test_buttons_set_choices_and_switches_only() -> None:
    assert options(spec("homework.publication")) == ("auto", "head_teacher", "office")
    assert options(spec("duty.swap_needs_admin")) == ("on", "off")
    assert options(spec("homework.cap.grade3")) == ()
    assert options(spec("cover.slip_today")) == ()


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("homework.cap.grade1", 0, None),
        ("homework.cap.grade2", 1, "grades_1_2"),
        ("homework.cap.grade3", 60, None),
        ("homework.cap.grade4", 61, "grades_3_6"),
        ("homework.cap.grade6", 240, "grades_3_6"),
        ("homework.cap.grade7", 90, None),
        ("homework.cap.grade9", 91, "grades_7_9"),
        ("cover.daily_cap", 8, None),
    ],
)
def test_double_reduction_rules(key: str, value: int, rule: str | None) -> None:
    assert double_reduction_breach(key, value) == rule


NAMES = spellings(
    [
        ("作业", "section:homework"),
        ("作业公示方式", "homework.publication"),
        ("三年级作业上限", "homework.cap.grade3"),
        ("homework.cap.grade3", "homework.cap.grade3"),
        ("Grade 3 homework cap", "homework.cap.grade3"),
        (" ", "nothing"),
    ]
)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("三年级作业上限 40", ("homework.cap.grade3", "40")),
        ("三年级作业上限40", ("homework.cap.grade3", "40")),
        ("homework.cap.grade3   40 ", ("homework.cap.grade3", "40")),
        ("grade 3 HOMEWORK cap 40", ("homework.cap.grade3", "40")),
        ("作业公示方式 班主任审核", ("homework.publication", "班主任审核")),
        ("作业", ("section:homework", "")),
        ("homework.cap.grade33 40", None),
        ("四年级作业上限 40", None),
    ],
)
def test_a_typed_name_is_split_from_its_value(typed: str, found: tuple[str, str] | None) -> None:
    assert resolve(typed, NAMES) == found
