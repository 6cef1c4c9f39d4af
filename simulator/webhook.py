"""Delivery of updates to a webhook, as Telegram does once `setWebhook` named one.

Each update is POSTed with the secret token in the ``X-Telegram-Bot-Api-Secret-Token`` header,
up to ``max_connections`` at once, but one at a time for a chat, in order, so that what a person
does arrives in the order they did it. An update leaves the queue when the webhook answers with
a 2xx status; any other answer, or none, is kept in `getWebhookInfo` (``last_error_date``,
``last_error_message``) and the update is sent again after a pause. While a webhook is set,
`getUpdates` answers 409 (methods_chats.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from .state import State

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Long enough for a bot that answers slowly, short enough that a stopped test never waits long.
POST_TIMEOUT_SECONDS = 10.0


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to, for keeping each chat's updates in order."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        message = payload.get("message") if key == "callback_query" else payload
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return int(chat["id"])
        sender = payload.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return int(sender["id"])
    return None


class WebhookSender:
    """Sends queued updates to the webhook while one is set."""

    def __init__(self, state: State, *, retry_seconds: float = 0.5) -> None:
        self.state = state
        self.retry_seconds = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._posting: dict[int, asyncio.Task[None]] = {}  # update_id → its delivery
        self._busy_chats: set[int | None] = set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="simulator:webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        posting = [task, *self._posting.values()] if task is not None else []
        for running in posting:
            running.cancel()
        for running in posting:
            with contextlib.suppress(asyncio.CancelledError):
                await running
        self._posting.clear()
        self._busy_chats.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next(self) -> dict[str, Any] | None:
        """The oldest update that may go now: none of its chat is on its way."""
        webhook = self.state.webhook
        if webhook is None or len(self._posting) >= webhook["max_connections"]:
            return None
        for update in self.state.updates.waiting():
            if update["update_id"] in self._posting:
                continue
            chat = chat_of(update)
            if chat not in self._busy_chats or chat is None:
                return update
        return None

    async def _run(self) -> None:
        updates = self.state.updates

        def ready() -> bool:
            return updates.closing or self._next() is not None

        while not updates.closing:
            if not await updates.arrived.wait_until(ready, 3600):
                continue
            webhook = self.state.webhook
            update = self._next()
            if updates.closing or webhook is None or update is None:
                continue
            chat = chat_of(update)
            if chat is not None:
                self._busy_chats.add(chat)
            update_id = update["update_id"]
            self._posting[update_id] = asyncio.create_task(self._deliver(webhook, update, chat))

    async def _deliver(
        self, webhook: dict[str, Any], update: dict[str, Any], chat: int | None
    ) -> None:
        try:
            if await self._post(webhook, update):
                self.state.updates.remove(update["update_id"])
                self.state.stats.updates_delivered += 1
                self.state.changed.notify()  # wait_updates_consumed() watches this
            else:
                await asyncio.sleep(self.retry_seconds)
        finally:
            self._posting.pop(update["update_id"], None)
            self._busy_chats.discard(chat)
            self.state.updates.arrived.notify()  # the chat (and a connection) is free again

    async def _post(self, webhook: dict[str, Any], update: dict[str, Any]) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS)
            )
        headers = {"Content-Type": "application/json"}
        if webhook.get("secret_token"):
            headers[SECRET_HEADER] = webhook["secret_token"]
        body = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
        try:
            async with self._session.post(webhook["url"], data=body, headers=headers) as answer:
                await answer.read()
                if 200 <= answer.status < 300:
                    return True
                error = f"Wrong response from the webhook: {answer.status} {answer.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        webhook["last_error_date"] = self.state.now()
        webhook["last_error_message"] = error
        self.state.stats.webhook_errors += 1
        self.state.recent_errors.append(f"webhook: {error}")
        self.state.changed.notify()
        return False
