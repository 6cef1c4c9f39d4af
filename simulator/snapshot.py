"""The chats as a JSON-ready record, and put back from it into a simulator started again.

Telegram keeps every chat's messages (edited, deleted, with their buttons and files) however often
a bot restarts. A simulator run again over the same bot database (a resumed playground) shows the
chats as the last run left them: what people wrote, what the bot sent and edited, what it
deleted, the files by the ids the bot still holds, and who had started the bot.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from .models import SimFile, SimMessage
from .state import State

VERSION = 1

_MESSAGE_FIELDS = (
    "message_id",
    "from_bot",
    "user_id",
    "text",
    "parse_mode",
    "reply_markup",
    "caption",
    "date",
    "edited",
    "deleted",
    "reply_to_message_id",
    "entities",
    "caption_entities",
    "plain_text",
    "plain_caption",
    "service",
    "edit_date",
    "link_preview_options",
    "disable_notification",
    "message_thread_id",
    "delivered",
)
_FILE_FIELDS = ("file_id", "file_unique_id", "kind", "file_path", "filename", "mime_type")
_FILE_NUMBER = re.compile(r"file_(\d+)")


def _message(message: SimMessage) -> dict[str, Any]:
    data = {name: getattr(message, name) for name in _MESSAGE_FIELDS}
    data["document"] = message.document.file_id if message.document is not None else None
    data["photo"] = message.photo.file_id if message.photo is not None else None
    return data


def _file(sim_file: SimFile) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(sim_file, name) for name in _FILE_FIELDS}
    data.update(
        width=sim_file.width,
        height=sim_file.height,
        data=base64.b64encode(sim_file.data).decode("ascii"),
    )
    return data


def snapshot(state: State) -> dict[str, Any]:
    return {
        "version": VERSION,
        "users": {
            str(user.id): {"started": user.started, "blocked": user.blocked}
            for user in state.users.values()
        },
        "files": [_file(f) for f in state.files.values()],
        "chats": {
            str(chat.id): {
                "next_message_id": chat.next_message_id,
                "pinned": list(chat.pinned),
                "messages": [_message(m) for m in chat.messages],
            }
            for chat in state.chats.values()
            if chat.messages
        },
    }


def restore(state: State, record: dict[str, Any]) -> None:
    """Puts the chats back into a simulator that has their users and chats but no messages yet;
    chats and users it does not know are skipped. Not an action of the bot: nobody is told."""
    if record.get("version") != VERSION:
        return
    for user_id, flags in record.get("users", {}).items():
        user = state.users.get(int(user_id))
        if user is not None:
            user.started, user.blocked = bool(flags["started"]), bool(flags["blocked"])
    numbers = [0]
    for data in record.get("files", []):
        sim_file = SimFile(
            data=base64.b64decode(data["data"]),
            width=data["width"],
            height=data["height"],
            **{name: data[name] for name in _FILE_FIELDS},
        )
        state.files[sim_file.file_id] = sim_file
        state.files_by_path[sim_file.file_path] = sim_file
        number = _FILE_NUMBER.search(sim_file.file_path)
        numbers.append(int(number[1]) if number else 0)
    state.number_files_after(max(numbers))
    for chat_id, kept in record.get("chats", {}).items():
        chat = state.chats.get(int(chat_id))
        if chat is None or chat.messages:
            continue
        for data in kept["messages"]:
            fields = {name: data[name] for name in _MESSAGE_FIELDS}
            message = SimMessage(
                chat_id=chat.id,
                document=state.files.get(data["document"]) if data["document"] else None,
                photo=state.files.get(data["photo"]) if data["photo"] else None,
                **fields,
            )
            chat.messages.append(message)
            chat.by_id[message.message_id] = message
        chat.next_message_id = max(chat.next_message_id, kept["next_message_id"])
        chat.pinned = [i for i in kept["pinned"] if i in chat.by_id]
