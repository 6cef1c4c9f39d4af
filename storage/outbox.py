"""The outbox: messages committed with the change that causes them, delivered from here.

Rows are written inside the action's (or the push's) own transaction. The process that wrote
them holds them for `lease` and sends them at once; a process that finds rows nobody holds any
more (their sender died, or stopped before it could send) takes them over. Taking over is a
conditional update, so two processes never both send one row.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, delete, func, insert, or_, text, update
from sqlalchemy.dialects import sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FollowUpWork, OutboxMessage, UnreachableChat
from storage.session_memo import execute_text, table_of

PENDING = "pending"
SENT = "sent"
GONE = "gone"
FAILED = "failed"

_OUTBOX = table_of(OutboxMessage)
_WORK = table_of(FollowUpWork)
_UNREACHABLE = table_of(UnreachableChat)


@dataclass
class NewMessage:
    """A message as the outbox keeps it (markup already written out as JSON)."""

    chat_id: int
    text: str
    action: str = "send"
    markup: str | None = None
    reply_to: int | None = None
    message_id: int | None = None
    message_thread_id: int | None = None
    school_id: int | None = None
    board_day: date | None = None
    board_staff_id: int | None = None
    slip_day: date | None = None
    about: str = ""
    file_kind: str = ""
    file_name: str | None = None
    file_data: bytes | None = None
    file_id: str | None = None


async def queue_messages(
    *,
    session: AsyncSession,
    messages: Sequence[NewMessage],
    owner: str,
    now: datetime,
    lease: timedelta,
) -> list[int]:
    """Writes the messages, held by `owner`; returns their ids in the same order."""
    rows = [
        {
            "school_id": m.school_id,
            "chat_id": m.chat_id,
            "action": m.action,
            "text": m.text,
            "markup": m.markup,
            "reply_to": m.reply_to,
            "message_thread_id": m.message_thread_id,
            "message_id": m.message_id,
            "board_day": m.board_day,
            "board_staff_id": m.board_staff_id,
            "slip_day": m.slip_day,
            "about": m.about,
            "file_kind": m.file_kind,
            "file_name": m.file_name,
            "file_data": m.file_data,
            "file_id": m.file_id,
            "status": PENDING,
            "attempts": 0,
            "owner": owner,
            "lease_until": now + lease,
            "error": "",
            "created_at": now,
        }
        for m in messages
    ]
    return await inserted_ids(session, _OUTBOX, rows)


# Built once: every action that changes something writes its messages (and often a follow-up)
# one at a time.
_INSERT_ONE = {table.name: insert(table).returning(table.c.id) for table in (_OUTBOX, _WORK)}
# SQLite allows 32,766 values in one statement; an outbox row has 22.
SQLITE_ROWS_AT_ONCE = 500


async def inserted_ids(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]]
) -> list[int]:
    """Inserts the rows; returns their ids in the rows' order."""
    if not rows:
        return []
    if len(rows) == 1:
        result = await session.exec(_INSERT_ONE[table.name], params=rows[0])
        return [result.scalar_one()]
    if session.get_bind().dialect.name != "sqlite":
        result = await session.exec(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), params=rows
        )
        return list(result.scalars())
    # SQLAlchemy can only keep the order on SQLite by inserting one row per statement. SQLite
    # gives the rows of one INSERT the next ids in the order of its VALUES, but does not promise
    # RETURNING's order: sorted, the ids are the rows' order.
    ids: list[int] = []
    for start in range(0, len(rows), SQLITE_ROWS_AT_ONCE):
        part = rows[start : start + SQLITE_ROWS_AT_ONCE]
        statement, params = many_rows(table, part, returning=True)
        result = await execute_text(session, statement, params, table)
        ids.extend(sorted(result.scalars()))
    return ids


def many_rows(
    table: Table, rows: list[dict[str, Any]], *, returning: bool = False
) -> tuple[TextClause, dict[str, Any]]:
    """One INSERT of several rows, and its parameters.

    SQLAlchemy compiles an INSERT with several VALUES anew each time (it cannot cache one): 3.8
    ms for an approval's five messages. The text is made once for each table, set of columns
    and number of rows instead; its parameters keep their columns' types."""
    keys = tuple(rows[0])
    if any(tuple(row) != keys for row in rows):
        raise ValueError("the rows of one INSERT must name the same columns in the same order")
    params = {f"{key}_{index}": row[key] for index, row in enumerate(rows) for key in keys}
    return _rows_insert(table, keys, len(rows), returning), params


@functools.lru_cache(maxsize=256)
def _rows_insert(table: Table, keys: tuple[str, ...], count: int, returning: bool) -> TextClause:
    # The text says only the columns given: a column left out gets the database's default, not
    # one the model would have filled in, so none of those may be left out.
    missing = [
        c.key for c in table.c if c.default is not None and not c.primary_key and c.key not in keys
    ]
    if missing:
        raise ValueError(f"an INSERT into {table.name} must give {', '.join(missing)}")
    quote = _QUOTING.identifier_preparer
    columns = ", ".join(quote.format_column(table.c[key]) for key in keys)
    rows = ", ".join(
        "(" + ", ".join(f":{key}_{index}" for key in keys) + ")" for index in range(count)
    )
    sql = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES {rows}"
    return text(sql + (" RETURNING id" if returning else "")).bindparams(
        *(
            bindparam(f"{key}_{index}", type_=table.c[key].type)
            for index in range(count)
            for key in keys
        )
    )


# Quotes the names in the texts above; SQLite and PostgreSQL quote them alike.
_QUOTING = sqlite.dialect()


@dataclass
class Outcome:
    """What became of one row: its final status, or only its attempts so far."""

    row_id: int
    status: str
    message_id: int | None = None
    error: str = ""
    attempts: int = 0
    chat_id: int | None = None  # where it finally went (a migrated group's new id)


_FINISH = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status == PENDING)
    .values(
        status=bindparam("new_status"),
        message_id=bindparam("new_message_id"),
        chat_id=func.coalesce(bindparam("new_chat_id"), _OUTBOX.c.chat_id),
        error=bindparam("new_error"),
        attempts=bindparam("new_attempts"),
        owner=None,
        done_at=bindparam("at"),
        file_data=None,
    )
)


async def finish(*, session: AsyncSession, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Records the final state of delivered (or abandoned) rows, in one statement."""
    if not outcomes:
        return
    await session.exec(
        _FINISH,
        params=[
            {
                "row_id": o.row_id,
                "new_status": o.status,
                "new_message_id": o.message_id,
                "new_chat_id": o.chat_id,
                "new_error": o.error[:200],
                "new_attempts": o.attempts,
                "at": now,
            }
            for o in outcomes
        ],
    )


async def renew(*, session: AsyncSession, owner: str, until: datetime) -> int:
    """Keeps holding the rows this process is still sending (a retry may wait minutes)."""
    result = await session.exec(
        update(_OUTBOX)
        .where(_OUTBOX.c.owner == owner, _OUTBOX.c.status == PENDING)
        .values(lease_until=until)
    )
    return int(result.rowcount or 0)


async def release_held(*, session: AsyncSession, owner_prefix: str) -> int:
    """Lets go of the pending messages and work held by senders whose owner starts with
    `owner_prefix` (a process known to be gone), so that the next sweep takes them at once
    instead of after their lease; returns how many rows."""
    released = 0
    for table in (_OUTBOX, _WORK):
        result = await session.exec(
            update(table)
            .where(table.c.owner.startswith(owner_prefix), table.c.status == PENDING)
            .values(owner=None)
        )
        released += int(result.rowcount or 0)
    return released


async def take_over(
    *,
    session: AsyncSession,
    owner: str,
    now: datetime,
    lease: timedelta,
    exclude: Iterable[int] = (),
    limit: int = 500,
) -> list[OutboxMessage]:
    """Takes the pending rows nobody holds any more; returns them, oldest first."""
    free = or_(_OUTBOX.c.owner.is_(None), _OUTBOX.c.lease_until < now)
    skip = set(exclude)
    found = await session.exec(
        select(_OUTBOX.c.id)
        .where(_OUTBOX.c.status == PENDING, free)
        .order_by(_OUTBOX.c.id)
        .limit(limit + len(skip))
    )
    ids = [row_id for row_id in found.all() if row_id not in skip][:limit]
    if not ids:
        return []
    await session.exec(
        update(_OUTBOX)
        .where(_OUTBOX.c.id.in_(ids), _OUTBOX.c.status == PENDING, free)
        .values(owner=owner, lease_until=now + lease)
    )
    rows = await session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), OutboxMessage.owner == owner)
        .order_by(col(OutboxMessage.id))
    )
    return list(rows.all())


async def purge(*, session: AsyncSession, before: datetime) -> int:
    """Drops delivered rows older than `before`; what was given up stays for the admins."""
    result = await session.exec(
        delete(_OUTBOX).where(_OUTBOX.c.status == SENT, _OUTBOX.c.done_at < before)
    )
    return int(result.rowcount or 0)


async def undelivered(
    *, session: AsyncSession, school_id: int | None = None, since: datetime | None = None
) -> list[OutboxMessage]:
    """Rows still pending, or given up (since a moment), for the admins and the tests."""
    query = select(OutboxMessage).where(col(OutboxMessage.status) != SENT)
    if school_id is not None:
        query = query.where(OutboxMessage.school_id == school_id)
    if since is not None:
        query = query.where(col(OutboxMessage.created_at) >= since)
    return list((await session.exec(query.order_by(col(OutboxMessage.id)))).all())


async def oldest_pending(*, session: AsyncSession) -> datetime | None:
    """When the oldest message still to be delivered was written; None when none waits."""
    result = await session.exec(
        select(func.min(_OUTBOX.c.created_at)).where(_OUTBOX.c.status == PENDING)
    )
    return result.one()


async def counts(*, session: AsyncSession) -> dict[str, int]:
    """How many rows are in each state."""
    result = await session.exec(select(_OUTBOX.c.status, func.count()).group_by(_OUTBOX.c.status))
    return {status: int(n) for status, n in result.all()}


# --- people the bot cannot write to ------------------------------------------------------------


async def note_unreachable(
    *, session: AsyncSession, chat_id: int, reason: str, now: datetime
) -> bool:
    """True when the chat was not known to be unreachable before."""
    if await session.get(UnreachableChat, chat_id) is not None:
        return False
    session.add(UnreachableChat(chat_id=chat_id, since=now, reason=reason[:120]))
    await session.flush()
    return True


async def note_reachable(*, session: AsyncSession, chat_id: int) -> bool:
    """The person wrote to the bot: it can write to them again. True when that is news."""
    result = await session.exec(delete(_UNREACHABLE).where(_UNREACHABLE.c.chat_id == chat_id))
    return bool(result.rowcount)


async def unreachable_ids(*, session: AsyncSession, chat_ids: Iterable[int]) -> set[int]:
    ids = list(chat_ids)
    if not ids:
        return set()
    result = await session.exec(
        select(UnreachableChat.chat_id).where(col(UnreachableChat.chat_id).in_(ids))
    )
    return set(result.all())


async def unreachable_since(*, session: AsyncSession) -> dict[int, tuple[datetime, str]]:
    result = await session.exec(select(UnreachableChat))
    return {row.chat_id: (row.since, row.reason) for row in result.all()}


# --- follow-up work ----------------------------------------------------------------------------


async def queue_work(
    *,
    session: AsyncSession,
    items: Sequence[tuple[str, str, int | None]],
    actor_id: int | None,
    owner: str | None,
    now: datetime,
    lease: timedelta,
) -> list[int]:
    """Writes (name, JSON args, school) work items held by `owner` (None: by nobody, so the
    next recovery runs them); returns their ids."""
    rows: list[dict[str, Any]] = [
        {
            "school_id": school_id,
            "name": name,
            "args": args,
            "actor_id": actor_id,
            "status": PENDING,
            "attempts": 0,
            "owner": owner,
            "lease_until": now + lease,
            "created_at": now,
        }
        for name, args, school_id in items
    ]
    return await inserted_ids(session, _WORK, rows)


# Built once: every follow-up an action leaves behind is taken with it.
_TAKE_WORK = delete(_WORK).where(_WORK.c.id == bindparam("work_id"), _WORK.c.status == PENDING)


async def take_work(*, session: AsyncSession, work_id: int) -> bool:
    """Deletes the item as it is done, in the transaction doing it: False when another
    process did it first."""
    result = await session.exec(_TAKE_WORK, params={"work_id": work_id})
    return bool(result.rowcount)


async def stale_work(
    *, session: AsyncSession, owner: str, now: datetime, lease: timedelta, limit: int = 100
) -> list[FollowUpWork]:
    """Takes the pending work nobody holds any more (its process died before doing it)."""
    free = or_(_WORK.c.owner.is_(None), _WORK.c.lease_until < now)
    found = await session.exec(
        select(_WORK.c.id).where(_WORK.c.status == PENDING, free).order_by(_WORK.c.id).limit(limit)
    )
    ids = list(found.all())
    if not ids:
        return []
    await session.exec(
        update(_WORK)
        .where(_WORK.c.id.in_(ids), _WORK.c.status == PENDING, free)
        .values(owner=owner, lease_until=now + lease)
    )
    rows = await session.exec(
        select(FollowUpWork)
        .where(col(FollowUpWork.id).in_(ids), FollowUpWork.owner == owner)
        .order_by(col(FollowUpWork.id))
    )
    return list(rows.all())


async def work_failed(
    *, session: AsyncSession, work_id: int, attempts: int, give_up: bool, now: datetime
) -> None:
    """Counts a failed run; the item is tried again later, or given up."""
    await session.exec(
        update(_WORK)
        .where(_WORK.c.id == work_id)
        .values(
            attempts=attempts,
            status=FAILED if give_up else PENDING,
            owner=None,
            lease_until=now,
        )
    )


async def renew_work(*, session: AsyncSession, owner: str, until: datetime) -> int:
    result = await session.exec(
        update(_WORK)
        .where(_WORK.c.owner == owner, _WORK.c.status == PENDING)
        .values(lease_until=until)
    )
    return int(result.rowcount or 0)


async def sent_about(*, session: AsyncSession, about: str) -> list[tuple[int, int]]:
    """(chat, message id) of the messages sent for `about` (`cover_ask:12`) that Telegram has."""
    return (await sent_about_each(session=session, abouts=[about])).get(about, [])


async def sent_about_each(
    *, session: AsyncSession, abouts: Sequence[str]
) -> dict[str, list[tuple[int, int]]]:
    """`sent_about` for several at once, in one read: about → (chat, message id), for those
    sent."""
    if not abouts:
        return {}
    query = select(OutboxMessage.about, OutboxMessage.chat_id, OutboxMessage.message_id).where(
        col(OutboxMessage.about).in_(list(abouts)),
        OutboxMessage.action == "send",
        OutboxMessage.status == "sent",
        col(OutboxMessage.message_id).is_not(None),
    )
    found: dict[str, list[tuple[int, int]]] = {}
    for about, chat, message in (await session.exec(query)).all():
        found.setdefault(about or "", []).append((chat, message or 0))
    return found


def encode(args: dict[str, Any]) -> str:
    """Follow-up work's arguments as stored: JSON, with dates kept as dates."""
    return json.dumps(args, default=_plain, ensure_ascii=False, sort_keys=True)


def decode(text: str) -> dict[str, Any]:
    return json.loads(text, object_hook=_dated)


def _plain(value: object) -> object:
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a follow-up argument must be plain, not {type(value).__name__}")


def _dated(value: dict[str, Any]) -> object:
    if set(value) == {"__date__"}:
        return date.fromisoformat(value["__date__"])
    return value
