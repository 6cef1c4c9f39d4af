"""Fixtures: a running simulator and python-telegram-bot clients talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.ext import Application

from simulator import Simulator
from tests.simulator.sim_helpers import ALICE, BOB, CAROL, StartApp, make_bot


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # Opt in to PTB's timedelta durations; the legacy int mode warns on access
    # (RetryAfter.retry_after) and warnings are errors in this test suite.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        simulator.add_user(ALICE, "Alice", "Wang", username="alice_w")
        simulator.add_user(BOB, "Bob", username="bob_li")
        simulator.add_user(CAROL, "Carol")
        yield simulator


@pytest.fixture
async def start_app(sim: Simulator) -> AsyncIterator[StartApp]:
    """Start Applications polling the simulator; they are stopped after the test."""
    started: list[Application] = []

    async def start(app: Application) -> Application:
        await app.initialize()
        await app.start()
        started.append(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        return app

    yield start
    for app in reversed(started):
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


@pytest.fixture
async def bot(sim: Simulator) -> AsyncIterator[Bot]:
    """A bare Bot for API-level checks (no polling)."""
    async with make_bot(sim) as client:
        yield client
