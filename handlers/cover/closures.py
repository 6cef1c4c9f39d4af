"""Days the school closes after their cover was asked for: nobody teaches, so nobody covers.

A closure (/calendar closed) set after a leave's or a training's lessons went on the boards
releases those lessons, as a teacher's return does: whoever was to cover them hears they need
not, the arrangers hear why, the boards and the group's posts and slips say so.
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.core.turn import Turn
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import tell_arrangers_of, tell_substitutes_released, update_slips
from handlers.cover.locked import in_locked_months, tell_kept
from handlers.cover.substitute import close_released_asks
from storage.cover import hold_school, needs_between, release_needs
from storage.models import CoverNeed
from storage.schedule import Kit
from storage.types import stored_id


def _ahead(kit: Kit, need: CoverNeed, now: datetime, today: date) -> bool:
    start = kit.schedule.lesson_start(need.day, need.period)
    return start > now if start is not None else need.day > today


async def release_closed_days(turn: Turn, kit: Kit, first: date, last: date) -> list[CoverNeed]:
    """Releases the lessons still to cover (or covered) between the two closed days; returns
    them."""
    school_id = stored_id(kit.school)
    today = kit.today(turn.now)
    # A lesson already given (a closure from noon, or one recorded afterwards) was covered:
    # that cover happened and stays.
    needs = [
        need
        for need in await needs_between(
            session=turn.session, school_id=school_id, first=first, last=last
        )
        if _ahead(kit, need, turn.now, today)
    ]
    if not needs:
        return []
    await hold_school(session=turn.session, school_id=school_id)
    previous = {need.id: (need.status, need.substitute_id) for need in needs}
    # Taught in a month since locked and paid: that cover stays as it was.
    kept = await in_locked_months(turn, kit, needs)
    released = await release_needs(session=turn.session, needs=needs)
    if not released and not kept:
        return []
    await turn.audit(
        "cover_closed_released",
        first=first.isoformat(),
        last=last.isoformat(),
        released=len(released),
        kept_locked=len(kept),
    )
    await tell_kept(turn, kit, kept)
    tell_substitutes_released(turn, kit, released, previous)
    await tell_arrangers_of(turn, kit, released, "cover.closed_for_arranger")
    await close_released_asks(turn, kit, released, "cover.ask.school_closed")
    days = sorted({need.day for need in released})
    for day in days:
        redraw_copies(turn, kit, day)
    update_slips(turn, kit, days)
    return released
