"""The kinds of scheduled push, and the slots each produces for a school on a day.

Each feature's jobs module offers `push_kinds()`; `build_application` collects them into the
services, and the scheduler asks every kind for its slots and runs each slot once, claiming it
in the push ledger first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import DayStatus
from rules.policies import PolicySet
from storage.models import School

if TYPE_CHECKING:
    from bot.services import Services


# The target of a slot for the school's staff groups (an announcement, a slip, a board); other
# targets name a person, an event, a lesson or the office.
GROUP = "group"


@dataclass(frozen=True)
class Slot:
    """One push to make: `kind` for `target` at `at`; (school, kind, target, key) is unique."""

    kind: str
    target: str
    at: datetime
    key: str
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class DayContext:
    """What a kind may read to plan a school's day."""

    session: AsyncSession
    school: School
    policies: PolicySet
    day: date
    status: DayStatus
    tz: Any
    # What several kinds read for the same day (who is on duty…), read once per plan.
    memo: dict[str, Any] = field(default_factory=dict)
    # The first and last day planned together with this one (None: this day alone), and what
    # their plans read once for all of them: a start plans yesterday, today and tomorrow, and a
    # kind reads the rows of the three days in one query instead of one a day.
    span: tuple[date, date] | None = None
    shared: dict[str, Any] = field(default_factory=dict)

    async def once(self, key: str, read: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self.memo:
            self.memo[key] = await read()
        return self.memo[key]

    @property
    def days(self) -> tuple[date, date]:
        """The first and last day of the plan this day belongs to."""
        return self.span or (self.day, self.day)

    async def once_for_days(self, key: str, read: Callable[[], Awaitable[Any]]) -> Any:
        """`read()` once for all the days planned together (it reads the whole `days`)."""
        if key not in self.shared:
            self.shared[key] = await read()
        return self.shared[key]


@dataclass
class PushContext:
    """What a kind gets to send one slot: its own session (a transaction per push)."""

    services: Services
    bot: Any
    session: AsyncSession
    school: School
    policies: PolicySet
    slot: Slot
    day: date
    status: DayStatus


SlotPlanner = Callable[[DayContext], Awaitable[list[Slot]]]
Sender = Callable[[PushContext], Awaitable[bool]]


@dataclass(frozen=True)
class PushKind:
    name: str
    plan: SlotPlanner
    send: Sender


def at_local(day: date, when: time, tz: Any) -> datetime:
    return datetime.combine(day, when, tzinfo=tz)


def daily_slot(
    name: str,
    time_policy: str,
    *,
    school_days_only: bool = True,
    weekdays: frozenset[int] | None = None,
    target: str = GROUP,
) -> SlotPlanner:
    """A planner for the common case: once a day at the time a policy gives."""

    async def plan(ctx: DayContext) -> list[Slot]:
        if school_days_only and not ctx.status.is_school_day:
            return []
        if weekdays is not None and ctx.day.isoweekday() not in weekdays:
            return []
        when: time = ctx.policies.get(time_policy)
        at = at_local(ctx.day, when, ctx.tz)
        return [Slot(name, target, at, ctx.day.isoformat())]

    return plan
