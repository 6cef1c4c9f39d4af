"""What the bot committed to say against what Telegram (the simulator) received.

The outbox table is the bot's word: every row is a message it committed to send, with its
final state. The simulator keeps every send and edit it was asked for, with the text as it was
then. A row `sent` must match one message the simulator received (same chat, same message id,
same text); any further copy of that text in that chat is a duplicate (a process that sent it
and died before recording that it had); a row `gone` or `failed` must say why.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from storage.db import create_engine, session_factory
from storage.models import FollowUpWork, LeaveRequest, OutboxMessage, PushLedger
from storage.outbox import FAILED, GONE, PENDING


@dataclass
class Row:
    """An outbox row as the tally needs it."""

    id: int
    chat_id: int
    action: str
    text: str
    status: str
    message_id: int | None = None
    error: str = ""


@dataclass
class Tally:
    committed: int = 0
    sends: int = 0
    edits: int = 0
    delivered: int = 0  # rows sent whose message arrived
    duplicates: int = 0  # further copies of a sent row's message in its chat
    duplicated_rows: list[int] = field(default_factory=list)
    # For each message that arrived more than once: the simulator's seq of every copy.
    copies: list[list[int]] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)  # said sent, never arrived
    pending: list[int] = field(default_factory=list)  # not delivered nor given up
    given_up: Counter[str] = field(default_factory=Counter)  # "gone: reason" → rows
    unexplained: list[int] = field(default_factory=list)  # given up without a reason
    outside: int = 0  # no row: read-only answers (not kept), error notices

    @property
    def lost_nothing(self) -> bool:
        """Every committed message arrived or was given up with a reason."""
        return not (self.missing or self.pending or self.unexplained)

    @property
    def holds(self) -> bool:
        """... and none arrived twice."""
        return self.lost_nothing and not self.duplicates


def tally(rows: list[Row], actions: list[dict[str, Any]]) -> Tally:
    """Compares the outbox with the simulator's record of sends and edits."""
    result = Tally(committed=len(rows))
    # (chat, text) → message ids the simulator received with that text
    received: dict[tuple[int, str], list[int]] = defaultdict(list)
    seqs: dict[tuple[int, int], int] = {}  # (chat, message id) → seq of its send
    edits: set[tuple[int, int, str]] = set()
    for action in actions:
        text = action["text"] or ""
        if action["kind"] == "send":
            received[(action["chat_id"], text)].append(action["message_id"])
            seqs[(action["chat_id"], action["message_id"])] = action["seq"]
        elif action["kind"] == "edit":
            edits.add((action["chat_id"], action["message_id"], text))
    claimed: set[tuple[int, str]] = set()
    for row in sorted(rows, key=lambda r: r.id):
        if row.action == "edit":
            result.edits += 1
        else:
            result.sends += 1
        if row.status == PENDING:
            result.pending.append(row.id)
            continue
        if row.status in (GONE, FAILED):
            result.given_up[f"{row.status}: {_reason(row.error)}"] += 1
            if not row.error:
                result.unexplained.append(row.id)
            continue
        if row.action == "edit":
            # Drawn over by a later edit before it went, or already so: nothing to see.
            arrived = row.error in ("superseded", "not modified") or (
                (row.chat_id, row.message_id or 0, row.text) in edits
            )
        else:
            key = (row.chat_id, row.text)
            claimed.add(key)
            ids = received.get(key, [])
            arrived = row.message_id in ids
            if arrived:
                ids.remove(row.message_id or 0)
        if arrived:
            result.delivered += 1
        else:
            result.missing.append(row.id)
    for key in sorted(claimed):
        left = received.pop(key, [])
        if left:
            result.duplicates += len(left)
            same = [r for r in rows if (r.chat_id, r.text) == key]
            result.duplicated_rows.extend(r.id for r in same)
            kept = [r.message_id or 0 for r in same if r.status == "sent"]
            found = [seqs[(key[0], m)] for m in [*kept, *left] if (key[0], m) in seqs]
            result.copies.append(sorted(found))
    result.outside = sum(len(ids) for ids in received.values())
    return result


def _reason(error: str) -> str:
    return (error or "no reason")[:60]


async def read_outbox(database_url: str) -> list[Row]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            found = await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
            return [
                Row(
                    row.id or 0,
                    row.chat_id,
                    row.action,
                    row.text,
                    row.status,
                    row.message_id,
                    row.error,
                )
                for row in found.all()
            ]
    finally:
        await engine.dispose()


@dataclass
class Unfinished:
    """What the bot still has to do: messages and follow-up work not yet done."""

    messages: int
    work: int

    @property
    def none(self) -> bool:
        return self.messages == 0 and self.work == 0


async def unfinished(database_url: str) -> Unfinished:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            messages = await session.exec(
                select(func.count()).where(OutboxMessage.status == PENDING)
            )
            work = await session.exec(select(func.count()).where(FollowUpWork.status == PENDING))
            return Unfinished(int(messages.one()), int(work.one()))
    finally:
        await engine.dispose()


@dataclass
class Requests:
    """Leave requests by state at the end of a run."""

    by_status: Counter[str]
    failed_work: int = 0

    @property
    def undecided(self) -> int:
        return self.by_status.get("pending", 0) + self.by_status.get("expired", 0)


async def every_request_decided_or_escalated(database_url: str) -> Requests:
    """Every leave request is decided (approved, rejected, withdrawn, ended), or still pending.

    TODO(escalation): once a pending request records its escalation, a pending request must
    also show one (and `expired` must not occur); until then the pending ones are a figure.
    """
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            found = await session.exec(
                select(LeaveRequest.status, func.count()).group_by(LeaveRequest.status)
            )
            by_status = Counter({status: int(n) for status, n in found.all()})
            failed = await session.exec(select(func.count()).where(FollowUpWork.status == FAILED))
            return Requests(by_status, int(failed.one()))
    finally:
        await engine.dispose()


async def pushes(database_url: str) -> Counter[str]:
    """The pushes that fell due, by kind and state in the ledger ("duty_announce: sent")."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            found = await session.exec(
                select(PushLedger.kind, PushLedger.status, func.count()).group_by(
                    PushLedger.kind, PushLedger.status
                )
            )
            return Counter({f"{kind}: {status}": int(n) for kind, status, n in found.all()})
    finally:
        await engine.dispose()
