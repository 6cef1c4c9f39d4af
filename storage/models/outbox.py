"""What the bot has committed to say, and the work that follows an action, kept until done.

A message is written here in the same transaction as the change that causes it, and delivered
from here: a crash, a stop or a failing Telegram between the commit and the delivery loses
nothing, and the next start (or another process) sends what is left.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class OutboxMessage(SQLModel, table=True):
    """One message to send, or one edit of a message sent before.

    action: send | edit. status: pending | sent | gone (the person blocked the bot or never
    started it, the group removed it, the chat does not exist) | failed (refused by Telegram,
    or still failing when too old to matter).
    A process sending a row holds it (`owner`) until `lease_until`; a row whose lease ran out is
    taken over by whoever looks next, so a process that died leaves nothing behind.
    `about` names what the message is for (`leave_step:12`, `push:40`), so that a message that
    cannot be delivered is handled (the request moves on to someone reachable, the admins are
    told), not just logged.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="schools.id")
    chat_id: int = Field(sa_type=BigInteger)
    action: str = Field(default="send", max_length=8)
    text: str = Field(sa_column=Column(Text, nullable=False))
    markup: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reply_to: int | None = Field(default=None, sa_type=BigInteger)
    # The forum topic of a staff group the message goes to (None: the general topic).
    message_thread_id: int | None = Field(default=None, sa_type=BigInteger)
    # For an edit: the message edited. For a send: the message Telegram made of it.
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    # A cover board: its day and arranger (with school_id), kept once sent to be redrawn later.
    board_day: date | None = None
    board_staff_id: int | None = None
    # A cover slip's part for the group (with school_id): kept once sent, to be edited later.
    slip_day: date | None = None
    about: str = Field(default="", max_length=48)
    # A file sent with `text` as its caption (a report): document | photo, its name and bytes.
    # The bytes are dropped once the row is done with.
    file_kind: str = Field(default="", max_length=8)
    file_name: str | None = Field(default=None, max_length=120)
    file_data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # Or a file Telegram already holds (a photo a teacher sent), sent on by its file id.
    file_id: str | None = Field(default=None, max_length=255)
    status: str = Field(default="pending", max_length=8)
    attempts: int = Field(default=0)
    owner: str | None = Field(default=None, max_length=16)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FollowUpWork(SQLModel, table=True):
    """Work an action left for after its answer (the arrangers' boards, a request reaching its
    approvers, the slip's update), by name and plain arguments, deleted when it has run.

    status: pending | failed (it raised `attempts` times; the admins were told).
    """

    __tablename__ = "follow_ups"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="schools.id")
    name: str = Field(max_length=32)
    args: str = Field(sa_column=Column(Text, nullable=False))
    actor_id: int | None = Field(default=None, sa_type=BigInteger)
    status: str = Field(default="pending", max_length=8)
    attempts: int = Field(default=0)
    owner: str | None = Field(default=None, max_length=16)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class UnreachableChat(SQLModel, table=True):
    """A private chat the bot cannot write to: the person blocked it or never started it.

    Kept until the person writes to the bot again; approvals skip such people and the admins
    can list them.
    """

    __tablename__ = "unreachable_chats"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    since: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=120)


class RequestMessage(SQLModel, table=True):
    """A delivered message that carries a request's buttons (a swap or a homework posting to
    decide, a link request) or tells the requester it waits, kept so it can be redrawn once the
    request expires: nobody is left pressing buttons, or reading a promise, that no longer holds.

    kind: swap | homework | registration; `subject_id` is that request's id.
    """

    __tablename__ = "request_messages"
    __table_args__ = (Index("ix_request_messages_subject", "kind", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    subject_id: int
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int = Field(sa_type=BigInteger)
    lang: str = Field(default="", max_length=8)
    created_at: datetime = Field(sa_type=UTCDateTime)
