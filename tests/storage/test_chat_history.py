"""The highest message id the database remembers per chat, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.chat_history import delivered_messages, highest_message_ids
from storage.models import CoverBoardCopy, OutboxMessage, RequestMessage
from tests.schools import factories

GROUP = -1_002_000_000_001
TEACHER = 2**40  # Telegram ids pass 32 bits
ARRANGER = 2**40 + 1


async def test_each_chat_counts_every_table_that_keeps_its_messages(
    session: AsyncSession, now: datetime
) -> None:
    school = await factories.school(session, now)
    arranger = await factories.staff(session, school, "景佳梅", telegram_id=ARRANGER)
    session.add_all(
        [
            OutboxMessage(chat_id=GROUP, text="slip", message_id=40, created_at=now),
            OutboxMessage(chat_id=GROUP, text="pending", created_at=now),  # not sent yet
            OutboxMessage(chat_id=TEACHER, text="ok", message_id=7, reply_to=9, created_at=now),
            RequestMessage(
                kind="swap", subject_id=1, chat_id=TEACHER, message_id=8, created_at=now
            ),
            CoverBoardCopy(
                school_id=school.id or 0,
                day=date(2026, 11, 26),
                staff_id=arranger.id or 0,
                chat_id=ARRANGER,
                message_id=3,
            ),
        ]
    )
    await session.commit()

    assert await highest_message_ids(session=session) == {GROUP: 40, TEACHER: 9, ARRANGER: 3}


async def test_the_delivered_sends_and_edits_come_in_the_order_made(
    session: AsyncSession, now: datetime
) -> None:
    session.add_all(
        [
            OutboxMessage(
                chat_id=TEACHER, text="asked", message_id=7, status="sent", created_at=now
            ),
            OutboxMessage(chat_id=TEACHER, text="queued", created_at=now),
            OutboxMessage(chat_id=TEACHER, text="blocked", status="gone", created_at=now),
            OutboxMessage(
                chat_id=TEACHER,
                action="edit",
                text="approved",
                message_id=7,
                status="sent",
                created_at=now,
            ),
        ]
    )
    await session.commit()

    delivered = await delivered_messages(session=session)

    assert [(m.action, m.message_id, m.text) for m in delivered] == [
        ("send", 7, "asked"),
        ("edit", 7, "approved"),
    ]
