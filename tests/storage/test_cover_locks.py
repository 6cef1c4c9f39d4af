"""The guard of a locked month on SQLite and PostgreSQL: no function that changes a lesson's
cover changes one of a locked month, the month after it still changes, and an unlocked month
changes again."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.report_requests import month_of
from storage.cover import change_need, decline, release_needs, reopen, take_from_group
from storage.cover_locks import lock_on, unlock_month
from storage.models import CoverNeed
from storage.reports import cover_rates, lock_month, school_book
from tests.schools import reports as report_school

NOVEMBER = month_of(date(2026, 11, 1))


async def test_a_locked_month_s_covers_do_not_change_until_it_is_unlocked(
    session: AsyncSession, now: datetime
) -> None:
    seeded = await report_school.seed(session, now)
    school_id = seeded.school.id or 0
    cao = seeded.staff["曹明"].id or 0
    # The self-study lesson is asked in the group when the month is locked.
    await session.exec(
        update(CoverNeed)
        .where(col(CoverNeed.day) == date(2026, 11, 5), col(CoverNeed.period) == 5)
        .values(status="asking")
    )
    book = await school_book(session=session, school_id=school_id)
    lock = await lock_month(
        session=session,
        school_id=school_id,
        month=NOVEMBER,
        names=book.names,
        rates=cover_rates(book.policies),
        by=7_300_000_001,
        now=now,
    )
    assert lock is not None
    found = await lock_on(session=session, school_id=school_id, day=date(2026, 11, 30))
    assert found is not None and found.month == date(2026, 11, 1)
    assert found.locked_by == 7_300_000_001
    assert await lock_on(session=session, school_id=school_id, day=date(2026, 12, 1)) is None

    needs = {
        (n.day, n.period): n
        for n in (await session.exec(select(CoverNeed).order_by(CoverNeed.id))).all()  # type: ignore[arg-type]
    }
    covered = needs[(date(2026, 11, 5), 1)]
    asked = needs[(date(2026, 11, 5), 5)]
    december = needs[(date(2026, 12, 1), 1)]
    assert not await change_need(
        session=session, need=covered, version=covered.version, status="self_study"
    )
    assert not await reopen(session=session, need=covered)
    assert not await decline(session=session, need=covered, version=covered.version, staff_id=cao)
    assert not await take_from_group(session=session, need=asked, staff_id=cao, now=now)
    released = await release_needs(session=session, needs=[covered, december])
    assert [n.day for n in released] == [date(2026, 12, 1)]
    await session.refresh(covered)
    assert (covered.status, covered.substitute_id) == ("assigned", cao)
    await session.refresh(asked)
    assert (asked.status, asked.substitute_id) == ("asking", None)

    assert await unlock_month(session=session, school_id=school_id, month=NOVEMBER.start)
    assert not await unlock_month(session=session, school_id=school_id, month=NOVEMBER.start)
    assert await lock_on(session=session, school_id=school_id, day=date(2026, 11, 30)) is None
    assert await reopen(session=session, need=covered)
    assert (covered.status, covered.substitute_id) == ("open", None)
