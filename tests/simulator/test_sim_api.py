"""Bot API behaviour through python-telegram-bot's Bot (errors, limits, faults)."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from simulator import Simulator, SimulatorError, supergroup_id_for
from tests.simulator.sim_helpers import ALICE, BOB, CAROL, GROUP, group_with_bot, make_bot


async def started(sim: Simulator, user_id: int = ALICE) -> None:
    await sim.send_text(user_id, user_id, "/start")


async def test_text_length_limits(sim: Simulator, bot: Bot) -> None:
    await started(sim)
    await bot.send_message(ALICE, "a" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "a" * 4097)
    # The limit applies after entity parsing: tags and references do not count.
    await bot.send_message(ALICE, "<b>" + "&amp;" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, "<b> </b>", parse_mode=ParseMode.HTML)
    assert [len(m.plain) for m in sim.bot_messages(ALICE)] == [4096, 4096]


async def test_invalid_markup_is_refused(sim: Simulator, bot: Bot) -> None:
    await started(sim)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(ALICE, "<div>hi</div>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(ALICE, "<b>bold", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"reserved and must be escaped"):
        await bot.send_message(ALICE, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
    message = await bot.send_message(
        ALICE, "*Done*\\. [link](https://example.com)", parse_mode=ParseMode.MARKDOWN_V2
    )
    assert message.text == "Done. link"
    assert [e.type for e in message.entities] == ["bold", "text_link"]
    spoiler = await bot.send_message(
        ALICE, '<span class="tg-spoiler">x</span> <a href="https://a.b">y</a>', parse_mode="HTML"
    )
    assert spoiler.text == "x y"
    assert sim.bot_messages(ALICE)[-1].text.startswith("<span")


async def test_callback_data_limit(sim: Simulator, bot: Bot) -> None:
    await started(sim)

    def markup(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    await bot.send_message(ALICE, "ok", reply_markup=markup("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ALICE, "too long", reply_markup=markup("é" * 33))  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ALICE, "too long", reply_markup=markup("x" * 65))


async def test_reply_keyboard_is_tracked(sim: Simulator, bot: Bot) -> None:
    await started(sim)
    await bot.send_message(ALICE, "Pick", reply_markup=ReplyKeyboardMarkup([["Today", "Tomorrow"]]))
    assert sim.chat(ALICE).reply_keyboard is not None
    assert sim.bot_messages(ALICE)[0].button_texts == ["Today", "Tomorrow"]


async def test_edit_and_delete_errors(sim: Simulator, bot: Bot) -> None:
    await started(sim)
    message = await bot.send_message(ALICE, "draft")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("draft", ALICE, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)
    edited = await bot.edit_message_text("final", ALICE, message.message_id)
    assert isinstance(edited, type(message)) and edited.text == "final"
    assert edited.edit_date is not None
    user_message = sim.messages(ALICE)[0]
    with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
        await bot.edit_message_text("hack", ALICE, user_message.message_id)
    assert await bot.delete_message(ALICE, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, message.message_id)
    assert sim.bot_messages(ALICE)[0].deleted
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_forbidden_cases(sim: Simulator, bot: Bot) -> None:
    with pytest.raises(Forbidden, match=r"can't initiate conversation"):
        await bot.send_message(BOB, "hi")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hi")
    sim.add_group(-5001, "Parents")
    with pytest.raises(Forbidden, match=r"bot is not a member of the group chat"):
        await bot.send_message(-5001, "hi")
    await started(sim, BOB)
    await bot.send_message(BOB, "hello")
    await sim.block_bot(BOB)
    with pytest.raises(Forbidden, match=r"bot was blocked by the user"):
        await bot.send_message(BOB, "hello again")
    await sim.send_text(BOB, BOB, "/start")  # writing to the bot unblocks it
    await bot.send_message(BOB, "welcome back")


async def test_injected_faults(sim: Simulator, bot: Bot) -> None:
    await started(sim)
    sim.inject_fault("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(ALICE, "one")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(ALICE, "two")  # the fault is consumed

    sim.inject_fault("sendMessage", "500")
    with pytest.raises(NetworkError, match=r"Internal Server Error"):
        await bot.send_message(ALICE, "three")

    await group_with_bot(sim)
    sim.inject_fault("sendMessage", "migrated", chat_id=GROUP)
    await bot.send_message(ALICE, "other chats are not affected")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(GROUP, "four")
    assert migrated.value.new_chat_id == supergroup_id_for(GROUP)
    # The supergroup exists, with the group's members and the bot, and takes the message.
    supergroup = sim.chat(migrated.value.new_chat_id)
    assert supergroup.type == "supergroup" and supergroup.bot_present
    assert set(supergroup.members) >= {ALICE, BOB, CAROL}
    await bot.send_message(migrated.value.new_chat_id, "four")
    assert [m.plain for m in sim.bot_messages(migrated.value.new_chat_id)] == ["four"]

    sim.inject_fault(None, "blocked")
    with pytest.raises(Forbidden, match=r"blocked"):
        await bot.get_chat(ALICE)
    sim.inject_fault("sendPhoto", "kicked")
    with pytest.raises(Forbidden, match=r"kicked"):
        await bot.send_photo(GROUP, b"\x89PNG\r\n\x1a\n" + bytes(20))

    assert sim.stats.injected_429 == 1
    assert sim.stats.rate_limited_429 == 0
    assert sim.stats.injected == {"429": 1, "500": 1, "migrated": 1, "blocked": 1, "kicked": 1}
    assert sim.faults.pending == []


async def test_a_supergroup_never_gets_a_migrated_fault(sim: Simulator) -> None:
    await group_with_bot(sim, supergroup=True)
    with pytest.raises(SimulatorError, match=r"only migrates basic groups"):
        sim.inject_fault("sendMessage", "migrated", chat_id=GROUP)
    with pytest.raises(SimulatorError, match=r"needs the chat_id"):
        sim.inject_fault("sendMessage", "migrated")
    assert sim.faults.pending == []


async def test_timeout_fault(sim: Simulator) -> None:
    await started(sim)
    sim.timeout_hold_seconds = 10
    async with make_bot(sim, read_timeout=0.3) as slow_bot:
        sim.inject_fault("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await slow_bot.send_message(ALICE, "lost")
        await slow_bot.send_message(ALICE, "delivered")
    assert [m.plain for m in sim.bot_messages(ALICE)] == ["delivered"]


async def test_clearing_faults_answers_the_requests_a_timeout_holds(sim: Simulator) -> None:
    await started(sim)
    sim.timeout_hold_seconds = 30
    async with make_bot(sim, read_timeout=20) as patient_bot:
        sim.inject_fault("sendMessage", "timeout", count=2)
        held = asyncio.create_task(patient_bot.send_message(ALICE, "held"))
        await sim.wait_for(lambda: sim.stats.injected["timeout"] == 1)
        sim.clear_faults()
        async with asyncio.timeout(5):
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await held
        await patient_bot.send_message(ALICE, "delivered")  # the second timeout is gone too
    assert [m.plain for m in sim.bot_messages(ALICE)] == ["delivered"]


async def test_invalid_token(sim: Simulator) -> None:
    wrong = Bot("999:WRONG", base_url=sim.api_base_url)
    with pytest.raises(InvalidToken):
        async with wrong:
            pass


async def test_commands_per_scope_and_language(sim: Simulator, bot: Bot) -> None:
    await group_with_bot(sim)
    default = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    await bot.set_my_commands(default)
    await bot.set_my_commands(
        [BotCommand("leave", "申请请假")], scope=BotCommandScopeAllGroupChats(), language_code="zh"
    )
    await bot.set_my_commands([BotCommand("duty", "Duty roster")], scope=BotCommandScopeChat(GROUP))
    assert sim.commands() == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert sim.commands("all_group_chats", "zh") == [
        {"command": "leave", "description": "申请请假"}
    ]
    assert sim.commands("all_group_chats") == []
    assert sim.commands("chat", chat_id=GROUP)[0]["command"] == "duty"
    fetched = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="zh")
    assert [c.command for c in fetched] == ["leave"]
    await bot.delete_my_commands()
    assert sim.commands() == []
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert sim.menu_button() == {"type": "commands"}


async def test_chat_information(sim: Simulator, bot: Bot) -> None:
    await group_with_bot(sim)
    sim.set_member_status(GROUP, BOB, "administrator")
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Staff room" and chat.type == "group"
    assert await bot.get_chat_member_count(GROUP) == 4
    member = await bot.get_chat_member(GROUP, BOB)
    assert member.status == "administrator"
    carol = await bot.get_chat_member(GROUP, CAROL)
    assert carol.status == "member"
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(a.user.id for a in admins) == [ALICE, BOB]
    me = await bot.get_chat_member(GROUP, sim.bot.id)
    assert me.status == "member"
    await bot.send_chat_action(GROUP, "typing")
    assert sim.chat(GROUP).last_action == "typing"
    message = await bot.send_message(GROUP, "pin me")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.pin_chat_message(GROUP, message.message_id)
    sim.set_member_status(GROUP, sim.bot.id, "administrator")
    assert await bot.pin_chat_message(GROUP, message.message_id)
    assert sim.chat(GROUP).pinned == [message.message_id]
    assert await bot.unpin_chat_message(GROUP)
    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden, match=r"not a member"):
        await bot.send_message(GROUP, "bye")


async def test_photo_by_upload_and_file_id(sim: Simulator, bot: Bot) -> None:
    await started(sim)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
        + (640).to_bytes(4, "big")
        + (480).to_bytes(4, "big")
        + bytes(16)
    )
    first = await bot.send_photo(ALICE, png, caption="<i>map</i>", parse_mode="HTML")
    assert first.photo[-1].width == 640 and first.caption == "map"
    again = await bot.send_photo(ALICE, first.photo[-1].file_id)
    assert again.photo[-1].file_id == first.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(ALICE, "no-such-file-id")
    file = await bot.get_file(first.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == png
    assert [f.data for f in sim.sent_files(ALICE)] == [png, png]


async def test_forum_topics_take_messages_until_deleted(sim: Simulator, bot: Bot) -> None:
    await group_with_bot(sim, supergroup=True)
    topic = sim.create_topic(GROUP, "作业")
    posted = await sim.send_text(ALICE, GROUP, "/topic 作业", thread_id=topic)
    assert posted.message_thread_id == topic
    sent = await bot.send_message(GROUP, "在话题里", message_thread_id=topic)
    assert sent.message_thread_id == topic and sent.is_topic_message
    assert sent.chat.is_forum
    general = await bot.send_message(GROUP, "综合")
    assert general.message_thread_id is None
    sim.delete_topic(GROUP, topic)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(GROUP, "话题没了", message_thread_id=topic)
    assert [m.message_thread_id for m in sim.bot_messages(GROUP)][-2:] == [topic, None]
