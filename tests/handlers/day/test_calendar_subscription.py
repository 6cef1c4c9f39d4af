"""The calendar feed: `/calendar me` shows a secret link in private, a phone fetches the same
file from it over HTTP, and a new link makes the old one answer 404."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from bot.health import HealthServer
from bot.webhook import free_port_pair
from tests.handlers.day.test_calendar_feed import vevents
from tests.handlers.day.test_my_day import swap_and_cover
from tests.harness import BotHarness
from tests.schools.leave import CAO, GROUP, TEACHER, XU, seed

PUBLIC = "https://staff.school.example/bot"
LINK = re.compile(re.escape(PUBLIC) + r"/calendar/([A-Za-z0-9_-]+)\.ics")


@pytest.fixture
async def served(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[tuple[BotHarness, int]]:
    """The bot with its web server on a real port, as FEED_PORT runs it while polling."""
    port = free_port_pair()
    settings = Settings(feed_url=PUBLIC + "/", feed_port=port)
    async with BotHarness(settings, engine, clock) as bot:
        server = HealthServer(bot.app, "127.0.0.1", port)
        await server.start()
        try:
            yield bot, port
        finally:
            await server.stop()


async def fetch(port: int, path: str) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as got:
        return got.status, got.headers.get("Content-Type", ""), await got.read()


def token_in(text: str) -> str:
    found = LINK.search(text)
    assert found is not None, text
    return found.group(1)


async def test_a_phone_fetches_the_same_calendar_the_command_sends(
    served: tuple[BotHarness, int], engine: AsyncEngine, clock: ManualClock
) -> None:
    bot, port = served
    await seed(engine, clock.now())
    await swap_and_cover(bot)

    file, link = await bot.send(bot.user(TEACHER), "/calendar me")
    assert file.file is not None and link.file is None
    assert "订阅" in link.plain and "请勿转发" in link.plain
    token = token_in(link.plain)

    status, kind, body = await fetch(port, f"/calendar/{token}.ics")
    assert status == 200 and kind.startswith("text/calendar")
    assert body == file.file[2]
    # Her own lessons only: the swapped Friday lesson, nothing of the leave itself.
    assert "第2节 三(2)班 语文（调课）" in [e["SUMMARY"] for e in vevents(body)]
    assert "病假" not in body.decode() and "发烧" not in body.decode()

    # A colleague's link is another link, with their own lessons.
    _, theirs = await bot.send(bot.user(CAO), "/calendar me")
    assert token_in(theirs.plain) != token
    # The same link every time, so a second phone can subscribe as well.
    _, again = await bot.send(bot.user(TEACHER), "/calendar me")
    assert token_in(again.plain) == token


async def test_a_new_link_stops_the_old_one_and_wrong_links_tell_nothing(
    served: tuple[BotHarness, int], engine: AsyncEngine, clock: ManualClock
) -> None:
    bot, port = served
    await seed(engine, clock.now())
    _, link = await bot.send(bot.user(XU), "/calendar me")
    old = token_in(link.plain)

    await bot.press(bot.user(XU), link, link.data_of("换新链接（旧链接失效）"))
    renewed = bot.last(XU)
    new = token_in(renewed.plain)
    assert new != old and "旧链接已失效" in renewed.plain

    gone = await fetch(port, f"/calendar/{old}.ics")
    assert gone[0] == 404
    assert (await fetch(port, f"/calendar/{new}.ics"))[0] == 200
    # A made-up token, a missing suffix and junk all look the same as the old link.
    for path in (f"/calendar/{'A' * len(old)}.ics", f"/calendar/{new}", "/calendar/x.ics"):
        assert await fetch(port, path) == gone


async def test_the_link_is_shown_in_private_only(
    served: tuple[BotHarness, int], engine: AsyncEngine, clock: ManualClock
) -> None:
    bot, _ = served
    await seed(engine, clock.now())
    answer = await bot.send(bot.user(XU), "/calendar me", chat_id=GROUP)
    assert answer and not any(LINK.search(m.plain) for m in answer)


async def test_without_a_feed_server_no_link_is_offered(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    [file] = await harness.send(harness.user(XU), "/calendar me")
    assert file.file is not None and "订阅" not in file.plain
