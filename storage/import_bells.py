"""Writing imported bell times: one row per period, periods the file leaves out removed; a
period whose kind the file leaves empty keeps the kind it had."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.import_bells import BellRecord
from rules.importing import Counts
from rules.slots import LESSON
from rules.tabular import Sheet
from storage.models import BellPeriod


async def write_bells(
    *, session: AsyncSession, school_id: int, sheet: Sheet, records: list[BellRecord]
) -> Counts:
    query = select(BellPeriod).where(BellPeriod.school_id == school_id).order_by(col(BellPeriod.id))
    stored = {b.period: b for b in (await session.exec(query)).all()}
    counts = Counts()
    for record in records:
        bell = stored.pop(record.period, None)
        if bell is None:
            session.add(
                BellPeriod(
                    school_id=school_id,
                    period=record.period,
                    starts_at=record.start,
                    ends_at=record.end,
                    kind=record.slot or LESSON,
                )
            )
            counts.created += 1
        elif (bell.starts_at, bell.ends_at, bell.kind) != (
            record.start,
            record.end,
            record.slot or bell.kind,
        ):
            bell.starts_at, bell.ends_at = record.start, record.end
            bell.kind = record.slot or bell.kind
            session.add(bell)
            counts.updated += 1
        else:
            counts.unchanged += 1
    for bell in stored.values():
        await session.delete(bell)
        counts.removed += 1
    await session.flush()
    return counts
