"""Lessons of a locked month in an action that changes many lessons' cover (a leave rejected or
withdrawn, a named substitute saying no): the action goes ahead, those lessons keep their cover
(storage/cover_locks.py), and the person who acted is told which month held them and how the
office reopens it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from handlers.core.turn import Turn
from storage.cover_locks import locks_on
from storage.models import CoverNeed
from storage.schedule import Kit
from views.month_locks import kept_text, lesson_locked_text


async def in_locked_months(turn: Turn, kit: Kit, needs: Iterable[CoverNeed]) -> list[CoverNeed]:
    """The needs whose month is locked: their cover stays as it is."""
    needs = list(needs)
    if not needs:
        return []
    locks = await locks_on(
        session=turn.session,
        school_id=needs[0].school_id,
        days=[need.day for need in needs],
    )
    return [need for need in needs if need.day.replace(day=1) in locks]


async def tell_kept(turn: Turn, kit: Kit, kept: list[CoverNeed]) -> None:
    """One line per locked month to the person who acted: how many lessons kept their cover."""
    if not kept:
        return
    locks = await locks_on(
        session=turn.session, school_id=kept[0].school_id, days=[need.day for need in kept]
    )
    counts = Counter(need.day.replace(day=1) for need in kept)
    for month, count in sorted(counts.items()):
        turn.reply(kept_text(turn.lang, kit.names, locks[month], kit.schedule.tz, count))


async def lesson_locked(turn: Turn, kit: Kit, need: CoverNeed) -> str | None:
    """Why this lesson's cover can no longer change, or None when its month is open."""
    locks = await locks_on(session=turn.session, school_id=need.school_id, days=[need.day])
    lock = locks.get(need.day.replace(day=1))
    return None if lock is None else lesson_locked_text(turn.lang, kit.names, lock, kit.schedule.tz)
