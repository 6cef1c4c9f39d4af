"""Moving a request up, expiring it and deciding it are conditional updates: when two of them
race after both read the request, exactly one goes through, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.states import HomeworkStatus, SwapStatus
from storage.db import session_factory
from storage.homework import WAITING, escalate_post, move
from storage.invites import (
    create_registration,
    decide_registration,
    expire_registration,
    mark_escalated,
)
from storage.models import HomeworkPost, LessonSwap, Registration, Subject
from storage.swaps import OPEN_SWAP_STATES, escalate_swap, move_swap, swaps_waiting
from tests.conftest import SHANGHAI
from tests.schools.homework import seed_school
from tests.schools.leave import seed

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
Step = Callable[[AsyncSession, Any], Awaitable[bool]]


async def race(
    sessions: async_sessionmaker[AsyncSession], model: Any, row_id: int, steps: tuple[Step, Step]
) -> list[bool]:
    """Each contender reads the row, waits until the other has read it too, then acts."""
    read = [asyncio.Event(), asyncio.Event()]

    async def contender(me: int) -> bool:
        async with sessions() as s:
            async with s.begin():
                row = await s.get(model, row_id)
            read[me].set()
            await asyncio.wait_for(read[1 - me].wait(), 10)
            async with s.begin():
                return await steps[me](s, row)

    return list(await asyncio.gather(contender(0), contender(1)))


async def agreed_swap(engine: AsyncEngine) -> int:
    school = await seed(engine, NOW)
    async with session_factory(engine)() as s, s.begin():
        subject = (await s.exec(select(Subject))).first()
        assert subject is not None
        swap = LessonSwap(
            school_id=school.school.id or 0,
            proposer_id=school.staff["周雅琴"].id or 0,
            first_day=date(2026, 11, 26),
            first_period=3,
            first_class_id=school.c32.id or 0,
            first_subject_id=subject.id or 0,
            first_lesson_id=1,
            colleague_id=school.staff["许志强"].id or 0,
            second_day=date(2026, 11, 27),
            second_period=2,
            second_class_id=school.c32.id or 0,
            second_subject_id=subject.id or 0,
            second_lesson_id=2,
            status=SwapStatus.AGREED,
            created_at=NOW,
        )
        s.add(swap)
        await s.flush()
        return swap.id or 0


async def test_two_watches_moving_a_swap_up_give_one_winner(engine: AsyncEngine) -> None:
    swap_id = await agreed_swap(engine)

    async def up(s: AsyncSession, swap: LessonSwap) -> bool:
        return await escalate_swap(session=s, swap=swap, level=1, now=NOW)

    assert sorted(await race(session_factory(engine), LessonSwap, swap_id, (up, up))) == [
        False,
        True,
    ]


async def test_an_approval_and_an_expiry_give_one_winner(engine: AsyncEngine) -> None:
    swap_id = await agreed_swap(engine)

    async def approve(s: AsyncSession, swap: LessonSwap) -> bool:
        return await move_swap(
            session=s,
            swap_id=swap.id,
            from_states=(SwapStatus.AGREED,),
            to_state=SwapStatus.APPROVED,
            now=NOW,
        )

    async def expire(s: AsyncSession, swap: LessonSwap) -> bool:
        return await move_swap(
            session=s,
            swap_id=swap.id,
            from_states=OPEN_SWAP_STATES,
            to_state=SwapStatus.EXPIRED,
            now=NOW,
        )

    outcome = await race(session_factory(engine), LessonSwap, swap_id, (approve, expire))
    assert sorted(outcome) == [False, True]
    async with session_factory(engine)() as s:
        swap = await s.get(LessonSwap, swap_id)
    assert swap is not None and swap.status == ("approved" if outcome[0] else "expired")
    # Once decided it moves up no more.
    async with session_factory(engine)() as s, s.begin():
        assert not await escalate_swap(session=s, swap=swap, level=1, now=NOW)


async def test_a_state_is_stored_as_its_plain_string_and_found_by_its_member(
    engine: AsyncEngine,
) -> None:
    """No migration: rows written before states were enums are the same strings."""
    swap_id = await agreed_swap(engine)
    async with session_factory(engine)() as s, s.begin():
        stored = (
            await s.exec(
                text("SELECT status FROM lesson_swaps WHERE id = :id"), params={"id": swap_id}
            )
        ).one()[0]
        assert type(stored) is str and stored == "agreed"
        await s.exec(
            text("UPDATE lesson_swaps SET status = 'asked' WHERE id = :id"), params={"id": swap_id}
        )
    async with session_factory(engine)() as s, s.begin():
        swap = await s.get(LessonSwap, swap_id)
        assert swap is not None
        found = await swaps_waiting(session=s, school_id=swap.school_id, state=SwapStatus.ASKED)
        assert [row.id for row in found] == [swap_id] and swap.status == SwapStatus.ASKED
        assert await move_swap(
            session=s,
            swap_id=swap_id,
            from_states=(SwapStatus.ASKED,),
            to_state=SwapStatus.WITHDRAWN,
            now=NOW,
        )
    async with session_factory(engine)() as s:
        stored = (
            await s.exec(
                text("SELECT status FROM lesson_swaps WHERE id = :id"), params={"id": swap_id}
            )
        ).one()[0]
    assert type(stored) is str and stored == "withdrawn"


async def pending_post(engine: AsyncEngine) -> int:
    school = await seed_school(engine, NOW, {"homework.publication": "head_teacher"})
    async with session_factory(engine)() as s, s.begin():
        post = HomeworkPost(
            school_id=school.school_id,
            class_id=school.classes["三(2)"].id or 0,
            subject_id=school.subjects["数学"].id or 0,
            author_id=school.staff["王老师"].id or 0,
            day=date(2026, 11, 25),
            kind="written",
            minutes=20,
            content="练习册",
            status="pending",
            asked="head",
            created_at=NOW,
            updated_at=NOW,
        )
        s.add(post)
        await s.flush()
        return post.id or 0


async def test_a_posting_moves_up_once_and_is_decided_or_expired_once(engine: AsyncEngine) -> None:
    post_id = await pending_post(engine)

    async def up(s: AsyncSession, post: HomeworkPost) -> bool:
        return await escalate_post(session=s, post=post, level=1, now=NOW)

    assert sorted(await race(session_factory(engine), HomeworkPost, post_id, (up, up))) == [
        False,
        True,
    ]

    async def approve(s: AsyncSession, post: HomeworkPost) -> bool:
        return await move(
            session=s,
            post=post,
            from_statuses=(HomeworkStatus.PENDING,),
            now=NOW,
            status=HomeworkStatus.PUBLISHED,
        )

    async def expire(s: AsyncSession, post: HomeworkPost) -> bool:
        return await move(
            session=s, post=post, from_statuses=WAITING, now=NOW, status=HomeworkStatus.EXPIRED
        )

    sessions = session_factory(engine)
    async with sessions() as watch:
        async with watch.begin():
            stale = await watch.get(HomeworkPost, post_id)  # read before the decision
        assert sorted(await race(sessions, HomeworkPost, post_id, (approve, expire))) == [
            False,
            True,
        ]
        async with watch.begin():  # a decided posting moves up no more
            assert stale is not None
            assert not await escalate_post(session=watch, post=stale, level=2, now=NOW)
    assert stale.status in ("published", "expired") and stale.level == 1


async def test_a_link_request_is_decided_or_expired_and_escalated_once(
    engine: AsyncEngine,
) -> None:
    school = await seed_school(engine, NOW)
    async with session_factory(engine)() as s, s.begin():
        registration = await create_registration(
            session=s,
            school_id=school.school_id,
            staff_id=school.staff["郑老师"].id or 0,
            telegram_id=7_999_000_001,
            telegram_name="Zheng",
            now=NOW,
        )
        registration_id = registration.id or 0
    sessions = session_factory(engine)

    async def escalate(s: AsyncSession, row: Registration) -> bool:
        return await mark_escalated(session=s, registration_id=row.id, now=NOW)

    async def approve(s: AsyncSession, row: Registration) -> bool:
        return await decide_registration(
            session=s, registration_id=row.id, approve=True, by=1, now=NOW
        )

    async def expire(s: AsyncSession, row: Registration) -> bool:
        return await expire_registration(session=s, registration_id=row.id, now=NOW)

    assert sorted(await race(sessions, Registration, registration_id, (escalate, escalate))) == [
        False,
        True,
    ]
    assert sorted(await race(sessions, Registration, registration_id, (approve, expire))) == [
        False,
        True,
    ]
