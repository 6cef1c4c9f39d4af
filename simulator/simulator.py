"""The :class:`Simulator`: server lifecycle, inspection and waiting helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .driver import UserDriver
from .errors import SimulatorError
from .faults import Fault, FaultInjector, RateLimiter, SimStats
from .models import SimChat, SimFile, SimMessage, SimUser
from .params import validate_reply_markup
from .registry import METHODS
from .server import build_app, wait_closed_or
from .snapshot import restore, snapshot
from .state import BotMessageCallback, State
from .text import parse_formatted
from .webhook import WebhookSender


class Simulator(UserDriver):
    """A local Telegram Bot API server plus a driver acting as its users.

    Typical use::

        async with Simulator() as sim:
            sim.add_user(1001, "Alice")
            app = ApplicationBuilder().token(sim.token).base_url(sim.api_base_url)...
            await sim.send_text(1001, 1001, "/start")
            reply = await sim.wait_bot_message(1001)
    """

    def __init__(
        self,
        token: str = "123456:SIM",
        bot_username: str = "staffroom_bot",
        bot_first_name: str = "Staffroom",
        enforce_rate_limits: bool = False,
        *,
        clock: Callable[[], float] = time.time,
        privacy_mode: bool = True,
        timeout_hold_seconds: float = 30.0,
        webhook_retry_seconds: float = 0.5,
    ):
        self.token = token
        self.state = State(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            clock=clock,
            privacy_mode=privacy_mode,
        )
        self.enforce_rate_limits = enforce_rate_limits
        self.rate_limiter = RateLimiter()
        self.faults = FaultInjector()
        self.timeout_hold_seconds = timeout_hold_seconds
        # Sends the queued updates to the bot while it has a webhook set (setWebhook).
        self.webhook_sender = WebhookSender(self.state, retry_seconds=webhook_retry_seconds)
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._released = asyncio.Event()  # replaced each time held requests are let go

    # -------------------------------------------------------------- lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise SimulatorError("simulator already started")
        self._closing = asyncio.Event()
        self._released = asyncio.Event()
        self.state.updates.closing = False
        # handler_cancellation: a client that gives up (read timeout) cancels its
        # held request instead of leaving it running until the hold expires.
        runner = web.AppRunner(
            build_app(self), handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.webhook_sender.start()
        bound_host, bound_port = runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        # Release long-polls and held requests so shutdown is immediate.
        self._closing.set()
        self._released.set()
        self.state.updates.closing = True
        self.state.updates.wake_all()
        self.state.changed.notify()
        await self.webhook_sender.stop()
        await runner.cleanup()
        await self.state.drain_observers()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def hold(self, seconds: float) -> None:
        """Wait ``seconds``, or until the simulator stops or `clear_faults` lets go."""
        await wait_closed_or(self._released, seconds)

    def clear_faults(self) -> None:
        """Telegram is well again: no more armed faults, and the requests a timeout holds are
        answered (502) at once."""
        self.faults.clear()
        released, self._released = self._released, asyncio.Event()
        released.set()

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.base_url}/file/bot"

    # ------------------------------------------------------------- properties
    @property
    def bot(self) -> SimUser:
        return self.state.bot

    @property
    def seq(self) -> int:
        """Counter of bot actions (send/edit/delete); use as a cursor for ``since``."""
        return self.state.seq

    @property
    def stats(self) -> SimStats:
        return self.state.stats

    @property
    def privacy_mode(self) -> bool:
        return self.state.privacy_mode

    @privacy_mode.setter
    def privacy_mode(self, value: bool) -> None:
        self.state.privacy_mode = value

    def user(self, user_id: int) -> SimUser:
        return self._user(user_id)

    def chat(self, chat_id: int) -> SimChat:
        return self._chat(chat_id)

    def number_messages_after(self, chat_id: int, message_id: int) -> None:
        """New messages in the chat get ids above `message_id`, as Telegram never gives an id
        twice: for a simulator started again beside a bot that remembers earlier messages."""
        chat = self.state.chats.get(chat_id)
        if chat is not None:
            chat.next_message_id = max(chat.next_message_id, message_id + 1)

    def restore_bot_message(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        parse_mode: str | None = "HTML",
        reply_markup: dict[str, Any] | None = None,
    ) -> SimMessage | None:
        """Puts back a message the bot sent before this simulator started, or its later edit,
        as the chat would still show it. Not an action of the bot: nobody is notified."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return None
        plain, entities = parse_formatted(text, parse_mode)
        markup = validate_reply_markup(reply_markup)
        message = chat.by_id.get(message_id)
        if message is not None:
            message.text, message.parse_mode, message.plain_text = text, parse_mode, plain
            message.entities, message.reply_markup, message.edited = entities, markup, True
            return message
        following = chat.next_message_id
        chat.next_message_id = message_id
        message = self.state.new_message(
            chat,
            user_id=self.state.bot.id,
            from_bot=True,
            text=text,
            parse_mode=parse_mode,
            plain_text=plain,
            entities=entities,
            reply_markup=markup,
        )
        chat.next_message_id = max(following, message_id + 1)
        return message

    def chats_record(self) -> dict[str, Any]:
        """Every chat's messages, the files and who started the bot, ready for JSON."""
        return snapshot(self.state)

    def restore_chats(self, record: dict[str, Any]) -> None:
        """Puts back what `chats_record` recorded in an earlier run, before the bot starts."""
        restore(self.state, record)

    # ------------------------------------------------------------ inspection
    def messages(self, chat_id: int) -> list[SimMessage]:
        """All messages of the chat in order, in their current state (deleted flagged)."""
        return list(self._chat(chat_id).messages)

    def bot_messages(self, chat_id: int, since: int = 0) -> list[SimMessage]:
        """Bot messages whose last send/edit/delete has ``seq > since``."""
        return self._chat(chat_id).bot_messages_since(since)

    def sent_files(self, chat_id: int) -> list[SimFile]:
        """Documents and photos the bot sent to the chat, with their bytes."""
        return [
            media
            for msg in self._chat(chat_id).messages
            if msg.from_bot and (media := msg.document or msg.photo) is not None
        ]

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """What the bot answered to a button press (text, show_alert, url), or None yet."""
        record = self.state.callback_queries.get(query_id)
        if record is None:
            raise SimulatorError(f"unknown callback query {query_id}")
        return record.answer

    def commands(
        self,
        scope_type: str = "default",
        language_code: str = "",
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> list[dict[str, str]]:
        """The command list set with setMyCommands for exactly this scope/language."""
        key = (scope_type, chat_id, user_id, language_code or "")
        return [dict(command) for command in self.state.commands.get(key, [])]

    def menu_button(self, chat_id: int | None = None) -> dict[str, Any] | None:
        return self.state.menu_buttons.get(chat_id)

    @property
    def pending_updates(self) -> int:
        return len(self.state.updates)

    @property
    def webhook(self) -> dict[str, Any] | None:
        """What setWebhook set (url, secret_token, the last delivery error), or None."""
        return self.state.webhook

    def on_bot_message(
        self, callback: BotMessageCallback, *, include_deletes: bool = False
    ) -> Callable[[], None]:
        """Call ``callback(msg)`` for every message the bot sends or edits.

        Coroutine callbacks are scheduled as tasks. Returns an unsubscribe function.
        """
        return self.state.add_observer(callback, include_deletes)

    # ----------------------------------------------------------------- faults
    def inject_fault(
        self,
        method: str | None,
        kind: str,
        *,
        count: int = 1,
        chat_id: int | None = None,
        retry_after: int = 1,
    ) -> Fault:
        """Make the next ``count`` calls of ``method`` (None: any but getUpdates) fail.

        ``kind`` is one of "429", "500", "timeout", "migrated", "blocked", "kicked".
        "migrated" names a basic group (``chat_id``): when the fault fires the group really
        becomes a supergroup, with its members and the bot, as Telegram does; a supergroup
        never migrates, so it is refused here.
        """
        if method is not None and method.lower() not in METHODS:
            raise SimulatorError(f"the simulator does not implement method {method!r}")
        if kind == "migrated":
            self._check_migratable(chat_id)
        return self.faults.add(method, kind, count=count, chat_id=chat_id, retry_after=retry_after)

    def _check_migratable(self, chat_id: int | None) -> None:
        if chat_id is None:
            raise SimulatorError('a "migrated" fault needs the chat_id of the basic group')
        chat = self.state.chats.get(chat_id)
        if chat is None or not chat.is_group:
            raise SimulatorError(f'a "migrated" fault needs a group; {chat_id} is not one')
        if chat.type != "group":
            raise SimulatorError(
                f"chat {chat_id} is a supergroup: Telegram only migrates basic groups, "
                "so a supergroup never answers with migrate_to_chat_id"
            )
        if chat.migrated_to is not None:
            raise SimulatorError(f"chat {chat_id} already migrated to {chat.migrated_to}")

    def reset_stats(self) -> None:
        self.state.stats.reset()

    # ---------------------------------------------------------------- waiting
    # The waiting helpers take a ``timeout`` argument on purpose (ASYNC109): it is
    # the documented driver API and they produce a far more useful error than a
    # bare asyncio.timeout() around them would.
    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        what: str | None = None,
    ) -> None:
        """Wait until ``predicate()`` holds; re-checked after every bot state change."""
        if not await self.state.changed.wait_until(predicate, timeout):
            raise TimeoutError(self._timeout_message(what or _describe(predicate), timeout))

    async def wait_bot_message(
        self,
        chat_id: int,
        *,
        since: int = 0,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SimMessage:
        """First non-deleted bot message with seq > since whose plain text has ``contains``."""
        chat = self._chat(chat_id)
        found: list[SimMessage] = []
        cursor = since

        def check() -> bool:
            nonlocal cursor
            # Only look at actions after the last check: an edit bumps a
            # message's seq, so re-checking old messages is never needed.
            for msg in chat.bot_messages_since(cursor):
                if not msg.deleted and (contains is None or contains in msg.plain):
                    found.append(msg)
                    return True
            cursor = self.state.seq
            return False

        wanted = f"bot message in chat {chat_id} after seq {since}"
        if contains is not None:
            wanted += f" containing {contains!r}"
        await self.wait_for(check, timeout, what=wanted)
        return found[0]

    async def wait_updates_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed every queued update (a getUpdates offset, or its webhook
        accepted it)."""
        await self.wait_for(
            lambda: len(self.state.updates) == 0, timeout, what="all updates confirmed"
        )

    async def wait_sent(
        self,
        since_seq: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> int:
        """Wait until at least ``count`` bot messages were sent after ``since_seq``."""
        await self.wait_for(
            lambda: self.state.sends_since(since_seq) >= count,
            timeout,
            what=f"{count} bot messages after seq {since_seq}",
        )
        return self.state.sends_since(since_seq)

    def _timeout_message(self, what: str, timeout: float) -> str:
        state = self.state
        lines = [
            f"timed out after {timeout}s waiting for {what}",
            f"seq={state.seq}, pending updates={len(state.updates)}",
        ]
        if state.recent_actions:
            lines.append("recent bot actions:")
            lines.extend(f"  {action}" for action in state.recent_actions)
        else:
            lines.append("the bot has not sent, edited or deleted anything")
        if state.recent_errors:
            lines.append("recent API errors:")
            lines.extend(f"  {error}" for error in state.recent_errors)
        return "\n".join(lines)


def _describe(predicate: Callable[[], bool]) -> str:
    name = getattr(predicate, "__qualname__", repr(predicate))
    return "condition" if name.endswith("<lambda>") else name
