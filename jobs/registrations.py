"""The link-request watch: every minute, while people are awake, each /register request still
waiting is brought to the system admins when the school's admins cannot be reached or let it
wait, and expires with the requester told when nobody decided it in time
(jobs/linking_escalation.py)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import Edit, Send
from bot.services import Services, services_of
from jobs.leave import awake
from jobs.linking_escalation import escalate, expire
from storage.invites import pending_registrations
from storage.models import Registration, School
from storage.types import stored_id

log = logging.getLogger(__name__)
Message = Send | Edit


async def watch_registrations(app: Any) -> tuple[int, int]:
    """Returns (brought to the system admins, expired). Each request in a transaction of its
    own."""
    svc = services_of(app)
    now = svc.clock.now()
    async with svc.sessions() as session:
        found = await pending_registrations(session=session)
    escalated = expired = 0
    for registration, school in found:
        if not awake(now, ZoneInfo(school.timezone)):
            continue
        try:
            outcome = await _look_at(svc, stored_id(registration), now)
        except Exception:  # one request's trouble must not keep the others waiting
            log.exception("could not move link request %s on", registration.id)
            continue
        escalated += outcome == "escalated"
        expired += outcome == "expired"
    return escalated, expired


async def _look_at(svc: Services, registration_id: int, now: datetime) -> str:
    messages: list[Message] = []
    outcome = ""
    async with svc.sessions() as session, session.begin():
        registration = await session.get(Registration, registration_id)
        school = (
            await session.get(School, registration.school_id) if registration is not None else None
        )
        if registration is None or school is None:
            return ""
        closed = await expire(session, svc.settings, registration, school, now)
        if closed is not None:
            messages, outcome = closed, "expired"
        else:
            messages = await escalate(session, svc.settings, registration, school, now)
            outcome = "escalated" if messages else ""
        await svc.dispatcher.queue(session, messages, school_id=school.id)
    svc.dispatcher.submit(messages)
    return outcome
