"""Long-term cover (固定代课) on plain values: which absences are long, a weekly lesson of the
absent teacher, and which of its days a plan covers.

A long absence is better covered by one colleague taking each weekly lesson for weeks than by
arranging every day anew: the class keeps one teacher and the office is spared a board a day.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.cover import AWAY, BUSY, SELF, Availability


@dataclass(frozen=True, order=True)
class WeeklyLesson:
    """A lesson of the absent teacher's week: the weekday whose timetable the day follows (ISO,
    1 = Monday), the period and the class; the subject as taught then."""

    weekday: int
    period: int
    class_id: int
    subject_id: int

    @property
    def slot(self) -> tuple[int, int, int]:
        return self.weekday, self.period, self.class_id

    @property
    def code(self) -> int:
        """Its weekday and period as one number (buttons carry it): 403 is Thursday period 3."""
        return self.weekday * 100 + self.period


def is_long(half_days: int, after_days: int) -> bool:
    """Whether a leave of `half_days` school half-days is longer than `after_days` school days,
    the length from which the office is offered a plan."""
    return half_days > after_days * 2


def plan_clash(
    staff_id: int, absent_id: int, period: int, availability: Availability
) -> str | None:
    """Why this person cannot take the lesson at that period of one day, or None: the daily
    checks without the daily cap. A fixed cover teacher takes the absent teacher's lessons as
    their own for weeks, often several a day; the cap spreads one-off covers, it must not
    forbid a plan."""
    if staff_id == absent_id:
        return SELF
    if staff_id in availability.away:
        return AWAY
    if period in availability.busy.get(staff_id, set()):
        return BUSY
    return None
