"""Who is on a duty post on a given day: by weekday, or by a rotation over an ordered list.

A rotation advances one step per school day, so weekends, holidays and closures do not use up
turns. Its position on a day is the number of school days since its anchor, modulo the length of
the list. The anchor is the later of the first day of the term and the day the list was imported:
each term starts at the top of the list, and a new list starts with its first name on the day it
arrives. On a make-up working day a weekday post follows the weekday the school set for it (按周X);
a rotation simply takes its next step, as on any other school day.

Someone on leave during a duty's window is replaced for the day: `rank_replacements` suggests
the next in the rotation who can, then whoever has had the fewest duties this month.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from rules.calendar import DayStatus, SchoolCalendar

WEEKDAY = "weekday"
ROTATION = "rotation"
MODES = (WEEKDAY, ROTATION)

MORNING = "am"
AFTERNOON = "pm"
NOON = time(12, 0)
PATROL_MARK = "巡课"  # posts whose name carries it are the lesson patrol (seed 000)


@dataclass(frozen=True)
class RosterPost:
    """A duty post with its standing assignment, as the rules need it."""

    post_id: int
    name: str
    starts_at: time
    ends_at: time
    mode: str
    by_weekday: Mapping[int, int] = field(default_factory=dict)  # ISO weekday -> staff id
    rotation: tuple[int, ...] = ()  # staff ids in turn order
    anchor: date | None = None  # the day the rotation list was imported


def count_school_days(calendar: SchoolCalendar, start: date, end: date) -> int:
    """School days d with start <= d < end."""
    count = 0
    day = start
    while day < end:
        count += calendar.is_school_day(day)
        day += timedelta(days=1)
    return count


def term_start(calendar: SchoolCalendar, day: date) -> date | None:
    """The first day of the term `day` falls in, or None outside every term."""
    return next((term.start for term in calendar.data.terms if day in term), None)


def rotation_anchor(calendar: SchoolCalendar, day: date, imported_on: date | None) -> date:
    """The later of the term's first day and the import day (see the module docstring)."""
    candidates = [d for d in (term_start(calendar, day), imported_on) if d is not None]
    return max(candidates) if candidates else day


def rotation_turn(calendar: SchoolCalendar, day: date, anchor: date, length: int) -> int | None:
    """The index into the list on `day`, or None when it is not a school day."""
    if length <= 0 or not calendar.is_school_day(day):
        return None
    if day >= anchor:
        steps = count_school_days(calendar, anchor, day)
    else:  # a day before the list arrived: counted backwards, so the order stays one cycle
        steps = -count_school_days(calendar, day, anchor)
    return steps % length


def on_duty(post: RosterPost, status: DayStatus, calendar: SchoolCalendar) -> int | None:
    """The staff id the standing roster puts on the post that day, or None."""
    if not status.is_school_day:
        return None
    if post.mode == WEEKDAY:
        # A make-up day whose weekday is not set yet has no weekday roster: the admins are
        # warned ahead of it rather than a weekday being guessed.
        if status.timetable_weekday is None:
            return None
        return post.by_weekday.get(status.timetable_weekday)
    anchor = rotation_anchor(calendar, status.day, post.anchor)
    turn = rotation_turn(calendar, status.day, anchor, len(post.rotation))
    return None if turn is None else post.rotation[turn]


def due_turn(
    post: RosterPost, calendar: SchoolCalendar, day: date, horizon: int = 400
) -> int | None:
    """The place in a rotation list of whoever stands on the post on the first school day from
    `day` on (a summer holiday in between included); None for an empty list or no such day."""
    if post.mode != ROTATION or not post.rotation:
        return None
    for offset in range(horizon):
        current = day + timedelta(days=offset)
        anchor = rotation_anchor(calendar, current, post.anchor)
        turn = rotation_turn(calendar, current, anchor, len(post.rotation))
        if turn is not None:
            return turn
    return None


def edited_rotation(
    old: Sequence[int], due: int | None, *, add: int | None = None, remove: int | None = None
) -> list[int]:
    """A rotation list with someone added at its end or removed, turned so that it goes on
    where it was: whoever was due keeps the turn, or, when they were removed, the next after
    them. The result is meant to start again from the day `due` was computed for."""
    entries: list[tuple[int, int | None]] = [
        (staff, place) for place, staff in enumerate(old) if staff != remove
    ]
    if add is not None:
        entries.append((add, None))
    kept = [
        ((place - due) % len(old), index)
        for index, (_, place) in enumerate(entries)
        if place is not None and due is not None
    ]
    start = min(kept)[1] if kept else 0
    return [staff for staff, _ in entries[start:] + entries[:start]]


def half_of(moment: time) -> str:
    return MORNING if moment < NOON else AFTERNOON


def is_patrol(post_name: str) -> bool:
    return PATROL_MARK in post_name


def windows_overlap(a: tuple[time, time], b: tuple[time, time]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def match_posts(names: Sequence[str], ref: str) -> list[int]:
    """Indexes of the posts `ref` names: its number in the listing (1-based), the exact name, or
    else every name containing it (full-width and half-width brackets read alike)."""
    wanted = _key(ref)
    if not wanted:
        return []
    if wanted.isdigit():
        number = int(wanted)
        return [number - 1] if 1 <= number <= len(names) else []
    exact = [i for i, name in enumerate(names) if _key(name) == wanted]
    if exact:
        return exact
    return [i for i, name in enumerate(names) if wanted in _key(name)]


# --- replacing someone on leave ----------------------------------------------------------------

DAY_START = time.min
DAY_END = time.max


def absence_window(part: str, bells: Mapping[int, tuple[time, time]]) -> tuple[time, time] | None:
    """When an absence keeps someone away on a day: the whole day, the morning or afternoon
    (split at noon), or from the first period's bell to the last one's end.

    None for periods whose bell times the school never gave: nobody can tell then whether a
    duty falls inside them, and a duty is not taken from someone on a guess.
    """
    match = re.fullmatch(r"p(\d{1,2})-(\d{1,2})", part)
    if match:
        first, last = bells.get(int(match[1])), bells.get(int(match[2]))
        return (first[0], last[1]) if first is not None and last is not None else None
    return {"am": (DAY_START, NOON), "pm": (NOON, DAY_END)}.get(part, (DAY_START, DAY_END))


def away_during(
    part: str, window: tuple[time, time], bells: Mapping[int, tuple[time, time]]
) -> bool:
    """Whether an absence of that part of the day overlaps a duty window."""
    span = absence_window(part, bells)
    return span is not None and windows_overlap(span, window)


def rotation_after(post: RosterPost, status: DayStatus, calendar: SchoolCalendar) -> list[int]:
    """A rotation's people in turn order, starting after the one whose turn it is that day."""
    if post.mode != ROTATION or not post.rotation:
        return []
    anchor = rotation_anchor(calendar, status.day, post.anchor)
    turn = rotation_turn(calendar, status.day, anchor, len(post.rotation))
    if turn is None:
        return []
    size = len(post.rotation)
    return [post.rotation[(turn + step) % size] for step in range(1, size)]


def rank_replacements(
    *,
    absent_id: int,
    successors: Sequence[int],
    pool: Iterable[int],
    month_counts: Mapping[int, int],
    unavailable: set[int],
    limit: int = 3,
) -> list[int]:
    """Who to suggest for a post whose person is away: on a rotation the next in turn who can,
    then whoever has the fewest duties this month (staff id breaks ties, so the same situation
    always gives the same list). Nobody away, already on duty then, or the absent person."""
    chosen: list[int] = []
    following = next((s for s in successors if s != absent_id and s not in unavailable), None)
    if following is not None:
        chosen.append(following)
    for staff_id in sorted(set(pool), key=lambda s: (month_counts.get(s, 0), s)):
        if len(chosen) >= limit:
            break
        if staff_id != absent_id and staff_id not in unavailable and staff_id not in chosen:
            chosen.append(staff_id)
    return chosen
