"""A message for a forum topic keeps its topic in the outbox, for a restart to send it there."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Send, from_row, to_row
from storage.models import OutboxMessage
from storage.outbox import queue_messages


async def test_the_topic_is_kept_with_the_message(session: AsyncSession, now: datetime) -> None:
    messages = [Send(-100, "📋 作业公示", message_thread_id=77), Send(-100, "综合")]
    await queue_messages(
        session=session,
        messages=[to_row(m, None) for m in messages],
        owner="a",
        now=now,
        lease=timedelta(seconds=30),
    )
    await session.commit()
    rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    kept = [from_row(row) for row in rows]
    assert [(m.text, m.message_thread_id) for m in kept if isinstance(m, Send)] == [
        ("📋 作业公示", 77),
        ("综合", None),
    ]
