"""The office's records, summed from plain values: the cover statement (代课统计), the leave
summary (考勤汇总), the training hours ledger (学时台账), the homework ledger (作业公示记录) and the
duty record (值周记录); the periods they cover, and who may have which.

Nothing here knows Telegram or the database: storage/reports.py loads the records, views/reports.py
writes them as a workbook. A leave's reason is never among the values: it cannot leak into a sheet.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from rules.dates import DateError, read_day
from rules.leave_dates import LEAVE_KINDS, DayPart
from rules.roles import ADMIN, GRADE_LEADER, OFFICE, PRINCIPAL
from rules.states import CoverStatus

# The order of the kinds is fixed: buttons carry a kind's place in it.
KINDS = ("cover", "leave", "homework", "duty", "training")

# What the bot's cover states mean on a statement: a lesson taught by a substitute (代课), a class
# merged into another teacher's (合班), a lesson left as self-study (看班: supervised, if anyone
# was named for it).
COVER_KINDS = ("cover", "merged", "self_study")
KIND_OF_STATUS = {
    CoverStatus.ASSIGNED: "cover",
    CoverStatus.MERGED: "merged",
    CoverStatus.SELF_STUDY: "self_study",
}

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


def report_scope(
    roles: frozenset[str], *, is_admin: bool, staff_id: int | None, grade: int | None
) -> Scope | None:
    """What this person may have: office, principal and admins the school's every report, a
    grade leader their grade's, a teacher their own cover statement and hours; None: nothing."""
    if is_admin or roles & SCHOOL_READERS:
        return Scope(KINDS)
    if roles & GRADE_READERS and grade is not None:
        return Scope(GRADE_KINDS, grade=grade)
    if staff_id is not None:
        return Scope(OWN_KINDS, staff_id=staff_id)
    return None


# --- 代课统计 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverRecord:
    """One arranged lesson: who was away, who took it and how."""

    day: date
    period: int
    class_name: str
    subject: str
    absent_id: int
    substitute_id: int | None
    kind: str  # one of COVER_KINDS
    merged_with: str = ""  # the class it was merged into (合班)
    rate: int | None = None  # the pay fixed when its month was locked (None: today's rates)
    manual: bool = False  # arranged outside the bot and entered by the office (补录)


@dataclass(frozen=True)
class Rates:
    """Pay per lesson of each kind, in yuan; all 0: the statement has no money column."""

    cover: int = 0
    merged: int = 0
    self_study: int = 0

    def of(self, kind: str) -> int:
        return int(getattr(self, kind))

    @property
    def paid(self) -> bool:
        return any(self.of(kind) for kind in COVER_KINDS)


@dataclass
class TeacherCover:
    staff_id: int
    name: str
    external: bool = False
    lessons: list[CoverRecord] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    given_away: int = 0  # their own lessons someone else took
    pay: int = 0

    @property
    def covered(self) -> int:
        return sum(self.counts.values())

    @property
    def balance(self) -> int:
        """Lessons covered minus lessons given away, as Untis keeps it."""
        return self.covered - self.given_away


@dataclass
class CoverStatement:
    teachers: list[TeacherCover]
    rates: Rates

    def total(self, kind: str) -> int:
        return sum(t.counts[kind] for t in self.teachers)

    @property
    def covered(self) -> int:
        return sum(t.covered for t in self.teachers)

    @property
    def given_away(self) -> int:
        return sum(t.given_away for t in self.teachers)

    @property
    def pay(self) -> int:
        return sum(t.pay for t in self.teachers)


def cover_statement(
    records: Iterable[CoverRecord],
    names: Mapping[int, str],
    rates: Rates,
    *,
    include: Callable[[int], bool] = lambda _: True,
    external: frozenset[int] = frozenset(),
) -> CoverStatement:
    """Per teacher (covering or covered for), each lesson they took, totals per kind, balance
    and pay at the school's rates; lessons in time order."""
    teachers: dict[int, TeacherCover] = {}

    def teacher(staff_id: int) -> TeacherCover:
        if staff_id not in teachers:
            teachers[staff_id] = TeacherCover(
                staff_id, names.get(staff_id, "?"), external=staff_id in external
            )
        return teachers[staff_id]

    for record in sorted(records, key=lambda r: (r.day, r.period, r.class_name)):
        if record.substitute_id is None:
            continue  # self-study nobody was named for: no one's lesson, nobody paid
        if include(record.substitute_id):
            taker = teacher(record.substitute_id)
            taker.lessons.append(record)
            taker.counts[record.kind] += 1
            taker.pay += record.rate if record.rate is not None else rates.of(record.kind)
        if record.absent_id and include(record.absent_id):
            teacher(record.absent_id).given_away += 1
    # In the staff list's order (ids follow the school's own file), as the office keeps it.
    ordered = sorted(teachers.values(), key=lambda t: (t.external, t.staff_id))
    return CoverStatement(ordered, rates)


# --- 考勤汇总 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveRecord:
    """An approved leave as the summary needs it: never its reason."""

    staff_id: int
    kind: str
    first_day: date
    last_day: date
    part: str  # full | am | pm | p<first>-<last>
    # The day the teacher came back early (销假) and what was left of the leave that day
    # (None: nothing, back before school).
    returned_on: date | None = None
    part_on_return: str | None = None


def leave_halves(leave: LeaveRecord, period: Period, school_day: Callable[[date], bool]) -> int:
    """Half-days of school the leave took within the period (a run of periods is half a day)."""
    halves = 0
    day = max(leave.first_day, period.start)
    last = min(leave.last_day, period.end)
    if leave.returned_on is not None:
        last = min(last, leave.returned_on)
    while day <= last:
        if school_day(day):
            part = leave.part
            if leave.returned_on == day:
                part = leave.part_on_return or ""
            if part:
                halves += DayPart.from_code(part).half_days
        day += timedelta(days=1)
    return halves


@dataclass
class TeacherLeave:
    staff_id: int
    name: str
    external: bool = False
    halves: Counter[str] = field(default_factory=Counter)  # by leave kind
    requests: int = 0
    missed: int = 0  # lessons missed through the leave
    covered: int = 0  # of them, taken by a colleague (代课 or 合班)
    self_study: int = 0  # of them, left as self-study

    @property
    def total_halves(self) -> int:
        return sum(self.halves.values())


def leave_summary(
    leaves: Iterable[LeaveRecord],
    covers: Iterable[CoverRecord],
    missed: Mapping[int, int],
    names: Mapping[int, str],
    period: Period,
    school_day: Callable[[date], bool],
    *,
    include: Callable[[int], bool] = lambda _: True,
    external: frozenset[int] = frozenset(),
) -> list[TeacherLeave]:
    """Per teacher with leave in the period: half-days per leave type, lessons missed, covered
    and left as self-study. `missed` counts each teacher's lessons that needed cover."""
    teachers: dict[int, TeacherLeave] = {}

    def teacher(staff_id: int) -> TeacherLeave:
        if staff_id not in teachers:
            teachers[staff_id] = TeacherLeave(
                staff_id, names.get(staff_id, "?"), external=staff_id in external
            )
        return teachers[staff_id]

    for leave in leaves:
        if not include(leave.staff_id):
            continue
        halves = leave_halves(leave, period, school_day)
        if halves:
            row = teacher(leave.staff_id)
            row.halves[leave.kind] += halves
            row.requests += 1
    for staff_id, count in missed.items():
        if include(staff_id) and count:
            teacher(staff_id).missed += count
    for record in covers:
        if not include(record.absent_id) or record.absent_id not in teachers:
            continue
        if record.kind == "self_study":
            teachers[record.absent_id].self_study += 1
        else:
            teachers[record.absent_id].covered += 1
    return sorted(teachers.values(), key=lambda t: (t.external, t.staff_id))


def leave_kinds_in(rows: Iterable[TeacherLeave]) -> list[str]:
    """The leave types any row has, in the catalogue's order (sick, personal, official first,
    as every sheet shows them, the rarer ones only when they occur)."""
    seen = {kind for row in rows for kind, halves in row.halves.items() if halves}
    return [kind for kind in LEAVE_KINDS if kind in seen or kind in ("sick", "personal")]


# --- 学时台账 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRecord:
    staff_id: int
    day: date
    title: str
    category: str
    tenths: int
    source: str  # checkin | self


@dataclass
class TeacherHours:
    staff_id: int
    name: str
    entries: list[TrainingRecord] = field(default_factory=list)
    in_period: int = 0  # tenths credited within the period
    year_total: int = 0  # tenths credited this training year up to the period's end
    target: int = 0
    pace: Fraction = Fraction(0)

    @property
    def behind(self) -> bool:
        return self.year_total < self.pace


def training_ledger(
    records: Iterable[TrainingRecord],
    names: Mapping[int, str],
    period: Period,
    *,
    target: int,
    pace: Fraction,
    people: Iterable[int],
) -> list[TeacherHours]:
    """Every person of `people`, with the entries credited in the period, the year's total up
    to its end, the target and the pace expected by then (all in tenths of an hour). `records`
    are the training year's approved entries up to the period's end."""
    rows = {
        staff_id: TeacherHours(staff_id, names.get(staff_id, "?"), target=target, pace=pace)
        for staff_id in people
    }
    for record in sorted(records, key=lambda r: (r.day, r.title)):
        row = rows.get(record.staff_id)
        if row is None:
            continue
        row.year_total += record.tenths
        if record.day in period:
            row.entries.append(record)
            row.in_period += record.tenths
    return sorted(rows.values(), key=lambda r: r.staff_id)


# --- 作业公示记录 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeworkRecord:
    day: date
    class_id: int
    class_name: str
    grade: int
    subject: str
    minutes: int
    written: bool
    author: str
    exception: bool = False  # published over the cap, granted by `decided_by`
    decided_by: str = ""


@dataclass
class ClassDay:
    day: date
    class_name: str
    grade: int
    posts: list[HomeworkRecord]
    written: int
    cap: int | None

    @property
    def over(self) -> bool:
        return self.cap is not None and self.written > self.cap


@dataclass
class GradeShare:
    grade: int
    class_days: int
    over: int

    @property
    def share(self) -> float:
        return self.over / self.class_days if self.class_days else 0.0


def homework_ledger(
    records: Iterable[HomeworkRecord], caps: Mapping[int, int | None]
) -> tuple[list[ClassDay], list[GradeShare]]:
    """Each class's days with homework (postings, written minutes against the grade's cap) and,
    per grade, how many of those class-days went over it."""
    by_day: dict[tuple[date, str], list[HomeworkRecord]] = defaultdict(list)
    for record in records:
        by_day[(record.day, record.class_name)].append(record)
    days = []
    for (day, class_name), posts in sorted(by_day.items(), key=lambda item: item[0]):
        grade = posts[0].grade
        written = sum(p.minutes for p in posts if p.written)
        days.append(ClassDay(day, class_name, grade, posts, written, caps.get(grade)))
    shares: dict[int, GradeShare] = {}
    for class_day in days:
        share = shares.setdefault(class_day.grade, GradeShare(class_day.grade, 0, 0))
        share.class_days += 1
        share.over += class_day.over
    return days, [shares[g] for g in sorted(shares)]


# --- 值周/巡课记录 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyRecord:
    day: date
    post: str
    person: str
    planned: str  # who the roster named; differs from `person` after a swap or replacement
    reason: str = ""  # swap | leave | set (why someone else stood), "" when as planned


@dataclass(frozen=True)
class PatrolRecord:
    day: date
    half: str  # am | pm
    person: str
    findings: str


def duty_counts(duties: Iterable[DutyRecord]) -> list[tuple[str, int, int]]:
    """(person, duties stood, of them in someone else's place), by name."""
    stood: Counter[str] = Counter()
    instead: Counter[str] = Counter()
    for duty in duties:
        stood[duty.person] += 1
        if duty.person != duty.planned:
            instead[duty.person] += 1
    return [(name, stood[name], instead[name]) for name in sorted(stood)]


def missing_patrols(
    patrol_days: Iterable[date], reported: Iterable[tuple[date, str]], *, until: date
) -> list[tuple[date, str]]:
    """The halves (am, pm) of the days someone was on patrol, up to `until`, without a
    report."""
    done = set(reported)
    return [
        (day, half)
        for day in patrol_days
        if day <= until
        for half in ("am", "pm")
        if (day, half) not in done
    ]


# --- a report, summed ----------------------------------------------------------------------


@dataclass
class Report:
    """One report of one school for one period, as far as `scope` lets its reader see."""

    kind: str
    school: str
    period: Period
    scope: Scope
    names: Mapping[int, str] = field(default_factory=dict)
    cover: CoverStatement | None = None
    leave: list[TeacherLeave] = field(default_factory=list)
    training: list[TeacherHours] = field(default_factory=list)
    homework: list[HomeworkRecord] = field(default_factory=list)
    class_days: list[ClassDay] = field(default_factory=list)
    shares: list[GradeShare] = field(default_factory=list)
    duties: list[DutyRecord] = field(default_factory=list)
    patrols: list[PatrolRecord] = field(default_factory=list)
    missing_patrols: list[tuple[date, str]] = field(default_factory=list)
    locked: list[date] = field(default_factory=list)  # the first days of the locked months


# How people name a report and a period after /report (Chinese and English).
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
    choice = PERIOD_WORDS.get(rest.casefold())
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
