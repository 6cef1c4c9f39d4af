"""Delivery of updates to a webhook, as Telegram does once `setWebhook` named one.

Updates are POSTed one at a time and in order, with the secret token in the
``X-Telegram-Bot-Api-Secret-Token`` header. An update leaves the queue when the webhook
answers with a 2xx status; any other answer, or no answer, is kept in `getWebhookInfo`
(``last_error_date``, ``last_error_message``) and the update is sent again after a pause.
While a webhook is set, `getUpdates` answers 409 (methods_chats.py).
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


class WebhookSender:
    """The loop that sends queued updates to the webhook while one is set."""

    def __init__(self, state: State, *, retry_seconds: float = 0.5) -> None:
        self.state = state
        self.retry_seconds = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="simulator:webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _ready(self) -> bool:
        updates = self.state.updates
        return updates.closing or (self.state.webhook is not None and len(updates) > 0)

    async def _run(self) -> None:
        updates = self.state.updates
        while not updates.closing:
            if not await updates.arrived.wait_until(self._ready, 3600):
                continue
            webhook = self.state.webhook
            if updates.closing or webhook is None:
                continue
            update = updates.first()
            if update is None:
                continue
            if await self._post(webhook, update):
                updates.confirm(update["update_id"] + 1)
                self.state.stats.updates_delivered += 1
                self.state.changed.notify()  # wait_updates_consumed() watches this
            else:
                await asyncio.sleep(self.retry_seconds)

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
