"""Bot API methods that create, change or remove messages (and related files)."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .models import SimChat, SimFile, SimMessage
from .params import Params, validate_reply_markup
from .registry import api_method
from .state import State
from .text import check_text_length, parse_formatted

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _reply_target(chat: SimChat, p: Params) -> int | None:
    """Resolve reply_parameters / reply_to_message_id against the chat."""
    params = p.obj("reply_parameters")
    allow_missing = p.flag("allow_sending_without_reply")
    if isinstance(params, dict) and params.get("message_id") is not None:
        target: int | None = int(params["message_id"])
        allow_missing = bool(params.get("allow_sending_without_reply", allow_missing))
    else:
        target = p.integer("reply_to_message_id")
    if target is None:
        return None
    message = chat.by_id.get(target)
    if message is None or message.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return target


def _thread(chat: SimChat, p: Params, reply_to: int | None) -> int | None:
    """The forum topic a message goes to: the one named, else the replied message's."""
    thread = p.integer("message_thread_id")
    if thread is None:
        if reply_to is not None:
            return chat.by_id[reply_to].message_thread_id
        return None
    if not chat.is_forum or thread not in chat.topics:
        # As Telegram answers for a deleted topic (or a chat without topics).
        raise bad_request("message thread not found")
    return thread


def _post(state: State, chat: SimChat, p: Params, **fields: Any) -> dict[str, Any]:
    markup = validate_reply_markup(p.obj("reply_markup"))
    reply_to = _reply_target(chat, p)
    thread = _thread(chat, p, reply_to)
    msg = state.new_message(
        chat,
        user_id=state.bot.id,
        from_bot=True,
        reply_markup=markup,
        reply_to_message_id=reply_to,
        disable_notification=p.flag("disable_notification"),
        message_thread_id=thread,
        **fields,
    )
    if markup is not None:
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
    state.record_bot_action(msg, "send")
    return state.message_json(msg)


@api_method("sendMessage")
def send_message(state: State, p: Params) -> dict[str, Any]:
    chat = state.writable_chat(p.chat_id())
    text = p.string("text")
    if not text:
        raise bad_request("message text is empty")
    parse_mode = p.string("parse_mode")
    plain, entities = parse_formatted(text, parse_mode, p.obj("entities"))
    check_text_length(plain)
    preview = p.obj("link_preview_options")
    return _post(
        state,
        chat,
        p,
        text=text,
        parse_mode=parse_mode,
        plain_text=plain,
        entities=entities,
        link_preview_options=preview if isinstance(preview, dict) else None,
    )


def _media_file(state: State, p: Params, kind: str) -> SimFile:
    upload = p.files.get(kind)
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_DOCUMENT_BYTES
        if len(upload.data) > limit:
            raise bad_request("Request Entity Too Large")
        return state.store_file(
            upload.data, kind=kind, filename=upload.filename, mime_type=upload.content_type
        )
    ref = p.string(kind)
    if not ref:
        raise bad_request(f"there is no {kind} in the request")
    if ref.startswith("attach://"):
        raise bad_request(f"wrong file identifier/HTTP URL specified: {ref} is not attached")
    if ref.startswith(("http://", "https://")):
        # The simulator never fetches remote content.
        raise bad_request("failed to get HTTP URL content")
    existing = state.files.get(ref)
    if existing is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if existing.kind != kind:
        raise bad_request("type of file mismatch")
    return existing


def _send_media(state: State, p: Params, kind: str) -> dict[str, Any]:
    chat = state.writable_chat(p.chat_id())
    caption = p.string("caption") or None  # an empty caption means no caption
    parse_mode = p.string("parse_mode")
    plain_caption: str | None = None
    caption_entities: list[dict[str, Any]] = []
    if caption is not None:
        plain_caption, caption_entities = parse_formatted(
            caption, parse_mode, p.obj("caption_entities")
        )
        check_text_length(plain_caption, caption=True)
    sim_file = _media_file(state, p, kind)
    return _post(
        state,
        chat,
        p,
        caption=caption,
        parse_mode=parse_mode,
        plain_caption=plain_caption,
        caption_entities=caption_entities,
        **{kind: sim_file},
    )


@api_method("sendDocument")
def send_document(state: State, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "document")


@api_method("sendPhoto")
def send_photo(state: State, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "photo")


def _target_message(state: State, p: Params, action: str) -> SimMessage:
    if p.string("inline_message_id"):
        raise bad_request("inline messages are not supported by the simulator")
    chat = state.writable_chat(p.chat_id())
    message_id = p.integer("message_id", required=True)
    msg = chat.by_id.get(message_id) if message_id is not None else None
    if msg is None or msg.deleted:
        raise bad_request(f"message to {action} not found")
    return msg


def _finish_edit(state: State, msg: SimMessage) -> dict[str, Any]:
    msg.edited = True
    msg.edit_date = state.now()
    state.record_bot_action(msg, "edit")
    return state.message_json(msg)


@api_method("editMessageText")
def edit_message_text(state: State, p: Params) -> dict[str, Any]:
    msg = _target_message(state, p, "edit")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    text = p.string("text")
    if not text:
        raise bad_request("message text is empty")
    parse_mode = p.string("parse_mode")
    plain, entities = parse_formatted(text, parse_mode, p.obj("entities"))
    check_text_length(plain)
    # Like Telegram: omitting reply_markup removes the inline keyboard.
    markup = validate_reply_markup(p.obj("reply_markup"), inline_only=True)
    if plain == msg.plain_text and entities == msg.entities and markup == msg.inline_keyboard:
        raise bad_request(NOT_MODIFIED)
    msg.text, msg.parse_mode, msg.plain_text, msg.entities = text, parse_mode, plain, entities
    msg.reply_markup = markup
    preview = p.obj("link_preview_options")
    if isinstance(preview, dict):
        msg.link_preview_options = preview
    return _finish_edit(state, msg)


@api_method("editMessageCaption")
def edit_message_caption(state: State, p: Params) -> dict[str, Any]:
    msg = _target_message(state, p, "edit")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    if msg.document is None and msg.photo is None:
        raise bad_request("there is no caption in the message to edit")
    caption = p.string("caption") or ""
    parse_mode = p.string("parse_mode")
    plain, entities = parse_formatted(caption, parse_mode, p.obj("caption_entities"))
    check_text_length(plain, caption=True)
    markup = validate_reply_markup(p.obj("reply_markup"), inline_only=True)
    if (
        plain == (msg.plain_caption or "")
        and entities == msg.caption_entities
        and markup == msg.inline_keyboard
    ):
        raise bad_request(NOT_MODIFIED)
    msg.caption, msg.parse_mode = (caption or None), parse_mode
    msg.plain_caption, msg.caption_entities = (plain or None), entities
    msg.reply_markup = markup
    return _finish_edit(state, msg)


@api_method("editMessageReplyMarkup")
def edit_message_reply_markup(state: State, p: Params) -> dict[str, Any]:
    msg = _target_message(state, p, "edit")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    markup = validate_reply_markup(p.obj("reply_markup"), inline_only=True)
    if markup == msg.inline_keyboard:
        raise bad_request(NOT_MODIFIED)
    msg.reply_markup = markup
    return _finish_edit(state, msg)


@api_method("deleteMessage")
def delete_message(state: State, p: Params) -> bool:
    msg = _target_message(state, p, "delete")
    chat = state.chats[msg.chat_id]
    if not msg.from_bot and chat.is_group and not chat.bot_may("can_delete_messages"):
        raise bad_request("message can't be deleted")
    msg.deleted = True
    state.record_bot_action(msg, "delete")
    return True


@api_method("answerCallbackQuery")
def answer_callback_query(state: State, p: Params) -> bool:
    query_id = p.string("callback_query_id", required=True) or ""
    record = state.callback_queries.get(query_id)
    if record is None or record.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.string("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {
        "text": text,
        "show_alert": p.flag("show_alert"),
        "url": p.string("url"),
        "cache_time": p.integer("cache_time") or 0,
    }
    state.changed.notify()
    return True


@api_method("getFile")
def get_file(state: State, p: Params) -> dict[str, Any]:
    sim_file = state.files.get(p.string("file_id", required=True) or "")
    if sim_file is None:
        raise bad_request("invalid file_id")
    if sim_file.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return {
        "file_id": sim_file.file_id,
        "file_unique_id": sim_file.file_unique_id,
        "file_size": sim_file.size,
        "file_path": sim_file.file_path,
    }


@api_method("sendChatAction")
def send_chat_action(state: State, p: Params) -> bool:
    chat = state.writable_chat(p.chat_id())
    action = p.string("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.last_action = action
    return True


def _pin_rights(state: State, p: Params) -> SimChat:
    chat = state.writable_chat(p.chat_id())
    if chat.is_group and not chat.bot_is_admin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    return chat


@api_method("pinChatMessage")
def pin_chat_message(state: State, p: Params) -> bool:
    chat = _pin_rights(state, p)
    message_id = p.integer("message_id", required=True)
    msg = chat.by_id.get(message_id) if message_id is not None else None
    if msg is None or msg.deleted:
        raise bad_request("message to pin not found")
    if msg.message_id in chat.pinned:
        chat.pinned.remove(msg.message_id)
    chat.pinned.append(msg.message_id)
    state.changed.notify()
    return True


@api_method("unpinChatMessage")
def unpin_chat_message(state: State, p: Params) -> bool:
    chat = _pin_rights(state, p)
    message_id = p.integer("message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
    elif message_id in chat.pinned:
        chat.pinned.remove(message_id)
    else:
        raise bad_request("message to unpin not found")
    state.changed.notify()
    return True


@api_method("unpinAllChatMessages")
def unpin_all_chat_messages(state: State, p: Params) -> bool:
    chat = _pin_rights(state, p)
    chat.pinned.clear()
    state.changed.notify()
    return True
