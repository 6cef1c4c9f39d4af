"""The simulator delivers updates to a webhook once one is set, as Telegram does."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict
from telegram.ext import CommandHandler, ContextTypes

from simulator import Simulator
from simulator.webhook import SECRET_HEADER
from tests.simulator.sim_helpers import ALICE, BOB, app_builder

SECRET = "s3cret_token-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Receiver:
    """A webhook on this machine that keeps what it was sent; answers `status`."""

    url: str = ""
    status: int = 200
    received: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    found.url = f"http://{host}:{port}/hook"
    yield found
    await runner.cleanup()


async def test_updates_go_to_the_webhook_with_the_secret_each_chat_in_order(
    sim: Simulator, bot: Bot, receiver: Receiver
) -> None:
    await sim.send_text(ALICE, ALICE, "/start")  # queued before the webhook: delivered too
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)
    for text in ("/help", "/me", "/today"):
        await sim.send_text(ALICE, ALICE, text)
        await sim.send_text(BOB, BOB, text)
    await sim.wait_updates_consumed()
    assert [secret for secret, _ in receiver.received] == [SECRET] * 7
    alice = [
        u["message"]["text"] for _, u in receiver.received if u["message"]["chat"]["id"] == ALICE
    ]
    bob = [u["message"]["text"] for _, u in receiver.received if u["message"]["chat"]["id"] == BOB]
    assert alice == ["/start", "/help", "/me", "/today"]
    assert bob == ["/help", "/me", "/today"]
    info = await bot.get_webhook_info()
    assert info.url == receiver.url
    assert info.pending_update_count == 0


async def test_get_updates_conflicts_while_a_webhook_is_set(
    sim: Simulator, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    await sim.send_text(ALICE, ALICE, "/start")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["/start"]
    assert receiver.received == []


async def test_a_refused_delivery_is_kept_reported_and_sent_again(
    sim: Simulator, bot: Bot, receiver: Receiver
) -> None:
    sim.webhook_sender.retry_seconds = 0.01
    receiver.status = 403  # as a bot that expects another secret answers
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    await sim.send_text(ALICE, ALICE, "/start")
    await sim.wait_for(lambda: sim.stats.webhook_errors >= 2, what="two refused deliveries")
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message is not None and "403" in info.last_error_message
    receiver.status = 200
    await sim.wait_updates_consumed()
    accepted = [u["message"]["text"] for _, u in receiver.received]
    assert accepted[-1] == "/start" and len(accepted) >= 3


async def test_only_https_or_this_machine_is_accepted(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://example.com/hook")
    with pytest.raises(BadRequest, match=r"(?i)unallowed characters"):
        await bot.set_webhook("https://example.com/hook", secret_token="not allowed!")
    assert await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"


async def test_a_bot_on_its_webhook_server_answers_through_it(
    sim: Simulator,
) -> None:
    """python-telegram-bot's own webhook server: setWebhook, the secret header, a reply."""

    async def start(update: Any, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("hello by webhook")

    app = app_builder(sim).build()
    app.add_handler(CommandHandler("start", start))
    await app.initialize()
    await app.start()
    port = free_port()
    assert app.updater is not None
    try:
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg",
            webhook_url=f"http://127.0.0.1:{port}/tg",
            secret_token=SECRET,
            drop_pending_updates=False,
        )
        assert sim.webhook is not None and sim.webhook["secret_token"] == SECRET
        await sim.send_text(ALICE, ALICE, "/start")
        reply = await sim.wait_bot_message(ALICE, contains="hello by webhook")
        assert reply.plain == "hello by webhook"
        assert sim.stats.calls["getUpdates"] == 0
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_a_slow_chat_holds_back_only_its_own_updates(sim: Simulator, bot: Bot) -> None:
    """Up to max_connections at once: a chat whose update the bot is still taking waits, the
    others go on."""
    release = asyncio.Event()
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        update = await request.json()
        text = update["message"]["text"]
        seen.append(f"{update['message']['chat']['id']}:{text}")
        if text == "/slow":
            await release.wait()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        await bot.set_webhook(f"http://{host}:{port}/hook", secret_token=SECRET)
        await sim.send_text(ALICE, ALICE, "/slow")
        await sim.send_text(ALICE, ALICE, "/after")
        await sim.send_text(BOB, BOB, "/help")
        await sim.wait_for(lambda: f"{BOB}:/help" in seen, what="Bob's update")
        assert f"{ALICE}:/after" not in seen  # behind Alice's first, still being taken
        release.set()
        await sim.wait_updates_consumed()
        assert seen.index(f"{ALICE}:/slow") < seen.index(f"{ALICE}:/after")
    finally:
        release.set()
        await runner.cleanup()
