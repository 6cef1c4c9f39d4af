"""Plain data model of the simulated Telegram world (users, chats, messages, files)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Literal

MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]
MEMBER_STATUSES: frozenset[str] = frozenset(
    {"creator", "administrator", "member", "left", "kicked"}
)
PRESENT_STATUSES: frozenset[str] = frozenset({"creator", "administrator", "member"})


@dataclass
class SimUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"
    is_bot: bool = False
    # Telegram only lets a bot write to users who have written to it first.
    started: bool = False
    blocked: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class SimButton:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class SimFile:
    """A stored file: anything uploaded by a user or the bot."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: Literal["document", "photo"]
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.data)

    def document_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.filename:
            data["file_name"] = self.filename
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def photo_json(self) -> list[dict[str, Any]]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": self.width,
                "height": self.height,
            }
        ]


@dataclass
class SimMessage:
    """A message in a chat, in its current (possibly edited or deleted) state."""

    message_id: int
    chat_id: int
    from_bot: bool
    user_id: int
    text: str | None = None  # raw, as sent (bot messages may contain HTML/Markdown)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: SimFile | None = None
    photo: SimFile | None = None
    caption: str | None = None
    date: int = 0
    edited: bool = False
    deleted: bool = False
    seq: int = 0
    reply_to_message_id: int | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    plain_text: str | None = None  # text after entity parsing
    plain_caption: str | None = None
    # Service-message fields, already shaped like the Bot API (new_chat_members, ...).
    service: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    link_preview_options: dict[str, Any] | None = None
    disable_notification: bool = False
    # The forum topic it is in (None: the general topic, or a chat without topics).
    message_thread_id: int | None = None
    # For messages written through the driver: whether the bot received an update.
    delivered: bool = False

    @property
    def plain(self) -> str:
        """What a user sees: markup stripped and character references decoded."""
        if self.plain_text is not None:
            return self.plain_text
        return self.plain_caption or ""

    @property
    def inline_keyboard(self) -> dict[str, Any] | None:
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    @property
    def buttons(self) -> list[list[SimButton]]:
        """Inline keyboard (or reply keyboard) buttons, row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [
            [
                SimButton(
                    text=button["text"],
                    callback_data=button.get("callback_data"),
                    url=button.get("url"),
                )
                for button in row
            ]
            for row in rows
        ]

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def find_button(self, *, text: str | None = None, data: str | None = None) -> SimButton | None:
        for row in self.buttons:
            for button in row:
                if (text is not None and button.text == text) or (
                    data is not None and button.callback_data == data
                ):
                    return button
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly driver view (used by the HTTP driver and the playground)."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "user_id": self.user_id,
            "text": self.text,
            "plain": self.plain,
            "parse_mode": self.parse_mode,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "buttons": [[vars(b) for b in row] for row in self.buttons],
            "date": self.date,
            "edited": self.edited,
            "deleted": self.deleted,
            "seq": self.seq,
            "reply_to_message_id": self.reply_to_message_id,
            "message_thread_id": self.message_thread_id,
            "delivered": self.delivered,
        }
        media = self.document or self.photo
        if media is not None:
            data["file"] = {
                "kind": media.kind,
                "file_id": media.file_id,
                "filename": media.filename,
                "mime_type": media.mime_type,
                "size": media.size,
            }
        if self.service:
            data["service"] = sorted(self.service)
        return data


@dataclass(frozen=True)
class BotAction:
    """One send, edit or delete by the bot, with the text as it was then."""

    seq: int
    kind: str  # send | edit | delete
    chat_id: int
    message_id: int
    text: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
        }


@dataclass
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


@dataclass
class SimChat:
    id: int
    type: Literal["private", "group", "supergroup"]
    title: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "left"
    # The bot's admin rights that differ from a full admin's (`{"can_delete_messages": False}`)
    bot_rights: dict[str, bool] = field(default_factory=dict)
    migrated_to: int | None = None
    migrated_from: int | None = None
    messages: list[SimMessage] = field(default_factory=list)
    by_id: dict[int, SimMessage] = field(default_factory=dict)
    next_message_id: int = 1
    pinned: list[int] = field(default_factory=list)
    reply_keyboard: dict[str, Any] | None = None
    last_action: str | None = None
    # Every bot action in this chat as (seq, message), in seq order: lets
    # bot_messages(since=...) bisect instead of scanning the whole history.
    bot_log_seqs: list[int] = field(default_factory=list)
    bot_log: list[SimMessage] = field(default_factory=list)
    # A forum supergroup's open topics, by message_thread_id (the id of the message that
    # created the topic, as in Telegram).
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return self.type != "private"

    @property
    def bot_present(self) -> bool:
        return self.bot_status in PRESENT_STATUSES

    @property
    def bot_is_admin(self) -> bool:
        return self.bot_status in ("administrator", "creator")

    def bot_may(self, right: str) -> bool:
        """Whether the bot holds an admin right here (`can_delete_messages`, ...)."""
        return self.bot_is_admin and self.bot_rights.get(right, True)

    def log_bot_action(self, seq: int, message: SimMessage) -> None:
        self.bot_log_seqs.append(seq)
        self.bot_log.append(message)

    def bot_messages_since(self, since: int) -> list[SimMessage]:
        """Bot messages whose latest action has seq > since, in seq order."""
        start = bisect.bisect_right(self.bot_log_seqs, since)
        result = []
        for seq, message in zip(self.bot_log_seqs[start:], self.bot_log[start:], strict=True):
            # An edited message appears once per action; report it at its latest one.
            if message.seq == seq:
                result.append(message)
        return result
