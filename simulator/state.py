"""The simulated world: users, chats, messages, files and the bot's update queue.

Both sides operate on this object: the Bot API methods (bot side) and the
driver (user side). It owns the global action counter ``seq`` and wakes
waiters whenever the bot changes something.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import mimetypes
from collections import deque
from collections.abc import Callable
from typing import Any

from .errors import bad_request, forbidden
from .faults import SimStats
from .models import BotAction, CallbackQueryRecord, SimChat, SimFile, SimMessage, SimUser
from .text import leading_command, mentions
from .updates import Notifier, UpdateQueue

log = logging.getLogger(__name__)

# Telegram's service account, used as the author of system-generated messages.
SERVICE_USER_ID = 777000

BotMessageCallback = Callable[[SimMessage], Any]

ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
}


def supergroup_id_for(chat_id: int) -> int:
    """The -100xxxxxxxxxx style id a basic group gets when it becomes a supergroup."""
    return -1_000_000_000_000 - abs(chat_id)


class State:
    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_first_name: str,
        clock: Callable[[], float],
        privacy_mode: bool,
    ):
        prefix = token.split(":", 1)[0]
        self.token = token
        self.bot = SimUser(
            id=int(prefix) if prefix.isdigit() else 1,
            first_name=bot_first_name,
            username=bot_username,
            language_code=None,
            is_bot=True,
        )
        self.clock = clock
        self.privacy_mode = privacy_mode
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.files: dict[str, SimFile] = {}
        self.files_by_path: dict[str, SimFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self.updates = UpdateQueue()
        self.changed = Notifier()
        self.stats = SimStats()
        # Short history for diagnostics in wait timeouts.
        self.recent_actions: deque[str] = deque(maxlen=8)
        self.recent_errors: deque[str] = deque(maxlen=8)
        self.seq = 0
        # Every bot send and edit as it was made (a message's own record shows only its last
        # state): a fault-soak counts from it how often each message arrived.
        self.actions: list[BotAction] = []
        # _sent_total[s] = number of bot *sends* among actions 1..s, so "how many
        # messages since cursor N" is an O(1) subtraction for the HTTP wait endpoint.
        self._sent_total = [0]
        self._observers: list[tuple[BotMessageCallback, bool]] = []
        self._observer_tasks: set[asyncio.Task[Any]] = set()
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)

    # ----------------------------------------------------------------- lookups
    def now(self) -> int:
        return int(self.clock())

    def get_user(self, user_id: int) -> SimUser:
        if user_id == self.bot.id:
            return self.bot
        user = self.users.get(user_id)
        if user is None and user_id == SERVICE_USER_ID:
            user = self.users[user_id] = SimUser(SERVICE_USER_ID, "Telegram", language_code=None)
        if user is None:
            raise KeyError(user_id)
        return user

    def chat_json(self, chat: SimChat) -> dict[str, Any]:
        if chat.type == "private":
            data: dict[str, Any] = self.get_user(chat.id).to_api()
            data.pop("is_bot", None)
            data.pop("language_code", None)
            data["type"] = "private"
            return data
        data = {"id": chat.id, "type": chat.type, "title": chat.title or ""}
        if chat.is_forum:
            data["is_forum"] = True
        return data

    def message_json(self, msg: SimMessage, *, with_reply: bool = True) -> dict[str, Any]:
        chat = self.chats[msg.chat_id]
        data: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": msg.date,
            "chat": self.chat_json(chat),
            "from": self.get_user(msg.user_id).to_api(),
        }
        if msg.text is not None:
            data["text"] = msg.plain_text
            if msg.entities:
                data["entities"] = msg.entities
        if msg.document is not None:
            data["document"] = msg.document.document_json()
        if msg.photo is not None:
            data["photo"] = msg.photo.photo_json()
        if msg.caption is not None:
            data["caption"] = msg.plain_caption
            if msg.caption_entities:
                data["caption_entities"] = msg.caption_entities
        if with_reply and msg.reply_to_message_id is not None:
            target = chat.by_id.get(msg.reply_to_message_id)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_json(target, with_reply=False)
        if msg.inline_keyboard is not None:
            data["reply_markup"] = msg.inline_keyboard
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.link_preview_options:
            data["link_preview_options"] = msg.link_preview_options
        if msg.message_thread_id is not None:
            data["message_thread_id"] = msg.message_thread_id
            data["is_topic_message"] = chat.is_forum
        data.update(msg.service)
        return data

    def member_json(
        self, user_id: int, status: str, rights: dict[str, bool] | None = None
    ) -> dict[str, Any]:
        """`rights`: what differs from a full admin's rights (the bot's, per chat)."""
        data: dict[str, Any] = {"status": status, "user": self.get_user(user_id).to_api()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(ADMIN_RIGHTS)
            data.update(rights or {})
            if user_id == self.bot.id:
                data["can_be_edited"] = False
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def writable_chat(self, chat_id: int | str | None) -> SimChat:
        """The chat the bot wants to act in, or the error Telegram would give."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if not chat.is_group:
            user = self.users[chat.id]
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return chat
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if not chat.bot_present:
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    # --------------------------------------------------------------- mutation
    def new_message(
        self, chat: SimChat, *, user_id: int, from_bot: bool, **fields: Any
    ) -> SimMessage:
        msg = SimMessage(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            from_bot=from_bot,
            user_id=user_id,
            date=self.now(),
            seq=self.seq,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages.append(msg)
        chat.by_id[msg.message_id] = msg
        return msg

    def record_bot_action(self, msg: SimMessage, kind: str) -> None:
        """Account for a bot send/edit/delete: bump seq, log it, wake waiters."""
        self.seq += 1
        msg.seq = self.seq
        self._sent_total.append(self._sent_total[-1] + (kind == "send"))
        self.chats[msg.chat_id].log_bot_action(self.seq, msg)
        self.actions.append(BotAction(self.seq, kind, msg.chat_id, msg.message_id, msg.text))
        self.recent_actions.append(
            f"#{self.seq} {kind} chat={msg.chat_id} id={msg.message_id}: {msg.plain[:60]!r}"
        )
        for callback, include_deletes in list(self._observers):
            if kind != "delete" or include_deletes:
                self._call_observer(callback, msg)
        self.changed.notify()

    def sends_since(self, seq: int) -> int:
        seq = max(0, min(seq, self.seq))
        return self._sent_total[-1] - self._sent_total[seq]

    def add_observer(
        self, callback: BotMessageCallback, include_deletes: bool
    ) -> Callable[[], None]:
        entry = (callback, include_deletes)
        self._observers.append(entry)
        return lambda: self._observers.remove(entry) if entry in self._observers else None

    def _call_observer(self, callback: BotMessageCallback, msg: SimMessage) -> None:
        try:
            result = callback(msg)
        except Exception:
            log.exception("bot message observer %r failed", callback)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._observer_tasks.add(task)
            task.add_done_callback(self._observer_done)

    def _observer_done(self, task: asyncio.Task[Any]) -> None:
        self._observer_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("bot message observer failed", exc_info=task.exception())

    async def drain_observers(self) -> None:
        tasks = list(self._observer_tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def store_file(
        self, data: bytes, *, kind: str, filename: str | None, mime_type: str | None
    ) -> SimFile:
        number = next(self._file_ids)
        if mime_type is None and filename:
            mime_type = mimetypes.guess_type(filename, strict=False)[0]
        if kind == "photo":
            mime_type = mime_type or "image/jpeg"
            ext = ".jpg"
            folder = "photos"
        else:
            ext = "." + filename.rsplit(".", 1)[-1] if filename and "." in filename else ""
            folder = "documents"
        prefix = "AgAC" if kind == "photo" else "BQAC"
        sim_file = SimFile(
            file_id=f"{prefix}SIM{number:08d}{self.bot.id}",
            file_unique_id=f"AQADSIM{number:06d}",
            data=data,
            kind="photo" if kind == "photo" else "document",
            file_path=f"{folder}/file_{number}{ext}",
            filename=filename,
            mime_type=mime_type,
        )
        if kind == "photo":
            sim_file.width, sim_file.height = _image_size(data)
        self.files[sim_file.file_id] = sim_file
        self.files_by_path[sim_file.file_path] = sim_file
        return sim_file

    def number_files_after(self, number: int) -> None:
        """New files are numbered past `number`: files restored from an earlier run keep their
        ids, and a new one must never take them."""
        self._file_ids = itertools.count(number + 1)

    def new_callback_query_id(self) -> str:
        return f"{self.bot.id}{next(self._query_ids):010d}"

    # ---------------------------------------------------------------- updates
    def should_deliver(self, chat: SimChat, msg: SimMessage) -> bool:
        """Telegram's privacy-mode rules for which group messages reach a bot."""
        if not chat.is_group:
            return True
        if not chat.bot_present:
            return False
        if msg.service or not self.privacy_mode or chat.bot_is_admin:
            return True
        text = msg.text if msg.text is not None else (msg.caption or "")
        command = leading_command(text)
        if command is not None:
            target = command[1]
            return target is None or target.lower() == (self.bot.username or "").lower()
        if msg.reply_to_message_id is not None:
            target_msg = chat.by_id.get(msg.reply_to_message_id)
            if target_msg is not None and target_msg.from_bot:
                return True
        return (self.bot.username or "").lower() in mentions(text)

    def deliver_message(self, chat: SimChat, msg: SimMessage) -> bool:
        if not self.should_deliver(chat, msg):
            return False
        msg.delivered = self.updates.push("message", self.message_json(msg)) is not None
        return msg.delivered

    def emit_my_chat_member(self, chat: SimChat, by_user_id: int, old: str, new: str) -> None:
        self.updates.push(
            "my_chat_member",
            {
                "chat": self.chat_json(chat),
                "from": self.get_user(by_user_id).to_api(),
                "date": self.now(),
                "old_chat_member": self.member_json(self.bot.id, old, chat.bot_rights),
                "new_chat_member": self.member_json(self.bot.id, new, chat.bot_rights),
            },
        )

    def emit_chat_member(
        self, chat: SimChat, by_user_id: int, user_id: int, old: str, new: str
    ) -> None:
        # Telegram only tells administrators about other members' changes.
        if not chat.bot_is_admin:
            return
        self.updates.push(
            "chat_member",
            {
                "chat": self.chat_json(chat),
                "from": self.get_user(by_user_id).to_api(),
                "date": self.now(),
                "old_chat_member": self.member_json(user_id, old),
                "new_chat_member": self.member_json(user_id, new),
            },
        )

    def set_bot_status(self, chat: SimChat, status: str, by_user_id: int) -> None:
        old = chat.bot_status
        if old == status:
            return
        chat.bot_status = status
        self.emit_my_chat_member(chat, by_user_id, old, status)
        self.changed.notify()


def _image_size(data: bytes) -> tuple[int, int]:
    """Width/height from a PNG, GIF or JPEG header (1x1 if unrecognised)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                h = int.from_bytes(data[i + 5 : i + 7], "big")
                w = int.from_bytes(data[i + 7 : i + 9], "big")
                return w, h
            i += 2 + length
    return 1, 1
