"""The dispatcher's lanes: order within a chat, chats side by side, and a chat that must wait
holds up only itself."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.clock import ManualClock
from bot.dispatcher import Dispatcher, RateGate, _Window
from bot.messages import Answer, Edit, Send

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


class SlowTelegram:
    """Answers each call after a round trip; a chat can be made to fail as the test says."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | str, str | None]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        # chat → exceptions to raise on its next calls, in order
        self.faults: dict[int, list[Exception]] = {}
        self._ids = iter(range(500, 10_000))

    async def _round_trip(self, what: str, to: int | str, text: str | None) -> None:
        if isinstance(to, int) and self.faults.get(to):
            raise self.faults[to].pop(0)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0)  # the answer is not there yet: other calls may go out
        await asyncio.sleep(0)
        self.in_flight -= 1
        self.calls.append((what, to, text))

    async def answer_callback_query(self, query_id: str, **_: Any) -> bool:
        await self._round_trip("answer", query_id, None)
        return True

    async def do_api_request(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "sendMessage":
            await self._round_trip("send", params["chat_id"], params["text"])
            return {"message_id": next(self._ids)}
        assert endpoint == "editMessageText", endpoint
        await self._round_trip("edit", params["chat_id"], params["text"])
        return True

    def to(self, chat: int) -> list[str | None]:
        return [text for _, to, text in self.calls if to == chat]


def dispatcher(telegram: SlowTelegram) -> Dispatcher:
    # Messages without a row (not written to a table) are delivered and not recorded.
    return Dispatcher(telegram, None, ManualClock(NOW), paced=False)  # type: ignore[arg-type]


def approval() -> list[Send | Edit | Answer]:
    return [
        Answer("q1", "已批准"),
        Edit(1, 10, "已批准"),
        Send(2, "张老师：请假已批准"),
        Send(3, "代课安排 11月27日"),
        Send(3, "代课安排 11月28日"),
        Send(4, "代课安排 11月27日"),
    ]


async def test_the_answer_goes_first_and_each_chat_gets_its_messages_in_order() -> None:
    telegram = SlowTelegram()
    lanes = dispatcher(telegram)
    lanes.submit(approval())
    await lanes.settle()
    assert telegram.calls[0] == ("answer", "q1", None)
    assert telegram.to(3) == ["代课安排 11月27日", "代课安排 11月28日"]
    assert len(telegram.calls) == 6


async def test_different_chats_are_served_side_by_side() -> None:
    telegram = SlowTelegram()
    lanes = dispatcher(telegram)
    lanes.submit(approval())
    await lanes.settle()
    # Four chats wait on Telegram at once; one after another would never exceed one.
    assert telegram.most_in_flight >= 4


async def test_a_blocked_chat_does_not_stop_the_others_and_its_rest_is_given_up() -> None:
    telegram = SlowTelegram()
    telegram.faults[3] = [Forbidden("Forbidden: bot was blocked by the user")]
    lanes = dispatcher(telegram)
    lanes.submit(approval())
    await lanes.settle()
    assert {to for _, to, _ in telegram.calls} == {"q1", 1, 2, 4}
    # The second board to the blocked chat was not even tried: it would be refused too.
    assert telegram.faults[3] == []
    assert lanes.stats["gone"] == 2


async def test_a_429_in_one_chat_holds_up_only_that_chat() -> None:
    telegram = SlowTelegram()
    telegram.faults[-100] = [RetryAfter(8)]
    lanes = dispatcher(telegram)
    lanes.submit([Send(-100, "今日值班"), Send(-100, "作业公示")])
    await asyncio.sleep(0)
    lanes.submit([Send(5, "/help 的回答")])
    await lanes.settle()

    assert telegram.to(5) == ["/help 的回答"]
    assert telegram.to(-100) == []
    assert lanes.waiting() == {-100: pytest.approx(8, abs=0.5)}

    lanes.retry_now()
    await lanes.settle()
    assert telegram.to(-100) == ["今日值班", "作业公示"]  # in order, after the wait
    assert lanes.waiting() == {}


async def test_a_person_waits_no_longer_once_a_chat_they_wrote_to_must_try_again_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A timeout in one chat puts it to wait 30 s before trying again: what the approver waits
    # for is done then, at once (not when the lanes are next looked at, here never).
    monkeypatch.setattr("bot.dispatcher.LOOK_AGAIN", 60.0)

    class TimesOutOnce(SlowTelegram):
        timed_out = False

        async def _round_trip(self, what: str, to: int | str, text: str | None) -> None:
            if to == 2 and not self.timed_out:
                self.timed_out = True
                await asyncio.sleep(0.01)  # waited for an answer, in vain
                raise TimedOut()
            await super()._round_trip(what, to, text)

    telegram = TimesOutOnce()
    lanes = Dispatcher(telegram, None, ManualClock(NOW), paced=False, backoff=(30.0,))  # type: ignore[arg-type]
    lanes.submit([Edit(1, 10, "✅ 你已批准"), Send(2, "✅ 你的请假已批准")])
    await asyncio.wait_for(lanes.delivered(), 5)
    assert telegram.to(1) == ["✅ 你已批准"]
    assert lanes.waiting() == {2: 30.0}


async def test_a_timeout_is_tried_again_and_a_refused_message_is_not() -> None:
    telegram = SlowTelegram()
    telegram.faults[7] = [TimedOut("Timed out"), BadRequest("Bad Request: can't parse entities")]
    lanes = dispatcher(telegram)
    lanes.submit([Send(7, "<b>第一条"), Send(7, "第二条")])
    await lanes.settle()
    assert lanes.waiting() == {7: lanes.backoff[0]}
    lanes.retry_now()
    await lanes.settle()
    # The first met the timeout, then Telegram refused it for good; the second still went.
    assert telegram.to(7) == ["第二条"]
    assert lanes.stats["failed"] == 1 and lanes.stats["retries"] == 1


async def test_an_edit_drawn_over_by_a_later_one_is_not_sent() -> None:
    telegram = SlowTelegram()
    telegram.faults[9] = [TimedOut("Timed out")]
    lanes = dispatcher(telegram)
    lanes.submit([Edit(9, 77, "状态：待安排")])
    await lanes.settle()
    lanes.submit([Edit(9, 77, "状态：许志强 代课")])
    lanes.retry_now()
    await lanes.settle()
    assert telegram.to(9) == ["状态：许志强 代课"]


async def test_a_message_that_keeps_failing_is_given_up_when_too_old() -> None:
    telegram = SlowTelegram()
    telegram.faults[8] = [TimedOut("Timed out")] * 3
    clock = ManualClock(NOW)
    lanes = Dispatcher(telegram, None, clock, paced=False)  # type: ignore[arg-type]
    lanes.submit([Send(8, "早上好")])
    await lanes.settle()
    clock.advance(lanes.max_age + timedelta(minutes=1))
    lanes.retry_now()
    await lanes.settle()
    assert telegram.to(8) == [] and lanes.stats["failed"] == 1


def test_a_window_says_how_long_until_one_more_fits() -> None:
    window = _Window(limit=20, span=60.0)
    for second in range(20):
        assert window.wait(float(second)) == 0
        window.add(float(second))
    # The 21st message of the minute waits until the first leaves the window.
    assert window.wait(30.0) == pytest.approx(30.0)
    assert window.wait(60.5) == 0


async def test_pushes_due_together_are_spaced_under_telegrams_overall_limit() -> None:
    # Many pushes at once (07:00 in every school) leave one at a time, an interval apart, in
    # the order they asked: never a burst that Telegram would answer with 429.
    gate = RateGate(per_second=10_000, bulk_per_second=500)
    loop = asyncio.get_running_loop()
    left: list[tuple[int, float]] = []

    async def push(number: int) -> None:
        await gate.take(number + 1, bulk=True)
        left.append((number, loop.time()))

    start = loop.time()
    await asyncio.gather(*(push(n) for n in range(40)))
    assert [number for number, _ in left] == list(range(40))
    # The n-th leaves no sooner than n intervals after the first could (a slow machine only
    # makes them later), so no second ever holds more than the limit.
    assert all(at >= start + n / 500 - 1e-6 for n, at in left)


async def test_group_announcements_go_before_peoples_own_pushes_waiting() -> None:
    # 07:00 in a district: every teacher's own morning message asks for a turn, then the
    # groups' duty announcements. At 30 a second the people's messages alone take minutes;
    # the announcements must not wait behind them.
    gate = RateGate(per_second=10_000, bulk_per_second=500)
    left: list[int] = []

    async def push(chat_id: int) -> None:
        await gate.take(chat_id, bulk=True)
        left.append(chat_id)

    people = [asyncio.create_task(push(1000 + n)) for n in range(30)]
    await asyncio.sleep(0)  # the people ask first
    groups = [asyncio.create_task(push(-100 - n)) for n in range(5)]
    await asyncio.gather(*people, *groups)
    assert len(left) == 35
    # The first person's push had the gate already; each group goes next, in the order asked.
    first_person = left.index(1000)
    groups_left = [i for i, chat in enumerate(left) if chat < 0]
    assert [left[i] for i in groups_left] == [-100, -101, -102, -103, -104]
    assert max(groups_left) < 8 and first_person < groups_left[0]
    # Everyone's message still goes, in the order they asked.
    assert [chat for chat in left if chat > 0] == [1000 + n for n in range(30)]


async def test_a_push_cancelled_while_waiting_does_not_stop_the_others() -> None:
    gate = RateGate(per_second=10_000, bulk_per_second=500)
    left: list[int] = []

    async def push(chat_id: int) -> None:
        await gate.take(chat_id, bulk=True)
        left.append(chat_id)

    tasks = [asyncio.create_task(push(n + 1)) for n in range(6)]
    await asyncio.sleep(0)
    tasks[2].cancel()
    tasks[3].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(isinstance(r, asyncio.CancelledError) for r in results) == 2
    assert left == [1, 2, 5, 6]
    await asyncio.wait_for(gate.take(-7, bulk=True), 1)  # the gate is free again


async def test_pushes_stay_spaced_after_the_event_loop_stalled() -> None:
    # A busy moment (a long handler, a garbage collection) holds the loop; the pushes waiting
    # meanwhile must not all leave at once when it frees.
    gate = RateGate(per_second=10_000, bulk_per_second=500)
    left: list[float] = []

    async def push(number: int) -> None:
        await gate.take(number + 1, bulk=True)
        # The moment the gate let it go (taken before this task yields): the time at which the
        # task next runs would add the machine's own scheduling jitter to the gaps.
        left.append(gate._bulk_last)

    async def stall() -> None:
        await asyncio.sleep(0)
        time.sleep(0.03)  # noqa: ASYNC251 - blocks the loop on purpose: the stall simulated

    await asyncio.gather(stall(), *(push(n) for n in range(30)))
    gaps = [b - a for a, b in itertools.pairwise(left)]
    assert len(left) == 30
    assert min(gaps) >= 1 / 500 - 1e-6
