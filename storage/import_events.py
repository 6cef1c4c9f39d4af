"""Writing imported events: matched on title, day and audience; others are kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.events import SUBJECT, Audience
from rules.import_errors import RowError
from rules.import_events import EventKey, EventRecord
from rules.importing import Counts, PartialRow, nearest_names
from rules.tabular import Sheet
from storage.events import active_events, add_event, known_subjects
from storage.models import Event


async def check_events(
    *,
    session: AsyncSession,
    school_id: int,
    sheet: Sheet,
    records: list[EventRecord],
    partial: Sequence[PartialRow] = (),
) -> list[RowError]:
    """A subject group must name a subject the school teaches (语文组, not 语言组); rows the
    parser rejected for another reason are checked too when their audience was readable."""
    subjects = await known_subjects(session=session, school_id=school_id)
    audiences = [(r.line, r.audience) for r in records]
    audiences += [
        (p.line, audience)
        for p in partial
        if isinstance(audience := p.cells.get("audience"), Audience)
    ]
    errors = []
    for line, audience in sorted(audiences, key=lambda pair: pair[0]):
        assert isinstance(audience, Audience)
        if audience.kind == SUBJECT and audience.subject not in subjects:
            close = nearest_names(audience.subject, subjects)
            key = "import.err.unknown_subject_group" + ("_close" if close else "")
            errors.append(
                RowError(
                    line,
                    sheet.label("audience"),
                    key,
                    {"value": audience.subject, "close": [f"{name}组" for name in close]},
                )
            )
    return errors


def _key(event: Event) -> EventKey:
    return (event.title, event.weekday, event.on_date, Audience.decode(event.audience).encode())


async def write_events(
    *,
    session: AsyncSession,
    school_id: int,
    sheet: Sheet,
    records: list[EventRecord],
    now: datetime,
) -> Counts:
    stored = {_key(e): e for e in await active_events(session=session, school_id=school_id)}
    counts = Counts()
    for record in records:
        event = stored.get(record.key)
        if event is None:
            # Imported events have no organiser of their own: the academic office runs them.
            await add_event(
                session=session,
                school_id=school_id,
                title=record.title,
                category=record.category,
                weekday=record.weekday,
                on_date=record.day,
                start=record.start,
                tenths=record.tenths,
                audience=record.audience,
                by_staff_id=None,
                now=now,
            )
            counts.created += 1
            continue
        values = {
            "starts_at": record.start,
            "hours_tenths": record.tenths,
            "category": record.category,
        }
        if any(getattr(event, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(event, name, value)
            session.add(event)
            counts.updated += 1
        else:
            counts.unchanged += 1
    await session.flush()
    return counts
