"""Webhook mode against long polling: how fast updates are handled each way.

`python -m bench.webhook [--updates N]`: the simulator in a process of its own queues N commands,
then the bot starts receiving (polling, or its webhook server with the simulator posting each
update with the secret) and the clock runs until the last one is handled and answered. Twice: a
bare python-telegram-bot bot answering each with one call (the framework's own rate), and the bot
itself on the demo school (SQLite), each staff member asking /today and /help in turn.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bench.ceiling import bare_application
from bench.demo_school import open_school
from bench.simproc import SimClient, simulator_process
from bot.app import SIMULATOR_TOKEN, build_application
from bot.clock import SystemClock
from bot.config import Settings
from bot.services import SERVICES_KEY, services_of
from bot.webhook import free_port_pair, webhook_arguments

AnyApp = Application[Any, Any, Any, Any, Any, Any]
SECRET = "bench-webhook-secret-0001"
MODES = ("polling", "webhook")
ROUNDS = 3


def hooked(settings: Settings) -> Settings:
    port = free_port_pair()
    return dataclasses.replace(
        settings,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_port=port,
        webhook_secret=SECRET,
    )


async def timed(app: AnyApp, settings: Settings, mode: str, sim: SimClient, total: int) -> float:
    """Seconds from starting to receive until the `total` queued updates are all handled."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    try:
        started = time.perf_counter()
        if mode == "webhook":
            await app.updater.start_webhook(**webhook_arguments(settings))
        else:
            await app.updater.start_polling(poll_interval=0, timeout=10)
        if not await sim.wait_consumed(timeout=600):
            raise RuntimeError("the bot did not take every update")
        await app.update_queue.join()
        if SERVICES_KEY in app.bot_data:
            await services_of(app).background.settle()
            await services_of(app).dispatcher.settle()
        return time.perf_counter() - started
    finally:
        if app.updater.running:
            await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def drop_webhook(sim: SimClient) -> None:
    # The next run starts from polling, as a bot switching modes would.
    await sim.bot_send("deleteWebhook")


async def measure(
    sim: SimClient,
    total: int,
    feed: Callable[[], Awaitable[None]],
    make: Callable[[Settings], AnyApp],
    settings: Settings,
) -> dict[str, float]:
    """The best rate of each mode over ROUNDS rounds, the modes taking turns: on a shared
    machine the load drifts, and turns spread the drift over both."""
    rates = dict.fromkeys(MODES, 0.0)
    for _ in range(ROUNDS):
        for mode in MODES:
            chosen = hooked(settings) if mode == "webhook" else settings
            await feed()
            seconds = await timed(make(chosen), chosen, mode, sim, total)
            await drop_webhook(sim)
            rates[mode] = max(rates[mode], total / seconds)
    return rates


async def main(total: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench-webhook.db'}"
        # A webhook is set before python-telegram-bot's server listens: the first deliveries
        # fail and are tried again. Telegram waits longer; here that start is kept short, so
        # that the figure is the rate of a running bot.
        async with simulator_process(webhook_retry=0.01) as sim:
            school = await open_school(sim, url, SystemClock(Settings().timezone).now())
            people = sorted(school.ids.values())
            texts = ("/today", "/help")

            async def feed() -> None:
                for index in range(total):
                    person = people[index % len(people)]
                    await sim.send(person, person, texts[index % len(texts)])

            settings = dataclasses.replace(
                Settings(),
                telegram_bot_token=SIMULATOR_TOKEN,
                telegram_api_base_url=sim.base_url,
                database_url=url,
                log_level="WARNING",
            )

            def bare(chosen: Settings) -> AnyApp:
                return bare_application(SIMULATOR_TOKEN, sim.base_url, 1)

            def ours(chosen: Settings) -> AnyApp:
                return build_application(
                    chosen, rate_limiter=False, set_commands=False, freeze_heap=False
                )

            results["bare python-telegram-bot (1 call per update)"] = await measure(
                sim, total, feed, bare, settings
            )
            results["staffroom, demo school (/today, /help)"] = await measure(
                sim, total, feed, ours, settings
            )
    return results


def report(results: dict[str, dict[str, float]], total: int) -> None:
    print(
        f"updates handled per second (best of {ROUNDS}), {total} queued commands, "
        "simulator in its own process"
    )
    print(f"{'':48} {'polling':>9} {'webhook':>9} {'webhook/polling':>16}")
    for name, rates in results.items():
        ratio = rates["webhook"] / rates["polling"]
        print(f"{name:48} {rates['polling']:9.0f} {rates['webhook']:9.0f} {ratio:16.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    arguments = parser.parse_args()
    report(asyncio.run(main(arguments.updates)), arguments.updates)
