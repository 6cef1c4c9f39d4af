"""A change to a lesson's cover, applied only over the version it was decided on."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cover import change_need, load_cover_day, needs_between
from storage.models import CoverNeed
from storage.schedule import load_schedule
from tests.schools import reports as report_school


async def _a_need(session: AsyncSession, now: datetime) -> CoverNeed:
    await report_school.seed(session, now)
    query = select(CoverNeed).where(col(CoverNeed.day) == date(2026, 12, 1))
    return (await session.exec(query.order_by(col(CoverNeed.id)))).first()  # type: ignore[return-value]


async def test_a_change_shows_at_once_on_the_lesson_it_was_made_to(
    session: AsyncSession, now: datetime
) -> None:
    need = await _a_need(session, now)
    version = need.version

    assert await change_need(session=session, need=need, version=version, status="self_study")

    assert (need.status, need.version) == ("self_study", version + 1)
    stored = (
        await session.exec(
            select(CoverNeed.status, CoverNeed.version).where(CoverNeed.id == need.id)
        )
    ).one()
    assert tuple(stored) == ("self_study", version + 1)


async def test_a_change_over_an_older_version_is_refused_and_shows_the_newer_one(
    session: AsyncSession, now: datetime
) -> None:
    need = await _a_need(session, now)
    version = need.version
    # Another arranger's press got there first (not through this session's copy).
    await session.exec(
        update(CoverNeed)
        .where(col(CoverNeed.id) == need.id)
        .values(status="merged", version=version + 1)
        .execution_options(synchronize_session=False)
    )

    assert not await change_need(session=session, need=need, version=version, status="self_study")

    assert (need.status, need.version) == ("merged", version + 1)


async def _day_as_read(session: AsyncSession, school_id: int) -> tuple[object, ...]:
    """What a board reads of 5 and 10 November and the month's needs: as a person would see
    them (who covers what, who is busy when, how many lessons each covers)."""
    schedule = await load_schedule(session=session, school_id=school_id)
    seen: list[object] = []
    for day in (date(2026, 11, 5), date(2026, 11, 10)):
        cover_day = await load_cover_day(
            session=session, school_id=school_id, day=day, schedule=schedule
        )
        seen.append(sorted((n.period, n.status, n.substitute_id) for n in cover_day.covers))
        seen.append(dict(cover_day.covers_month))
        seen.append(dict(cover_day.covers_today()))
        seen.append({who: sorted(p) for who, p in cover_day.busy().items()})
    month = await needs_between(
        session=session, school_id=school_id, first=date(2026, 11, 1), last=date(2026, 11, 30)
    )
    seen.append([(n.day, n.period, n.status, n.substitute_id) for n in month])
    return tuple(seen)


@pytest.mark.parametrize(
    ("period", "change"),
    [
        (1, {"status": "assigned", "substitute": "许志强"}),  # 曹明's lesson goes to 许志强
        (5, {"status": "assigned", "substitute": "曹明"}),  # a self-study lesson gets cover
        (1, {"status": "self_study", "substitute": None}),  # a covered lesson becomes self-study
        (3, {"status": "open", "substitute": None}),  # a merged lesson is open again
    ],
)
async def test_the_day_a_change_was_read_with_is_the_day_a_fresh_read_finds(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    period: int,
    change: dict[str, str | None],
) -> None:
    """An arranger's press reads the day, changes one lesson and draws the board again from
    what the session keeps: it must show what anyone reading the day afresh would see."""
    async with sessions() as session:
        seeded = await report_school.seed(session, now)
        await session.commit()
    school_id = seeded.school.id or 0
    ids = {name: person.id for name, person in seeded.staff.items()}
    async with sessions() as session:
        before = await _day_as_read(session, school_id)
        query = select(CoverNeed).where(
            col(CoverNeed.day) == date(2026, 11, 5), col(CoverNeed.period) == period
        )
        need = (await session.exec(query)).one()
        substitute = change["substitute"]
        assert await change_need(
            session=session,
            need=need,
            version=need.version,
            status=change["status"],
            substitute_id=ids[substitute] if substitute else None,
        )
        kept = await _day_as_read(session, school_id)
        await session.commit()
    async with sessions() as session:
        fresh = await _day_as_read(session, school_id)

    assert kept == fresh
    assert kept != before
