"""The simulator in a process of its own, driven over its HTTP driver (`/_sim/…`).

Throughput is measured with the bot and the simulator on separate cores, as a real bot and the
Telegram servers would be.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bot.app import SIMULATOR_TOKEN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SimClient:
    """A thin client of the simulator's HTTP driver."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=120)

    async def call(self, method: str, name: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, f"/_sim/{name}", **kwargs)
        response.raise_for_status()
        body = response.json()
        if isinstance(body, dict) and body.get("ok") is False:
            raise RuntimeError(f"simulator refused {name}: {body}")
        return body.get("result", body) if isinstance(body, dict) else body

    async def user(self, user_id: int, name: str, *, started: bool = False) -> None:
        """`started`: the person opened a chat with the bot before, so it may write first."""
        body = {"user_id": user_id, "first_name": name, "started": started}
        await self.call("POST", "users", json=body)

    async def group(
        self,
        chat_id: int,
        title: str,
        members: list[int],
        add_bot_by: int,
        *,
        supergroup: bool = True,
    ) -> None:
        body = {
            "chat_id": chat_id,
            "title": title,
            "supergroup": supergroup,
            "members": members,
            "add_bot_by": add_bot_by,
        }
        await self.call("POST", "groups", json=body)

    async def send(self, user_id: int, chat_id: int, text: str) -> dict[str, Any]:
        return await self.call(
            "POST", "send", json={"user_id": user_id, "chat_id": chat_id, "text": text}
        )

    async def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> None:
        body = {"user_id": user_id, "chat_id": chat_id, "message_id": message_id, "data": data}
        await self.call("POST", "press", json=body)

    async def messages(self, chat_id: int, since: int = 0) -> list[dict[str, Any]]:
        """The bot's messages in a chat whose last send or edit came after `since`."""
        result = await self.call("GET", "messages", params={"chat_id": chat_id, "since": since})
        return list(result["messages"])

    async def actions(self, since: int = 0) -> list[dict[str, Any]]:
        """Every send and edit of the bot after `since`, with the text as it was then."""
        return list(await self.call("GET", "actions", params={"since": since}))

    async def fault(
        self,
        method: str,
        kind: str,
        *,
        count: int = 1,
        chat_id: int | None = None,
        retry_after: int = 1,
    ) -> None:
        body = {
            "method": method,
            "kind": kind,
            "count": count,
            "chat_id": chat_id,
            "retry_after": retry_after,
        }
        await self.call("POST", "fault", json=body)

    async def clear_faults(self) -> None:
        await self.call("POST", "clear_faults")

    async def stats(self) -> dict[str, Any]:
        return await self.call("GET", "stats")

    async def wait_consumed(self, timeout: float) -> bool:  # noqa: ASYNC109
        result = await self.call("GET", "wait_consumed", params={"timeout": timeout})
        return not result["timed_out"]

    async def bot_send(self, method: str, **params: Any) -> Any:
        """Calls the Bot API as the bot would (to plant messages with buttons)."""
        response = await self.http.post(f"/bot{SIMULATOR_TOKEN}/{method}", json=params)
        return response.json()["result"]

    async def close(self) -> None:
        await self.http.aclose()


@asynccontextmanager
async def simulator_process(
    *, rate_limits: bool = False, webhook_retry: float | None = None
) -> AsyncIterator[SimClient]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--port",
        str(port),
        "--token",
        SIMULATOR_TOKEN,
        "--username",
        "staffroom_bench_bot",
    ]
    if rate_limits:
        command.append("--rate-limits")
    if webhook_retry is not None:
        command += ["--webhook-retry", str(webhook_retry)]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    client = SimClient(f"http://127.0.0.1:{port}")
    try:
        for _ in range(200):
            try:
                await client.stats()
                break
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        else:
            raise RuntimeError("the simulator did not start")
        yield client
    finally:
        await client.close()
        process.terminate()
        await process.wait()
