"""A substitute who goes on leave: the lessons they were to cover go back to the arrangers.

Cover is arranged days ahead; the colleague who took a lesson may fall ill before it. When their
own leave is approved, every lesson still ahead that they were to cover inside it is open again,
the arrangers are told why, and the cover slips change with it.
"""

from __future__ import annotations

from bot.texts import Safe
from handlers.core.outbox import tell
from handlers.core.turn import Turn
from handlers.cover.boards import default_lang, tell_arrangers
from storage.cover import COVERING_STATES, needs_between, reopen
from storage.leave import away_at
from storage.models import CoverNeed, LeaveRequest
from storage.schedule import Kit
from views.leave import language_of, need_label


async def reopen_audited(turn: Turn, need: CoverNeed, *, substitute: int, reason: str) -> bool:
    """Opens the lesson again if it is still as read, and audits why its substitute left it."""
    if not await reopen(session=turn.session, need=need):
        return False
    await turn.audit(
        "cover_reopened",
        subject_type="cover_need",
        subject_id=need.id,
        substitute=substitute,
        reason=reason,
    )
    return True


async def reopen_their_covers(turn: Turn, kit: Kit, leave: LeaveRequest) -> list[CoverNeed]:
    """Opens again what the teacher on `leave` was to cover inside it; returns those lessons."""
    taken = await needs_between(
        session=turn.session,
        school_id=leave.school_id,
        first=leave.first_day,
        last=leave.last_day,
        states=COVERING_STATES,
    )
    reopened = []
    for need in taken:
        if need.substitute_id != leave.staff_id:
            continue
        start = kit.schedule.lesson_start(need.day, need.period)
        if start is not None and start <= turn.now:
            continue  # already taught, or being taught
        if not away_at(leave, need.day, need.period, kit.schedule.bell_starts, start):
            continue
        if await reopen_audited(turn, need, substitute=leave.staff_id, reason="substitute_away"):
            reopened.append(need)
    if not reopened:
        return []
    name = kit.names.person(leave.staff_id)
    for need in reopened:
        await tell_arrangers(turn, kit, need, "cover.substitute_away_for_arranger", name=name)
    person = kit.names.staff.get(leave.staff_id)
    if person is not None:
        lang = language_of(person, default_lang(turn))
        lessons = "\n".join(
            "· " + need_label(lang, kit.names, kit.schedule, need) for need in reopened
        )
        tell(turn.out, person, default_lang(turn), "cover.off_while_away", lessons=Safe(lessons))
    return reopened
