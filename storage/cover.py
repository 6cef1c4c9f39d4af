"""Cover needs: creating them from approved leave, who is free, arranging, and the daily slip.

A need changes only through a conditional update on its `version` (or its state), so an
arranger pressing an outdated button, two volunteers pressing 我来 together, or a double click
change it once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.cover import (
    DUTY,
    MEETING,
    Availability,
    Candidate,
    DayLesson,
    Suggestion,
    rank_substitutes,
    unavailable,
)
from rules.events import Audience, ends_at, starts_at
from rules.roles import ADMIN, GRADE_LEADER, HEAD_TEACHER, OFFICE, TEACHER
from rules.states import CoverStatus
from rules.swaps import Clash, swap_clashes
from storage.cover_locks import lock_on
from storage.duty import duty_on
from storage.events import audience_members, occurrences_between
from storage.leave import approved_absences, away_at, leaves_on
from storage.locks import database_held
from storage.models import (
    AuditLog,
    CoverNeed,
    CoverSlip,
    DutyAssignment,
    DutyOverride,
    DutyPost,
    DutySwap,
    Event,
    EventCancellation,
    LeaveRequest,
    LessonSwap,
    School,
    Staff,
)
from storage.schedule import Schedule, approved_swaps
from storage.school_static import WATCHED
from storage.session_memo import (
    Entries,
    as_stored,
    remember,
    remember_again,
    remembered,
    tables_of,
    take_remembered,
)
from storage.staff import school_staff
from storage.staff_cache import STAFF_TABLE
from storage.types import stored_id

# Needs that still mean something on the day (released ones are history).
LIVE_STATES = (
    CoverStatus.OPEN,
    CoverStatus.ASKING,
    CoverStatus.ASSIGNED,
    CoverStatus.SELF_STUDY,
    CoverStatus.MERGED,
)
COVERING_STATES = (CoverStatus.ASSIGNED,)
# The audit action a substitute's 拒绝 writes (handlers/cover/decline.py).
DECLINED_ACTION = "cover_declined"
COVER_TABLE = tables_of(CoverNeed)
# Where people must be besides their lessons: duty posts and meetings (with their audience).
COMMITMENT_TABLES = (
    tables_of(DutyAssignment, DutyOverride, DutyPost, DutySwap, Event, EventCancellation)
    | STAFF_TABLE
    | WATCHED
)
COVER_DAY_TABLES = tables_of(CoverNeed, LeaveRequest) | COMMITMENT_TABLES


# Built once: every booking takes it.
_HOLD_SCHOOL = select(School.id).where(col(School.id) == bindparam("school_id")).with_for_update()


async def hold_school(*, session: AsyncSession, school_id: int) -> None:
    """Serialises the actions that check who is free and then book someone, per school.

    Two arrangers booking one teacher for two lessons at once would each see them free; on
    PostgreSQL this row lock makes the second wait and then see the first booking. SQLite's
    BEGIN IMMEDIATE serialises whole transactions already (FOR UPDATE is not rendered there).
    Taken after the leave row and before any cover row, so locks are always taken in one order.
    """
    if not database_held(session):
        await session.exec(_HOLD_SCHOOL, params={"school_id": school_id})


async def create_needs(
    *,
    session: AsyncSession,
    leave: LeaveRequest,
    lessons: Iterable[DayLesson],
    now: datetime,
    provisional: bool = False,
) -> list[CoverNeed]:
    needs = [
        CoverNeed(
            school_id=leave.school_id,
            leave_id=stored_id(leave),
            day=lesson.day,
            period=lesson.period,
            class_id=lesson.class_id,
            subject_id=lesson.subject_id,
            absent_id=leave.staff_id,
            created_at=now,
            provisional=provisional,
        )
        for lesson in lessons
    ]
    session.add_all(needs)
    await session.flush()
    return needs


async def confirm_needs(*, session: AsyncSession, leave_id: int) -> list[CoverNeed]:
    """The leave was approved: the needs put on the boards before are needs like any other;
    returns them (still live)."""
    needs = [
        need
        for need in await needs_of_leave(session=session, leave_id=leave_id)
        if need.provisional
    ]
    if needs:
        await session.exec(
            update(CoverNeed)
            .where(col(CoverNeed.leave_id) == leave_id, col(CoverNeed.provisional))
            .values(provisional=False, version=CoverNeed.version + 1)
        )
        for need in needs:
            await session.refresh(need)
    return needs


async def needs_of_leave(
    *, session: AsyncSession, leave_id: int, states: Sequence[str] = LIVE_STATES
) -> list[CoverNeed]:
    query = (
        select(CoverNeed)
        .where(CoverNeed.leave_id == leave_id, col(CoverNeed.status).in_(states))
        .order_by(col(CoverNeed.day), col(CoverNeed.period), col(CoverNeed.class_id))
    )
    return list((await session.exec(query)).all())


async def leaves_with_needs(*, session: AsyncSession, leave_ids: Sequence[int]) -> set[int]:
    """Which of these leave requests have had lessons on the boards (in any state)."""
    if not leave_ids:
        return set()
    query = select(CoverNeed.leave_id).where(col(CoverNeed.leave_id).in_(leave_ids)).distinct()
    return {x for x in (await session.exec(query)).all() if x is not None}


# A school's needs from `first` to `last` (inclusive) in one of `states`. The statements below are
# built once: boards, counts and planning run them on every action, and a statement made anew
# each time costs its construction and its cache key again.
_NEEDS_IN = (
    col(CoverNeed.school_id) == bindparam("school_id"),
    col(CoverNeed.day) >= bindparam("first"),
    col(CoverNeed.day) <= bindparam("last"),
    col(CoverNeed.status).in_(bindparam("states", expanding=True)),
)
_NEEDS_BETWEEN = (
    select(CoverNeed)
    .where(*_NEEDS_IN)
    .order_by(col(CoverNeed.day), col(CoverNeed.period), col(CoverNeed.class_id))
)
_COVER_COUNTS = (
    select(CoverNeed.substitute_id, func.count())
    .where(*_NEEDS_IN, col(CoverNeed.substitute_id).is_not(None))
    .group_by(col(CoverNeed.substitute_id))
)


def _needs_params(school_id: int, first: date, last: date, states: Sequence[str]) -> dict[str, Any]:
    """The parameters of `_NEEDS_IN`."""
    return {"school_id": school_id, "first": first, "last": last, "states": list(states)}


def _needs_key(
    school_id: int, first: date, last: date, states: Sequence[str]
) -> tuple[object, ...]:
    """What `needs_between` remembers its answer under (read by `_after_change` too)."""
    return ("needs_between", school_id, first, last, tuple(states))


async def needs_between(
    *,
    session: AsyncSession,
    school_id: int,
    first: date,
    last: date,
    states: Sequence[str] = LIVE_STATES,
) -> list[CoverNeed]:
    async def load() -> list[CoverNeed]:
        params = _needs_params(school_id, first, last, states)
        return list((await session.exec(_NEEDS_BETWEEN, params=params)).all())

    key = _needs_key(school_id, first, last, states)
    return list(await remembered(session, key, COVER_TABLE, load))


# The live needs of the school on the day of one of them (none if that one is not live).
_NEEDS_OF_ITS_DAY = (
    select(CoverNeed)
    .where(
        col(CoverNeed.school_id) == bindparam("school_id"),
        col(CoverNeed.day)
        == select(col(CoverNeed.day))
        .where(col(CoverNeed.id) == bindparam("need_id"))
        .scalar_subquery(),
        col(CoverNeed.status).in_(LIVE_STATES),
    )
    .order_by(col(CoverNeed.day), col(CoverNeed.period), col(CoverNeed.class_id))
)


async def read_its_day(*, session: AsyncSession, school_id: int, need_id: int) -> None:
    """Reads the school's live needs of the day of `need_id` with it, in one statement: a press
    on a board names one lesson and goes on to read its day (`needs_on`), which this answers
    too. The pressed one is then in the session, for `session.get`."""
    params = {"school_id": school_id, "need_id": need_id}
    needs = list((await session.exec(_NEEDS_OF_ITS_DAY, params=params)).all())
    if needs:
        day = needs[0].day
        key = _needs_key(school_id, day, day, LIVE_STATES)
        await remember(session, key, COVER_TABLE, needs)


_NEEDS_BY_ID = select(CoverNeed).where(
    col(CoverNeed.id).in_(bindparam("ids", expanding=True)),
    col(CoverNeed.status).in_(bindparam("states", expanding=True)),
)


async def needs_by_id(
    *, session: AsyncSession, ids: Sequence[int], states: Sequence[str] = LIVE_STATES
) -> list[CoverNeed]:
    """These needs as they are now, in the order of `ids`; those no longer in `states` are left
    out (a leave withdrawn in the meantime released them)."""
    if not ids:
        return []
    params = {"ids": list(ids), "states": list(states)}
    found = {need.id: need for need in (await session.exec(_NEEDS_BY_ID, params=params)).all()}
    return [found[need_id] for need_id in ids if need_id in found]


async def needs_on(
    *, session: AsyncSession, school_id: int, day: date, states: Sequence[str] = LIVE_STATES
) -> list[CoverNeed]:
    return await needs_between(
        session=session, school_id=school_id, first=day, last=day, states=states
    )


async def in_locked_month(*, session: AsyncSession, need: CoverNeed) -> bool:
    """Whether the lesson's month is locked: its cover no longer changes (cover_locks.py)."""
    return await lock_on(session=session, school_id=need.school_id, day=need.day) is not None


async def change_need(
    *, session: AsyncSession, need: CoverNeed, version: int, **values: object
) -> bool:
    """Applies the change if the need is still at `version`, not released, and its month is
    not locked."""
    if await in_locked_month(session=session, need=need):
        return False
    kept = await take_remembered(session, _day_reads_of(need.school_id))
    before = (need.status, need.substitute_id)
    result = await session.exec(
        update(CoverNeed)
        .where(
            col(CoverNeed.id) == need.id,
            col(CoverNeed.version) == version,
            col(CoverNeed.status) != CoverStatus.RELEASED,
        )
        .values(version=version + 1, **values)
        # Not the ORM's search of every lesson the session holds for the ones the conditions
        # match (about a millisecond with a day's board loaded): the one it changed is `need`.
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        # The session's copy takes the change as stored, without reading it back; the board
        # drawn next reads the day as this change left it, without reading the day again.
        as_stored(need, {"version": version + 1, **values})
        remember_again(session, _after_change(kept, need, *before))
        return True
    await session.refresh(need)  # someone else's change won: show theirs
    return False


def _day_reads_of(school_id: int) -> Callable[[Hashable], bool]:
    """The remembered reads of the school's needs and cover days (`needs_between`,
    `load_cover_day`), which a change of one need can follow."""

    def chosen(key: Hashable) -> bool:
        return isinstance(key, tuple) and key[0] in _DAY_READS and key[1] == school_id

    return chosen


_DAY_READS = ("needs_between", "cover_day")


def _after_change(
    entries: Entries, need: CoverNeed, status: str, substitute_id: int | None
) -> Entries:
    """The reads as the change of `need` from (status, substitute) left them; one whose rows
    it changed (the need entered or left its states) is dropped, to be read again."""
    kept: Entries = {}
    for key, (tables, value) in entries.items():
        assert isinstance(key, tuple)
        if key[0] == "needs_between":
            first, last, states = key[2], key[3], key[4]
            if first <= need.day <= last and (status in states) != (need.status in states):
                continue
            kept[key] = (tables, value)
            continue
        day: CoverDay = value
        if day.day == need.day and (status in LIVE_STATES) != (need.status in LIVE_STATES):
            continue
        month = Counter(day.covers_month)
        if month_span(day.day) == month_span(need.day):
            if status in COVERING_STATES and substitute_id:
                month[substitute_id] -= 1
            if need.status in COVERING_STATES and need.substitute_id:
                month[need.substitute_id] += 1
        # What the day worked out from its covers is worked out again.
        kept[key] = (tables, replace(day, covers_month=+month, _kept={}))
    return kept


# What a lesson open to arrange again carries: nobody on it, nobody who put them there.
UNASSIGNED: dict[str, Any] = {
    "status": CoverStatus.OPEN,
    "substitute_id": None,
    "assigned_at": None,
    "assigned_by": None,
    "acknowledged_at": None,
}


async def reopen(*, session: AsyncSession, need: CoverNeed) -> bool:
    """The lesson's substitute dropped out: it is open to arrange again, if still as read."""
    return await change_need(session=session, need=need, version=need.version, **UNASSIGNED)


async def take_from_group(
    *, session: AsyncSession, need: CoverNeed, staff_id: int, now: datetime
) -> bool:
    """A volunteer's 我来: only while the need is still asked in the group (and its month is
    not locked)."""
    if await in_locked_month(session=session, need=need):
        return False
    result = await session.exec(
        update(CoverNeed)
        .where(col(CoverNeed.id) == need.id, col(CoverNeed.status) == CoverStatus.ASKING)
        .values(
            status=CoverStatus.ASSIGNED,
            substitute_id=staff_id,
            assigned_at=now,
            acknowledged_at=now,
            version=CoverNeed.version + 1,
        )
    )
    await session.refresh(need)
    return result.rowcount == 1


async def acknowledge(
    *, session: AsyncSession, need: CoverNeed, version: int, staff_id: int, now: datetime
) -> bool:
    result = await session.exec(
        update(CoverNeed)
        .where(
            col(CoverNeed.id) == need.id,
            col(CoverNeed.version) == version,
            col(CoverNeed.status) == CoverStatus.ASSIGNED,
            col(CoverNeed.substitute_id) == staff_id,
            col(CoverNeed.acknowledged_at).is_(None),
        )
        .values(acknowledged_at=now)
    )
    await session.refresh(need)
    return result.rowcount == 1


async def decline(*, session: AsyncSession, need: CoverNeed, version: int, staff_id: int) -> bool:
    """The substitute says no: the lesson is open to arrange again, if still theirs as read
    (and its month is not locked)."""
    if await in_locked_month(session=session, need=need):
        return False
    result = await session.exec(
        update(CoverNeed)
        .where(
            col(CoverNeed.id) == need.id,
            col(CoverNeed.version) == version,
            col(CoverNeed.status) == CoverStatus.ASSIGNED,
            col(CoverNeed.substitute_id) == staff_id,
        )
        .values(version=version + 1, **UNASSIGNED)
    )
    await session.refresh(need)
    return result.rowcount == 1


async def release_needs(*, session: AsyncSession, needs: Iterable[CoverNeed]) -> list[CoverNeed]:
    """Marks the needs released (their teacher is back); returns the ones that changed. A
    lesson of a locked month keeps its cover: the caller tells who asked."""
    released = []
    for need in needs:
        if await in_locked_month(session=session, need=need):
            continue
        result = await session.exec(
            update(CoverNeed)
            .where(col(CoverNeed.id) == need.id, col(CoverNeed.status) != CoverStatus.RELEASED)
            .values(status=CoverStatus.RELEASED, version=CoverNeed.version + 1)
        )
        if result.rowcount == 1:
            released.append(need)
    for need in released:
        await session.refresh(need)
    return released


def is_teacher(person: Staff) -> bool:
    return bool(person.role_set & {TEACHER, HEAD_TEACHER})


@dataclass(frozen=True)
class Commitment:
    """Where some people must be at a time of the day: a duty post or a meeting (its audience).

    Nobody is asked to cover a lesson that overlaps one of theirs."""

    kind: str  # rules.cover DUTY | MEETING
    label: str  # the post's or the event's name
    start: time
    end: time
    people: frozenset[int]


@dataclass
class CoverDay:
    """Who teaches, covers and is away on one day: what the ranking and the checks read.

    A snapshot: what it works out is kept, because a board asks the same of it for every
    lesson on it. Load it again after changing a need or a leave.
    """

    day: date
    schedule: Schedule
    lessons: list[DayLesson]
    leaves: list[LeaveRequest]
    covers: list[CoverNeed]  # live needs of that day
    covers_month: Counter[int] = field(default_factory=Counter)
    commitments: list[Commitment] = field(default_factory=list)
    _kept: dict[object, Any] = field(default_factory=dict, repr=False, compare=False)

    def _covering(self) -> list[tuple[int, int, int]]:
        """(need id, substitute, period) of each need someone covers."""
        if "covering" not in self._kept:
            self._kept["covering"] = [
                (stored_id(need), need.substitute_id, need.period)
                for need in self.covers
                if need.status in COVERING_STATES and need.substitute_id
            ]
        return self._kept["covering"]

    def _taught(self) -> dict[int, frozenset[int]]:
        if "taught" not in self._kept:
            periods: dict[int, set[int]] = {}
            for lesson in self.lessons:
                periods.setdefault(lesson.teacher_id, set()).add(lesson.period)
            self._kept["taught"] = {who: frozenset(p) for who, p in periods.items()}
        return self._kept["taught"]

    def _periods_of(self, who: int, without: int | None) -> frozenset[int]:
        covered = {p for need_id, sub, p in self._covering() if sub == who and need_id != without}
        return self._taught().get(who, frozenset()) | covered

    def busy(self, *, without: int | None = None) -> Mapping[int, frozenset[int]]:
        """Periods each person teaches or covers; `without` leaves one need out."""
        if "busy" not in self._kept:
            people = set(self._taught()) | {sub for _, sub, _ in self._covering()}
            self._kept["busy"] = {who: self._periods_of(who, None) for who in people}
        everyone: dict[int, frozenset[int]] = self._kept["busy"]
        left_out = [sub for need_id, sub, _ in self._covering() if need_id == without]
        if not left_out:
            return everyone
        changed = dict(everyone)
        changed[left_out[0]] = self._periods_of(left_out[0], without)
        return changed

    def away(self, period: int) -> frozenset[int]:
        key = ("away", period)
        if key not in self._kept:
            start = self.schedule.lesson_start(self.day, period)
            bell_starts = self.schedule.bell_starts
            self._kept[key] = frozenset(
                leave.staff_id
                for leave in self.leaves
                if away_at(leave, self.day, period, bell_starts, start)
            )
        return self._kept[key]

    def held_elsewhere(self, period: int) -> Mapping[int, Commitment]:
        """Who must be somewhere else during the period (its bell times), and where; nobody for
        a period without bell times, whose time nobody knows."""
        key = ("elsewhere", period)
        if key not in self._kept:
            bell = self.schedule.bells.get(period)
            found: dict[int, Commitment] = {}
            for item in self.commitments if bell is not None else []:
                assert bell is not None
                if item.start < bell[1] and item.end > bell[0]:
                    for staff_id in item.people:
                        found.setdefault(staff_id, item)
            self._kept[key] = found
        return self._kept[key]

    def covers_today(self, *, without: int | None = None) -> Counter[int]:
        return Counter(sub for need_id, sub, _ in self._covering() if need_id != without)

    def availability(self, period: int, cap: int, *, without: int | None = None) -> Availability:
        return Availability(
            busy=self.busy(without=without),
            away=self.away(period),
            covers_today=self.covers_today(without=without),
            covers_month=self.covers_month,
            cap=cap,
            elsewhere={who: item.kind for who, item in self.held_elsewhere(period).items()},
        )


def month_span(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


async def cover_counts(
    *, session: AsyncSession, school_id: int, first: date, last: date
) -> Counter[int]:
    """Lessons each person covered (or is arranged to cover) between the two days."""
    params = _needs_params(school_id, first, last, COVERING_STATES)
    rows = (await session.exec(_COVER_COUNTS, params=params)).all()
    return Counter({staff_id: count for staff_id, count in rows if staff_id is not None})


async def day_commitments(
    *, session: AsyncSession, school_id: int, day: date, schedule: Schedule
) -> list[Commitment]:
    """The day's duty posts (with that day's replacements) and meetings (with their audience).

    Read once per action and day: an approval writes cover needs, which loads its days' cover
    again, but changes nobody's duty or meeting."""

    async def load() -> list[Commitment]:
        return await _commitments(session, school_id, day, schedule)

    return list(await remembered(session, ("commitments", school_id, day), COMMITMENT_TABLES, load))


async def _commitments(
    session: AsyncSession, school_id: int, day: date, schedule: Schedule
) -> list[Commitment]:
    found = [
        Commitment(DUTY, shift.post, shift.starts_at, shift.ends_at, frozenset({shift.staff_id}))
        for shift in await duty_on(
            session=session, school_id=school_id, day=day, calendar=schedule.calendar
        )
        if shift.staff_id is not None
    ]
    for event, _ in await occurrences_between(
        session=session, school_id=school_id, calendar=schedule.calendar, start=day, end=day
    ):
        begin = starts_at(day, event.starts_at, schedule.tz)
        end = ends_at(begin, event.hours_tenths)
        members = await audience_members(
            session=session, school_id=school_id, audience=Audience.decode(event.audience), on=day
        )
        found.append(
            Commitment(
                MEETING,
                event.title,
                event.starts_at,
                end.time() if end.date() == day else time.max,
                frozenset(stored_id(m) for m in members),
            )
        )
    return found


async def load_cover_day(
    *, session: AsyncSession, school_id: int, day: date, schedule: Schedule
) -> CoverDay:
    """Read once per action and day: a leave approved for a whole day draws the same day's
    board for each of its arrangers. Callers only read it."""

    async def load() -> CoverDay:
        first, last = month_span(day)
        return CoverDay(
            day=day,
            schedule=schedule,
            lessons=schedule.lessons(day) or [],
            leaves=await leaves_on(session=session, school_id=school_id, day=day),
            covers=await needs_on(session=session, school_id=school_id, day=day),
            covers_month=await cover_counts(
                session=session, school_id=school_id, first=first, last=last
            ),
            commitments=await day_commitments(
                session=session, school_id=school_id, day=day, schedule=schedule
            ),
        )

    # The schedule is part of the key: the memo keeps it alive, so its id is not reused.
    key = ("cover_day", school_id, day, id(schedule))
    return await remembered(session, key, COVER_DAY_TABLES, load)


def need_lesson(need: CoverNeed, schedule: Schedule) -> DayLesson:
    return DayLesson(
        need.day,
        need.period,
        need.class_id,
        schedule.grades.get(need.class_id, 0),
        need.subject_id,
        need.absent_id,
        0,
    )


async def _teacher_pool(
    *, session: AsyncSession, school_id: int
) -> list[tuple[Candidate, frozenset[str]]]:
    """The school's teachers as the ranking takes them, with the subjects on their record;
    read once per action, as a board ranks them for every lesson on it."""

    async def load() -> list[tuple[Candidate, frozenset[str]]]:
        return [
            (Candidate(stored_id(s), s.name, s.grade, s.external), frozenset(s.subject_list))
            for s in await school_staff(session=session, school_id=school_id)
            if is_teacher(s)
        ]

    return await remembered(session, ("teacher_pool", school_id), STAFF_TABLE, load)


async def suggest(
    *,
    session: AsyncSession,
    need: CoverNeed,
    cover_day: CoverDay,
    cap: int,
    subject_name: str,
    now: datetime,
    limit: int = 3,
    with_external: bool = True,
    declined: AbstractSet[int] | None = None,
) -> list[Suggestion]:
    """The top substitutes for the need, the current substitute left out of the counts; none
    once the lesson is over. External teachers only `with_external` (cover.suggest_external).
    Those who declined it (`declined`, else read from the audit log) come last, marked."""
    if declined is None:
        declined = await declined_by(session=session, needs=[need])
    pool = await _teacher_pool(session=session, school_id=need.school_id)
    teachers = cover_day.schedule.teachers
    class_teachers = teachers.by_class.get(need.class_id, set())
    subject_teachers = teachers.by_subject.get(need.subject_id, set()) | {
        candidate.staff_id for candidate, subjects in pool if subject_name in subjects
    }
    grade = cover_day.schedule.grades.get(need.class_id)
    grade_teachers = teachers.by_grade.get(grade, set()) if grade is not None else set()
    candidates = [c for c, _ in pool if c.staff_id != need.substitute_id]
    return rank_substitutes(
        need_lesson(need, cover_day.schedule),
        candidates,
        cover_day.availability(need.period, cap, without=need.id),
        class_teachers=class_teachers,
        subject_teachers=subject_teachers,
        grade_teachers=grade_teachers,
        limit=limit,
        ends=cover_day.schedule.lesson_over_at(need.day, need.period),
        now=now,
        with_external=with_external,
        declined=declined,
    )


async def declined_by(*, session: AsyncSession, needs: Iterable[CoverNeed]) -> set[int]:
    """Who said no (拒绝) to any of these lessons: the audit log keeps each decline with its
    decliner, so no table has to remember them. Read from the school's entries since the
    first lesson went up for cover (the log's index on school and time): a board draw asks."""
    chosen = list(needs)
    if not chosen:
        return set()
    query = select(AuditLog.actor_staff_id).where(
        col(AuditLog.school_id) == chosen[0].school_id,
        col(AuditLog.at) >= min(need.created_at for need in chosen),
        col(AuditLog.action) == DECLINED_ACTION,
        col(AuditLog.subject_type) == "cover_need",
        col(AuditLog.subject_id).in_([stored_id(need) for need in chosen]),
    )
    return {staff_id for staff_id in (await session.exec(query)).all() if staff_id is not None}


def why_not(need: CoverNeed, staff_id: int, cover_day: CoverDay, cap: int) -> str | None:
    """Why this person cannot take the need (busy, away, capped, self), or None."""
    return unavailable(
        staff_id,
        need.absent_id,
        need.period,
        cover_day.availability(need.period, cap, without=need.id),
    )


def busy_lesson(cover_day: CoverDay, staff_id: int, period: int) -> DayLesson | None:
    return next(
        (
            lesson
            for lesson in cover_day.lessons
            if lesson.teacher_id == staff_id and lesson.period == period
        ),
        None,
    )


async def arrangers_for(
    *, session: AsyncSession, school_id: int, grade: int | None, policy: str, absent_id: int = 0
) -> list[Staff]:
    """Who arranges cover for a class of `grade`: its grade leader, or the academic office.

    With the grade-leader policy a grade without a leader (or whose leader is the one away)
    falls back to the office, so a need always reaches someone. The one away is never asked.
    """
    staff = [
        s for s in await school_staff(session=session, school_id=school_id) if s.id != absent_id
    ]
    if policy == "grade_leader":
        leaders = [s for s in staff if GRADE_LEADER in s.role_set and s.grade == grade]
        if leaders:
            return leaders
    # A school without an academic office in its roster: its admins arrange.
    return [s for s in staff if OFFICE in s.role_set] or [s for s in staff if ADMIN in s.role_set]


def may_arrange(person: Staff | None, *, grade: int | None, policy: str, is_admin: bool) -> bool:
    """Re-checked on every press: the arranger's role, whatever the button says."""
    if is_admin:
        return True
    if person is None:
        return False
    if OFFICE in person.role_set:
        return True
    return policy == "grade_leader" and GRADE_LEADER in person.role_set and person.grade == grade


async def swap_problems(
    *,
    session: AsyncSession,
    school_id: int,
    schedule: Schedule,
    mine: DayLesson,
    theirs: DayLesson,
    ignore_swap: int | None = None,
) -> list[Clash]:
    """What the swap would double-book, from the lessons, covers and absences of both days,
    and which of its two lessons has cover arranged (it must not move under the substitute)."""
    lessons_on: dict[date, list[DayLesson]] = {}
    covering: set[tuple[int, date, int]] = set()
    away: set[tuple[int, date, int]] = set()
    arranged: set[tuple[int, date, int]] = set()
    for day in {mine.day, theirs.day}:
        cover_day = await load_cover_day(
            session=session, school_id=school_id, day=day, schedule=schedule
        )
        lessons_on[day] = cover_day.lessons
        for need in cover_day.covers:
            if need.status in COVERING_STATES and need.substitute_id:
                covering.add((need.substitute_id, day, need.period))
            arranged.add((need.class_id, day, need.period))
        for period in {mine.period, theirs.period}:
            for staff_id in cover_day.away(period):
                away.add((staff_id, day, period))
    clashes = swap_clashes(
        mine, theirs, lessons_on=lessons_on, covering=covering, away=away, arranged=arranged
    )
    if ignore_swap is None:
        return clashes
    # Re-checking an agreed swap: its own lessons are not in its way.
    return [c for c in clashes if c.lesson is None or c.lesson.swap_id != ignore_swap]


@dataclass
class SlipData:
    """What the cover slip of a day shows: who is away (part of day only), covers, swaps."""

    day: date
    away: dict[int, str]
    needs: list[CoverNeed]
    swaps: list[LessonSwap]

    @property
    def empty(self) -> bool:
        return not (self.away or self.needs or self.swaps)


async def slip_data(*, session: AsyncSession, school_id: int, day: date) -> SlipData:
    return SlipData(
        day=day,
        away=await approved_absences(session=session, school_id=school_id, day=day),
        needs=await needs_on(session=session, school_id=school_id, day=day),
        swaps=await approved_swaps(session=session, school_id=school_id, days=[day]),
    )


async def posted_slip(*, session: AsyncSession, school_id: int, day: date) -> CoverSlip | None:
    query = select(CoverSlip).where(CoverSlip.school_id == school_id, CoverSlip.day == day)
    return (await session.exec(query)).first()


async def save_slip(
    *,
    session: AsyncSession,
    school_id: int,
    day: date,
    lines: list[str],
    now: datetime,
    covers: Mapping[int, tuple[str, int | None]] | None = None,
    posted_anew: bool = True,
) -> None:
    """Keeps what the slip shows now; `posted_anew` forgets the messages it was delivered as
    (the new post's are recorded as they go), else they stay to be edited again."""
    slip = await posted_slip(session=session, school_id=school_id, day=day)
    if slip is None:
        slip = CoverSlip(school_id=school_id, day=day, posted_at=now)
    slip.lines = json.dumps(lines, ensure_ascii=False)
    slip.covers = json.dumps({str(k): list(v) for k, v in (covers or {}).items()})
    if posted_anew:
        slip.messages = "[]"
    slip.posted_at = now
    session.add(slip)
    await session.flush()


def slip_covers(needs: Iterable[CoverNeed]) -> dict[int, tuple[str, int | None]]:
    """What the slip records of each lesson's cover, to say later what changed."""
    return {stored_id(need): (need.status, need.substitute_id) for need in needs}


def posted_slip_covers(slip: CoverSlip) -> dict[int, tuple[str, int | None]]:
    return {int(k): (str(v[0]), v[1]) for k, v in json.loads(slip.covers or "{}").items()}


def posted_slip_lines(slip: CoverSlip) -> list[str]:
    return list(json.loads(slip.lines or "[]"))
