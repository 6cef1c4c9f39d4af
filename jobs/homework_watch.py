"""The homework watch: every minute, while people are awake, each posting waiting for a
decision is closed once its day is over, or moved up when it waited too long or nobody who may
decide it can be reached (jobs/homework_escalation.py).

A posting is for today's board, so its wait is its own policy (`homework.escalate_minutes`),
cut short by the board's time: what is still undecided when the board goes out moves up then.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Edit, Send
from bot.services import Services, services_of
from jobs.homework_escalation import deciders_now, expire, move_up, tiers_above
from jobs.leave import awake
from jobs.leave_escalation import reachable
from jobs.registry import at_local
from rules.approval import due_before
from storage.homework import WAITING, waiting_posts
from storage.models import HomeworkPost, School
from storage.policies import load_policies
from storage.types import stored_id

log = logging.getLogger(__name__)
Message = Send | Edit


async def watch_homework(app: Any) -> tuple[int, int]:
    """Moves up the postings that waited too long or cannot reach anyone who may decide them,
    and expires those whose day is over; returns (moved up, expired). Each posting in a
    transaction of its own."""
    svc = services_of(app)
    now = svc.clock.now()
    async with svc.sessions() as session:
        found = await waiting_posts(session=session)
    moved = expired = 0
    for post, school in found:
        if not awake(now, ZoneInfo(school.timezone)):
            continue
        try:
            outcome = await _look_at(svc, stored_id(post), now)
        except Exception:  # one posting's trouble must not keep the others waiting
            log.exception("could not move homework posting %s on", post.id)
            continue
        moved += outcome == "moved"
        expired += outcome == "expired"
    return moved, expired


async def _look_at(svc: Services, post_id: int, now: datetime) -> str:
    messages: list[Message] = []
    outcome = ""
    async with svc.sessions() as session, session.begin():
        post = await session.get(HomeworkPost, post_id)
        school = await session.get(School, post.school_id) if post is not None else None
        if post is None or school is None or post.status not in WAITING:
            return ""
        tz = ZoneInfo(school.timezone)
        default = svc.settings.default_language
        if post.day < now.astimezone(tz).date():
            closed = await expire(session, post, now, default)
            messages, outcome = closed or [], "expired" if closed is not None else ""
        elif await tiers_above(session, post):
            since = post.escalated_at or post.updated_at
            why = await _why_move(session, post, since, now, tz)
            if why is not None:
                minutes = int((now - since).total_seconds() // 60)
                messages = await move_up(session, post, now, default, why=why, minutes=minutes)
                outcome = "moved" if messages else ""
        await svc.dispatcher.queue(session, messages, school_id=school.id)
    svc.dispatcher.submit(messages)
    return outcome


async def _why_move(
    session: AsyncSession, post: HomeworkPost, since: datetime, now: datetime, tz: ZoneInfo
) -> str | None:
    """`unreachable` when nobody who may decide it can be reached, `late` when its wait ran
    out (at the latest when the day's board went out)."""
    if not await reachable(session, (await deciders_now(session, post)).people):
        return "unreachable"
    policies = await load_policies(session=session, school_id=post.school_id)
    due = due_before(
        waiting_since=since,
        deadline=at_local(post.day, policies.get("homework.board_time"), tz),
        wait=timedelta(minutes=int(policies.get("homework.escalate_minutes"))),
    )
    return "late" if due <= now else None
