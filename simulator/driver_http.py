"""JSON driver endpoints under ``/_sim/`` for out-of-process use (benchmarks).

Each endpoint is a thin wrapper over the in-process driver. Errors answer
``{"ok": false, "error": "..."}`` with status 400 (driver misuse) or 404.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import SimulatorError

if TYPE_CHECKING:
    from .simulator import Simulator

Endpoint = Callable[[web.Request], Awaitable[Any]]


def _response(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )


def _wrap(func: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        try:
            result = await func(request)
        except (SimulatorError, ValueError, KeyError, TypeError) as exc:
            return _response({"ok": False, "error": f"{type(exc).__name__}: {exc}"}, 400)
        return _response({"ok": True, "result": result})

    return handler


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    data = json.loads(await request.read())
    if not isinstance(data, dict):
        raise ValueError("the request body must be a JSON object")
    return data


def _int(value: Any, name: str) -> int:
    if value is None:
        raise ValueError(f"{name} is required")
    return int(value)


def add_driver_routes(app: web.Application, sim: Simulator) -> None:
    async def users(request: web.Request) -> Any:
        body = await _body(request)
        user = sim.add_user(
            _int(body.get("user_id"), "user_id"),
            body.get("first_name") or f"User {body['user_id']}",
            body.get("last_name"),
            body.get("username"),
            body.get("language_code", "zh-hans"),
        )
        if body.get("started"):
            user.started = True  # as if they had opened a chat with the bot before
        return {"id": user.id, "first_name": user.first_name, "username": user.username}

    async def groups(request: web.Request) -> Any:
        body = await _body(request)
        chat_id = _int(body.get("chat_id"), "chat_id")
        sim.add_group(
            chat_id,
            body.get("title") or f"Group {chat_id}",
            supergroup=bool(body.get("supergroup", False)),
            members=[int(m) for m in body.get("members", [])],
        )
        if body.get("add_bot_by") is not None:
            await sim.add_bot_to_group(
                chat_id, int(body["add_bot_by"]), as_admin=bool(body.get("bot_admin", False))
            )
        return {"chat_id": chat_id}

    async def send(request: web.Request) -> Any:
        body = await _body(request)
        msg = await sim.send_text(
            _int(body.get("user_id"), "user_id"),
            _int(body.get("chat_id"), "chat_id"),
            str(body.get("text", "")),
            reply_to=body.get("reply_to"),
            thread_id=body.get("thread_id"),
        )
        return msg.to_dict()

    async def press(request: web.Request) -> Any:
        body = await _body(request)
        query_id = await sim.press(
            _int(body.get("user_id"), "user_id"),
            _int(body.get("message_id"), "message_id"),
            chat_id=_int(body.get("chat_id"), "chat_id"),
            text=body.get("text"),
            data=body.get("data"),
        )
        return {"callback_query_id": query_id}

    async def document(request: web.Request) -> Any:
        body = await _body(request)
        try:
            data = base64.b64decode(str(body.get("data", "")), validate=True)
        except binascii.Error as exc:
            raise ValueError(f"data is not valid base64: {exc}") from None
        msg = await sim.send_document(
            _int(body.get("user_id"), "user_id"),
            _int(body.get("chat_id"), "chat_id"),
            str(body.get("filename") or "file.bin"),
            data,
            caption=body.get("caption"),
            mime_type=body.get("mime_type"),
        )
        return msg.to_dict()

    async def messages(request: web.Request) -> Any:
        chat_id = _int(request.query.get("chat_id"), "chat_id")
        since = int(request.query.get("since", 0))
        if request.query.get("all", "0") in ("1", "true"):
            found = sim.messages(chat_id)  # whole history, users' messages included
        else:
            found = sim.bot_messages(chat_id, since)
        return {"seq": sim.seq, "messages": [m.to_dict() for m in found]}

    async def stats(request: web.Request) -> Any:
        return {**sim.stats.to_dict(), "seq": sim.seq, "pending_updates": sim.pending_updates}

    async def fault(request: web.Request) -> Any:
        body = await _body(request)
        sim.inject_fault(
            body.get("method"),
            str(body.get("kind")),
            count=int(body.get("count", 1)),
            chat_id=body.get("chat_id"),
            retry_after=int(body.get("retry_after", 1)),
        )
        return True

    async def clear_faults(request: web.Request) -> Any:
        sim.clear_faults()
        return True

    async def actions(request: web.Request) -> Any:
        since = int(request.query.get("since", 0))
        found = sim.state.actions
        start = bisect.bisect_right(found, since, key=lambda action: action.seq)
        return [action.to_dict() for action in found[start:]]

    async def reset_stats(request: web.Request) -> Any:
        sim.reset_stats()
        return True

    async def wait(request: web.Request) -> Any:
        since = int(request.query.get("since_seq", 0))
        count = int(request.query.get("count", 1))
        timeout = float(request.query.get("timeout", 5.0))
        try:
            await sim.wait_sent(since, count, timeout)
            timed_out = False
        except TimeoutError:
            timed_out = True
        return {"timed_out": timed_out, "seq": sim.seq, "count": sim.state.sends_since(since)}

    async def consumed(request: web.Request) -> Any:
        timeout = float(request.query.get("timeout", 5.0))
        try:
            await sim.wait_updates_consumed(timeout)
        except TimeoutError:
            return {"timed_out": True, "pending_updates": sim.pending_updates}
        return {"timed_out": False, "pending_updates": 0}

    async def add_bot(request: web.Request) -> Any:
        body = await _body(request)
        await sim.add_bot_to_group(
            _int(body.get("chat_id"), "chat_id"),
            _int(body.get("by_user_id"), "by_user_id"),
            as_admin=bool(body.get("as_admin", False)),
        )
        return True

    async def promote_bot(request: web.Request) -> Any:
        body = await _body(request)
        rights = {key: bool(value) for key, value in (body.get("rights") or {}).items()}
        sim.promote_bot(_int(body.get("chat_id"), "chat_id"), **rights)
        return True

    async def open_link(request: web.Request) -> Any:
        body = await _body(request)
        msg = await sim.open_link(_int(body.get("user_id"), "user_id"), str(body.get("url", "")))
        return msg.to_dict()

    routes: list[tuple[str, str, Endpoint]] = [
        ("POST", "users", users),
        ("POST", "groups", groups),
        ("POST", "send", send),
        ("POST", "press", press),
        ("POST", "document", document),
        ("GET", "messages", messages),
        ("GET", "stats", stats),
        ("POST", "fault", fault),
        ("POST", "clear_faults", clear_faults),
        ("GET", "actions", actions),
        ("POST", "reset_stats", reset_stats),
        ("GET", "wait", wait),
        ("GET", "wait_consumed", consumed),
        ("POST", "add_bot", add_bot),
        ("POST", "promote_bot", promote_bot),
        ("POST", "open_link", open_link),
    ]
    for method, name, func in routes:
        app.router.add_route(method, f"/_sim/{name}", _wrap(func))
