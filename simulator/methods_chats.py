"""Bot API methods about the bot itself, updates, commands and chats."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .errors import ApiError, bad_request
from .models import PRESENT_STATUSES, SimChat
from .params import Params
from .registry import api_method
from .state import State

_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
# Telegram's rule for a webhook's secret token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CommandKey = tuple[str, int | None, int | None, str]


@api_method("getMe")
def get_me(state: State, p: Params) -> dict[str, Any]:
    data = state.bot.to_api()
    data.update(
        {
            "can_join_groups": True,
            "can_read_all_group_messages": not state.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    )
    return data


@api_method("logOut")
def log_out(state: State, p: Params) -> bool:
    return True


@api_method("close")
def close(state: State, p: Params) -> bool:
    return True


@api_method("getUpdates")
async def get_updates(state: State, p: Params) -> list[dict[str, Any]]:
    if state.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = p.integer("offset")
    if offset and state.updates.confirm(offset):
        state.changed.notify()  # wait_updates_consumed() watches this
    limit = min(100, max(1, p.integer("limit") or 100))
    try:
        timeout = max(0.0, float(p.string("timeout") or 0))
    except ValueError:
        raise bad_request("invalid timeout specified") from None
    allowed = p.obj("allowed_updates")
    if isinstance(allowed, list):
        state.updates.set_allowed(allowed)
    result = await state.updates.get(limit, timeout)
    state.stats.updates_delivered += len(result)
    return result


@api_method("setWebhook")
def set_webhook(state: State, p: Params) -> bool:
    url = p.string("url") or ""
    if p.flag("drop_pending_updates"):
        state.updates.clear()
    if not url:
        state.webhook = None
        return True
    parts = urlsplit(url)
    # Telegram wants HTTPS; a Bot API server of one's own (`--local`) also takes plain HTTP,
    # which is how the simulator accepts a webhook on this machine.
    local = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if parts.scheme != "https" and not local:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.string("secret_token")
    if secret is not None and not _SECRET_RE.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.obj("allowed_updates")
    if isinstance(allowed, list):
        state.updates.set_allowed(allowed)
    state.webhook = {
        "url": url,
        "max_connections": p.integer("max_connections") or 40,
        "allowed_updates": allowed,
        "secret_token": secret,
    }
    # A long poll waiting now ends, and the webhook sender starts with what is queued.
    state.updates.wake_all()
    return True


@api_method("deleteWebhook")
def delete_webhook(state: State, p: Params) -> bool:
    state.webhook = None
    if p.flag("drop_pending_updates"):
        state.updates.clear()
        state.changed.notify()
    return True


@api_method("getWebhookInfo")
def get_webhook_info(state: State, p: Params) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if state.webhook is not None:
        info["url"] = state.webhook["url"]
        info["max_connections"] = state.webhook["max_connections"]
        if state.webhook["allowed_updates"]:
            info["allowed_updates"] = state.webhook["allowed_updates"]
        for key in ("last_error_date", "last_error_message"):
            if key in state.webhook:
                info[key] = state.webhook[key]
    return info


def command_key(state: State, scope: Any, language_code: str | None) -> CommandKey:
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    chat_id = user_id = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        try:
            chat_id = int(scope.get("chat_id", ""))
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id not in state.chats:
            raise bad_request("chat not found")
    if kind == "chat_member":
        try:
            user_id = int(scope.get("user_id", ""))
        except (TypeError, ValueError):
            raise bad_request("user not found") from None
    return kind, chat_id, user_id, language_code or ""


@api_method("setMyCommands")
def set_my_commands(state: State, p: Params) -> bool:
    commands = p.obj("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(item.get("command", "")).lstrip("/")
        description = str(item.get("description", ""))
        if not _COMMAND_NAME_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    key = command_key(state, p.obj("scope"), p.string("language_code"))
    if cleaned:
        state.commands[key] = cleaned
    else:
        state.commands.pop(key, None)
    state.changed.notify()
    return True


@api_method("getMyCommands")
def get_my_commands(state: State, p: Params) -> list[dict[str, str]]:
    key = command_key(state, p.obj("scope"), p.string("language_code"))
    return list(state.commands.get(key, []))


@api_method("deleteMyCommands")
def delete_my_commands(state: State, p: Params) -> bool:
    key = command_key(state, p.obj("scope"), p.string("language_code"))
    state.commands.pop(key, None)
    state.changed.notify()
    return True


@api_method("setChatMenuButton")
def set_chat_menu_button(state: State, p: Params) -> bool:
    chat_id = p.chat_id(required=False)
    if chat_id is not None:
        chat = state.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.is_group:
            raise bad_request("menu button can be changed only in private chats")
    button = p.obj("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse MenuButton JSON object")
    if button["type"] == "web_app" and not (button.get("text") and button.get("web_app")):
        raise bad_request("can't parse MenuButton JSON object")
    state.menu_buttons[chat_id if isinstance(chat_id, int) else None] = button
    state.changed.notify()
    return True


@api_method("getChatMenuButton")
def get_chat_menu_button(state: State, p: Params) -> dict[str, Any]:
    chat_id = p.chat_id(required=False)
    buttons = state.menu_buttons
    if isinstance(chat_id, int) and chat_id in buttons:
        return buttons[chat_id]
    return buttons.get(None, {"type": "default"})


def _readable_chat(state: State, p: Params) -> SimChat:
    chat_id = p.chat_id()
    chat = state.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        raise bad_request("chat not found")
    return chat if not chat.is_group else state.writable_chat(chat.id)


@api_method("getChat")
def get_chat(state: State, p: Params) -> dict[str, Any]:
    chat = _readable_chat(state, p)
    data = state.chat_json(chat)
    data.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    if chat.pinned:
        pinned = chat.by_id[chat.pinned[-1]]
        data["pinned_message"] = state.message_json(pinned, with_reply=False)
    return data


def _status_of(state: State, chat: SimChat, user_id: int) -> str:
    if user_id == state.bot.id:
        return "member" if not chat.is_group else chat.bot_status
    if not chat.is_group:
        if user_id != chat.id:
            raise bad_request("user not found")
        return "member"
    if user_id not in state.users:
        raise bad_request("user not found")
    return chat.members.get(user_id, "left")


@api_method("getChatMember")
def get_chat_member(state: State, p: Params) -> dict[str, Any]:
    chat = _readable_chat(state, p)
    user_id = p.integer("user_id", required=True) or 0
    rights = chat.bot_rights if user_id == state.bot.id else None
    return state.member_json(user_id, _status_of(state, chat, user_id), rights)


@api_method("getChatAdministrators")
def get_chat_administrators(state: State, p: Params) -> list[dict[str, Any]]:
    chat = _readable_chat(state, p)
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    result = [
        state.member_json(user_id, status)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]
    if chat.bot_is_admin:
        result.append(state.member_json(state.bot.id, chat.bot_status, chat.bot_rights))
    return result


@api_method("getChatMemberCount")
def get_chat_member_count(state: State, p: Params) -> int:
    chat = _readable_chat(state, p)
    if not chat.is_group:
        return 2
    humans = sum(1 for status in chat.members.values() if status in PRESENT_STATUSES)
    return humans + (1 if chat.bot_present else 0)


@api_method("leaveChat")
def leave_chat(state: State, p: Params) -> bool:
    chat = _readable_chat(state, p)
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    state.set_bot_status(chat, "left", state.bot.id)
    return True
