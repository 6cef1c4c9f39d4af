"""Demo steps for duties: the morning announcement of the next school day."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import services_of
from demo.roster import SCHOOL_NAME
from demo.stage import GROUP_ID, Stage
from simulator import SimMessage
from storage.calendar import school_calendar
from storage.policies import load_policies
from storage.schools import school_by_name
from storage.types import stored_id

# A school year has no break longer than this; past it the calendar has no school days at all.
MAX_DAYS_AHEAD = 120


async def next_duty_announcement(stage: Stage) -> list[SimMessage]:
    """Moves the clock to the next school day's announcement time; returns the announcement."""
    svc = services_of(stage.app)
    async with svc.sessions() as session:
        school = await school_by_name(session=session, name=SCHOOL_NAME)
        assert school is not None
        calendar = await school_calendar(session=session, school_id=stored_id(school))
        policies = await load_policies(session=session, school_id=stored_id(school))
    now = stage.clock.now()
    day = now.date() + timedelta(days=1)
    while not calendar.is_school_day(day):
        day += timedelta(days=1)
        if day > now.date() + timedelta(days=MAX_DAYS_AHEAD):
            return []
    since = stage.sim.seq
    await stage.advance(datetime.combine(day, policies.get("duty.announce_time"), now.tzinfo) - now)
    # The announcement is the group message that mentions the people on duty.
    return [
        message
        for message in stage.sim.bot_messages(GROUP_ID, since=since)
        if any(e.get("url", "").startswith("tg://user") for e in message.entities)
    ]
