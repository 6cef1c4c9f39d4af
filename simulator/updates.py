"""The bot's update queue (getUpdates semantics) and a change notifier."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from .errors import ApiError

# Telegram's default when allowed_updates was never specified.
ALL_UPDATE_TYPES: frozenset[str] = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_ALLOWED_UPDATES: frozenset[str] = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


class Notifier:
    """Wake-up-all primitive usable from synchronous code.

    ``notify()`` may be called anywhere on the event loop without awaiting (unlike
    ``asyncio.Condition.notify_all`` which needs the lock), and waiters re-check
    their predicate on each wake-up, so there is never any sleep-polling.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._waiting = 0

    def notify(self) -> None:
        if self._waiting:
            self._event.set()
            self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until ``predicate()`` is true; False if ``seconds`` elapsed first."""
        if predicate():
            return True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        self._waiting += 1
        try:
            while not predicate():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                event = self._event
                try:
                    async with asyncio.timeout(remaining):
                        await event.wait()
                except TimeoutError:
                    return predicate()
            return True
        finally:
            self._waiting -= 1


class UpdateQueue:
    """Pending updates, confirmed (dropped) by the ``offset`` of getUpdates."""

    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1)
        self.last_update_id = 0
        self.allowed: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.arrived = Notifier()
        self._poll_generation = 0
        self.closing = False

    def __len__(self) -> int:
        return len(self._pending)

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update; returns its id, or None if allowed_updates filters it out."""
        # Telegram applies allowed_updates when an update is created, not when fetched.
        if kind not in self.allowed:
            return None
        update_id = next(self._ids)
        self.last_update_id = update_id
        self._pending.append({"update_id": update_id, kind: payload})
        self.arrived.notify()
        return update_id

    def confirm(self, offset: int) -> bool:
        """Drop updates below ``offset`` (negative: keep only the last -offset)."""
        before = len(self._pending)
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
        else:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        return len(self._pending) != before

    def waiting(self) -> list[dict[str, Any]]:
        """The updates not yet confirmed, oldest first (the webhook sender picks from them)."""
        return list(self._pending)

    def remove(self, update_id: int) -> bool:
        """Drops one update, as a webhook that accepted it confirms it."""
        for update in self._pending:
            if update["update_id"] == update_id:
                self._pending.remove(update)
                return True
        return False

    def clear(self) -> None:
        self._pending.clear()

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        if allowed is None:
            return  # "If not specified, the previous setting will be used."
        allowed = frozenset(allowed)
        self.allowed = allowed if allowed else DEFAULT_ALLOWED_UPDATES

    def wake_all(self) -> None:
        self.arrived.notify()

    async def get(self, limit: int, wait_seconds: float) -> list[dict[str, Any]]:
        """Long-poll: return as soon as something is pending or ``wait_seconds`` pass."""
        self._poll_generation += 1
        generation = self._poll_generation

        def ready() -> bool:
            return bool(self._pending) or self.closing or generation != self._poll_generation

        # Newer pollers must wake older ones so those can answer 409 below.
        self.arrived.notify()
        if wait_seconds > 0:
            await self.arrived.wait_until(ready, wait_seconds)
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return list(itertools.islice(self._pending, limit))
