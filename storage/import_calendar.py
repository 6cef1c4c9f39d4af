"""Writing an imported school calendar: entries matched on kind and first day."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.import_calendar import MAKEUP, CalendarRecord
from rules.importing import Counts, Notice
from rules.tabular import Sheet
from storage.models import CalendarEntry


async def write_calendar(
    *, session: AsyncSession, school_id: int, sheet: Sheet, records: list[CalendarRecord]
) -> Counts:
    query = (
        select(CalendarEntry)
        .where(CalendarEntry.school_id == school_id)
        .order_by(col(CalendarEntry.id))
    )
    stored: dict[tuple[str, object], CalendarEntry] = {}
    for found in (await session.exec(query)).all():
        stored.setdefault((found.kind, found.start_date), found)
    counts = Counts()
    for record in records:
        values: dict[str, Any] = {
            "end_date": record.end,
            "weekday": record.weekday,
            "note": record.note,
        }
        entry = stored.get((record.kind, record.start))
        if entry is None:
            session.add(
                CalendarEntry(
                    school_id=school_id, kind=record.kind, start_date=record.start, **values
                )
            )
            counts.created += 1
        elif any(getattr(entry, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(entry, field, value)
            session.add(entry)
            counts.updated += 1
        else:
            counts.unchanged += 1
    await session.flush()
    unset = sorted(r.start for r in records if r.kind == MAKEUP and r.weekday is None)
    if unset:
        # The bot asks ahead of such a day; saying it now lets the admin fill it in at once.
        counts.notices.append(Notice("import.note.makeup_unset", {"dates": unset}))
    return counts
