"""Every command in the list answers everyone in their own words, never with the error apology."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.commands import COMMANDS
from bot.texts import t
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BotHarness
from tests.schools.leave import GROUP, LEADER, OFFICE_A, TEACHER, seed

STRANGER = 7_199_999_999  # on no staff list


@pytest.mark.parametrize(
    "who", [SYSADMIN_ID, STRANGER, TEACHER, LEADER, OFFICE_A], ids=lambda who: str(who)
)
async def test_every_command_gets_an_answer_and_none_is_the_apology(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock, who: int
) -> None:
    await seed(engine, clock.now())
    apology = t("zh", "common.error")
    user = harness.user(who)
    for info in COMMANDS:
        chats = [who] + ([GROUP] if info.group and who != STRANGER else [])
        for chat in chats:
            replies = await harness.send(user, f"/{info.name}", chat)
            await harness.send(user, "/cancel")  # leave any wizard the command started
            assert replies, f"/{info.name} in {chat} got no answer"
            assert all(apology not in m.plain for m in replies), f"/{info.name} in {chat}"
