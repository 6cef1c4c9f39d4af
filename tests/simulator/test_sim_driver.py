"""Driver-side behaviour: membership updates, blocking, clock and misuse errors."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from simulator import Simulator, SimulatorError
from tests.simulator.sim_helpers import ALICE, BOB, CAROL, GROUP, group_with_bot, make_bot


async def get_updates(sim: Simulator, **payload: Any) -> list[dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sim.api_base_url}{sim.token}/getUpdates", json=payload) as response,
    ):
        body = await response.json()
    assert body["ok"], body
    return body["result"]


async def test_dates_come_from_the_given_clock() -> None:
    now = [1_700_000_000.0]
    async with Simulator(clock=lambda: now[0]) as sim:
        sim.add_user(ALICE, "Alice")
        first = await sim.send_text(ALICE, ALICE, "/start")
        now[0] += 3600
        async with make_bot(sim) as bot:
            reply = await bot.send_message(ALICE, "later")
        (update,) = await get_updates(sim)
    assert first.date == update["message"]["date"] == 1_700_000_000
    assert int(reply.date.timestamp()) == 1_700_003_600


async def test_membership_updates(sim: Simulator) -> None:
    await group_with_bot(sim)
    await get_updates(sim, allowed_updates=["message", "my_chat_member", "chat_member"])
    updates = await get_updates(sim)
    kinds = [next(k for k in u if k != "update_id") for u in updates]
    assert kinds == ["my_chat_member", "message"]
    assert updates[0]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert updates[1]["message"]["new_chat_members"][0]["username"] == "staffroom_bot"
    offset = updates[-1]["update_id"] + 1

    # Only administrators hear about other members (chat_member updates).
    sim.set_member_status(GROUP, CAROL, "left")
    assert await get_updates(sim, offset=offset) == []
    sim.set_member_status(GROUP, sim.bot.id, "administrator")
    await sim.add_member(GROUP, CAROL, by_user_id=ALICE)
    updates = await get_updates(sim, offset=offset)
    assert [next(k for k in u if k != "update_id") for u in updates] == [
        "my_chat_member",
        "chat_member",
        "message",
    ]
    assert updates[1]["chat_member"]["new_chat_member"]["user"]["id"] == CAROL
    # As an administrator the bot sees ordinary group chatter despite privacy mode.
    chatter = await sim.send_text(BOB, GROUP, "lunch?")
    assert chatter.delivered


async def test_block_and_unblock(sim: Simulator) -> None:
    await sim.send_text(ALICE, ALICE, "/start")
    await sim.block_bot(ALICE)
    await sim.send_text(ALICE, ALICE, "I'm back")
    updates = await get_updates(sim)
    statuses = [
        u["my_chat_member"]["new_chat_member"]["status"] for u in updates if "my_chat_member" in u
    ]
    assert statuses == ["kicked", "member"]
    assert updates[-1]["message"]["text"] == "I'm back"


async def test_driver_misuse_raises(sim: Simulator) -> None:
    await group_with_bot(sim)
    sim.add_user(2001, "Stranger")
    with pytest.raises(SimulatorError, match="not a member"):
        await sim.send_text(2001, GROUP, "hello")
    with pytest.raises(SimulatorError, match="own private chat"):
        await sim.send_text(ALICE, BOB, "hello")
    with pytest.raises(SimulatorError, match="unknown user"):
        await sim.send_text(9999, 9999, "hello")
    with pytest.raises(SimulatorError, match="does not exist"):
        await sim.send_text(ALICE, ALICE, "reply", reply_to=42)
    with pytest.raises(SimulatorError, match="exactly one"):
        await sim.press(ALICE, 1)
    with pytest.raises(SimulatorError, match="unknown status"):
        sim.set_member_status(GROUP, BOB, "owner")
    with pytest.raises(SimulatorError, match="does not implement"):
        sim.inject_fault("sendSticker", "500")
    with pytest.raises(ValueError, match="unknown fault kind"):
        sim.inject_fault("sendMessage", "404")
    with pytest.raises(SimulatorError, match="already in"):
        await sim.add_bot_to_group(GROUP, ALICE)
    new_id = await sim.migrate_group(GROUP)
    with pytest.raises(SimulatorError, match="migrated"):
        await sim.send_text(ALICE, GROUP, "old group")
    await sim.send_text(ALICE, new_id, "/help")
    with pytest.raises(SimulatorError, match="not a basic group"):
        await sim.migrate_group(new_id)


async def test_buttons_in_a_group(sim: Simulator) -> None:
    await group_with_bot(sim)
    async with make_bot(sim) as bot:
        await bot.send_message(
            GROUP,
            "Cover needed for period 3",
            reply_markup={"inline_keyboard": [[{"text": "I can", "callback_data": "cover:3"}]]},
        )
    (message,) = sim.bot_messages(GROUP)
    query_id = await sim.press(BOB, message, data="cover:3")
    updates = await get_updates(sim)
    query = updates[-1]["callback_query"]
    assert query["id"] == query_id
    assert query["from"]["id"] == BOB
    assert query["message"]["chat"]["id"] == GROUP
    assert sim.callback_answer(query_id) is None


async def test_a_restored_message_shows_its_last_edit_and_keeps_its_id(sim: Simulator) -> None:
    keyboard = {"inline_keyboard": [[{"text": "批准", "callback_data": "lv1:approve:1"}]]}
    sim.restore_bot_message(ALICE, 41, "<b>请假审批</b>", reply_markup=keyboard)
    sim.restore_bot_message(ALICE, 42, "已提交")
    sim.restore_bot_message(ALICE, 41, "✅ 已批准")

    request, notice = sim.messages(ALICE)
    assert (request.message_id, request.plain, request.buttons) == (41, "✅ 已批准", [])
    assert request.edited and notice.message_id == 42
    # Nothing was announced as a bot action, and the chat goes on after the restored ids.
    assert sim.seq == 0
    assert (await sim.send_text(ALICE, ALICE, "/start")).message_id == 43


async def test_chats_recorded_in_one_run_come_back_in_the_next(sim: Simulator) -> None:
    await group_with_bot(sim)
    sim.promote_bot(GROUP, by_user_id=ALICE)
    keyboard = {"inline_keyboard": [[{"text": "撤销", "callback_data": "lv1:cancel:1"}]]}
    async with make_bot(sim) as bot:
        await sim.send_text(ALICE, ALICE, "/leave 病假 明天")
        asked = await bot.send_message(ALICE, "<b>已提交</b>", parse_mode="HTML")
        await bot.edit_message_text(
            "已提交（可撤销）", ALICE, asked.message_id, reply_markup=keyboard
        )
        typed = await sim.send_text(BOB, GROUP, "/leave 事假 今天")
        await bot.delete_message(GROUP, typed.message_id)
        photo = await sim.send_photo(ALICE, ALICE, b"\x89PNG\r\n\x1a\nfake", caption="黑板")
    record = sim.chats_record()

    async with Simulator() as again:
        again.add_user(ALICE, "Alice")
        again.add_user(BOB, "Bob")
        again.add_user(CAROL, "Carol")
        again.add_group(GROUP, "Staff room", members=[ALICE, BOB, CAROL])
        again.restore_chats(json.loads(json.dumps(record)))

        wrote, answer, picture = again.messages(ALICE)
        assert wrote.plain == "/leave 病假 明天" and not wrote.from_bot
        assert (answer.plain, answer.edited, answer.button_texts) == (
            "已提交（可撤销）",
            True,
            ["撤销"],
        )
        assert picture.caption == "黑板" and picture.photo is not None
        assert again.user(ALICE).started and not again.user(CAROL).started
        deleted = again.chat(GROUP).by_id[typed.message_id]
        assert deleted.deleted and deleted.plain == "/leave 事假 今天"
        # The bot still reaches the photo by the id it was given, and new files get new ids.
        async with make_bot(again) as bot:
            assert photo.photo is not None
            kept = await bot.get_file(photo.photo.file_id)
            assert bytes(await kept.download_as_bytearray()) == b"\x89PNG\r\n\x1a\nfake"
        later = await again.send_photo(ALICE, ALICE, b"\x89PNG\r\n\x1a\nnew")
        assert later.photo is not None and later.photo.file_id != photo.photo.file_id
        assert later.message_id == picture.message_id + 1
