"""Schools, bound groups and the push ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.ledger import claim, claim_missed
from storage.models import PushLedger
from storage.schools import (
    SchoolExists,
    bind_group,
    create_school,
    deactivate_group,
    group_for_chat,
    migrate_group,
    note_unbound,
)

BIG_CHAT = -1001234567890123  # supergroup ids do not fit in 32 bits


async def test_school_names_are_unique(session: AsyncSession, now: datetime) -> None:
    await create_school(session=session, name="孟小", timezone="Asia/Shanghai", now=now)
    with pytest.raises(SchoolExists):
        await create_school(session=session, name=" 孟小 ", timezone="Asia/Shanghai", now=now)


async def test_binding_keeps_64_bit_chat_ids_and_follows_migration(
    session: AsyncSession, now: datetime
) -> None:
    school = await create_school(session=session, name="孟小", timezone="Asia/Shanghai", now=now)
    await bind_group(
        session=session, school_id=school.id, chat_id=-4001, title="教师群", by=2**40, now=now
    )
    assert await migrate_group(session=session, old_chat_id=-4001, new_chat_id=BIG_CHAT)
    await session.commit()
    group = await group_for_chat(session=session, chat_id=BIG_CHAT)
    assert group is not None and group.school_id == school.id and group.bound_by == 2**40
    assert await group_for_chat(session=session, chat_id=-4001) is None


async def test_removed_group_is_inactive_and_can_be_bound_again(
    session: AsyncSession, now: datetime
) -> None:
    first = await create_school(session=session, name="孟小", timezone="Asia/Shanghai", now=now)
    second = await create_school(session=session, name="焦小", timezone="Asia/Shanghai", now=now)
    await bind_group(
        session=session, school_id=first.id, chat_id=BIG_CHAT, title="g", by=1, now=now
    )
    await deactivate_group(session=session, chat_id=BIG_CHAT)
    assert await group_for_chat(session=session, chat_id=BIG_CHAT) is None
    group, previous = await bind_group(
        session=session, school_id=second.id, chat_id=BIG_CHAT, title="g", by=1, now=now
    )
    assert previous is None and group.school_id == second.id and group.active


async def test_unbound_group_is_noticed_once(session: AsyncSession, now: datetime) -> None:
    assert await note_unbound(session=session, chat_id=BIG_CHAT, now=now)
    assert not await note_unbound(session=session, chat_id=BIG_CHAT, now=now)


async def test_a_push_slot_is_claimed_once_across_sessions(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    async with sessions() as s, s.begin():
        school = await create_school(session=s, name="孟小", timezone="Asia/Shanghai", now=now)
    claims = []
    for _ in range(2):
        async with sessions() as s, s.begin():
            claims.append(
                await claim(
                    session=s,
                    school_id=school.id,
                    kind="duty",
                    target="group",
                    slot="2026-11-26",
                    now=now,
                )
            )
    assert claims[0] is not None and claims[1] is None


async def test_missed_slots_are_claimed_once_and_a_sent_one_is_left_alone(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    async with sessions() as s, s.begin():
        school = await create_school(session=s, name="孟小", timezone="Asia/Shanghai", now=now)
        sent = await claim(
            session=s, school_id=school.id, kind="duty", target="group", slot="2026-11-25", now=now
        )
    duty = ("duty", "group", "2026-11-25")
    board = ("homework", "group", "2026-11-25")
    reminder = ("duty_remind", "s1p1", "2026-11-25")
    found = []
    for _ in range(2):
        async with sessions() as s, s.begin():
            found.append(
                await claim_missed(
                    session=s, school_id=school.id, slots=[duty, board, reminder], now=now
                )
            )
    assert found == [{board, reminder}, set()]
    async with sessions() as s:
        rows = {(r.kind, r.target, r.slot): r for r in (await s.exec(select(PushLedger))).all()}
    assert rows[board].status == rows[reminder].status == "missed"
    assert rows[board].sent_at == now
    assert rows[duty].id == sent and rows[duty].status != "missed"
