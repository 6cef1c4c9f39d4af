"""Where Telegram is blocked: the bot's calls go through the proxy PROXY_URL names, here a small
forwarding proxy in front of the local simulator, and the bot works as it does directly."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import SettingsError, load_settings
from bot.startup import release
from simulator import Simulator

ALICE = 1001
REQUEST_LINE = re.compile(rb"^(?:GET|POST) http://\S+", re.MULTILINE)


class ForwardingProxy:
    """An HTTP proxy: reads each connection's first request line (`POST http://host:port/…` or
    `CONNECT host:port`), connects there and passes the bytes both ways."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://school:pa55word@127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = await reader.readline()
        method, target, _ = first.decode().split(" ", 2)
        self.asked.append(f"{method} {target}")
        host_port = target if method == "CONNECT" else target.split("/")[2]
        host, port = host_port.rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        if method == "CONNECT":
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            up_writer.write(first)  # an origin server takes the absolute form too (RFC 9112)
        await asyncio.gather(
            self._pipe(reader, up_writer, noted=True), self._pipe(up_reader, writer)
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, noted: bool = False
    ) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if noted:  # the later requests of a kept-alive connection
                    self.asked += [m.decode() for m in REQUEST_LINE.findall(data)]
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardingProxy]:
    forwarding = ForwardingProxy()
    forwarding.server = await asyncio.start_server(forwarding.serve, "127.0.0.1", 0)
    try:
        yield forwarding
    finally:
        forwarding.server.close()


async def test_the_bots_calls_and_its_polling_go_through_proxy_url(
    proxy: ForwardingProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with Simulator() as sim:
        sim.add_user(ALICE, "Alice")
        await sim.send_text(ALICE, ALICE, "/start")
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": sim.token,
                "TELEGRAM_API_BASE_URL": sim.base_url or "",
                "PROXY_URL": proxy.url,
                "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
            }
        )
        application = build_application(settings, set_commands=False, freeze_heap=False)
        try:
            await application.bot.initialize()  # getMe
            await application.bot.send_message(ALICE, "代课安排已更新")
            updates = await application.bot.get_updates(timeout=0)
        finally:
            await release(application)
        assert sim.bot_messages(ALICE)[-1].text == "代课安排已更新"
    assert [u.message.text for u in updates if u.message] == ["/start"]
    token_path = f"{sim.base_url}/bot{sim.token}"
    asked = {line.replace(token_path, "…") for line in proxy.asked}
    assert {"POST …/getMe", "POST …/sendMessage", "POST …/getUpdates"} <= asked
    assert "pa55word" in proxy.url and "pa55word" in settings.secrets


def test_proxy_url_must_name_an_http_proxy() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"PROXY_URL": "socks5://10.0.0.8:1080"})
    assert refused.value.problems == [
        "PROXY_URL: expected http://[user:password@]host:port of an HTTP proxy"
    ]
