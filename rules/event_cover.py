"""Meetings that take teachers out of class: which events put lessons on the cover boards, and
which lessons.

A district training (区级培训) or a research activity (区级教研) on a date, for a subject or
grade group, takes its members away from whatever they teach at that time, as a 公假 would: those
lessons need cover. Two kinds of event do not:
- a weekly event: its slot is built into the timetable (the 语文组 keeps Wednesday afternoon free
  for 教研, seed 003), so a weekly clash is a timetable matter, and standing cover belongs in
  the timetable, not on the daily boards week after week;
- an event for the whole staff: nobody would be left to cover, and a school that meets during
  lessons stops them (or sets self-study) on purpose.
A school can switch the whole thing off (`events.cover`) and arrange such cover by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from datetime import time

from rules.cover import DayLesson
from rules.events import ALL, Audience
from rules.leave_dates import DayPart


def makes_cover(audience: Audience, *, one_off: bool, enabled: bool) -> bool:
    """Whether an event's lessons go on the cover boards (see the module's note)."""
    return enabled and one_off and audience.kind != ALL


def periods_during(bells: Mapping[int, tuple[time, time]], start: time, end: time) -> list[int]:
    """The periods whose bell times share some minutes with [start, end), in order.

    A period without bell times is left out: nobody can tell whether a meeting takes it.
    """
    return sorted(p for p, (begins, ends) in bells.items() if begins < end and ends > start)


def lessons_during(
    lessons: Iterable[DayLesson], teachers: Set[int], periods: Iterable[int]
) -> list[DayLesson]:
    """The lessons these teachers give in these periods, by teacher, period and class."""
    wanted = set(periods)
    found = [x for x in lessons if x.teacher_id in teachers and x.period in wanted]
    return sorted(found, key=lambda x: (x.teacher_id, x.period, x.class_id))


def away_part(periods: Iterable[int]) -> DayPart | None:
    """The part of the day the teacher is away for: the run of periods the meeting takes, so
    they are not asked to cover another lesson then either."""
    chosen = sorted(periods)
    if not chosen:
        return None
    return DayPart("periods", chosen[0], chosen[-1])
