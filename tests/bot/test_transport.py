"""The bot's own HTTP transport, against the local simulator over real HTTP."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
)
from telegram.error import NetworkError, TimedOut

from bot.texts import t
from bot.transport import AiohttpCallsRequest, AiohttpRequest, LeanKeyboard, lean_markup
from simulator import Simulator

ALICE = 1001


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(timeout_hold_seconds=5) as simulator:
        simulator.add_user(ALICE, "Alice")
        await simulator.send_text(ALICE, ALICE, "/start")
        yield simulator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def client(sim: Simulator, base_url: str | None = None, read_timeout: float = 5.0) -> Bot:
    return Bot(
        sim.token,
        base_url=base_url or sim.api_base_url,
        base_file_url=sim.file_base_url,
        request=AiohttpRequest(read_timeout=read_timeout, connect_timeout=1, pool_timeout=1),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


async def test_a_message_with_buttons_and_chinese_text_arrives_as_sent(sim: Simulator) -> None:
    async with client(sim) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("批准", callback_data="v1:x:1")]])
        sent = await bot.send_message(
            ALICE, "<b>请假申请</b> 张老师 & 李老师", "HTML", reply_markup=markup
        )
    shown = sim.bot_messages(ALICE)[-1]
    assert sent.message_id == shown.message_id
    assert shown.plain == "请假申请 张老师 & 李老师"
    assert shown.button_texts == ["批准"]


async def test_a_pressed_button_still_arrives_with_its_keyboard(sim: Simulator) -> None:
    """The bot's own calls read answers without the echoed keyboard; updates keep it."""
    bot = Bot(
        sim.token,
        base_url=sim.api_base_url,
        base_file_url=sim.file_base_url,
        request=AiohttpCallsRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )
    async with bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("批准", callback_data="v1:x:1")]])
        sent = await bot.send_message(ALICE, "请假申请", reply_markup=markup)
        edited = await bot.edit_message_text(
            "请假申请（已改）", chat_id=ALICE, message_id=sent.message_id, reply_markup=markup
        )
        old = await bot.get_updates(timeout=0)
        await sim.press(ALICE, sent.message_id, data="v1:x:1")
        updates = await bot.get_updates(offset=old[-1].update_id + 1 if old else None, timeout=0)
    assert sent.message_id == sim.bot_messages(ALICE)[-1].message_id
    assert sent.reply_markup is None and edited.message_id == sent.message_id
    pressed = updates[-1].callback_query
    assert pressed is not None and pressed.message is not None
    assert pressed.message.reply_markup.inline_keyboard[0][0].text == "批准"
    assert sim.bot_messages(ALICE)[-1].button_texts == ["批准"]


async def test_a_file_goes_up_as_multipart_and_comes_back_byte_for_byte(sim: Simulator) -> None:
    content = "班级,学科\n三年级1班,语文\n".encode("utf-8-sig")
    async with client(sim) as bot:
        sent = await bot.send_document(
            ALICE, InputFile(content, filename="课表.csv"), caption="导出"
        )
        assert sent.document is not None
        downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == content
    stored = sim.sent_files(ALICE)[-1]
    assert stored.data == content and stored.filename == "课表.csv"


async def test_a_call_telegram_does_not_answer_in_time_is_a_timeout(sim: Simulator) -> None:
    sim.inject_fault("sendMessage", "timeout")
    async with client(sim, read_timeout=0.3) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "迟到的消息")


async def test_nobody_listening_is_a_network_error(sim: Simulator) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    with pytest.raises(NetworkError):
        async with client(sim, base_url=nowhere) as bot:  # its first call is getMe
            await bot.send_message(ALICE, "无人接听")


async def test_calls_before_start_or_after_shutdown_are_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/bot/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/bot/getMe", "POST")


async def test_an_error_that_quotes_the_address_does_not_quote_the_token() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await request.do_request("http://127.0.0.1:bad/bot123456:SECRET-token/getMe", "POST")
    finally:
        await request.shutdown()
    assert "SECRET" not in refused.value.message


def test_a_lean_keyboard_is_written_as_the_library_writes_it() -> None:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("1→许志强", callback_data="v1:cov:as:7:3:0"),
                InlineKeyboardButton("打开私聊", url="https://t.me/staffroom_bot?start=x"),
            ],
            [InlineKeyboardButton("复制", copy_text=CopyTextButton("代课单"))],
        ]
    )

    lean = lean_markup(markup)

    assert isinstance(lean, LeanKeyboard)
    assert lean.to_dict() == markup.to_dict()
    # Anything that is not an inline keyboard goes through untouched.
    assert lean_markup(None) is None


def test_a_label_with_an_escaped_name_is_written_as_the_name_reads() -> None:
    # Labels come from t(), which escapes names for HTML; a button shows its text as it is.
    label = t("zh", "cover.button.assign", number=1, name="A&B <C>")
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data="v1:cov:as:7:3:0")],
            [InlineKeyboardButton(label, copy_text=CopyTextButton("代课单"))],
        ]
    )

    written = lean_markup(markup).to_dict()["inline_keyboard"]

    assert [row[0]["text"] for row in written] == ["1→A&B <C>", "1→A&B <C>"]


async def test_a_board_sent_with_a_lean_keyboard_arrives_with_its_buttons(
    sim: Simulator,
) -> None:
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"{n}→老师", callback_data=f"v1:cov:as:{n}:1:0")] for n in range(6)]
    )
    async with client(sim) as bot:
        sent = await bot.send_message(ALICE, "代课安排", reply_markup=lean_markup(markup))
    shown = sim.bot_messages(ALICE)[-1]
    assert shown.message_id == sent.message_id
    assert shown.reply_markup == markup.to_dict()


async def test_calls_to_telegram_go_through_the_https_proxy_of_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where Telegram is blocked, HTTPS_PROXY is how a school reaches it."""
    asked: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.append(await reader.readline())
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    for name in ("NO_PROXY", "no_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    request = AiohttpRequest(connect_timeout=2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request("https://api.telegram.org/bot123:SECRET/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()
    assert asked == [b"CONNECT api.telegram.org:443 HTTP/1.1\r\n"]
