"""What the daily board (作业公示) and the weekly summary say about each class, as plain values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from rules.homework import Entry, Kind, Layer, written_total


@dataclass(frozen=True)
class BoardItem:
    """One published posting as the board shows it."""

    subject: str
    kind: Kind
    layer: Layer | None
    minutes: int
    content: str


@dataclass(frozen=True)
class ClassDay:
    """A class's homework on one day, and how it stands against the grade's cap."""

    grade: int
    number: int
    name: str
    cap: int | None
    items: tuple[BoardItem, ...]
    waiting: int = 0  # postings accepted but not approved yet (not on the board)

    @property
    def written(self) -> int:
        return written_total(Entry(i.subject, i.kind, i.minutes) for i in self.items)

    @property
    def over(self) -> bool:
        return self.cap is not None and self.written > self.cap

    @property
    def missing(self) -> bool:
        """Nothing posted where written homework is expected: a grade whose written cap is 0
        (grades 1–2 under 双减) may well have none, and is not flagged for it."""
        return not self.items and self.cap != 0

    @property
    def quiet(self) -> bool:
        """Nothing posted or waiting, and nothing written expected: a line on the board."""
        return not self.items and not self.waiting and self.cap == 0

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.written, 0)


def by_grade(days: Iterable[ClassDay]) -> list[tuple[int, list[ClassDay]]]:
    """The classes grouped per grade, grades and classes in order."""
    grades: dict[int, list[ClassDay]] = {}
    for day in sorted(days, key=lambda d: (d.grade, d.number)):
        grades.setdefault(day.grade, []).append(day)
    return list(grades.items())


@dataclass(frozen=True)
class WeekStats:
    """A class's week: the average daily written minutes over the school days, and the days
    over the cap or with nothing posted."""

    grade: int
    number: int
    name: str
    cap: int | None
    school_days: int
    average: float
    days_over: tuple[date, ...]
    days_missing: tuple[date, ...]


def week_stats(
    *,
    grade: int,
    number: int,
    name: str,
    cap: int | None,
    school_days: Iterable[date],
    written: Mapping[date, int],
    posted: Iterable[date],
) -> WeekStats:
    """`written`: written minutes per day; `posted`: the days with any published posting.

    A school day with nothing posted counts as 0 minutes in the average: the average says how
    much written homework the class really had per school day.
    """
    days = sorted(set(school_days))
    posted_days = set(posted)
    total = sum(written.get(d, 0) for d in days)
    over = tuple(d for d in days if cap is not None and written.get(d, 0) > cap)
    missing = tuple(d for d in days if d not in posted_days)
    average = total / len(days) if days else 0.0
    return WeekStats(grade, number, name, cap, len(days), average, over, missing)
