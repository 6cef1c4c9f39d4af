"""Pushes are never lost: the slots that fell due and did not go out are sent, or reported.

Each slot has a job of its own at its time, but a job can fail to run it: the database was
unreachable at that minute, SQLite was locked by another process, the process was paused or
the clock stepped past APScheduler's misfire grace (it then drops the job without a word), or
the process died. So the watch keeps every slot planned for yesterday, today and tomorrow, and
every `WATCH_SECONDS` (and at start) looks at those whose time has passed and that this process
has not run: within the school's `push.grace_minutes` they are run now (the ledger claim still
keeps them to one delivery across processes); past it they are claimed as missed and listed to
the school's admins, so nobody is left believing a push went out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from jobs.registry import Slot

# How often the watch looks; a slot's own job gets `LAG` to run it first.
WATCH_SECONDS = 60
LAG = timedelta(seconds=30)
# Planned slots are forgotten two days after their time.
KEEP = timedelta(days=2)


def slot_name(school_id: int, slot: Slot) -> str:
    return f"{school_id}:{slot.kind}:{slot.target}:{slot.key}"


@dataclass
class _Planned:
    slot: Slot
    day: date
    done: bool = False


@dataclass
class SchoolWatch:
    created_at: datetime
    grace: timedelta
    slots: dict[str, _Planned] = field(default_factory=dict)


@dataclass
class PushWatch:
    schools: dict[int, SchoolWatch] = field(default_factory=dict)

    def learn(
        self,
        school_id: int,
        *,
        created_at: datetime,
        grace: timedelta,
        planned: dict[date, list[Slot]],
        kinds: frozenset[str] | None,
        now: datetime,
        past_done: bool = True,
    ) -> None:
        """Takes in a plan of some days (of the kinds named, or all); a slot already run keeps
        its mark, a slot no longer planned is forgotten. `past_done`: a slot newly planned at
        a time already past counts as done (a change made it due too late, as before: a cover
        assigned within its reminder's half hour is not reminded); at start it does not: that
        is the catch-up."""
        watch = self.schools.get(school_id)
        if watch is None:
            watch = self.schools[school_id] = SchoolWatch(created_at, grace)
        watch.created_at, watch.grace = created_at, grace
        done_before: dict[str, bool] = {}
        for name, planned_slot in list(watch.slots.items()):
            replanned = planned_slot.day in planned and (
                kinds is None or planned_slot.slot.kind in kinds
            )
            if replanned:
                done_before[name] = planned_slot.done
                del watch.slots[name]
            elif planned_slot.slot.at < now - KEEP:
                del watch.slots[name]
        for day, slots in planned.items():
            for slot in slots:
                name = slot_name(school_id, slot)
                done = done_before.get(name, past_done and slot.at <= now)
                watch.slots[name] = _Planned(slot, day, done)

    def forget(self, school_id: int) -> None:
        self.schools.pop(school_id, None)

    def done(self, school_id: int, slot: Slot) -> None:
        watch = self.schools.get(school_id)
        if watch is not None:
            planned = watch.slots.get(slot_name(school_id, slot))
            if planned is not None:
                planned.done = True

    def due(self, now: datetime, school_ids: set[int] | None = None) -> dict[int, list[Slot]]:
        """Slots whose time has come and that were not run here, per school, oldest first;
        never one before the school was created (a new school has missed nothing)."""
        found: dict[int, list[Slot]] = {}
        for school_id, watch in self.schools.items():
            if school_ids is not None and school_id not in school_ids:
                continue
            slots = [
                p.slot
                for p in watch.slots.values()
                if not p.done and watch.created_at <= p.slot.at <= now
            ]
            if slots:
                found[school_id] = sorted(slots, key=lambda s: (s.at, s.kind, s.target))
        return found

    def grace(self, school_id: int) -> timedelta:
        watch = self.schools.get(school_id)
        return watch.grace if watch is not None else timedelta(0)
