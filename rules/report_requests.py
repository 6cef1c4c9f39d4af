"""What someone asks the reports for: which report (and whether they may have it), which
period (a month, a range, this term), and a cover the office enters by hand. Plain values only."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from rules.dates import DateError, read_day
from rules.policies import PolicySet
from rules.roles import ADMIN, GRADE_LEADER, OFFICE, PRINCIPAL

# The order of the kinds is fixed: buttons carry a kind's place in it.
KINDS = ("cover", "leave", "homework", "duty", "training")
# Periods offered as buttons; their place in this tuple is what a button carries.
PERIOD_CHOICES = ("this_month", "last_month", "this_term")

# Who sees the whole school, and who sees a grade; everyone else sees their own records.
SCHOOL_READERS = frozenset({OFFICE, PRINCIPAL, ADMIN})
GRADE_READERS = frozenset({GRADE_LEADER})
# What a grade leader may have for their grade, and what a teacher may have about themselves.
GRADE_KINDS = ("cover", "leave", "homework", "training")
OWN_KINDS = ("cover", "training")
# Longer than a school year is surely a typing slip; it would also be slow to build.
MAX_DAYS = 400


class PeriodError(ValueError):
    """A period that cannot be read or used; `key` names the text (report.err.<key>)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    @property
    def slug(self) -> str:
        """For a file name: 2026-11 for a whole month, else 2026-09-01_2026-11-30."""
        if self == month_of(self.start):
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"


def month_of(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def previous_month(day: date) -> Period:
    return month_of(day.replace(day=1) - timedelta(days=1))


def term_of(day: date, terms: Iterable[tuple[date, date]]) -> Period | None:
    """The term containing `day`, else the last one that ended before it."""
    spans = sorted(terms)
    for start, end in spans:
        if start <= day <= end:
            return Period(start, end)
    before = [(start, end) for start, end in spans if end < day]
    return Period(*before[-1]) if before else None


def chosen_period(choice: str, today: date, terms: Iterable[tuple[date, date]]) -> Period:
    """The period a button names; raises PeriodError(no_term) when the calendar has no term."""
    if choice == "this_month":
        return month_of(today)
    if choice == "last_month":
        return previous_month(today)
    term = term_of(today, terms)
    if term is None:
        raise PeriodError("no_term")
    return term


_DAY = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_RANGE = re.compile(rf"^{_DAY}\s*(?:~|～|—|–|至|到|-{{1,2}}|\s)\s*{_DAY}$")


def _day(year: str, month: str, day: str, typed: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise PeriodError("bad_date", value=typed) from None


def parse_period(text: str) -> Period:
    """`2026-11` (a month) or `2026-09-01~2026-11-30` (inclusive); 年/月/日 and / . work too."""
    typed = text.strip()
    month = _MONTH.match(typed)
    if month:
        if not 1 <= int(month[2]) <= 12:
            raise PeriodError("bad_date", value=typed)
        return month_of(date(int(month[1]), int(month[2]), 1))
    span = _RANGE.match(typed)
    if span is None:
        raise PeriodError("bad_period", value=typed)
    start = _day(span[1], span[2], span[3], typed)
    end = _day(span[4], span[5], span[6], typed)
    if end < start:
        raise PeriodError("backwards", value=typed)
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError("too_long", value=typed, days=MAX_DAYS)
    return Period(start, end)


@dataclass(frozen=True)
class Scope:
    """What of a school one person may see: everything, a grade, or their own records."""

    kinds: tuple[str, ...]
    grade: int | None = None
    staff_id: int | None = None

    @property
    def whole_school(self) -> bool:
        return self.grade is None and self.staff_id is None

    def covers_person(self, staff_id: int, grade: int | None) -> bool:
        if self.staff_id is not None:
            return staff_id == self.staff_id
        if self.grade is not None:
            return grade == self.grade
        return True


@dataclass(frozen=True)
class ReportRights:
    """What a school lets people below the office have (policies report.grade_leaders and
    report.teachers). The office, the principal and the admins always have the whole school:
    they sign the pay and answer an inspection."""

    grade_leaders: str = "grade"  # grade: their grade's reports | own: their own, as a teacher
    teachers: bool = True  # whether a teacher may have their own statement and hours

    @classmethod
    def of(cls, policies: PolicySet) -> ReportRights:
        return cls(
            grade_leaders=str(policies.get("report.grade_leaders")),
            teachers=bool(policies.get("report.teachers")),
        )


def report_scope(
    roles: frozenset[str],
    *,
    is_admin: bool,
    staff_id: int | None,
    grade: int | None,
    rights: ReportRights = ReportRights(),
) -> Scope | None:
    """What this person may have: office, principal and admins the school's every report, a
    grade leader their grade's (or only their own, as the school chose), a teacher their own
    cover statement and hours where the school allows it; None: nothing."""
    if is_admin or roles & SCHOOL_READERS:
        return Scope(KINDS)
    if roles & GRADE_READERS and grade is not None and rights.grade_leaders == "grade":
        return Scope(GRADE_KINDS, grade=grade)
    if staff_id is None:
        return None
    # A leader limited to their own records has them even where teachers have none: the
    # school took the grade away from them, not their own statement.
    if rights.teachers or (roles & GRADE_READERS and rights.grade_leaders == "own"):
        return Scope(OWN_KINDS, staff_id=staff_id)
    return None


KIND_WORDS = {
    "代课": "cover", "代课统计": "cover", "代课费": "cover", "cover": "cover",
    "考勤": "leave", "考勤汇总": "leave", "请假": "leave", "leave": "leave",
    "作业": "homework", "作业公示": "homework", "作业公示记录": "homework",
    "homework": "homework", "hw": "homework",
    "值周": "duty", "值日": "duty", "巡课": "duty", "值周巡课记录": "duty", "duty": "duty",
    "学时": "training", "学时台账": "training", "培训": "training",
    "training": "training", "hours": "training",
}  # fmt: skip
PERIOD_WORDS = {
    "本月": "this_month", "这个月": "this_month", "this_month": "this_month",
    "上月": "last_month", "上个月": "last_month", "last_month": "last_month",
    "本学期": "this_term", "这学期": "this_term", "this_term": "this_term", "term": "this_term",
}  # fmt: skip


def read_request(
    words: list[str], today: date, terms: Iterable[tuple[date, date]]
) -> tuple[str | None, Period | None]:
    """`代课 2026-11`, `leave 2026-09-01~2026-11-30`, `学时 本学期`: the kind (None when the
    first word names none) and the period (None when none was typed). Raises PeriodError."""
    if not words:
        return None, None
    kind = KIND_WORDS.get(words[0].casefold())
    if kind is None:
        return None, None
    rest = " ".join(words[1:]).strip()
    if not rest:
        return kind, None
    # "this month" typed as two words, as English is written, reads as "this_month".
    choice = PERIOD_WORDS.get(re.sub(r"\s+", "_", rest.casefold()))
    if choice is not None:
        return kind, chosen_period(choice, today, terms)
    return kind, parse_period(rest)


# --- covers entered by the office (补录) ---------------------------------------------------

MANUAL_KIND_WORDS = {
    "代课": "cover", "cover": "cover",
    "合班": "merged", "merged": "merged", "merge": "merged",
    "看班": "self_study", "自习": "self_study", "self_study": "self_study",
}  # fmt: skip
ADD_WORDS = ("补录", "add")
LOCK_WORDS = ("锁定", "lock")
UNLOCK_WORDS = ("解锁", "unlock")
REMOVE_WORDS = ("删除补录", "remove")


@dataclass(frozen=True)
class ManualLine:
    """`2026-11-05 3 三(2)班 语文 曹明 [周雅琴] [合班]`: a cover arranged outside the bot."""

    day: date
    period: int
    class_name: str
    subject: str
    substitute: str
    absent: str | None
    kind: str


def read_manual(words: list[str], today: date) -> ManualLine:
    """Reads the day, period, class, subject, substitute, and optionally the teacher away and
    the kind (代课 unless 合班 or 看班 is said); raises PeriodError(manual_usage) otherwise."""
    kind = "cover"
    rest = list(words)
    if rest and rest[-1].casefold() in MANUAL_KIND_WORDS:
        kind = MANUAL_KIND_WORDS[rest.pop().casefold()]
    if len(rest) not in (5, 6):
        raise PeriodError("manual_usage")
    try:
        day = read_day(rest[0], today)
    except DateError:
        day = None
    period = rest[1].removeprefix("第").removesuffix("节")
    if day is None or not period.isdigit() or not 1 <= int(period) <= 12:
        raise PeriodError("manual_usage")
    return ManualLine(
        day, int(period), rest[2], rest[3], rest[4], rest[5] if len(rest) == 6 else None, kind
    )
