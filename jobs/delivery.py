"""Delivering scheduled pushes: after the push's transaction, with retries, one chat at a time.

A push composes its messages inside a database transaction; on SQLite that transaction holds the
write lock, so nothing may wait on Telegram there (a 429 can ask for seconds). The helpers below
therefore only queue while a push is being composed (`collecting()`); `deliver()` sends the
queue after the commit. Outside a push they send at once.

Each message is retried on a network error or a Telegram 5xx, and after a RetryAfter for as long
as Telegram asks; a group that removed the bot is retired, a migrated group is followed. One
chat's failure never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import partial

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.config import Settings
from bot.texts import t
from bot.transport import lean_markup
from storage.cover_boards import record_copies
from storage.schools import deactivate_group, migrate_group, staff_groups
from storage.staff import admin_recipients

log = logging.getLogger(__name__)

# Seconds to wait before each retry of a message that met a network error or a 5xx.
RETRY_DELAYS: tuple[float, ...] = (1.0, 5.0)
# A RetryAfter longer than this is not waited for inside one push.
MAX_RETRY_AFTER = 60.0
# Telegram counts about 30 messages in any one second; pushes keep under it, with room for the
# other side's clock and for replies to people sent meanwhile.
PUSHES_PER_SECOND = 28


class Pacer:
    """Lets pushes go one at a time, an interval after the one before really went.

    At 07:00 hundreds of schools' announcements are due together. The rate limiter alone lets a
    full second's worth go at once after a quiet spell (and Telegram answers 429), or, with a
    small bucket, wakes every waiting push many times a second to try again, which starves the
    event loop. Here the waiting pushes queue in order and only the first one has a timer; after
    a stall of the event loop they still leave one interval apart, never in a burst.
    """

    def __init__(self, per_second: float = PUSHES_PER_SECOND) -> None:
        self.interval = 1 / per_second
        self._last = float("-inf")
        self._queue = asyncio.Lock()  # first come, first served

    async def turn(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._queue:
            at = self._last + self.interval
            if at > loop.time():
                due = loop.create_future()
                loop.call_at(at, lambda: due.done() or due.set_result(None))
                await due
            self._last = loop.time()


_pacers: dict[asyncio.AbstractEventLoop, Pacer] = {}


def pacer() -> Pacer:
    """The pacer of the running event loop (the bot's; tests run one loop each)."""
    loop = asyncio.get_running_loop()
    if loop not in _pacers:
        _pacers.clear()  # a finished loop's pacer is never used again
        _pacers[loop] = Pacer()
    return _pacers[loop]


class Outcome(StrEnum):
    SENT = "sent"
    GONE = "gone"  # blocked by the person, or the bot is no longer in the group
    FAILED = "failed"  # refused, or still failing after the retries


@dataclass
class Pending:
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None
    # A cover board's school, day and arranger: kept once sent, so later changes redraw it.
    board: tuple[int, date, int] | None = None


_QUEUE: ContextVar[list[Pending] | None] = ContextVar("push_queue", default=None)


@contextmanager
def collecting() -> Iterator[list[Pending]]:
    """While composing a push: the delivery helpers queue into the list instead of sending."""
    queue: list[Pending] = []
    token = _QUEUE.set(queue)
    try:
        yield queue
    finally:
        _QUEUE.reset(token)


async def send_to_chat(
    bot: Bot,
    session: AsyncSession,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    board: tuple[int, date, int] | None = None,
) -> bool:
    """Queues the message while a push is composed; otherwise sends it now. True when taken."""
    item = Pending(chat_id, text, markup, board)
    queue = _QUEUE.get()
    if queue is not None:
        queue.append(item)
        return True

    async def in_this_session(change: Bookkeeping) -> None:
        await change(session=session)

    return await _deliver_one(bot, in_this_session, item) == Outcome.SENT


Bookkeeping = Callable[..., Awaitable[object]]  # called with session=


async def _deliver_one(
    bot: Bot, record: Callable[[Bookkeeping], Awaitable[None]], item: Pending
) -> Outcome:
    """Sends one message; `record` applies a binding change (migrated, kicked) to the database."""
    chat_id = item.chat_id
    delays = list(RETRY_DELAYS)
    while True:
        try:
            await pacer().turn()
            message = await bot.send_message(
                chat_id, item.text, parse_mode=ParseMode.HTML, reply_markup=lean_markup(item.markup)
            )
            if item.board is not None:
                await _keep_board(record, item.board, chat_id, message.message_id)
            return Outcome.SENT
        except ChatMigrated as exc:
            await record(partial(migrate_group, old_chat_id=chat_id, new_chat_id=exc.new_chat_id))
            chat_id = exc.new_chat_id
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            if wait > MAX_RETRY_AFTER or not delays:
                log.warning("chat %s is rate limited for %.0f s; push not delivered", chat_id, wait)
                return Outcome.FAILED
            delays.pop(0)
            await asyncio.sleep(wait)
        except Forbidden as exc:
            log.info("chat %s refused a push: %s", chat_id, exc.message)
            if chat_id < 0:
                await record(partial(deactivate_group, chat_id=chat_id))
            return Outcome.GONE
        except BadRequest as exc:
            log.warning("Telegram refused a push to %s: %s", chat_id, exc.message)
            return Outcome.FAILED
        except NetworkError as exc:  # timeouts and 5xx: Telegram may well take it a moment later
            if not delays:
                log.warning("push to %s failed after retries: %s", chat_id, exc)
                return Outcome.FAILED
            await asyncio.sleep(delays.pop(0))
        except TelegramError as exc:
            log.warning("push to %s failed: %s", chat_id, exc)
            return Outcome.FAILED


async def _keep_board(
    record: Callable[[Bookkeeping], Awaitable[None]],
    board: tuple[int, date, int],
    chat_id: int,
    message_id: int,
) -> None:
    """Stores a board just sent; failing to costs only a copy not redrawn, never the push."""
    try:
        await record(partial(record_copies, copies=[(*board, chat_id, message_id)], today=None))
    except Exception:
        log.exception("could not keep the cover board just sent to %s", chat_id)


def _seconds(value: object) -> float:
    # python-telegram-bot gives a timedelta when PTB_TIMEDELTA is set (as the CLI does), else int.
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


async def deliver(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], queue: list[Pending]
) -> list[Outcome]:
    """Sends what a push queued; a transaction opens only to record a binding change."""

    async def in_own_transaction(change: Bookkeeping) -> None:
        async with sessions() as session, session.begin():
            await change(session=session)

    return [await _deliver_one(bot, in_own_transaction, item) for item in queue]


async def send_to_staff_groups(
    bot: Bot,
    session: AsyncSession,
    school_id: int,
    texts: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Sends the texts to every bound group of the school (the markup under the last one)."""
    taken = 0
    for group in await staff_groups(session=session, school_id=school_id):
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            if await send_to_chat(bot, session, group.chat_id, text, markup if last else None):
                taken += 1
    return taken


async def notify_admins(
    bot: Bot, session: AsyncSession, settings: Settings, school_id: int, key: str, **values: object
) -> int:
    taken = 0
    for telegram_id, lang in await admin_recipients(
        session=session,
        school_id=school_id,
        system_admins=settings.bootstrap_admin_ids,
        default_language=settings.default_language,
    ):
        if await send_to_chat(bot, session, telegram_id, t(lang, key, **values)):
            taken += 1
    return taken
