"""`staffroom run` at start-up: it waits for Telegram, and its output never holds the token."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.app import build_application
from bot.config import Settings
from bot.startup import StartupFailed, reach_telegram, release, seconds_before_retry
from simulator import Simulator

# Shaped like a real token: its secret half must appear in no output.
TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = TOKEN.split(":", 1)[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings_for(port: int, tmp_path: Path, **more: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": f"http://127.0.0.1:{port}",
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    return Settings(**(values | more))


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(token=TOKEN)
    try:
        yield simulator
    finally:
        await simulator.stop()


async def test_it_waits_with_growing_delays_and_starts_when_telegram_answers(
    sim: Simulator, tmp_path: Path
) -> None:
    port = free_port()
    settings = settings_for(port, tmp_path)
    application = build_application(settings, freeze_heap=False)
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:  # refused twice; then up, but its first answer is a 500
            await sim.start(port=port)
            sim.inject_fault("getMe", "500")

    out = io.StringIO()
    try:
        assert await reach_telegram(application, settings, sleep=sleep, out=out) is True
        assert application.bot.username == sim.bot.username
    finally:
        await application.shutdown()
        await release(application)
    assert delays == [1, 2, 5]
    *waits, reached = out.getvalue().splitlines()
    assert len(waits) == 3 and reached == "已连上 Telegram，机器人开始工作。"
    assert all("TELEGRAM_API_BASE_URL" in line and "HTTPS_PROXY" in line for line in waits)
    assert waits[0].startswith(f"暂时连不上 Telegram（http://127.0.0.1:{port}）")
    assert "1 秒后重试（第 1 次）" in waits[0] and "5 秒后重试（第 3 次）" in waits[2]
    assert SECRET not in out.getvalue()


def test_a_flood_wait_at_start_up_is_honoured(tmp_path: Path) -> None:
    # The rate limiter waits out the first ones itself; this is the one it gave up on.
    settings = settings_for(8081, tmp_path)
    asked = RetryAfter(timedelta(seconds=12))
    assert seconds_before_retry(asked, 0, settings) == 12
    assert seconds_before_retry(asked, 9, settings) == 30


@pytest.mark.parametrize(("fault", "expected"), [(None, "Unauthorized"), ("blocked", "Forbidden")])
async def test_a_refused_token_or_answer_is_not_waited_out(
    sim: Simulator, tmp_path: Path, fault: str | None, expected: str
) -> None:
    await sim.start()
    assert sim.base_url is not None
    port = int(sim.base_url.rsplit(":", 1)[1])
    if fault is None:
        settings = settings_for(port, tmp_path, telegram_bot_token="7012345678:" + "x" * 35)
    else:
        settings = settings_for(port, tmp_path)
        sim.inject_fault("getMe", fault)
    application = build_application(settings, freeze_heap=False)

    async def sleep(seconds: float) -> None:
        raise AssertionError("no wait mends this")

    try:
        with pytest.raises(StartupFailed) as failed:
            await reach_telegram(application, settings, sleep=sleep, out=io.StringIO())
    finally:
        await release(application)
    (line,) = str(failed.value).splitlines()
    assert expected in line and SECRET not in line and "x" * 35 not in line


def cli(tmp_path: Path, base_url: str, **more: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
        "PTB_TIMEDELTA": "true",
        **more,
    }


async def test_a_token_telegram_refuses_is_one_line_without_the_token(tmp_path: Path) -> None:
    async with Simulator(token="123456:SIM") as sim:  # any other token gets 401
        assert sim.base_url is not None
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=cli(tmp_path, sim.base_url, LOG_LEVEL="WARNING"),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    shown = (out + err).decode()
    assert SECRET not in shown and TOKEN.split(":")[0] + ":" not in shown
    (line,) = err.decode().strip().splitlines()
    assert line.startswith("Telegram 不接受 TELEGRAM_BOT_TOKEN（Unauthorized）")


async def run_until_it_waits(tmp_path: Path, env: dict[str, str]) -> tuple[int, str]:
    """Starts `staffroom run`, stops it with SIGTERM at its first wait: exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    lines: list[str] = []
    async with asyncio.timeout(60):
        while not lines or not lines[-1].startswith("Cannot reach Telegram"):
            line = (await process.stderr.readline()).decode()
            assert line, f"ended without waiting: {''.join(lines)[-2000:]}"
            lines.append(line)
    process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, "".join(lines) + (out + err).decode()


async def test_stopping_while_waiting_for_telegram_ends_cleanly(tmp_path: Path) -> None:
    env = cli(tmp_path, f"http://127.0.0.1:{free_port()}", DEFAULT_LANGUAGE="en")
    code, shown = await run_until_it_waits(tmp_path, env)
    assert code == 0
    assert "Traceback" not in shown and "Unclosed" not in shown and SECRET not in shown
    waiting = next(line for line in shown.splitlines() if line.startswith("Cannot reach"))
    assert "TELEGRAM_API_BASE_URL" in waiting and "HTTPS_PROXY" in waiting


async def test_the_proxy_in_the_env_file_carries_the_calls_to_telegram(tmp_path: Path) -> None:
    asked: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.append(await reader.readline())
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    (tmp_path / ".env").write_text(f"HTTPS_PROXY=http://school:pa55word@127.0.0.1:{port}\n")
    env = cli(tmp_path, "", DEFAULT_LANGUAGE="en")
    del env["TELEGRAM_API_BASE_URL"]
    try:
        code, shown = await run_until_it_waits(tmp_path, env)
    finally:
        server.close()
        await server.wait_closed()
    assert code == 0
    assert asked and asked[0] == b"CONNECT api.telegram.org:443 HTTP/1.1\r\n"
    assert "Cannot reach Telegram (https://api.telegram.org)" in shown
    assert "pa55word" not in shown and SECRET not in shown
