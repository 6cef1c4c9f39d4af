"""Shared constants and builders for the simulator tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from simulator import Simulator

ALICE = 1001
BOB = 1002
CAROL = 1003
GROUP = -4001

StartApp = Callable[[Application], Awaitable[Application]]


def app_builder(sim: Simulator, *, read_timeout: float = 5.0) -> ApplicationBuilder:
    """An ApplicationBuilder wired to the simulator with short timeouts."""
    return (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.api_base_url)
        .base_file_url(sim.file_base_url)
        .read_timeout(read_timeout)
        .connect_timeout(2)
        .pool_timeout(2)
        .get_updates_read_timeout(3)
        .get_updates_connect_timeout(2)
        .get_updates_pool_timeout(2)
        .job_queue(None)
    )


def make_bot(sim: Simulator, *, read_timeout: float = 5.0) -> Bot:
    request = HTTPXRequest(
        connection_pool_size=8, read_timeout=read_timeout, connect_timeout=2, pool_timeout=2
    )
    return Bot(
        sim.token,
        base_url=sim.api_base_url,
        base_file_url=sim.file_base_url,
        request=request,
        get_updates_request=HTTPXRequest(),
    )


async def group_with_bot(sim: Simulator, chat_id: int = GROUP, *, supergroup: bool = False) -> None:
    """A staff group with Alice (creator), Bob and Carol, and the bot added by Alice."""
    sim.add_group(chat_id, "Staff room", supergroup=supergroup, members=[ALICE, BOB, CAROL])
    sim.set_member_status(chat_id, ALICE, "creator")
    await sim.add_bot_to_group(chat_id, ALICE)
