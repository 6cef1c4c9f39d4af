"""End-to-end: real python-telegram-bot Applications long-polling the simulator."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import (
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import (
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from simulator import Simulator, SimulatorError
from tests.simulator.sim_helpers import ALICE, BOB, GROUP, StartApp, app_builder, group_with_bot

Context = CallbackContext[Any, Any, Any, Any]


async def test_private_command_round_trip(sim: Simulator, start_app: StartApp) -> None:
    app = app_builder(sim).build()

    async def start(update: Update, context: Context) -> None:
        assert update.effective_user is not None and update.message is not None
        await update.message.reply_text(
            f"Hello, <b>{update.effective_user.first_name}</b> &amp; welcome!",
            parse_mode=ParseMode.HTML,
            do_quote=True,
        )

    app.add_handler(CommandHandler("start", start))
    await start_app(app)

    sent = await sim.send_text(ALICE, ALICE, "/start")
    assert sent.delivered
    reply = await sim.wait_bot_message(ALICE, contains="Hello")
    assert reply.plain == "Hello, Alice & welcome!"
    assert reply.text == "Hello, <b>Alice</b> &amp; welcome!"
    assert reply.parse_mode == "HTML"
    assert reply.reply_to_message_id == sent.message_id
    assert [m.from_bot for m in sim.messages(ALICE)] == [False, True]
    await sim.wait_updates_consumed()
    assert sim.stats.calls["sendMessage"] == 1
    assert sim.stats.calls["getMe"] >= 1


async def test_privacy_mode_in_groups(sim: Simulator, start_app: StartApp) -> None:
    app = app_builder(sim).build()
    seen: list[str] = []

    async def record(update: Update, context: Context) -> None:
        if update.message is not None and update.message.text:
            seen.append(update.message.text)

    async def ping(update: Update, context: Context) -> None:
        assert update.message is not None
        await update.message.reply_text("pong")

    app.add_handler(MessageHandler(filters.TEXT, record), group=0)
    app.add_handler(CommandHandler("ping", ping), group=1)
    await group_with_bot(sim)
    await start_app(app)

    other_bot = await sim.send_text(BOB, GROUP, "/ping@otherbot")
    chatter = await sim.send_text(BOB, GROUP, "good morning everyone")
    assert not other_bot.delivered
    assert not chatter.delivered

    since = sim.seq
    addressed = await sim.send_text(BOB, GROUP, "/ping@staffroom_bot")
    assert addressed.delivered
    pong = await sim.wait_bot_message(GROUP, since=since, contains="pong")

    # Replies to the bot and mentions of it are delivered as well.
    reply = await sim.send_text(ALICE, GROUP, "thanks", reply_to=pong.message_id)
    mention = await sim.send_text(ALICE, GROUP, "hey @staffroom_bot how are you")
    bare = await sim.send_text(ALICE, GROUP, "/ping")
    assert reply.delivered and mention.delivered and bare.delivered
    await sim.wait_for(lambda: len(seen) == 4)
    assert seen == ["/ping@staffroom_bot", "thanks", "hey @staffroom_bot how are you", "/ping"]
    await sim.wait_for(lambda: len(sim.bot_messages(GROUP, since)) == 2)


async def test_inline_button_press(sim: Simulator, start_app: StartApp) -> None:
    app = app_builder(sim).build()
    second_answer: list[Exception] = []

    async def menu(update: Update, context: Context) -> None:
        assert update.message is not None
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Approve", callback_data="leave:approve:17")],
                [InlineKeyboardButton("Reject", callback_data="leave:reject:17")],
            ]
        )
        await update.message.reply_text("Leave request #17", reply_markup=keyboard)

    async def decide(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        assert query.message.text == "Leave request #17"  # the message as it is now
        await query.answer("Approved", show_alert=True)
        try:
            await query.answer("again")
        except BadRequest as exc:
            second_answer.append(exc)
        await query.edit_message_text(f"Leave request #17: {query.data.split(':')[1]}d ✅")

    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(decide, pattern=r"^leave:"))
    await start_app(app)

    await sim.send_text(ALICE, ALICE, "/menu")
    message = await sim.wait_bot_message(ALICE, contains="Leave request")
    assert message.button_texts == ["Approve", "Reject"]
    assert message.buttons[1][0].callback_data == "leave:reject:17"
    with pytest.raises(SimulatorError, match=r"no button"):
        await sim.press(ALICE, message, text="Maybe")

    since = sim.seq
    query_id = await sim.press(ALICE, message, text="Approve")
    edited = await sim.wait_bot_message(ALICE, since=since, contains="approved")
    assert edited.message_id == message.message_id
    assert edited.edited
    assert edited.plain == "Leave request #17: approved ✅"
    assert edited.buttons == []  # editing without reply_markup drops the keyboard
    assert sim.callback_answer(query_id) == {
        "text": "Approved",
        "show_alert": True,
        "url": None,
        "cache_time": 0,
    }
    assert len(second_answer) == 1
    assert "query is too old" in str(second_answer[0]).lower()
    with pytest.raises(SimulatorError, match=r"no inline keyboard"):
        await sim.press(ALICE, message.message_id, data="leave:approve:17")


async def test_document_upload_and_download(sim: Simulator, start_app: StartApp) -> None:
    app = app_builder(sim).build()
    payload = bytes(range(256)) * 40 + "课表 timetable".encode()

    async def on_document(update: Update, context: Context) -> None:
        assert update.message is not None and update.message.document is not None
        document = update.message.document
        file = await document.get_file()
        data = await file.download_as_bytearray()
        await update.message.reply_text(
            f"got {document.file_name} {len(data)} bytes ({update.message.caption})"
        )
        await update.message.reply_document(bytes(data[::-1]), filename="reversed.bin")

    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    await start_app(app)

    await sim.send_document(ALICE, ALICE, "timetable.xlsx", payload, caption="week 3")
    reply = await sim.wait_bot_message(ALICE, contains="got")
    assert reply.plain == f"got timetable.xlsx {len(payload)} bytes (week 3)"
    await sim.wait_for(lambda: len(sim.sent_files(ALICE)) == 1)
    (sent,) = sim.sent_files(ALICE)
    assert sent.filename == "reversed.bin"
    assert sent.data == payload[::-1]


async def test_bot_removed_from_group(sim: Simulator, start_app: StartApp) -> None:
    app = app_builder(sim).build()
    changes: list[tuple[str, str]] = []
    joined: list[int] = []

    async def my_member(update: Update, context: Context) -> None:
        change = update.my_chat_member
        assert isinstance(change, ChatMemberUpdated)
        changes.append((change.old_chat_member.status, change.new_chat_member.status))

    async def new_members(update: Update, context: Context) -> None:
        assert update.message is not None
        joined.extend(user.id for user in update.message.new_chat_members)

    app.add_handler(ChatMemberHandler(my_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, new_members))
    await start_app(app)

    await group_with_bot(sim)
    await sim.wait_for(lambda: joined == [sim.bot.id])
    assert changes == [(ChatMemberStatus.LEFT, ChatMemberStatus.MEMBER)]
    await app.bot.send_message(GROUP, "Hello staff room")

    await sim.remove_bot_from_group(GROUP, ALICE)
    await sim.wait_for(lambda: len(changes) == 2)
    assert changes[1] == (ChatMemberStatus.MEMBER, ChatMemberStatus.BANNED)
    with pytest.raises(Forbidden, match=r"bot was kicked from the group chat"):
        await app.bot.send_message(GROUP, "still here?")


async def test_group_migration(sim: Simulator, start_app: StartApp) -> None:
    app = app_builder(sim).build()
    migrations: list[tuple[int | None, int | None]] = []

    async def migrated(update: Update, context: Context) -> None:
        assert update.message is not None
        migrations.append((update.message.migrate_to_chat_id, update.message.migrate_from_chat_id))

    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
    await group_with_bot(sim)
    await start_app(app)

    new_id = await sim.migrate_group(GROUP)
    assert str(new_id).startswith("-100")
    await sim.wait_for(lambda: len(migrations) == 2)
    assert migrations == [(new_id, None), (None, GROUP)]

    with pytest.raises(ChatMigrated) as excinfo:
        await app.bot.send_message(GROUP, "old chat")
    assert excinfo.value.new_chat_id == new_id
    message = await app.bot.send_message(new_id, "new chat")
    assert message.chat.type == "supergroup"
    assert sim.bot_messages(new_id)[0].plain == "new chat"


async def test_long_poll_returns_as_soon_as_update_arrives(
    sim: Simulator, start_app: StartApp
) -> None:
    app = app_builder(sim).build()
    received = asyncio.Event()

    async def any_text(update: Update, context: Context) -> None:
        received.set()

    app.add_handler(MessageHandler(filters.TEXT, any_text))
    await start_app(app)
    await sim.wait_updates_consumed()
    # The updater is now parked in a long poll (timeout=1 s); the update must
    # be handed over immediately rather than at the end of that poll.
    await sim.send_text(ALICE, ALICE, "hi")
    async with asyncio.timeout(0.5):
        await received.wait()
