"""Who is on duty when: the standing roster, one-day replacements, and changes to both.

`duty_on` is the one answer to "who is on which post that day" — the announcement, the
reminders, /duty and the leave feature all ask it. A replacement for one day (an admin's choice,
an agreed swap, or cover for someone on leave) is a `DutyOverride`, made with `set_override`.
`duty_gaps` finds the people on duty whose approved leave covers the window, and
`replacement_suggestions` whom to ask instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import DayStatus, SchoolCalendar
from rules.roles import HEAD_TEACHER, TEACHER
from rules.rota import (
    ROTATION,
    WEEKDAY,
    RosterPost,
    away_during,
    on_duty,
    rank_replacements,
    rotation_after,
    windows_overlap,
)
from storage.calendar import school_calendar
from storage.kept import KeptByVersion, by_schedule_version
from storage.leave import approved_absences
from storage.models import CalendarEntry, DutyAssignment, DutyOverride, DutyPost, School, Staff
from storage.schedule import bell_times
from storage.schools import bump_schedule_version
from storage.session_memo import read_columns, remembered, table_of, tables_of
from storage.staff import all_school_staff, staff_with_ids
from storage.types import stored_id

# What the shifts of a day are made of; writing any of these in an action reads them again.
DUTY_READS = tables_of(DutyPost, DutyAssignment, DutyOverride, Staff, CalendarEntry, School)


@dataclass(frozen=True)
class DutyShift:
    """One post on one day and the person on it (None: nobody is set)."""

    day: date
    post_id: int
    post: str
    starts_at: time
    ends_at: time
    staff_id: int | None
    name: str
    telegram_id: int | None
    language: str | None
    regular_staff_id: int | None  # whom the standing roster puts there
    regular_name: str
    reason: str | None  # None, or why someone else is there: set | swap | leave

    @property
    def window(self) -> tuple[time, time]:
        return (self.starts_at, self.ends_at)

    @property
    def replaced(self) -> bool:
        return self.reason is not None and self.staff_id != self.regular_staff_id


_POST = table_of(DutyPost)
_ASSIGNED = table_of(DutyAssignment)
# The posts' listing order: by start time, then as the imported file listed them.
_LISTED = (_POST.c.starts_at, _POST.c.position, _POST.c.id)
# Built once with bound parameters.
_SCHOOL_POSTS = (
    select(DutyPost).where(col(DutyPost.school_id) == bindparam("school_id")).order_by(*_LISTED)
)
ROSTER_READS = tables_of(DutyPost, DutyAssignment)
# The roster as plain columns, each post with its assignments, in one statement: every /duty
# and announcement reads it (about thirty rows a school), and changes none of it.
_ROSTER = (
    sa_select(
        _POST.c.id,
        _POST.c.name,
        _POST.c.starts_at,
        _POST.c.ends_at,
        _POST.c.mode,
        _POST.c.anchor_date,
        _ASSIGNED.c.weekday,
        _ASSIGNED.c.staff_id,
        _ASSIGNED.c.turn,
    )
    .select_from(_POST.outerjoin(_ASSIGNED, _ASSIGNED.c.post_id == _POST.c.id))
    .where(_POST.c.school_id == bindparam("school_id"))
    .order_by(*_LISTED, _ASSIGNED.c.turn, _ASSIGNED.c.id)
)
_OVERRIDES = select(DutyOverride).where(
    col(DutyOverride.school_id) == bindparam("school_id"),
    col(DutyOverride.day) >= bindparam("start"),
    col(DutyOverride.day) <= bindparam("end"),
)


async def school_posts(*, session: AsyncSession, school_id: int) -> list[DutyPost]:
    """The school's posts in listing order: by start time, then as the file listed them."""
    return list((await session.exec(_SCHOOL_POSTS, params={"school_id": school_id})).all())


async def has_roster(*, session: AsyncSession, school_id: int) -> bool:
    # The roster itself, not a cheaper query: whoever asks goes on to read it (/duty, the
    # announcement), and it is read once per action.
    return bool(await roster(session=session, school_id=school_id))


async def roster(*, session: AsyncSession, school_id: int) -> list[RosterPost]:
    """The standing roster of every post, as the pure rules read it; once per action, and kept
    between actions under the school's `schedule_version`, which every change of a post or of
    who stands on it counts up (below, and storage/import_duty.py): /duty, each announcement and
    every cover board ask for it. A session that wrote the roster reads it fresh."""

    async def read() -> tuple[RosterPost, ...]:
        return tuple(await _roster(session, school_id))

    async def load() -> tuple[RosterPost, ...]:
        return await _kept_rosters.read(
            session, school_id, version=by_schedule_version, written=ROSTER_READS, load=read
        )

    return list(await remembered(session, ("roster", school_id), ROSTER_READS, load))


# Rules objects, frozen: shared by every action of the school while its version holds.
_kept_rosters: KeptByVersion[tuple[RosterPost, ...]] = KeptByVersion()


async def _roster(session: AsyncSession, school_id: int) -> list[RosterPost]:
    rows = await read_columns(session, _ROSTER, {"school_id": school_id})
    # Each post (in listing order) with its (weekday, staff, turn), in turn order; a post
    # nobody is assigned to has one row of NULLs.
    posts: dict[int, tuple[Any, list[tuple[int | None, int, int | None]]]] = {}
    for row in rows:
        assigned = posts.setdefault(row.id, (row, []))[1]
        if row.staff_id is not None:
            assigned.append((row.weekday, row.staff_id, row.turn))
    return [
        RosterPost(
            post_id=post_id,
            name=post.name,
            starts_at=post.starts_at,
            ends_at=post.ends_at,
            mode=post.mode,
            by_weekday={day: staff for day, staff, _ in assigned if day is not None},
            rotation=tuple(staff for _, staff, turn in assigned if turn is not None),
            anchor=post.anchor_date,
        )
        for post_id, (post, assigned) in posts.items()
    ]


async def _staff_by_id(session: AsyncSession, school_id: int) -> dict[int, Staff]:
    return {stored_id(s): s for s in await all_school_staff(session=session, school_id=school_id)}


def _named_in(posts: list[RosterPost], overrides: Sequence[DutyOverride]) -> set[int]:
    """Everyone the shifts of these posts can name: a day's shifts need only them."""
    named = {o.staff_id for o in overrides}
    for post in posts:
        named.update(post.by_weekday.values())
        named.update(post.rotation)
    return named


async def duties_between(
    *,
    session: AsyncSession,
    school_id: int,
    start: date,
    end: date,
    calendar: SchoolCalendar | None = None,
) -> dict[date, list[DutyShift]]:
    """Every school day from start to end (inclusive) with its shifts, in post order.

    Remembered within the action: `/duty` lists the day, then looks for the people on leave in
    the same shifts.
    """

    async def load() -> dict[date, list[DutyShift]]:
        return await _duties_between(session, school_id, start, end, calendar)

    found = await remembered(session, ("duties_between", school_id, start, end), DUTY_READS, load)
    return {day: list(shifts) for day, shifts in found.items()}


async def _duties_between(
    session: AsyncSession,
    school_id: int,
    start: date,
    end: date,
    calendar: SchoolCalendar | None,
) -> dict[date, list[DutyShift]]:
    calendar = calendar or await school_calendar(session=session, school_id=school_id)
    posts = await roster(session=session, school_id=school_id)
    if not posts:
        return {}
    params = {"school_id": school_id, "start": start, "end": end}
    overrides = (await session.exec(_OVERRIDES, params=params)).all()
    replaced = {(o.post_id, o.day): o for o in overrides}
    people = await staff_with_ids(
        session=session, school_id=school_id, ids=_named_in(posts, overrides)
    )
    result: dict[date, list[DutyShift]] = {}
    day = start
    while day <= end:
        status = calendar.status(day)
        if status.is_school_day:
            result[day] = [
                _shift(post, status, calendar, replaced.get((post.post_id, day)), people)
                for post in posts
                if _runs(post, status) or (post.post_id, day) in replaced
            ]
        day += timedelta(days=1)
    return result


def _runs(post: RosterPost, status: DayStatus) -> bool:
    """A weekday post nobody stands on that weekday does not run that day; one on a make-up
    day whose weekday is not set yet is listed with nobody, so the gap shows."""
    if post.mode != WEEKDAY or status.timetable_weekday is None:
        return True
    return status.timetable_weekday in post.by_weekday


def _shift(
    post: RosterPost,
    status: DayStatus,
    calendar: SchoolCalendar,
    override: DutyOverride | None,
    people: dict[int, Staff],
) -> DutyShift:
    regular_id = on_duty(post, status, calendar)
    staff_id = override.staff_id if override is not None else regular_id
    person = people.get(staff_id) if staff_id is not None else None
    regular = people.get(regular_id) if regular_id is not None else None
    return DutyShift(
        day=status.day,
        post_id=post.post_id,
        post=post.name,
        starts_at=post.starts_at,
        ends_at=post.ends_at,
        staff_id=staff_id,
        name=person.name if person is not None else "",
        telegram_id=person.telegram_id if person is not None and person.active else None,
        language=person.language if person is not None else None,
        regular_staff_id=regular_id,
        regular_name=regular.name if regular is not None else "",
        reason=override.reason if override is not None else None,
    )


async def duty_on(
    *, session: AsyncSession, school_id: int, day: date, calendar: SchoolCalendar | None = None
) -> list[DutyShift]:
    """Who is on which post that day: the roster with that day's replacements applied.

    Empty on a day that is not a school day; a weekday post without anyone on that weekday is
    left out. A shift with `staff_id` None has nobody: a weekday post on a make-up day whose
    weekday is not set yet, or an empty rotation.
    """
    days = await duties_between(
        session=session, school_id=school_id, start=day, end=day, calendar=calendar
    )
    return days.get(day, [])


async def set_override(
    *,
    session: AsyncSession,
    school_id: int,
    post_id: int,
    day: date,
    staff_id: int,
    reason: str,
    by: int | None,
    now: datetime,
    swap_id: int | None = None,
) -> DutyOverride:
    """Puts `staff_id` on the post for that day, replacing any earlier replacement."""
    stored = (
        await session.exec(
            select(DutyOverride).where(DutyOverride.post_id == post_id, DutyOverride.day == day)
        )
    ).first()
    if stored is None:
        row = DutyOverride(
            school_id=school_id,
            post_id=post_id,
            day=day,
            staff_id=staff_id,
            reason=reason,
            swap_id=swap_id,
            created_at=now,
            created_by=by,
        )
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
            return row
        except IntegrityError:
            # Someone else replaced the same post that day at the same moment: ours is later.
            stored = (
                await session.exec(
                    select(DutyOverride).where(
                        DutyOverride.post_id == post_id, DutyOverride.day == day
                    )
                )
            ).one()
    stored.staff_id, stored.reason, stored.swap_id = staff_id, reason, swap_id
    stored.created_at, stored.created_by = now, by
    session.add(stored)
    await session.flush()
    return stored


async def clear_override(*, session: AsyncSession, post_id: int, day: date) -> bool:
    """Back to the standing roster for that day; False when there was no replacement."""
    result = await session.exec(
        delete(DutyOverride).where(
            col(DutyOverride.post_id) == post_id, col(DutyOverride.day) == day
        )
    )
    return result.rowcount > 0


async def set_weekday_person(
    *, session: AsyncSession, post: DutyPost, weekday: int, staff_id: int
) -> int | None:
    """Changes who stands on a weekday post on that weekday; returns who did before."""
    assert post.mode == WEEKDAY
    stored = (
        await session.exec(
            select(DutyAssignment).where(
                DutyAssignment.post_id == post.id, DutyAssignment.weekday == weekday
            )
        )
    ).first()
    before = stored.staff_id if stored is not None else None
    if stored is None:
        stored = DutyAssignment(
            school_id=post.school_id, post_id=stored_id(post), weekday=weekday, staff_id=staff_id
        )
    stored.staff_id = staff_id
    session.add(stored)
    await session.flush()
    await bump_schedule_version(session=session, school_id=post.school_id)
    return before


async def rotation_of(*, session: AsyncSession, post: DutyPost) -> list[int]:
    """The staff ids of a rotation post in turn order."""
    rows = (
        await session.exec(
            select(DutyAssignment)
            .where(DutyAssignment.post_id == post.id, col(DutyAssignment.turn).is_not(None))
            .order_by(col(DutyAssignment.turn), col(DutyAssignment.id))
        )
    ).all()
    return [row.staff_id for row in rows]


async def set_rotation(
    *, session: AsyncSession, post: DutyPost, staff_ids: Sequence[int], start: date
) -> list[int]:
    """Replaces a rotation's list; its first person stands on the first school day from `start`
    on. Returns the list before."""
    assert post.mode == ROTATION
    before = await rotation_of(session=session, post=post)
    await session.exec(delete(DutyAssignment).where(col(DutyAssignment.post_id) == post.id))
    for turn, staff_id in enumerate(staff_ids, start=1):
        session.add(
            DutyAssignment(
                school_id=post.school_id, post_id=stored_id(post), turn=turn, staff_id=staff_id
            )
        )
    post.anchor_date = start
    session.add(post)
    await session.flush()
    await bump_schedule_version(session=session, school_id=post.school_id)
    return before


async def add_post(
    *,
    session: AsyncSession,
    school_id: int,
    name: str,
    starts_at: time,
    ends_at: time,
    mode: str,
    start: date,
) -> DutyPost | None:
    """A new post with nobody on it yet, listed after the others; None when the school already
    has a post of that name starting then."""
    query = select(DutyPost).where(
        DutyPost.school_id == school_id, DutyPost.name == name, DutyPost.starts_at == starts_at
    )
    if (await session.exec(query)).first() is not None:
        return None
    last = (
        await session.exec(
            select(func.max(DutyPost.position)).where(DutyPost.school_id == school_id)
        )
    ).one()
    post = DutyPost(
        school_id=school_id,
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        anchor_date=start if mode == ROTATION else None,
        position=(last if last is not None else -1) + 1,
    )
    try:
        async with session.begin_nested():
            session.add(post)
            await session.flush()
    except IntegrityError:
        return None  # the same post added by someone else at the same moment
    await bump_schedule_version(session=session, school_id=school_id)
    return post


async def remove_post(*, session: AsyncSession, post: DutyPost) -> None:
    """Deletes a post with its roster and its one-day replacements."""
    await session.exec(delete(DutyOverride).where(col(DutyOverride.post_id) == post.id))
    await session.exec(delete(DutyAssignment).where(col(DutyAssignment.post_id) == post.id))
    await session.delete(post)
    await session.flush()
    await bump_schedule_version(session=session, school_id=post.school_id)


async def post_by_id(*, session: AsyncSession, school_id: int, post_id: int) -> DutyPost | None:
    post = await session.get(DutyPost, post_id)
    return post if post is not None and post.school_id == school_id else None


# --- people on duty who are on leave ----------------------------------------------------------


@dataclass(frozen=True)
class DutyGap:
    """A shift whose person has approved leave during its window: someone must stand in."""

    shift: DutyShift
    part: str  # the absence that day: full | am | pm | p<first>-<last>


# Built once: every final approval of a leave request asks it.
_ON_ANY_DUTY = (
    select(DutyAssignment.id)
    .where(
        col(DutyAssignment.school_id) == bindparam("school_id"),
        col(DutyAssignment.staff_id) == bindparam("staff_id"),
    )
    .union_all(
        select(DutyOverride.id).where(
            col(DutyOverride.school_id) == bindparam("school_id"),
            col(DutyOverride.staff_id) == bindparam("staff_id"),
            col(DutyOverride.day) >= bindparam("start"),
            col(DutyOverride.day) <= bindparam("end"),
        )
    )
    .limit(1)
)


async def on_any_duty(
    *, session: AsyncSession, school_id: int, staff_id: int, start: date, end: date
) -> bool:
    """Whether the person is on the standing roster, or stands in for someone between the two
    days: when not, no duty of theirs can fall in that time, and nothing more need be read."""
    params = {"school_id": school_id, "staff_id": staff_id, "start": start, "end": end}
    # SQLModel types exec() for a select or DML statement only; it runs a UNION as well.
    found = await session.exec(_ON_ANY_DUTY, params=params)  # type: ignore[call-overload]
    return found.first() is not None


@dataclass(frozen=True)
class Replacement:
    """Someone suggested to stand in, and why: next in the rotation, and duties this month."""

    staff: Staff
    duties_this_month: int
    next_in_rotation: bool


async def duty_gaps(
    *,
    session: AsyncSession,
    school_id: int,
    start: date,
    end: date,
    calendar: SchoolCalendar | None = None,
) -> list[DutyGap]:
    """Every shift from start to end whose person is away during its window (approved leave,
    a return before the window counted), in day and post order."""
    days = await duties_between(
        session=session, school_id=school_id, start=start, end=end, calendar=calendar
    )
    bells = await bell_times(session=session, school_id=school_id)
    gaps = []
    for day, shifts in sorted(days.items()):
        if not any(shift.staff_id for shift in shifts):
            continue
        away = await approved_absences(session=session, school_id=school_id, day=day)
        for shift in shifts:
            part = away.get(shift.staff_id) if shift.staff_id is not None else None
            if part is not None and away_during(part, shift.window, bells):
                gaps.append(DutyGap(shift, part))
    return gaps


async def _unavailable(
    session: AsyncSession, school_id: int, shift: DutyShift, day_shifts: list[DutyShift]
) -> dict[int, str]:
    """Who cannot stand in on that shift, and why: away, on another duty then."""
    bells = await bell_times(session=session, school_id=school_id)
    away = await approved_absences(session=session, school_id=school_id, day=shift.day)
    reasons = {
        staff_id: "away"
        for staff_id, part in away.items()
        if away_during(part, shift.window, bells)
    }
    for other in day_shifts:
        if (
            other.staff_id is not None
            and other.post_id != shift.post_id
            and windows_overlap(other.window, shift.window)
        ):
            reasons.setdefault(other.staff_id, "busy")
    return reasons


async def replacement_problem(
    *, session: AsyncSession, school_id: int, shift: DutyShift, staff_id: int
) -> str | None:
    """Why this person cannot stand in on the shift (self, inactive, away, busy), or None."""
    if staff_id == shift.staff_id:
        return "self"
    person = await session.get(Staff, staff_id)
    if person is None or person.school_id != school_id or not person.active:
        return "inactive"
    day_shifts = await duty_on(session=session, school_id=school_id, day=shift.day)
    return (await _unavailable(session, school_id, shift, day_shifts)).get(staff_id)


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


async def replacement_suggestions(
    *, session: AsyncSession, school_id: int, shift: DutyShift, limit: int = 3
) -> list[Replacement]:
    """Whom to suggest for a shift whose person is away (see rules/rota.py rank_replacements):
    the people on the roster and the teachers, present and free then."""
    calendar = await school_calendar(session=session, school_id=school_id)
    posts = await roster(session=session, school_id=school_id)
    post = next((p for p in posts if p.post_id == shift.post_id), None)
    successors = (
        rotation_after(post, calendar.status(shift.day), calendar) if post is not None else []
    )
    first, last = _month(shift.day)
    month = await duties_between(
        session=session, school_id=school_id, start=first, end=last, calendar=calendar
    )
    counts = Counter(s.staff_id for shifts in month.values() for s in shifts if s.staff_id)
    people = await _staff_by_id(session, school_id)
    unavailable = set(await _unavailable(session, school_id, shift, month.get(shift.day, [])))
    unavailable |= {staff_id for staff_id, person in people.items() if not person.active}
    on_roster = {s for p in posts for s in (*p.by_weekday.values(), *p.rotation)}
    teachers = {i for i, person in people.items() if person.role_set & {TEACHER, HEAD_TEACHER}}
    chosen = rank_replacements(
        absent_id=shift.staff_id or 0,
        successors=[s for s in successors if s in people],
        pool=(on_roster | teachers) & set(people),
        month_counts=counts,
        unavailable=unavailable,
        limit=limit,
    )
    following = next((s for s in successors if s in chosen), None)
    return [Replacement(people[i], counts.get(i, 0), i == following) for i in chosen]
