"""The ids the outbox hands back for a batch are each message's own: the dispatcher records a
delivery, a board's copy or a slip against them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FollowUpWork, OutboxMessage
from storage.outbox import (
    SQLITE_ROWS_AT_ONCE,
    NewMessage,
    many_rows,
    queue_messages,
    queue_work,
)
from storage.session_memo import table_of

pytestmark = pytest.mark.both_databases

LEASE = timedelta(seconds=30)


@pytest.mark.parametrize("count", [3, SQLITE_ROWS_AT_ONCE + 7])
async def test_each_message_of_a_batch_gets_its_own_id(
    session: AsyncSession, now: datetime, count: int
) -> None:
    await queue_messages(
        session=session, messages=[NewMessage(1, "first")], owner="a", now=now, lease=LEASE
    )
    texts = [f"第{n}条" for n in range(count)]
    ids = await queue_messages(
        session=session,
        messages=[NewMessage(100 + n, text) for n, text in enumerate(texts)],
        owner="a",
        now=now,
        lease=LEASE,
    )
    await session.commit()
    rows = {row.id: row for row in (await session.exec(select(OutboxMessage))).all()}
    assert [(rows[i].text, rows[i].chat_id) for i in ids] == [
        (text, 100 + n) for n, text in enumerate(texts)
    ]


async def test_each_work_item_of_a_batch_gets_its_own_id(
    session: AsyncSession, now: datetime
) -> None:
    items = [(f"job{n}", f'{{"n": {n}}}', None) for n in range(4)]
    ids = await queue_work(
        session=session, items=items, actor_id=None, owner="a", now=now, lease=LEASE
    )
    await session.commit()
    rows = {row.id: row for row in (await session.exec(select(FollowUpWork))).all()}
    assert [(rows[i].name, rows[i].args) for i in ids] == [(n, a) for n, a, _ in items]


async def test_a_batch_keeps_each_values_type(session: AsyncSession, now: datetime) -> None:
    day = now.date()
    messages = [NewMessage(200 + n, "看板", board_day=day, board_staff_id=n) for n in range(3)]
    ids = await queue_messages(session=session, messages=messages, owner="a", now=now, lease=LEASE)
    await session.commit()
    rows = [await session.get(OutboxMessage, row_id) for row_id in ids]
    assert [(r.board_day, r.board_staff_id, r.lease_until) for r in rows if r is not None] == [
        (day, n, now + LEASE) for n in range(3)
    ]


def test_rows_of_one_insert_must_name_the_same_columns() -> None:
    table = table_of(FollowUpWork)
    full = {column.key: None for column in table.c if not column.primary_key}
    with pytest.raises(ValueError, match="same columns"):
        many_rows(table, [full, {**full, "extra": 1}])
    partial = {key: value for key, value in full.items() if key != "status"}
    with pytest.raises(ValueError, match="must give status"):
        many_rows(table, [partial, partial])
