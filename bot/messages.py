"""The messages the bot sends, as actions and pushes queue them and the dispatcher delivers them.

A `Send` or an `Edit` is written to the outbox table before it is delivered (its `row_id`); an
`Answer` to a button press is not: it is worth nothing a few seconds later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup, ReplyKeyboardRemove

from bot.transport import lean_markup
from storage.outbox import NewMessage

Markup = InlineKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None
# A cover board's school, day and arranger (staff id): kept once sent, to be drawn again later.
BoardTag = tuple[int, date, int]
# A cover slip's school and day: its group messages are kept once sent, to be edited later.
SlipTag = tuple[int, date]


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message's text as its caption: a document (a report's workbook)
    or a photo (its chart). With `file_id`, a file Telegram already holds (a photo a teacher
    sent the bot), sent on without its bytes."""

    filename: str
    data: bytes
    kind: str = "document"  # document | photo
    file_id: str | None = None


@dataclass
class Send:
    chat_id: int
    text: str
    markup: Markup | dict[str, Any] = None
    reply_to: int | None = None
    board: BoardTag | None = None
    slip: SlipTag | None = None
    # What the message is for (`leave_step:12`): what to do if it cannot be delivered.
    about: str = ""
    school_id: int | None = None
    row_id: int | None = None
    attempts: int = 0
    created_at: datetime | None = None
    bulk: bool = False  # a push among many (paced), not an answer to someone waiting
    # A forum topic of the group (None: the general topic, or a chat without topics).
    message_thread_id: int | None = None
    attachment: Attachment | None = None
    message_id: int | None = field(default=None, init=False)  # once sent
    done: bool = field(default=False, init=False)  # sent or given up

    @property
    def action(self) -> str:
        return "send"


@dataclass
class Edit:
    chat_id: int
    message_id: int | None
    text: str
    markup: InlineKeyboardMarkup | dict[str, Any] | None = None
    about: str = ""
    school_id: int | None = None
    row_id: int | None = None
    attempts: int = 0
    created_at: datetime | None = None
    bulk: bool = False
    done: bool = field(default=False, init=False)

    @property
    def action(self) -> str:
        return "edit"


@dataclass
class Answer:
    query_id: str
    text: str | None = None
    alert: bool = False


Message = Send | Edit


def markup_json(markup: Markup | dict[str, Any]) -> str | None:
    """The markup as Telegram takes it, to keep with the message until it is sent."""
    if markup is None:
        return None
    if isinstance(markup, dict):
        return json.dumps(markup, ensure_ascii=False)
    written = lean_markup(markup)
    return json.dumps(written.to_dict(), ensure_ascii=False)


def call_markup(markup: Markup | dict[str, Any]) -> Markup | dict[str, Any]:
    """What to hand to the call: a kept markup goes as the JSON Telegram will read."""
    if markup is None or isinstance(markup, dict):
        return markup
    return lean_markup(markup)


def to_row(message: Message, school_id: int | None) -> NewMessage:
    board = message.board if isinstance(message, Send) else None
    slip = message.slip if isinstance(message, Send) else None
    attachment = message.attachment if isinstance(message, Send) else None
    return NewMessage(
        chat_id=message.chat_id,
        text=message.text,
        action=message.action,
        markup=markup_json(message.markup),
        reply_to=message.reply_to if isinstance(message, Send) else None,
        message_thread_id=message.message_thread_id if isinstance(message, Send) else None,
        message_id=message.message_id if isinstance(message, Edit) else None,
        school_id=message.school_id if message.school_id is not None else school_id,
        board_day=board[1] if board is not None else None,
        board_staff_id=board[2] if board is not None else None,
        slip_day=slip[1] if slip is not None else None,
        about=message.about,
        file_kind=attachment.kind if attachment is not None else "",
        file_name=attachment.filename if attachment is not None else None,
        file_data=attachment.data if attachment is not None and attachment.data else None,
        file_id=attachment.file_id if attachment is not None else None,
    )


def from_row(row: Any) -> Message:
    """A kept row as a message to deliver (after a restart, or taken over from another process)."""
    markup = json.loads(row.markup) if row.markup else None
    if row.action == "edit":
        return Edit(
            row.chat_id,
            row.message_id,
            row.text,
            markup,
            about=row.about,
            school_id=row.school_id,
            row_id=row.id,
            attempts=row.attempts,
            created_at=row.created_at,
            bulk=row.about.startswith("push:"),
        )
    board = (
        (row.school_id, row.board_day, row.board_staff_id)
        if row.board_day is not None and row.school_id is not None
        else None
    )
    slip = (
        (row.school_id, row.slip_day)
        if row.slip_day is not None and row.school_id is not None
        else None
    )
    return Send(
        row.chat_id,
        row.text,
        markup,
        row.reply_to,
        board,
        slip,
        about=row.about,
        school_id=row.school_id,
        row_id=row.id,
        attempts=row.attempts,
        created_at=row.created_at,
        bulk=row.about.startswith("push:"),
        message_thread_id=row.message_thread_id,
        attachment=(
            Attachment(row.file_name or "file", row.file_data or b"", row.file_kind, row.file_id)
            if row.file_kind and (row.file_data is not None or row.file_id)
            else None
        ),
    )
