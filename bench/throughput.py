"""Throughput: mixed updates through the simulator over HTTP, processed to the last reply.

The same workload is fed to the bot and to a bare python-telegram-bot bot (the framework's
ceiling) on the same simulator, running in a process of its own. Updates are queued in the
simulator first, then the bot starts polling and the clock runs until it has handled the last
one; Telegram's send limits are off here (the fan-out benchmark measures those).
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.ext import Application

from bench.ceiling import bare_application
from bench.dataset import Dataset
from bench.machine import rss_mb
from bench.mix import PRESSES, Action, Staffroom, leave_lines, load, workload
from bench.simproc import SimClient
from bot.app import SIMULATOR_TOKEN, build_application
from bot.clock import OffsetClock
from bot.config import Settings
from bot.services import SERVICES_KEY, services_of

APPROVE_PREFIX = "v1:lv:ok:"
AnyApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Run:
    updates: int
    seconds: float
    rss_mb: float
    # Bot API calls other than getUpdates (replies, edits, answers, notices), per update.
    calls_per_update: float = 0.0
    # The process's CPU time per update (user and system): steadier across runs than the rate
    # on a shared machine, whose speed drifts between the bot's run and the bare bot's.
    cpu_ms_per_update: float = 0.0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


async def populate(sim: SimClient, dataset: Dataset) -> None:
    """The people and the staff groups, in the simulator."""
    for school in dataset.schools:
        for telegram_id in school.staff:
            await sim.user(telegram_id, f"教师{telegram_id % 1000}")
        members = list(school.staff)
        await sim.group(school.group_id, f"{school.name}教师群", members, add_bot_by=members[0])


async def _feed(sim: SimClient, actions: list[Action]) -> None:
    for action in actions:
        if action.kind == "approve":
            await sim.press(action.user_id, action.chat_id, action.message_id, action.data)
        else:
            await sim.send(action.user_id, action.chat_id, action.text)


async def _drain(sim: SimClient, app: AnyApp) -> None:
    if not await sim.wait_consumed(timeout=900):
        raise RuntimeError("the bot did not take every update")
    await app.update_queue.join()
    # What the last updates queued for other people (boards, slips) is part of handling them.
    if SERVICES_KEY in app.bot_data:
        await services_of(app).background.settle()
        await services_of(app).dispatcher.settle()


async def _start(app: AnyApp) -> None:
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()


async def _poll(app: AnyApp) -> None:
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=10)


async def _stop(app: AnyApp) -> None:
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def _approval_presses(sim: SimClient, staffroom: Staffroom, since: int) -> list[Action]:
    presses = []
    for telegram_id in sorted({t for t, _ in staffroom.members}):
        result = await sim.call("GET", "messages", params={"chat_id": telegram_id, "since": since})
        for message in result["messages"]:
            for row in message["buttons"]:
                for button in row:
                    data = button.get("callback_data") or ""
                    if data.startswith(APPROVE_PREFIX):
                        presses.append(
                            Action(
                                "approve",
                                telegram_id,
                                telegram_id,
                                message_id=message["message_id"],
                                data=data,
                            )
                        )
    return presses


async def measure(app: AnyApp, sim: SimClient, actions: list[Action]) -> Run:
    """Queues the actions while the bot is not polling, then times it through them."""
    await _feed(sim, actions)
    before = _calls((await sim.stats())["calls"])
    cpu = time.process_time()
    started = time.perf_counter()
    await _poll(app)
    await _drain(sim, app)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    calls = _calls((await sim.stats())["calls"]) - before
    count = len(actions)
    return Run(count, seconds, rss_mb(), calls / count, cpu * 1000 / count)


def _calls(counts: dict[str, int]) -> int:
    return sum(n for method, n in counts.items() if method not in ("getUpdates", "getMe"))


async def ours(sim: SimClient, dataset: Dataset, staffroom: Staffroom, total: int) -> Run:
    """The bot itself, with the data set loaded."""
    settings = dataclasses.replace(
        Settings(),
        telegram_bot_token=SIMULATOR_TOKEN,
        telegram_api_base_url=sim.base_url,
        database_url=dataset.database_url,
        log_level="WARNING",
    )
    clock = OffsetClock(settings.timezone, start=dataset.now + timedelta(hours=2))
    app = build_application(settings, clock=clock, rate_limiter=False)
    await _start(app)
    try:
        people = sorted({t for t, _ in staffroom.members})
        # Everyone has opened a chat with the bot before (the simulator, like Telegram, lets a
        # bot write only to people who did); the bot answered those /start long ago, so they
        # are dropped rather than handled again here.
        await _feed(sim, [Action("start", p, p, "/start") for p in people])
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10, drop_pending_updates=True)
        warmup_seq = (await sim.stats())["seq"]
        # A part of them already asked for leave today, so their approvers have 批准 buttons
        # waiting.
        warmup = leave_lines(
            staffroom, clock.now().date(), int(total * PRESSES) + 10, dataset_rng(), offset=0
        )
        await _feed(sim, warmup)
        await _drain(sim, app)
        assert app.updater is not None
        await app.updater.stop()
        presses = await _approval_presses(sim, staffroom, warmup_seq)
        return await measure(app, sim, workload(staffroom, clock.now().date(), total, presses))
    finally:
        await _stop(app)


async def ceiling(
    sim: SimClient, dataset: Dataset, staffroom: Staffroom, total: int, calls: float = 1
) -> Run:
    """The bare bot, on the same simulator and the same kind of workload, making `calls` Bot API
    calls per update."""
    app = bare_application(SIMULATOR_TOKEN, sim.base_url, calls)
    await _start(app)
    try:
        planted = []
        people = sorted({t for t, _ in staffroom.members})
        for index in range(int(total * 0.15) + 1):
            person = people[index % len(people)]
            sent = await sim.bot_send(
                "sendMessage",
                chat_id=person,
                text="请假申请",
                reply_markup={
                    "inline_keyboard": [
                        [{"text": "批准", "callback_data": f"{APPROVE_PREFIX}{index}"}]
                    ]
                },
            )
            planted.append(
                Action(
                    "approve",
                    person,
                    person,
                    message_id=sent["message_id"],
                    data=f"{APPROVE_PREFIX}{index}",
                )
            )
        return await measure(app, sim, workload(staffroom, dataset.now.date(), total, planted))
    finally:
        await _stop(app)


def dataset_rng() -> Any:
    import random

    return random.Random(11)


def _ours_alone(base_url: str, dataset: Dataset, total: int) -> Run:
    """`ours` in a process of its own, so that its resident memory is the bot's alone, not the
    benchmark's (the data set it built, the latency run's recordings)."""

    async def main() -> Run:
        sim = SimClient(base_url)
        try:
            return await ours(sim, dataset, await load(dataset), total)
        finally:
            await sim.close()

    return asyncio.run(main())


async def run(
    sim: SimClient, dataset: Dataset, total: int, known_ceiling: Run | None = None
) -> dict[str, Run]:
    """The bot, then the ceiling on the same simulator. The ceiling touches no database, so a
    second backend's run may pass the first one's (`known_ceiling`) instead of measuring it
    again."""
    await populate(sim, dataset)
    staffroom = await load(dataset)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        alone = pool.submit(_ours_alone, sim.base_url, dataset, total)
        results = {"ours": await asyncio.wrap_future(alone)}
    await asyncio.sleep(0)
    results["ceiling"] = known_ceiling or await ceiling(sim, dataset, staffroom, total)
    if known_ceiling is None:
        # As many calls per update as the bot makes (2.33 on this mix), on average: the
        # framework and the calls alone, so that the rest of the gap is the bot's own work.
        calls = max(1.0, results["ours"].calls_per_update)
        results["same_calls"] = await ceiling(sim, dataset, staffroom, total, calls)
    return results
