"""The lease that puts one process in charge: taken, renewed, refused while held, taken over
once expired, given up; and never held by two at once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import create_engine, session_factory
from storage.leases import holding, release, take

NAME = "bot"
LEASE = timedelta(seconds=20)
A = "host-a:101:aaaa"
B = "host-b:202:bbbb"


async def take_as(sessions: async_sessionmaker[AsyncSession], holder: str, now: datetime) -> bool:
    async with sessions() as session, session.begin():
        return await take(session=session, name=NAME, holder=holder, now=now, until=now + LEASE)


async def held_by(sessions: async_sessionmaker[AsyncSession]) -> str | None:
    async with sessions() as session:
        found = await holding(session=session, name=NAME)
    return found.holder if found is not None else None


async def test_the_first_process_takes_the_free_lease(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    assert await take_as(sessions, A, now)
    async with sessions() as session:
        found = await holding(session=session, name=NAME)
    assert found is not None
    assert (found.holder, found.taken_at, found.expires_at) == (A, now, now + LEASE)


async def test_a_second_process_is_refused_while_the_lease_is_held(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    assert await take_as(sessions, A, now)
    assert not await take_as(sessions, B, now + LEASE - timedelta(seconds=1))
    assert await held_by(sessions) == A


async def test_the_holder_renews_and_keeps_the_time_it_took_the_lease(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    assert await take_as(sessions, A, now)
    later = now + timedelta(seconds=5)
    assert await take_as(sessions, A, later)
    async with sessions() as session:
        found = await holding(session=session, name=NAME)
    assert found is not None and found.taken_at == now and found.expires_at == later + LEASE
    # Renewed, so it is still held where the first expiry would have freed it.
    assert not await take_as(sessions, B, now + LEASE + timedelta(seconds=1))


async def test_another_process_takes_over_once_the_lease_expired(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    assert await take_as(sessions, A, now)
    after = now + LEASE
    assert await take_as(sessions, B, after)
    async with sessions() as session:
        found = await holding(session=session, name=NAME)
    assert found is not None and (found.holder, found.taken_at) == (B, after)
    # The one that lost it cannot renew: that refusal is what stops its scheduler (fencing).
    assert not await take_as(sessions, A, after + timedelta(seconds=1))


async def test_a_released_lease_is_taken_at_once(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    assert await take_as(sessions, A, now)
    async with sessions() as session, session.begin():
        assert await release(session=session, name=NAME, holder=A)
    assert await held_by(sessions) is None
    assert await take_as(sessions, B, now + timedelta(seconds=1))


async def test_a_process_that_lost_the_lease_cannot_release_it(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    assert await take_as(sessions, A, now)
    assert await take_as(sessions, B, now + LEASE)
    async with sessions() as session, session.begin():
        assert not await release(session=session, name=NAME, holder=A)
    assert await held_by(sessions) == B


async def test_of_processes_racing_for_a_lease_exactly_one_gets_it(
    db_url: str, sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    # First free (no row: the insert races), then expired (the update races).
    for start in (now, now + LEASE):
        engines = [create_engine(db_url) for _ in range(4)]
        try:
            won = await asyncio.gather(
                *(
                    take_as(session_factory(engine), f"host:{n}:{start.second}", start)
                    for n, engine in enumerate(engines)
                )
            )
        finally:
            for engine in engines:
                await engine.dispose()
        assert sum(won) == 1, won
        winner = won.index(True)
        assert await held_by(sessions) == f"host:{winner}:{start.second}"
