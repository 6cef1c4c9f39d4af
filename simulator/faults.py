"""Fault injection, Telegram-like flood limits and call statistics."""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS: frozenset[str] = frozenset({"429", "500", "timeout", "migrated", "blocked", "kicked"})

# Methods that produce messages and therefore count against the flood limits.
RATE_LIMITED_METHODS: frozenset[str] = frozenset({"sendmessage", "senddocument", "sendphoto"})


@dataclass
class Fault:
    method: str | None  # lower-cased method name, None = any method
    kind: str
    remaining: int
    chat_id: int | None = None
    retry_after: int = 1


class FaultInjector:
    """Queue of armed faults, consumed by the next matching calls."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(
        self,
        method: str | None,
        kind: str,
        *,
        count: int = 1,
        chat_id: int | None = None,
        retry_after: int = 1,
    ) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(
            method.lower() if method else None, kind, count, chat_id, max(1, int(retry_after))
        )
        self._faults.append(fault)
        return fault

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """Consume one use of the first fault matching this call, if any."""
        if not self._faults:
            return None
        for fault in self._faults:
            if fault.method is None:
                # A wildcard fault would otherwise be eaten by the bot's background
                # long-poll instead of hitting the call the test is interested in.
                if method == "getupdates":
                    continue
            elif fault.method != method:
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    @property
    def pending(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()


class _Window:
    """Sliding window of event timestamps."""

    __slots__ = ("events", "limit", "span")

    def __init__(self, limit: int, span: float):
        self.limit = limit
        self.span = span
        self.events: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        while self.events and self.events[0] <= now - self.span:
            self.events.popleft()
        if len(self.events) < self.limit:
            return None
        # The oldest event leaving the window frees the next slot.
        return max(1, math.ceil(self.events[0] + self.span - now))


class RateLimiter:
    """Telegram's documented flood limits for bots.

    At most ``global_limit`` messages per ``global_window`` seconds overall and
    ``group_limit`` per ``group_window`` seconds in any one group. Time comes from
    a monotonic clock (not the simulated date clock) because real Telegram
    measures wall time.
    """

    def __init__(
        self,
        *,
        global_limit: int = 30,
        global_window: float = 1.0,
        group_limit: int = 20,
        group_window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.clock = clock
        self.group_limit = group_limit
        self.group_window = group_window
        self._global = _Window(global_limit, global_window)
        self._groups: dict[int, _Window] = {}

    def check(self, chat_id: int, is_group: bool) -> int | None:
        """Seconds to wait if a message to this chat would exceed a limit now."""
        now = self.clock()
        waits = [self._global.retry_after(now)]
        if is_group and chat_id in self._groups:
            waits.append(self._groups[chat_id].retry_after(now))
        found = [w for w in waits if w is not None]
        return max(found) if found else None

    def record(self, chat_id: int, is_group: bool) -> None:
        now = self.clock()
        self._global.events.append(now)
        if is_group:
            window = self._groups.get(chat_id)
            if window is None:
                window = self._groups[chat_id] = _Window(self.group_limit, self.group_window)
            window.events.append(now)

    def reset(self) -> None:
        self._global.events.clear()
        self._groups.clear()


@dataclass
class SimStats:
    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)
    injected_429: int = 0
    rate_limited_429: int = 0
    updates_delivered: int = 0
    # Webhook deliveries the bot did not accept (a refused secret, no answer, a 5xx).
    webhook_errors: int = 0

    @property
    def total_429(self) -> int:
        return self.injected_429 + self.rate_limited_429

    def reset(self) -> None:
        self.calls.clear()
        self.errors.clear()
        self.injected.clear()
        self.injected_429 = 0
        self.rate_limited_429 = 0
        self.updates_delivered = 0
        self.webhook_errors = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "errors": {str(code): n for code, n in self.errors.items()},
            "injected": dict(self.injected),
            "injected_429": self.injected_429,
            "rate_limited_429": self.rate_limited_429,
            "total_429": self.total_429,
            "updates_delivered": self.updates_delivered,
            "webhook_errors": self.webhook_errors,
        }
