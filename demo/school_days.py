"""School days for the demo's steps, from the demo school's own calendar: a scripted meeting or
leave falls on a day the school is open, whatever day the demo is run."""

from __future__ import annotations

from datetime import date, timedelta

from bot.services import services_of
from demo.roster import SCHOOL_NAME
from demo.stage import Stage
from storage.calendar import school_calendar
from storage.schools import school_by_name
from storage.types import stored_id

# A school year has no break longer than this; past it the calendar has no school days at all.
MAX_DAYS_AHEAD = 120


async def school_day_from(stage: Stage, day: date) -> date | None:
    """`day` if the school is open then, else the next day it is (None past the calendar)."""
    svc = services_of(stage.app)
    async with svc.sessions() as session:
        school = await school_by_name(session=session, name=SCHOOL_NAME)
        assert school is not None
        calendar = await school_calendar(session=session, school_id=stored_id(school))
    candidate = day
    while not calendar.is_school_day(candidate):
        candidate += timedelta(days=1)
        if candidate > day + timedelta(days=MAX_DAYS_AHEAD):
            return None
    return candidate
