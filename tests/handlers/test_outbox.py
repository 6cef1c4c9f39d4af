"""Delivering what a handler queued: order within a chat, chats side by side, refusals."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import Forbidden

from handlers.outbox import Outbox


class SlowTelegram:
    """Answers each call after a round trip that the test controls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | str, str | None]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.blocked: set[int] = set()
        self._ids = iter(range(500, 10_000))

    async def _round_trip(self, what: str, to: int | str, text: str | None) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0)  # the answer is not there yet: other calls may go out
        await asyncio.sleep(0)
        self.in_flight -= 1
        self.calls.append((what, to, text))

    async def answer_callback_query(self, query_id: str, **_: Any) -> bool:
        await self._round_trip("answer", query_id, None)
        return True

    async def send_message(self, chat_id: int, text: str, **_: Any) -> Any:
        if chat_id in self.blocked:
            raise Forbidden("Forbidden: bot was blocked by the user")
        await self._round_trip("send", chat_id, text)
        return type("Sent", (), {"message_id": next(self._ids)})()

    async def edit_message_text(self, text: str, *, chat_id: int, **_: Any) -> bool:
        await self._round_trip("edit", chat_id, text)
        return True


def _queued() -> Outbox:
    out = Outbox()
    out.edit(1, 10, "已批准")
    out.send(2, "张老师：请假已批准")
    out.send(3, "代课安排 11月27日")
    out.send(3, "代课安排 11月28日")
    out.send(4, "代课安排 11月27日")
    out.answer("q1", "已批准")
    return out


async def test_the_answer_goes_first_and_each_chat_gets_its_messages_in_order() -> None:
    telegram = SlowTelegram()
    sent = await _queued().flush(telegram)  # type: ignore[arg-type]
    assert telegram.calls[0] == ("answer", "q1", None)
    to_three = [text for what, chat, text in telegram.calls if chat == 3]
    assert to_three == ["代课安排 11月27日", "代课安排 11月28日"]
    assert len(telegram.calls) == 6 and len(sent) == 4


async def test_different_chats_are_served_side_by_side() -> None:
    telegram = SlowTelegram()
    await _queued().flush(telegram)  # type: ignore[arg-type]
    # Four chats wait on Telegram at once; one after another would never exceed one.
    assert telegram.most_in_flight == 4


async def test_a_blocked_chat_does_not_stop_the_others() -> None:
    telegram = SlowTelegram()
    telegram.blocked.add(3)
    sent = await _queued().flush(telegram)  # type: ignore[arg-type]
    reached = {chat for _, chat, _ in telegram.calls}
    assert reached == {"q1", 1, 2, 4}
    assert len(sent) == 2


async def test_work_after_the_commit_runs_once_everything_is_delivered() -> None:
    telegram = SlowTelegram()
    out = _queued()
    seen: list[int] = []

    async def after() -> None:
        seen.append(len(telegram.calls))

    out.after_commit.append(after)
    await out.flush(telegram)  # type: ignore[arg-type]
    await out.flush(telegram)  # type: ignore[arg-type]
    assert seen == [6]
