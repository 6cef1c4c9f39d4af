"""Events, their cancelled dates, and who they are for."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import SchoolCalendar
from rules.events import GRADE, SUBJECT, Audience, EventSpec, EventWords, occurrences, occurs_on
from storage.calendar import school_calendar
from storage.models import Event, EventCancellation, Lesson, SchoolClass, Staff, Subject
from storage.staff import school_staff
from storage.types import stored_id


async def add_event(
    *,
    session: AsyncSession,
    school_id: int,
    title: str,
    category: str,
    weekday: int | None,
    on_date: date | None,
    start: time,
    tenths: int,
    audience: Audience,
    by_staff_id: int | None,
    now: datetime,
) -> Event:
    event = Event(
        school_id=school_id,
        title=title,
        category=category,
        weekday=weekday,
        on_date=on_date,
        starts_at=start,
        hours_tenths=tenths,
        audience=audience.encode(),
        created_by=by_staff_id,
        created_at=now,
    )
    session.add(event)
    await session.flush()
    return event


async def change_event(
    *, session: AsyncSession, event: Event, words: EventWords, category: str | None
) -> list[str]:
    """Applies what `/event change` said; returns the names of the parts that changed."""
    values: dict[str, object] = {}
    if words.weekday is not None:
        values.update(weekday=words.weekday, on_date=None)
    if words.day is not None:
        values.update(weekday=None, on_date=words.day)
    if words.start is not None:
        values["starts_at"] = words.start
    if words.tenths is not None:
        values["hours_tenths"] = words.tenths
    if words.audience is not None:
        values["audience"] = words.audience.encode()
    if words.title is not None:
        values["title"] = words.title
    if category is not None:
        values["category"] = category
    changed = [name for name, value in values.items() if getattr(event, name) != value]
    for name in changed:
        setattr(event, name, values[name])
    if changed:
        session.add(event)
        await session.flush()
    return changed


async def event_in_school(
    *, session: AsyncSession, school_id: int, event_id: int, active_only: bool = True
) -> Event | None:
    """The event with this id if it belongs to the school (ids typed or pressed prove nothing)."""
    event = await session.get(Event, event_id)
    if event is None or event.school_id != school_id or (active_only and not event.active):
        return None
    return event


async def active_events(*, session: AsyncSession, school_id: int) -> list[Event]:
    query = (
        select(Event)
        .where(Event.school_id == school_id, col(Event.active).is_(True))
        .order_by(col(Event.id))
    )
    return list((await session.exec(query)).all())


async def same_event_on(
    *,
    session: AsyncSession,
    school_id: int,
    day: date,
    title: str,
    start: time,
    audience: Audience,
) -> Event | None:
    """An active event that already takes place on `day` at `start`, with this title and
    audience: a weekly one on its weekday (unless that date is cancelled) or a one-off on it.
    Adding it again would list it twice, in the group's list and in everyone's calendar."""
    wanted = audience.encode()
    alike = [
        event
        for event in await active_events(session=session, school_id=school_id)
        if event.title == title and event.starts_at == start and event.audience == wanted
    ]
    if not alike:
        return None
    calendar = await school_calendar(session=session, school_id=school_id)
    for event, spec in await event_specs(session=session, school_id=school_id, events=alike):
        if occurs_on(spec, day, calendar):
            return event
    return None


async def cancelled_days(
    *, session: AsyncSession, event_ids: Iterable[int]
) -> dict[int, set[date]]:
    ids = list(event_ids)
    found: dict[int, set[date]] = defaultdict(set)
    if not ids:
        return found
    query = select(EventCancellation).where(col(EventCancellation.event_id).in_(ids))
    for row in (await session.exec(query)).all():
        found[row.event_id].add(row.day)
    return found


def spec_of(event: Event, cancelled: Iterable[date] = ()) -> EventSpec:
    return EventSpec(
        id=stored_id(event),
        weekday=event.weekday,
        day=event.on_date,
        start=event.starts_at,
        tenths=event.hours_tenths,
        cancelled=frozenset(cancelled),
    )


async def event_specs(
    *, session: AsyncSession, school_id: int, events: list[Event] | None = None
) -> list[tuple[Event, EventSpec]]:
    """The school's active events (or the ones given) with their cancelled dates."""
    if events is None:
        # One statement for both: every cover day and board reads them.
        found: dict[int, tuple[Event, set[date]]] = {}
        for event, day in (await session.exec(_SPECS, params={"school_id": school_id})).all():
            _, days = found.setdefault(stored_id(event), (event, set()))
            if day is not None:
                days.add(day)
        return [(e, spec_of(e, off)) for e, off in found.values()]
    cancelled = await cancelled_days(session=session, event_ids=[stored_id(e) for e in events])
    return [(e, spec_of(e, cancelled.get(stored_id(e), ()))) for e in events]


# The school's active events, each with its cancelled dates (none: one row with NULL), by id.
_SPECS = (
    select(Event, col(EventCancellation.day))
    .outerjoin(EventCancellation, col(EventCancellation.event_id) == col(Event.id))
    .where(col(Event.school_id) == bindparam("school_id"), col(Event.active).is_(True))
    .order_by(col(Event.id))
)


async def spec_and_calendar(
    *, session: AsyncSession, event: Event
) -> tuple[EventSpec, SchoolCalendar]:
    """What the occurrence rules need to tell whether this event takes place on a date."""
    [(_, spec)] = await event_specs(session=session, school_id=event.school_id, events=[event])
    return spec, await school_calendar(session=session, school_id=event.school_id)


async def occurrences_between(
    *, session: AsyncSession, school_id: int, calendar: SchoolCalendar, start: date, end: date
) -> list[tuple[Event, date]]:
    """Every (event, date) from `start` to `end`, by date and time."""
    found = [
        (event, day)
        for event, spec in await event_specs(session=session, school_id=school_id)
        for day in occurrences(spec, calendar, start, end)
    ]
    return sorted(found, key=lambda pair: (pair[1], pair[0].starts_at, stored_id(pair[0])))


async def cancel_occurrence(
    *, session: AsyncSession, event: Event, day: date, by_staff_id: int | None, now: datetime
) -> bool:
    """Cancels one date; False when it was cancelled already."""
    row = EventCancellation(
        school_id=event.school_id,
        event_id=stored_id(event),
        day=day,
        cancelled_at=now,
        cancelled_by=by_staff_id,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def restore_occurrence(*, session: AsyncSession, event: Event, day: date) -> bool:
    """Undoes a cancelled date; False when it was not cancelled."""
    result = await session.exec(
        delete(EventCancellation).where(
            col(EventCancellation.event_id) == event.id, col(EventCancellation.day) == day
        )
    )
    return result.rowcount > 0


async def end_event(*, session: AsyncSession, school_id: int, event_id: int) -> bool:
    """Cancels the whole event; only the first of two presses does it."""
    result = await session.exec(
        update(Event)
        .where(
            col(Event.id) == event_id,
            col(Event.school_id) == school_id,
            col(Event.active).is_(True),
        )
        .values(active=False)
    )
    return result.rowcount == 1


async def known_subjects(*, session: AsyncSession, school_id: int) -> set[str]:
    """The subjects of the timetable and the staff list."""
    names = set(
        (await session.exec(select(Subject.name).where(Subject.school_id == school_id))).all()
    )
    for staff in await school_staff(session=session, school_id=school_id):
        names.update(staff.subject_list)
    return names


async def audience_members(
    *, session: AsyncSession, school_id: int, audience: Audience, on: date | None = None
) -> list[Staff]:
    """The active staff an event is for.

    A grade audience is the grade group (staff.grade) and everyone teaching a lesson in that
    grade on `on` (any date when None).
    """
    staff = await school_staff(session=session, school_id=school_id)
    if audience.kind == SUBJECT:
        return [s for s in staff if audience.subject in s.subject_list]
    if audience.kind == GRADE:
        query = (
            select(Lesson.teacher_id)
            .join(SchoolClass, col(SchoolClass.id) == col(Lesson.class_id))
            .where(Lesson.school_id == school_id, SchoolClass.grade == audience.grade)
        )
        if on is not None:
            query = query.where(
                or_(col(Lesson.valid_from).is_(None), col(Lesson.valid_from) <= on),
                or_(col(Lesson.valid_to).is_(None), col(Lesson.valid_to) >= on),
            )
        teaching = set((await session.exec(query)).all())
        return [s for s in staff if s.grade == audience.grade or s.id in teaching]
    return staff
