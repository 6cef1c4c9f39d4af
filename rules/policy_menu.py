"""How the policies are laid out for people: sections, stable numbers, units, and the 双减 rules.

The numbers (`ref`) go into callback data, which carries ids only; they are fixed here, not taken
from the order of `SPECS`, so a button sent before a policy was added still names the same one.
A policy missing from `_ENTRIES` fails tests/rules/test_policy_menu.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import ceil

from rules.policies import SPEC_BY_KEY, SPECS, PolicySpec

# A phone shows about eight buttons without scrolling: five settings, two page turns (a middle
# page has both), a way back.
PER_PAGE = 5


@dataclass(frozen=True)
class Section:
    ref: int
    name: str  # settings.section.<name> in the catalogue
    prefixes: tuple[str, ...]  # the policy keys' first part
    # Keys that start a page of their own, listed first in this order; the rest follow.
    groups: tuple[tuple[str, ...], ...] = ()


# What an admin changes most (how homework is published, when) comes before the nine caps; the
# caps take two pages (grades 1–4, 5–9), so a middle page with both page turns still fits.
_HOMEWORK_GROUPS = (
    (
        "homework.publication",
        "homework.board_time",
        "homework.escalate_minutes",
        "homework.weekly_summary_time",
    ),
    tuple(f"homework.cap.grade{g}" for g in range(1, 5)),
    tuple(f"homework.cap.grade{g}" for g in range(5, 10)),
)


# Who approves and the longest leave come first (on two pages of three), the reminders after.
_LEAVE_GROUPS = (
    (
        "leave.office_after_days",
        "leave.principal_after_days",
        "leave.max_days",
        "leave.maternity_max_days",
        "leave.sick_max_days",
        "leave.personal_max_days",
    ),
)


SECTIONS: tuple[Section, ...] = (
    Section(1, "leave", ("leave",), _LEAVE_GROUPS),
    Section(2, "cover", ("cover",)),
    Section(3, "homework", ("homework",), _HOMEWORK_GROUPS),
    Section(4, "duty", ("duty", "patrol")),
    Section(5, "events", ("events",)),
    Section(6, "training", ("training",)),
    # Who may have which report, and the daily backup, get pages of their own, before the push
    # and topic settings.
    Section(
        7,
        "other",
        ("push", "group", "report", "backup"),
        (
            ("report.grade_leaders", "report.teachers"),
            ("backup.daily", "backup.time", "backup.keep"),
        ),
    ),
)
SECTION_BY_REF = {section.ref: section for section in SECTIONS}


@dataclass(frozen=True)
class Entry:
    ref: int
    unit: str = ""  # settings.unit.<unit>: minutes, days, hours, lessons


_ENTRIES: dict[str, Entry] = {
    "leave.office_after_days": Entry(1, "days"),
    "leave.principal_after_days": Entry(2, "days"),
    "leave.max_days": Entry(3, "days"),
    "leave.reminder_minutes": Entry(4, "minutes"),
    "leave.escalate_minutes": Entry(5, "minutes"),
    "leave.escalate_urgent_minutes": Entry(6, "minutes"),
    "leave.provisional_minutes": Entry(7, "minutes"),
    "leave.sick_note_after_days": Entry(8, "days"),
    "cover.arranger": Entry(9),
    "cover.daily_cap": Entry(10, "lessons"),
    "cover.slip_today": Entry(11),
    "cover.slip_tomorrow": Entry(12),
    **{f"homework.cap.grade{g}": Entry(12 + g, "minutes") for g in range(1, 10)},
    "homework.publication": Entry(22),
    "homework.board_time": Entry(23),
    "homework.escalate_minutes": Entry(24, "minutes"),
    "homework.weekly_summary_time": Entry(25),
    "duty.announce_time": Entry(26),
    "duty.reminder_minutes": Entry(27, "minutes"),
    "duty.swap_needs_admin": Entry(28),
    "patrol.reminder_time": Entry(29),
    "events.reminder_time": Entry(30),
    "events.week_summary_time": Entry(31),
    "training.target_hours": Entry(32, "hours"),
    "training.year_start": Entry(33),
    "push.grace_minutes": Entry(34, "minutes"),
    "group.topic.homework": Entry(35),
    "group.topic.cover": Entry(36),
    "group.topic.duty": Entry(37),
    "group.topic.notices": Entry(38),
    "cover.boards_to": Entry(39),
    "cover.rate.cover": Entry(40, "yuan"),
    "cover.rate.merged": Entry(41, "yuan"),
    "cover.rate.self_study": Entry(42, "yuan"),
    "cover.rate.morning": Entry(50, "yuan"),
    "cover.rate.noon": Entry(51, "yuan"),
    "cover.rate.evening": Entry(52, "yuan"),
    "cover.statement": Entry(43),
    "cover.statement_time": Entry(44),
    "cover.reminder_minutes": Entry(45, "minutes"),
    "cover.suggest_external": Entry(46),
    "report.grade_leaders": Entry(47),
    "report.teachers": Entry(48),
    "backup.daily": Entry(70),
    "backup.time": Entry(71),
    "backup.keep": Entry(72, "copies"),
    "cover.plan_after_days": Entry(66, "days"),
    "events.cover": Entry(62),
    "leave.maternity_max_days": Entry(55, "days"),
    "leave.sick_max_days": Entry(56, "days"),
    "leave.personal_max_days": Entry(57, "days"),
}
_KEY_BY_REF = {entry.ref: key for key, entry in _ENTRIES.items()}


def entry(key: str) -> Entry:
    return _ENTRIES[key]


def spec_by_ref(ref: int | None) -> PolicySpec | None:
    """The policy a button names, or None for a number no policy has (old or forged)."""
    key = _KEY_BY_REF.get(ref) if ref is not None else None
    return SPEC_BY_KEY.get(key) if key is not None else None


def section_of(key: str) -> Section:
    head = key.split(".")[0]
    return next(s for s in SECTIONS if head in s.prefixes)


def specs_in(section: Section) -> list[PolicySpec]:
    return [item for item in SPECS if item.key.split(".")[0] in section.prefixes]


def pages(section: Section) -> list[list[PolicySpec]]:
    """The section's policies in pages of at most PER_PAGE: each group its own, the rest as
    even as they go (8 → 4 and 4: a last page with one lonely setting reads as an error)."""
    items = specs_in(section)
    grouped = [[SPEC_BY_KEY[key] for key in group] for group in section.groups]
    placed = {item.key for group in grouped for item in group}
    rest = [item for item in items if item.key not in placed]
    return [page for chunk in [*grouped, rest] if chunk for page in _even(chunk)] or [[]]


def _even(items: list[PolicySpec]) -> list[list[PolicySpec]]:
    count = ceil(len(items) / PER_PAGE)
    size = ceil(len(items) / count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def page_of(key: str) -> int:
    """The page of its section that lists this policy."""
    return next(
        i for i, page in enumerate(pages(section_of(key))) if any(p.key == key for p in page)
    )


def options(item: PolicySpec) -> tuple[str, ...]:
    """The stored values a button can set, in button order; empty when the value is typed."""
    if item.kind == "choice":
        return item.choices
    if item.kind == "bool":
        return ("on", "off")
    return ()


# --- 双减 ----------------------------------------------------------------------------------------
# The national rules for written homework (中办 国办《关于进一步减轻义务教育阶段学生作业负担和
# 校外培训负担的意见》, 2021): none in grades 1–2, on average at most 60 minutes a day in grades 3–6
# and 90 in grades 7–9. A school may set stricter caps (seed 003: 45 in grades 3–4); a looser one
# is the admin's decision, taken knowingly.
DOUBLE_REDUCTION: tuple[tuple[str, range, int], ...] = (
    ("grades_1_2", range(1, 3), 0),
    ("grades_3_6", range(3, 7), 60),
    ("grades_7_9", range(7, 10), 90),
)


_CAP_PREFIX = "homework.cap.grade"


def under_double_reduction(key: str) -> bool:
    """Whether a setting is a homework cap the 双减 rules bound (only these can be over them)."""
    return key.startswith(_CAP_PREFIX)


def double_reduction_breach(key: str, value: object) -> str | None:
    """The name of the 双减 rule this value of a homework cap breaks, or None."""
    if not under_double_reduction(key) or not isinstance(value, int):
        return None
    grade = int(key.removeprefix(_CAP_PREFIX))
    for rule, grades, most in DOUBLE_REDUCTION:
        if grade in grades and value > most:
            return rule
    return None


# --- typed names -----------------------------------------------------------------------------


def resolve(text: str, names: Mapping[str, str]) -> tuple[str, str] | None:
    """Splits `<name> <value>` into (what the name stands for, the value typed after it).

    `names` maps every spelling (lower case) to what it names. The longest name that begins the
    text wins, so 作业公示方式 is not read as the section 作业. A name in Latin letters must be
    followed by a space or nothing (homework.cap.grade33 is not grade3 and 3); a Chinese one
    may run straight into its value (三年级作业上限40).
    """
    typed = text.strip()
    lowered = typed.lower()
    for name in sorted(names, key=len, reverse=True):
        if not lowered.startswith(name):
            continue
        rest = typed[len(name) :]
        if rest and not rest[0].isspace() and name[-1].isascii():
            continue
        return names[name], rest.strip()
    return None


def spellings(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(spelling, target) pairs as a lookup for `resolve`; blank spellings are dropped."""
    return {spelling.strip().lower(): target for spelling, target in pairs if spelling.strip()}
