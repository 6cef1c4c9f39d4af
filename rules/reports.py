"""The office's records, summed from plain values: the cover statement (代课统计), the leave
summary (考勤汇总), the training hours ledger (学时台账), the homework ledger (作业公示记录) and the
duty record (值周记录). What is asked for (the report, the period, who may have it) is read in
rules/report_requests.py.

Nothing here knows Telegram or the database: storage/reports.py loads the records, views/reports.py
writes them as a workbook. A leave's reason is never among the values: it cannot leak into a sheet.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from rules.leave_dates import LEAVE_KINDS, DayPart
from rules.report_requests import Period, Scope
from rules.slots import LESSON
from rules.states import CoverStatus

# What the bot's cover states mean on a statement: a lesson taught by a substitute (代课), a class
# merged into another teacher's (合班), a lesson left as self-study (看班: supervised, if anyone
# was named for it).
COVER_KINDS = ("cover", "merged", "self_study")
KIND_OF_STATUS: dict[str, str] = {
    CoverStatus.ASSIGNED: "cover",
    CoverStatus.MERGED: "merged",
    CoverStatus.SELF_STUDY: "self_study",
}


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
    slot: str = LESSON  # the bell period's slot kind (rules/slots.py): 正课, 早读, 午管, 晚自习

    def pay(self, rates: Rates) -> int:
        """What the lesson pays: as fixed when its month was locked, else at `rates`."""
        return self.rate if self.rate is not None else rates.of(self.kind, self.slot)


@dataclass(frozen=True)
class Rates:
    """Pay per lesson, in yuan: by the lesson's kind (cover, merged, self-study), or by its slot
    when it is not a regular lesson and the school set that slot's rate (morning reading, noon
    supervision, evening study). All 0: the statement has no money column."""

    cover: int = 0
    merged: int = 0
    self_study: int = 0
    morning: int = 0
    noon: int = 0
    evening: int = 0

    def of(self, kind: str, slot: str = LESSON) -> int:
        by_slot = {"morning": self.morning, "noon": self.noon, "evening": self.evening}
        return by_slot.get(slot, 0) or int(getattr(self, kind))

    @property
    def paid(self) -> bool:
        return any(
            (self.cover, self.merged, self.self_study, self.morning, self.noon, self.evening)
        )


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

    def staffed(self, external: bool) -> CoverStatement:
        """The teachers on the school's establishment (在编), or the external ones (外聘), with
        totals of their own: many schools pay the two from different budgets."""
        return CoverStatement([t for t in self.teachers if t.external == external], self.rates)

    @property
    def has_external(self) -> bool:
        return any(t.external for t in self.teachers)


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
            taker.pay += record.pay(rates)
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
    # Written by the bot for a meeting or training the school sent the teacher to
    # (storage/event_cover.py), not asked for: it is counted apart (`TeacherLeave.event_halves`).
    event: bool = False


def leave_days(
    leave: LeaveRecord, period: Period, school_day: Callable[[date], bool]
) -> Iterator[tuple[date, int]]:
    """Each school day the leave took within the period, with its half-days (a run of periods
    is half a day)."""
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
                yield day, DayPart.from_code(part).half_days
        day += timedelta(days=1)


def leave_halves(leave: LeaveRecord, period: Period, school_day: Callable[[date], bool]) -> int:
    """Half-days of school the leave took within the period (a run of periods is half a day)."""
    return sum(halves for _, halves in leave_days(leave, period, school_day))


@dataclass(frozen=True)
class WeekLeave:
    """A week of the period (by its Monday) and the half-days of leave taken in it, by type."""

    monday: date
    halves: Counter[str]


def leave_weeks(
    leaves: Iterable[LeaveRecord],
    period: Period,
    school_day: Callable[[date], bool],
    *,
    include: Callable[[int], bool] = lambda _: True,
) -> list[WeekLeave]:
    """Every week the period touches, the quiet ones too (a chart's time axis stays honest),
    with the half-days of leave per type taken in it."""
    first = period.start - timedelta(days=period.start.weekday())
    weeks = {
        first + timedelta(weeks=n): Counter[str]()
        for n in range((period.end - first).days // 7 + 1)
    }
    for leave in leaves:
        if not include(leave.staff_id) or leave.event:
            continue
        for day, halves in leave_days(leave, period, school_day):
            weeks[day - timedelta(days=day.weekday())][leave.kind] += halves
    return [WeekLeave(monday, halves) for monday, halves in weeks.items()]


@dataclass
class TeacherLeave:
    staff_id: int
    name: str
    external: bool = False
    halves: Counter[str] = field(default_factory=Counter)  # by leave kind
    requests: int = 0
    event_halves: int = 0  # at meetings and trainings the school sent them to: not leave
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
    and left as self-study. `missed` counts each teacher's lessons that needed cover.

    Time at a meeting or training the school sent the teacher to (an event's 公假) is counted
    apart, in `event_halves`: the office reads 请假 and its total as what teachers asked for,
    and a district training nobody requested would otherwise count as a request. The lessons
    it took still count as missed and covered: the cover was real."""
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
        if halves and leave.event:
            teacher(leave.staff_id).event_halves += halves
        elif halves:
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
    leave_weeks: list[WeekLeave] = field(default_factory=list)
    training: list[TeacherHours] = field(default_factory=list)
    homework: list[HomeworkRecord] = field(default_factory=list)
    class_days: list[ClassDay] = field(default_factory=list)
    shares: list[GradeShare] = field(default_factory=list)
    duties: list[DutyRecord] = field(default_factory=list)
    patrols: list[PatrolRecord] = field(default_factory=list)
    missing_patrols: list[tuple[date, str]] = field(default_factory=list)
    locked: list[date] = field(default_factory=list)  # the first days of the locked months


# How people name a report and a period after /report (Chinese and English).
