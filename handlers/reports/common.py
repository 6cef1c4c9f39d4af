"""What the report commands share: who is asking (what they may see) and the school's today."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from handlers.core.turn import Turn
from rules.report_requests import ReportRights, Scope, report_scope
from storage.policies import load_policies
from storage.reports import school_book


async def scope_of(turn: Turn) -> Scope | None:
    """What the person asking may have, by their roles and the school's report policies."""
    staff = turn.actor.staff
    school_id = turn.actor.school_id
    rights = ReportRights()
    if school_id is not None:
        rights = ReportRights.of(await load_policies(session=turn.session, school_id=school_id))
    return report_scope(
        turn.actor.roles,
        is_admin=turn.actor.is_admin,
        staff_id=staff.id if staff is not None else None,
        grade=staff.grade if staff is not None else None,
        rights=rights,
    )


def no_reports_text(turn: Turn) -> str:
    """Why someone of the staff has no report at all: their school keeps them for the office."""
    if turn.actor.staff is not None:
        return turn.t("report.not_open")
    return turn.t("common.not_allowed")


def today_of(turn: Turn) -> date:
    school = turn.actor.school
    tz = ZoneInfo(school.timezone) if school is not None else turn.svc.clock.tz
    return turn.now.astimezone(tz).date()


async def terms_of(turn: Turn, school_id: int) -> list[tuple[date, date]]:
    return (await school_book(session=turn.session, school_id=school_id)).terms()
