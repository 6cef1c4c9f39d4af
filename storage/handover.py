"""Lesson handover kept for the substitute, and the substitute's 已上 kept for the teacher.

A note names its lesson by the leave, day and period (no day: the whole leave), so what the
teacher leaves before the approval finds the cover need made later for the same lesson.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.states import LeaveStatus
from storage.models import CoverNeed, CoverReport, HandoverChoice, HandoverNote, LeaveRequest
from storage.types import stored_id

TEXT = "text"
PHOTO = "photo"
DOCUMENT = "document"


async def notes_of_leave(*, session: AsyncSession, leave_id: int) -> list[HandoverNote]:
    query = (
        select(HandoverNote).where(HandoverNote.leave_id == leave_id).order_by(col(HandoverNote.id))
    )
    return list((await session.exec(query)).all())


def _target(day: date | None, period: int) -> ColumnElement[bool]:
    if day is None:
        return col(HandoverNote.day).is_(None)
    return (col(HandoverNote.day) == day) & (col(HandoverNote.period) == period)


async def notes_of(
    *, session: AsyncSession, leave_id: int, day: date | None, period: int
) -> list[HandoverNote]:
    """The notes left for one lesson of the leave (no day: for the whole leave)."""
    query = (
        select(HandoverNote)
        .where(HandoverNote.leave_id == leave_id, _target(day, period))
        .order_by(col(HandoverNote.id))
    )
    return list((await session.exec(query)).all())


async def notes_for_need(*, session: AsyncSession, need: CoverNeed) -> list[HandoverNote]:
    """What whoever covers this lesson gets: the whole leave's notes, then the lesson's own."""
    query = (
        select(HandoverNote)
        .where(
            HandoverNote.leave_id == need.leave_id,
            or_(
                col(HandoverNote.day).is_(None),
                (col(HandoverNote.day) == need.day) & (col(HandoverNote.period) == need.period),
            ),
        )
        .order_by(col(HandoverNote.day).is_not(None), col(HandoverNote.id))
    )
    return list((await session.exec(query)).all())


async def add_text(
    *,
    session: AsyncSession,
    leave: LeaveRequest,
    day: date | None,
    period: int,
    text: str,
    now: datetime,
) -> None:
    """Typed text joins the lesson's text (one text per lesson, read as one)."""
    for note in await notes_of(session=session, leave_id=stored_id(leave), day=day, period=period):
        if note.kind == TEXT:
            note.text = f"{note.text}\n{text}"
            session.add(note)
            await session.flush()
            return
    session.add(
        HandoverNote(
            school_id=leave.school_id,
            leave_id=stored_id(leave),
            day=day,
            period=period if day is not None else 0,
            kind=TEXT,
            text=text,
            created_at=now,
        )
    )
    await session.flush()


async def add_file(
    *,
    session: AsyncSession,
    leave: LeaveRequest,
    day: date | None,
    period: int,
    kind: str,
    file_id: str,
    text: str,
    now: datetime,
) -> None:
    session.add(
        HandoverNote(
            school_id=leave.school_id,
            leave_id=stored_id(leave),
            day=day,
            period=period if day is not None else 0,
            kind=kind,
            text=text,
            file_id=file_id,
            created_at=now,
        )
    )
    await session.flush()


async def clear_notes(
    *, session: AsyncSession, leave_id: int, day: date | None, period: int
) -> int:
    result = await session.exec(
        delete(HandoverNote).where(
            col(HandoverNote.leave_id) == leave_id,
            _target(day, period),
        )
    )
    return int(result.rowcount or 0)


async def hears_at_once(*, session: AsyncSession, leave_id: int) -> bool:
    choice = await session.get(HandoverChoice, leave_id)
    return choice is not None and choice.at_once


async def choose(
    *, session: AsyncSession, leave: LeaveRequest, at_once: bool, now: datetime
) -> None:
    choice = await session.get(HandoverChoice, stored_id(leave))
    if choice is None:
        choice = HandoverChoice(
            leave_id=stored_id(leave), school_id=leave.school_id, at_once=False, updated_at=now
        )
    choice.at_once = at_once
    choice.updated_at = now
    session.add(choice)
    await session.flush()


# --- 已上: the substitute's word after the lesson ---------------------------------------------


async def report_of(*, session: AsyncSession, need_id: int) -> CoverReport | None:
    query = select(CoverReport).where(CoverReport.need_id == need_id)
    return (await session.exec(query)).first()


async def report_taught(
    *, session: AsyncSession, need: CoverNeed, staff_id: int, now: datetime
) -> CoverReport | None:
    """Records 已上; None when it was recorded before (a second press, or two at once: the
    lesson's one report is unique, and the second insert is rolled back to its savepoint)."""
    if await report_of(session=session, need_id=stored_id(need)) is not None:
        return None
    report = CoverReport(
        school_id=need.school_id,
        need_id=stored_id(need),
        substitute_id=staff_id,
        absent_id=need.absent_id,
        reported_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(report)
    except IntegrityError:
        return None
    return report


async def close_line(*, session: AsyncSession, report_id: int, note: str) -> bool:
    """The line came (or was skipped, `note` empty); False when it was closed already."""
    result = await session.exec(
        update(CoverReport)
        .where(col(CoverReport.id) == report_id, col(CoverReport.awaiting_line))
        .values(note=note, awaiting_line=False)
    )
    return bool(result.rowcount)


async def mark_delivered(*, session: AsyncSession, ids: Sequence[int], now: datetime) -> int:
    """Claims the reports for one telling: only those nobody told yet are returned as counted."""
    if not ids:
        return 0
    result = await session.exec(
        update(CoverReport)
        .where(col(CoverReport.id).in_(ids), col(CoverReport.delivered_at).is_(None))
        .values(delivered_at=now)
    )
    return int(result.rowcount or 0)


async def reports_waiting(
    *, session: AsyncSession, school_id: int, today: date
) -> list[tuple[CoverReport, CoverNeed]]:
    """Reports not told yet whose teacher hears them now: the leave ended before today (or the
    teacher came back), or they chose to hear at once (what the line's own telling missed)."""
    found = await reports_waiting_until(session=session, school_id=school_id, last=today)
    return [(report, need) for report, need, _ in found]


async def reports_waiting_until(
    *, session: AsyncSession, school_id: int, last: date
) -> list[tuple[CoverReport, CoverNeed, date | None]]:
    """What `reports_waiting` gives on any day up to `last`, in one read: each report with the
    first day its teacher hears it (None: any day, as the leave ended or they chose to hear at
    once), so that several days planned together read it once."""
    any_day = or_(
        col(LeaveRequest.status) == LeaveStatus.ENDED, col(HandoverChoice.at_once).is_(True)
    )
    query = (
        select(CoverReport, CoverNeed, col(LeaveRequest.last_day), any_day)
        .join(CoverNeed, col(CoverNeed.id) == col(CoverReport.need_id))
        .join(LeaveRequest, col(LeaveRequest.id) == col(CoverNeed.leave_id))
        .outerjoin(HandoverChoice, col(HandoverChoice.leave_id) == col(LeaveRequest.id))
        .where(
            CoverReport.school_id == school_id,
            # The same school, said of the need too: SQLite then reads the school's needs by
            # its index, instead of every school's needs to find this school's reports.
            CoverNeed.school_id == school_id,
            col(CoverReport.delivered_at).is_(None),
            or_(col(LeaveRequest.last_day) < last, any_day),
        )
        .order_by(col(CoverNeed.day), col(CoverNeed.period))
    )
    return [
        (report, need, None if heard_now else last_day + timedelta(days=1))
        for report, need, last_day, heard_now in (await session.exec(query)).all()
    ]
