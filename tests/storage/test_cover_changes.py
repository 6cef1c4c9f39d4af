"""A change to a lesson's cover, applied only over the version it was decided on."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cover import change_need
from storage.models import CoverNeed
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
