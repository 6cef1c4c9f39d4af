"""The daily lesson patrol reports (巡课通报)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PatrolReport


async def record_report(
    *,
    session: AsyncSession,
    school_id: int,
    day: date,
    half: str,
    staff_id: int | None,
    findings: str,
    now: datetime,
    by: int | None,
) -> PatrolReport:
    report = PatrolReport(
        school_id=school_id,
        day=day,
        half=half,
        staff_id=staff_id,
        findings=findings,
        created_at=now,
        created_by=by,
    )
    session.add(report)
    await session.flush()
    return report


async def reports_on(*, session: AsyncSession, school_id: int, day: date) -> list[PatrolReport]:
    query = (
        select(PatrolReport)
        .where(PatrolReport.school_id == school_id, PatrolReport.day == day)
        .order_by(col(PatrolReport.id))
    )
    return list((await session.exec(query)).all())


async def reported_halves(*, session: AsyncSession, school_id: int, day: date) -> set[str]:
    """The halves of the day (am, pm) that have a report."""
    return {r.half for r in await reports_on(session=session, school_id=school_id, day=day)}
