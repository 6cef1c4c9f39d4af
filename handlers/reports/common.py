"""What the report commands share: who is asking (what they may see) and the school's today."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from handlers.core.turn import Turn
from rules.report_requests import Scope, report_scope
from storage.reports import school_book


def scope_of(turn: Turn) -> Scope | None:
    staff = turn.actor.staff
    return report_scope(
        turn.actor.roles,
        is_admin=turn.actor.is_admin,
        staff_id=staff.id if staff is not None else None,
        grade=staff.grade if staff is not None else None,
    )


def today_of(turn: Turn) -> date:
    school = turn.actor.school
    tz = ZoneInfo(school.timezone) if school is not None else turn.svc.clock.tz
    return turn.now.astimezone(tz).date()


async def terms_of(turn: Turn, school_id: int) -> list[tuple[date, date]]:
    return (await school_book(session=turn.session, school_id=school_id)).terms()
