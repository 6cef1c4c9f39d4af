"""The swap watch: every minute, while people are awake, each open swap is expired once its
first lesson has begun, or moved up when it waited too long for an arranger or none of them
can be reached (jobs/swap_escalation.py); a proposer whose colleague cannot get the request
is told so, once.

The delays are the leave request's (`leave.escalate_minutes`, `leave.escalate_urgent_minutes`
when the first lesson is within a day): the same people arrange cover and swaps, and how long
a question about the timetable may wait is one decision for a school, not two that drift apart.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Edit, Send
from bot.services import Services, services_of
from jobs.leave import URGENT_WITHIN, awake
from jobs.leave_escalation import reachable
from jobs.registry import at_local
from jobs.swap_escalation import (
    colleague_unreachable,
    expire_if_begun,
    ladder_start,
    move_up,
    swap_arrangers,
)
from rules.approval import can_escalate, escalation_due
from rules.states import SwapStatus
from storage.models import LessonSwap, School
from storage.schedule import Kit, build_kit
from storage.swaps import open_swaps
from storage.types import stored_id

log = logging.getLogger(__name__)
Message = Send | Edit


async def watch_swaps(app: Any) -> tuple[int, int]:
    """Moves up the agreed swaps that waited too long or cannot reach their arrangers, and
    expires the open ones whose first lesson began; returns (moved up, expired). Each swap in
    a transaction of its own."""
    svc = services_of(app)
    now = svc.clock.now()
    async with svc.sessions() as session:
        found = await open_swaps(session=session)
    moved = expired = 0
    for swap, school in found:
        if not awake(now, ZoneInfo(school.timezone)):
            continue
        try:
            outcome = await _look_at(svc, stored_id(swap), now)
        except Exception:  # one swap's trouble must not keep the others waiting
            log.exception("could not move swap %s on", swap.id)
            continue
        moved += outcome == "moved"
        expired += outcome == "expired"
    return moved, expired


async def _look_at(svc: Services, swap_id: int, now: datetime) -> str:
    messages: list[Message] = []
    outcome = ""
    async with svc.sessions() as session, session.begin():
        swap = await session.get(LessonSwap, swap_id)
        school = await session.get(School, swap.school_id) if swap is not None else None
        if swap is None or school is None:
            return ""
        kit = await build_kit(session, school)
        default = svc.settings.default_language
        closed = await expire_if_begun(session, kit, swap, now, default)
        if closed is not None:
            messages, outcome = closed, "expired"
        elif swap.status == SwapStatus.ASKED:
            messages = await colleague_unreachable(session, kit, swap, now, default)
        elif swap.status == SwapStatus.AGREED and can_escalate(
            ladder_start(kit.arranger_policy), swap.level
        ):
            why = await _why_move(session, kit, swap, now)
            if why is not None:
                minutes = int((now - waiting_since(swap)).total_seconds() // 60)
                messages = await move_up(session, kit, swap, now, default, why=why, minutes=minutes)
                outcome = "moved" if messages else ""
        await svc.dispatcher.queue(session, messages, school_id=school.id)
    svc.dispatcher.submit(messages)
    return outcome


def waiting_since(swap: LessonSwap) -> datetime:
    """When its wait at its present level began: when it last moved up, or when the colleague
    agreed."""
    if swap.level and swap.escalated_at is not None:
        return swap.escalated_at
    return swap.answered_at or swap.created_at


async def _why_move(session: AsyncSession, kit: Kit, swap: LessonSwap, now: datetime) -> str | None:
    """`unreachable` when nobody asked can be reached, `late` when it waited its delay."""
    if not await reachable(session, await swap_arrangers(session, kit, swap)):
        return "unreachable"
    tz = ZoneInfo(kit.school.timezone)
    day, period = min((swap.first_day, swap.first_period), (swap.second_day, swap.second_period))
    opens, _ = kit.schedule.school_hours(day)
    starts = kit.schedule.lesson_start(day, period) or at_local(day, opens, tz)
    due = escalation_due(
        waiting_since=waiting_since(swap),
        starts_at=starts,
        normal=timedelta(minutes=int(kit.policies.get("leave.escalate_minutes"))),
        urgent=timedelta(minutes=int(kit.policies.get("leave.escalate_urgent_minutes"))),
        urgent_within=URGENT_WITHIN,
    )
    return "late" if due <= now else None
