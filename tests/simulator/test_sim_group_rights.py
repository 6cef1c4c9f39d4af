"""The bot's rights in a group (deleting people's messages) and deep links into its private
chat, as the simulator plays them."""

from __future__ import annotations

import pytest
from telegram import Bot, ChatMemberAdministrator
from telegram.error import BadRequest

from simulator import Simulator, SimulatorError
from tests.simulator.sim_helpers import ALICE, BOB, GROUP, group_with_bot


async def test_only_an_admin_allowed_to_delete_removes_peoples_messages(
    sim: Simulator, bot: Bot
) -> None:
    await group_with_bot(sim)
    typed = await sim.send_text(BOB, GROUP, "/leave 病假 明天 发烧")

    as_member = await bot.get_chat_member(GROUP, sim.bot.id)
    assert as_member.status == "member"
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(GROUP, typed.message_id)

    sim.promote_bot(GROUP, can_delete_messages=False)
    limited = await bot.get_chat_member(GROUP, sim.bot.id)
    assert isinstance(limited, ChatMemberAdministrator)
    assert not limited.can_delete_messages and limited.can_pin_messages
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(GROUP, typed.message_id)
    assert not typed.deleted

    sim.promote_bot(GROUP)
    full = await bot.get_chat_member(GROUP, sim.bot.id)
    assert isinstance(full, ChatMemberAdministrator) and full.can_delete_messages
    assert await bot.delete_message(GROUP, typed.message_id)
    assert typed.deleted
    with pytest.raises(SimulatorError, match="unknown admin rights"):
        sim.promote_bot(GROUP, can_fly=True)


async def test_a_deep_link_sends_start_with_its_payload_in_private(sim: Simulator) -> None:
    opened = await sim.open_link(ALICE, f"https://t.me/{sim.bot.username}?start=leave")
    assert opened.chat_id == ALICE and opened.text == "/start leave"
    assert sim.user(ALICE).started
    plain = await sim.open_link(BOB, f"https://t.me/{sim.bot.username}")
    assert plain.text == "/start"
    with pytest.raises(SimulatorError, match="another bot"):
        await sim.open_link(ALICE, "https://t.me/other_bot?start=x")
    with pytest.raises(SimulatorError, match="start payload"):
        await sim.open_link(ALICE, f"https://t.me/{sim.bot.username}?start=请假")
