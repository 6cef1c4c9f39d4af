"""Injectable clocks: the bot asks a Clock for the time, never `datetime.now()` directly.

Tests use ManualClock; the playground uses an OffsetClock so that the simulated school day can be
moved forward to watch the scheduled pushes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    tz: tzinfo

    def now(self) -> datetime: ...


class SystemClock:
    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class OffsetClock:
    """Real time shifted by an offset that can only grow, so scheduled pushes are never undone."""

    def __init__(self, tz: tzinfo, start: datetime | None = None) -> None:
        self.tz = tz
        self.offset = timedelta(0)
        if start is not None:
            self.offset = start - datetime.now(tz)

    def now(self) -> datetime:
        return (datetime.now(self.tz) + self.offset).astimezone(self.tz)

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta
        return self.now()

    def set(self, when: datetime) -> datetime:
        return self.advance(when - self.now())


class ManualClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self.tz = start.tzinfo
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now

    def set(self, when: datetime) -> datetime:
        self._now = when.astimezone(self.tz)
        return self._now


def local_today(clock: Clock) -> date:
    return clock.now().date()
