"""Meetings that take teachers out of class: the lessons they miss go on the cover boards.

After `/event add`, `change`, `cancel`, `restore` or the end of an event, `follow_event` makes
the cover match the event as it now stands (rules/event_cover.py says which events do this):
the teachers it takes away get a 公假 for the periods it takes, their lessons in them become
cover needs, the arrangers get their boards and the teachers a note; lessons it no longer takes
are released, their teachers, substitutes and arrangers told (one message each, whatever the
number of lessons). Lessons already begun are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time

from bot.texts import Safe, t
from handlers.core.outbox import tell
from handlers.core.turn import Turn
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import boards_follow, default_lang, load_kit, update_slips
from handlers.cover.substitute import close_released_asks
from handlers.cover.substitute_away import reopen_their_covers
from handlers.leave.approval import duties_for_leave
from jobs import kinds
from rules.cover import DayLesson
from rules.event_cover import away_part, lessons_during, makes_cover, periods_during
from rules.events import Audience, ends_at, next_occurrence, occurs_on, starts_at
from rules.leave_dates import DayPart
from rules.states import CoverStatus
from storage.cover import create_needs, hold_school, needs_on, release_needs
from storage.cover_boards import arranger_needs
from storage.event_cover import (
    all_needs_of_leave,
    event_leaves,
    move_event_leave,
    reopen_need,
    withdraw_event_leave,
    write_event_leave,
)
from storage.events import audience_members, spec_and_calendar
from storage.models import CoverNeed, Event, LeaveRequest, School
from storage.schedule import Kit
from storage.types import stored_id
from views.leave import language_of, need_label

# A lesson is known by its day, period and class (one need per lesson and leave).
LessonKey = tuple[date, int, int]


@dataclass
class Taken:
    """What the event takes on its date: the run of periods, and each teacher's lessons in it."""

    day: date
    part: DayPart
    lessons: dict[int, list[DayLesson]] = field(default_factory=dict)


@dataclass
class CoverChange:
    """What following the event changed: lessons put up for cover, lessons released."""

    added: list[CoverNeed] = field(default_factory=list)
    released: list[CoverNeed] = field(default_factory=list)


def _key(item: CoverNeed | DayLesson) -> LessonKey:
    return item.day, item.period, item.class_id


def _ahead(turn: Turn, kit: Kit, day: date, period: int) -> bool:
    start = kit.schedule.lesson_start(day, period)
    return start is not None and start > turn.now


async def _lessons_on(
    turn: Turn, kit: Kit, event: Event, day: date
) -> tuple[DayPart, list[DayLesson]] | None:
    """The run of periods the event takes on `day` and its members' lessons in them; None when
    it takes no period (after school, or no bell times)."""
    begin = starts_at(day, event.starts_at, kit.schedule.tz)
    end = ends_at(begin, event.hours_tenths)
    periods = periods_during(
        kit.schedule.bells, begin.time(), end.time() if end.date() == day else time.max
    )
    part = away_part(periods)
    if part is None:
        return None
    members = await audience_members(
        session=turn.session,
        school_id=event.school_id,
        audience=Audience.decode(event.audience),
        on=day,
    )
    ids = {stored_id(m) for m in members}
    return part, lessons_during(kit.schedule.lessons(day) or [], ids, periods)


async def _taken(turn: Turn, kit: Kit, event: Event, own: set[int]) -> Taken | None:
    """The lessons still ahead that the event takes its members from; None when it takes none.

    A lesson already on the boards through another leave (the teacher is ill that day) is not
    put there twice. `own`: the ids of the leaves this event wrote before.
    """
    enabled = bool(kit.policies.get("events.cover"))
    day = event.on_date
    if not event.active or day is None:
        return None
    if not makes_cover(Audience.decode(event.audience), one_off=True, enabled=enabled):
        return None
    spec, calendar = await spec_and_calendar(session=turn.session, event=event)
    if not occurs_on(spec, day, calendar) or not kit.schedule.status(day).is_school_day:
        return None
    found = await _lessons_on(turn, kit, event, day)
    if found is None:
        return None
    part, lessons = found
    elsewhere = {
        _key(need)
        for need in await needs_on(session=turn.session, school_id=event.school_id, day=day)
        if need.leave_id not in own
    }
    taken = Taken(day, part)
    for lesson in lessons:
        if _key(lesson) not in elsewhere and _ahead(turn, kit, day, lesson.period):
            taken.lessons.setdefault(lesson.teacher_id, []).append(lesson)
    return taken


async def uncovered_clash(turn: Turn, kit: Kit, event: Event) -> tuple[str, date, int] | None:
    """For an event that gets no cover (weekly, for everyone, or the school turned it off) but
    falls on its members' lessons on its next date: why (a catalogue key), that date, and how
    many lessons. The organiser is warned: the lessons are theirs to sort out."""
    enabled = bool(kit.policies.get("events.cover"))
    audience = Audience.decode(event.audience)
    if not event.active or makes_cover(
        audience, one_off=event.on_date is not None, enabled=enabled
    ):
        return None
    spec, calendar = await spec_and_calendar(session=turn.session, event=event)
    day = next_occurrence(spec, calendar, turn.now.astimezone(kit.schedule.tz))
    if day is None or not kit.schedule.status(day).is_school_day:
        return None
    found = await _lessons_on(turn, kit, event, day)
    if found is None or not found[1]:
        return None
    if not enabled:
        key = "event.cover.clash_off"
    elif event.on_date is None:
        key = "event.cover.clash_weekly"
    else:
        key = "event.cover.clash_everyone"
    return key, day, len(found[1])


async def follow_event(turn: Turn, school: School, event: Event) -> CoverChange:
    """Makes the cover match the event (see the module's note); returns what changed."""
    kit = await load_kit(turn, stored_id(school))
    if kit is None:
        return CoverChange()
    leaves = {
        leave.staff_id: leave
        for leave in await event_leaves(session=turn.session, event_id=stored_id(event))
    }
    taken = await _taken(turn, kit, event, {stored_id(leave) for leave in leaves.values()})
    wanted = taken.lessons if taken is not None else {}
    if not leaves and not wanted:
        return CoverChange()
    await hold_school(session=turn.session, school_id=stored_id(school))
    change = CoverChange()
    previous: dict[int, tuple[str, int | None]] = {}
    new_leaves: list[LeaveRequest] = []  # written or moved: their duties and covers follow
    for staff_id in sorted(set(leaves) | set(wanted)):
        lessons = wanted.get(staff_id, [])
        leave = leaves.get(staff_id)
        if leave is None:
            assert taken is not None
            leave = await write_event_leave(
                session=turn.session,
                event=event,
                staff_id=staff_id,
                day=taken.day,
                part=taken.part,
                by=turn.actor.telegram_id,
                now=turn.now,
            )
            new_leaves.append(leave)
        elif taken is not None and lessons:
            # Only a leave that moved takes the teacher from other duties and covers anew.
            if await move_event_leave(
                session=turn.session, leave=leave, day=taken.day, part=taken.part
            ):
                new_leaves.append(leave)
        rows = await all_needs_of_leave(session=turn.session, leave_id=stored_id(leave))
        keep = {_key(lesson) for lesson in lessons}
        dropped = [
            need
            for need in rows
            if need.status != CoverStatus.RELEASED
            and _key(need) not in keep
            and _ahead(turn, kit, need.day, need.period)
        ]
        previous.update({stored_id(n): (n.status, n.substitute_id) for n in dropped})
        change.released += await release_needs(session=turn.session, needs=dropped)
        by_key = {_key(need): need for need in rows}
        fresh = [lesson for lesson in lessons if _key(lesson) not in by_key]
        change.added += await create_needs(
            session=turn.session, leave=leave, lessons=fresh, now=turn.now
        )
        for lesson in lessons:
            old = by_key.get(_key(lesson))
            if old is not None and await reopen_need(session=turn.session, need=old):
                change.added.append(old)
        live = [n for n in rows if n.status != CoverStatus.RELEASED]
        if not lessons and not live:
            await withdraw_event_leave(session=turn.session, leave=leave)
    await _tell(turn, kit, event, change, previous)
    for leave in new_leaves:
        reopened = await reopen_their_covers(turn, kit, leave)
        if reopened:
            boards_follow(turn, kit, reopened)
        turn.then(duties_for_leave, leave_id=stored_id(leave))
    return change


async def _tell(
    turn: Turn,
    kit: Kit,
    event: Event,
    change: CoverChange,
    previous: dict[int, tuple[str, int | None]],
) -> None:
    """The teachers, substitutes and arrangers of released lessons, the teachers of added ones;
    boards, board copies and slips follow."""
    if not change.added and not change.released:
        return
    if change.released:
        await _tell_released(turn, kit, event, change.released, previous)
        await close_released_asks(turn, kit, change.released)
    if change.added:
        boards_follow(turn, kit, change.added)
    for staff_id, needs in _by(change.added, lambda need: need.absent_id).items():
        person = kit.names.staff.get(staff_id)
        if person is None:
            continue
        lang = language_of(person, default_lang(turn))
        tell(
            turn.out, person, default_lang(turn), "event.cover.teacher",
            title=event.title, count=len(needs), lessons=_lines(lang, kit, needs),
        )  # fmt: skip
    days = sorted({need.day for need in [*change.added, *change.released]})
    for day in days:
        redraw_copies(turn, kit, day)
    update_slips(turn, kit, days)
    await turn.schedule_changed(stored_id(kit.school), kinds.LEAVE_AND_COVER)


def _by(
    needs: list[CoverNeed], whose: Callable[[CoverNeed], int | None]
) -> dict[int, list[CoverNeed]]:
    """The needs grouped by a person (their teacher, their substitute), in lesson order."""
    found: dict[int, list[CoverNeed]] = {}
    for need in sorted(needs, key=_key):
        staff_id = whose(need)
        if staff_id is not None:
            found.setdefault(staff_id, []).append(need)
    return found


def _lines(lang: str, kit: Kit, needs: list[CoverNeed], *, names: bool = False) -> Safe:
    """One line per lesson, in the reader's language; with `names`, whose lesson it is."""
    labels = [Safe(need_label(lang, kit.names, kit.schedule, need)) for need in needs]
    if names:
        lines: list[str] = [
            t(lang, "event.cover.line", lesson=label, name=kit.names.person(need.absent_id))
            for label, need in zip(labels, needs, strict=True)
        ]
    else:
        lines = ["· " + label for label in labels]
    return Safe("\n".join(lines))


async def _tell_released(
    turn: Turn,
    kit: Kit,
    event: Event,
    released: list[CoverNeed],
    previous: dict[int, tuple[str, int | None]],
) -> None:
    """Lessons the event no longer takes: one message each to their teachers (the lessons are
    theirs again), to whoever was to cover them and to their arrangers, however many lessons a
    cancelled training hands back (a subject group's afternoon is a dozen or more)."""
    fallback = default_lang(turn)

    def covering(need: CoverNeed) -> int | None:
        status, substitute = previous.get(stored_id(need), (CoverStatus.OPEN, None))
        return substitute if status in (CoverStatus.ASSIGNED, CoverStatus.MERGED) else None

    for key, groups in (
        ("event.cover.back_teacher", _by(released, lambda need: need.absent_id)),
        ("event.cover.released_substitute", _by(released, covering)),
    ):
        for staff_id, needs in groups.items():
            person = kit.names.staff.get(staff_id)
            if person is None:
                continue
            tell(
                turn.out, person, fallback, key,
                title=event.title, count=len(needs),
                lessons=_lines(language_of(person, fallback), kit, needs),
            )  # fmt: skip
    me = turn.actor.staff.id if turn.actor.staff else None
    for person, needs in (await arranger_needs(turn.session, kit, released)).values():
        if person.id == me:
            continue  # the organiser's own answer says it
        lang = language_of(person, fallback)
        ordered = sorted(needs, key=_key)
        tell(
            turn.out, person, fallback, "event.cover.released_arranger",
            title=event.title, count=len(ordered), lessons=_lines(lang, kit, ordered, names=True),
        )  # fmt: skip


def cover_lines(turn: Turn, shown: Kit, change: CoverChange) -> list[str]:
    """What the organiser is told: how many lessons went up for cover (and which), and how
    many were released."""
    lines: list[str] = []
    if change.added:
        lines.append(turn.t("event.cover.added", count=len(change.added)))
        for need in sorted(change.added, key=_key):
            label = Safe(need_label(turn.lang, shown.names, shown.schedule, need))
            lines.append(
                turn.t("event.cover.line", lesson=label, name=shown.names.person(need.absent_id))
            )
    if change.released:
        lines.append(turn.t("event.cover.released", count=len(change.released)))
    return lines
