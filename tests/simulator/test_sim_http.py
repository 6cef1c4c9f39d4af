"""Raw HTTP: request encodings, long polling and the /_sim/ driver endpoints."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.ext import CallbackContext, CommandHandler, MessageHandler, filters

from simulator import Simulator
from tests.simulator.sim_helpers import ALICE, BOB, GROUP, StartApp, app_builder


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, sim: Simulator, method: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{sim.api_base_url}{sim.token}/{method}", **kwargs) as response:
        return response.status, await response.json()


async def test_encodings_and_errors(sim: Simulator, http: aiohttp.ClientSession) -> None:
    await sim.send_text(ALICE, ALICE, "/start")
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}

    status, body = await call(
        http, sim, "sendMessage", json={"chat_id": ALICE, "text": "json", "reply_markup": markup}
    )
    assert status == 200 and body["ok"]
    assert body["result"]["reply_markup"] == markup
    assert body["result"]["chat"] == {
        "id": ALICE,
        "type": "private",
        "first_name": "Alice",
        "last_name": "Wang",
        "username": "alice_w",
    }

    form = {"chat_id": str(ALICE), "text": "form", "reply_markup": json.dumps(markup)}
    status, body = await call(http, sim, "SENDMESSAGE", data=form)  # names are case-insensitive
    assert status == 200 and body["result"]["text"] == "form"

    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", str(ALICE))
    multipart.add_field("caption", "report")
    multipart.add_field("document", b"a,b\n1,2\n", filename="r.csv", content_type="text/csv")
    status, body = await call(http, sim, "sendDocument", data=multipart)
    assert status == 200
    assert body["result"]["document"]["file_name"] == "r.csv"
    assert body["result"]["document"]["mime_type"] == "text/csv"

    async with http.get(
        f"{sim.api_base_url}{sim.token}/sendMessage", params={"chat_id": ALICE, "text": "get"}
    ) as response:
        assert (await response.json())["result"]["text"] == "get"

    status, body = await call(http, sim, "noSuchMethod")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with http.post(f"{sim.api_base_url}42:nope/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    status, body = await call(http, sim, "sendMessage", json={"chat_id": ALICE})
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")

    sim.inject_fault("sendMessage", "429", retry_after=3)
    status, body = await call(http, sim, "sendMessage", json={"chat_id": ALICE, "text": "x"})
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_get_updates_long_poll_and_offsets(
    sim: Simulator, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, sim, "getUpdates", json={"timeout": 30}))
    await sim.send_text(ALICE, ALICE, "/start")
    async with asyncio.timeout(2):  # far less than the 30 s poll timeout
        _, body = await poll
    (update,) = body["result"]
    assert update["message"]["text"] == "/start"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    await sim.send_text(ALICE, ALICE, "second")
    _, body = await call(http, sim, "getUpdates", json={"offset": update["update_id"] + 1})
    assert [u["message"]["text"] for u in body["result"]] == ["second"]
    assert sim.pending_updates == 1
    _, body = await call(
        http, sim, "getUpdates", json={"offset": body["result"][0]["update_id"] + 1}
    )
    assert body["result"] == []
    await sim.wait_updates_consumed(timeout=0.1)

    # allowed_updates is remembered and applies to updates created afterwards.
    await call(http, sim, "getUpdates", json={"allowed_updates": ["callback_query"]})
    await sim.send_text(ALICE, ALICE, "filtered out")
    assert sim.pending_updates == 0


async def test_concurrent_get_updates_conflict(sim: Simulator, http: aiohttp.ClientSession) -> None:
    first = asyncio.create_task(call(http, sim, "getUpdates", json={"timeout": 30}))
    await sim.wait_for(lambda: sim.stats.calls["getUpdates"] == 1)
    status, _ = await call(http, sim, "getUpdates", json={"timeout": 0})
    assert status == 200
    async with asyncio.timeout(2):
        status, body = await first
    assert status == 409 and "terminated by other getUpdates" in body["description"]


async def test_http_driver_round_trip(
    sim: Simulator, start_app: StartApp, http: aiohttp.ClientSession
) -> None:
    app = app_builder(sim).build()

    async def echo(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper())

    async def size(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert update.message is not None and update.message.document is not None
        await update.message.reply_text(f"size {update.message.document.file_size}")

    app.add_handler(CommandHandler("shout", echo))
    app.add_handler(MessageHandler(filters.Document.ALL, size))
    await start_app(app)
    driver = f"{sim.base_url}/_sim"

    async def post(name: str, payload: dict[str, Any]) -> Any:
        async with http.post(f"{driver}/{name}", json=payload) as response:
            body = await response.json()
            assert response.status == 200, body
            return body["result"]

    async def get(name: str, **params: Any) -> Any:
        async with http.get(f"{driver}/{name}", params=params) as response:
            body = await response.json()
            assert response.status == 200, body
            return body["result"]

    await post("users", {"user_id": 2001, "first_name": "Dan"})
    await post(
        "groups", {"chat_id": GROUP, "title": "T", "members": [2001, BOB], "add_bot_by": BOB}
    )
    cursor = (await get("stats"))["seq"]
    sent = await post("send", {"user_id": 2001, "chat_id": GROUP, "text": "/shout hello"})
    assert sent["delivered"] is True
    waited = await get("wait", since_seq=cursor, count=1, timeout=5)
    assert waited == {"timed_out": False, "seq": cursor + 1, "count": 1}
    listed = await get("messages", chat_id=GROUP, since=cursor)
    assert [m["plain"] for m in listed["messages"]] == ["/SHOUT HELLO"]

    document = {
        "user_id": 2001,
        "chat_id": 2001,
        "filename": "a.txt",
        "data": base64.b64encode(b"12345").decode(),
    }
    await post("document", document)
    waited = await get("wait", since_seq=cursor, count=2, timeout=5)
    assert waited["count"] == 2
    assert (await get("messages", chat_id=2001))["messages"][0]["plain"] == "size 5"

    await post("fault", {"method": "sendMessage", "kind": "500"})
    await post("send", {"user_id": 2001, "chat_id": GROUP, "text": "/shout again"})
    await sim.wait_for(lambda: sim.stats.errors[500] == 1)
    stats = await get("stats")
    assert stats["injected"] == {"500": 1}
    assert stats["calls"]["sendMessage"] == 3
    assert await post("reset_stats", {}) is True
    assert (await get("stats"))["calls"] == {}

    timed_out = await get("wait", since_seq=sim.seq, count=1, timeout=0.05)
    assert timed_out["timed_out"] is True
    async with http.post(f"{driver}/send", json={"user_id": 9, "chat_id": 9, "text": "x"}) as r:
        assert r.status == 400
        assert "unknown user" in (await r.json())["error"]


async def test_http_driver_press(sim: Simulator, http: aiohttp.ClientSession) -> None:
    await sim.send_text(ALICE, ALICE, "/start")
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
    _, body = await call(
        http, sim, "sendMessage", json={"chat_id": ALICE, "text": "?", "reply_markup": markup}
    )
    message_id = body["result"]["message_id"]
    payload = {"user_id": ALICE, "chat_id": ALICE, "message_id": message_id, "data": "y"}
    async with http.post(f"{sim.base_url}/_sim/press", json=payload) as response:
        query_id = (await response.json())["result"]["callback_query_id"]
    _, body = await call(http, sim, "getUpdates", json={"offset": -1})
    assert body["result"][0]["callback_query"]["id"] == query_id
    assert body["result"][0]["callback_query"]["message"]["message_id"] == message_id
    await call(http, sim, "answerCallbackQuery", json={"callback_query_id": query_id, "text": "k"})
    assert sim.callback_answer(query_id) == {
        "text": "k",
        "show_alert": False,
        "url": None,
        "cache_time": 0,
    }


async def test_http_driver_keeps_every_send_and_edit_and_clears_faults(
    sim: Simulator, http: aiohttp.ClientSession
) -> None:
    driver = f"{sim.base_url}/_sim"

    async def post(name: str, payload: dict[str, Any]) -> Any:
        async with http.post(f"{driver}/{name}", json=payload) as response:
            return (await response.json())["result"]

    # A user who opened a chat with the bot before can be written to first.
    await post("users", {"user_id": 2002, "first_name": "Eve", "started": True})
    _, sent = await call(http, sim, "sendMessage", json={"chat_id": 2002, "text": "<b>一</b>"})
    message_id = sent["result"]["message_id"]
    edit = {"chat_id": 2002, "message_id": message_id, "text": "二"}
    await call(http, sim, "editMessageText", json=edit)
    async with http.get(f"{driver}/actions") as response:
        actions = (await response.json())["result"]
    # The send is kept as it was, though the message now reads otherwise.
    assert [(a["kind"], a["chat_id"], a["message_id"], a["text"]) for a in actions] == [
        ("send", 2002, message_id, "<b>一</b>"),
        ("edit", 2002, message_id, "二"),
    ]
    async with http.get(f"{driver}/actions", params={"since": actions[0]["seq"]}) as response:
        assert [a["kind"] for a in (await response.json())["result"]] == ["edit"]

    await post("fault", {"method": "sendMessage", "kind": "500", "count": 5})
    assert await post("clear_faults", {}) is True
    status, _ = await call(http, sim, "sendMessage", json={"chat_id": 2002, "text": "三"})
    assert status == 200


async def test_http_driver_promotes_the_bot_and_opens_deep_links(
    sim: Simulator, http: aiohttp.ClientSession
) -> None:
    driver = f"{sim.base_url}/_sim"

    async def post(name: str, payload: dict[str, Any]) -> Any:
        async with http.post(f"{driver}/{name}", json=payload) as response:
            body = await response.json()
            assert response.status == 200, body
            return body["result"]

    await post("groups", {"chat_id": GROUP, "title": "T", "members": [ALICE], "add_bot_by": ALICE})
    await post("promote_bot", {"chat_id": GROUP, "rights": {"can_delete_messages": False}})
    assert sim.chat(GROUP).bot_is_admin
    assert not sim.chat(GROUP).bot_may("can_delete_messages")
    opened = await post(
        "open_link", {"user_id": ALICE, "url": f"https://t.me/{sim.bot.username}?start=hw"}
    )
    assert opened["text"] == "/start hw" and opened["chat_id"] == ALICE
