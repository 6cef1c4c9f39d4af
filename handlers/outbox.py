"""Messages a handler wants sent, delivered only after its transaction committed.

A handler never tells a user something that was then rolled back; and one failed delivery (a
blocked user, a kicked group) does not stop the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardRemove
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.transport import lean_markup

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardRemove | None
# A cover board's school, day and arranger (staff id): kept once sent, to be drawn again later.
BoardTag = tuple[int, date, int]


@dataclass
class Send:
    chat_id: int
    text: str
    markup: Markup = None
    reply_to: int | None = None
    board: BoardTag | None = None


@dataclass
class Edit:
    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass
class Answer:
    query_id: str
    text: str | None = None
    alert: bool = False


@dataclass
class Outbox:
    items: list[Send | Edit | Answer] = field(default_factory=list)
    answered: bool = False
    # Work that must follow the commit, such as rebuilding the jobs after a policy change.
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # The cover boards delivered: (tag, chat id, message id).
    boards: list[tuple[BoardTag, int, int]] = field(default_factory=list)

    def send(
        self,
        chat_id: int,
        text: str,
        markup: Markup = None,
        reply_to: int | None = None,
        *,
        board: BoardTag | None = None,
    ) -> None:
        self.items.append(Send(chat_id, text, markup, reply_to, board))

    def edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        self.items.append(Edit(chat_id, message_id, text, markup))

    def answer(self, query_id: str, text: str | None = None, alert: bool = False) -> None:
        if not self.answered:
            self.answered = True
            self.items.append(Answer(query_id, text, alert))

    async def flush(self, bot: Bot) -> list[int]:
        """Delivers everything; returns the ids of sent messages.

        The button's answer goes first (the presser's spinner stops). Then each chat gets its
        messages in the order they were queued, while different chats are served side by side:
        every call waits a round trip for Telegram, and an approval tells the requester and each
        arranger, which one after another would add up to a second over a slow link.
        """
        sent: list[int] = []
        items, self.items = self.items, []
        chats: dict[int, list[Send | Edit]] = {}
        for item in items:
            if isinstance(item, Answer):
                await self._deliver(bot, item, sent)
            else:
                chats.setdefault(item.chat_id, []).append(item)
        if len(chats) == 1:
            await self._deliver_in_order(bot, next(iter(chats.values())), sent)
        elif chats:
            await asyncio.gather(
                *(self._deliver_in_order(bot, queue, sent) for queue in chats.values())
            )
        hooks, self.after_commit = self.after_commit, []
        for hook in hooks:
            await hook()
        return sent

    async def _deliver_in_order(self, bot: Bot, items: list[Send | Edit], sent: list[int]) -> None:
        for item in items:
            await self._deliver(bot, item, sent)

    async def _deliver(self, bot: Bot, item: Send | Edit | Answer, sent: list[int]) -> None:
        """One call; a refusal is logged and does not stop the rest."""
        try:
            if isinstance(item, Answer):
                await bot.answer_callback_query(
                    item.query_id, text=item.text, show_alert=item.alert
                )
            elif isinstance(item, Send):
                message = await bot.send_message(
                    item.chat_id,
                    item.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=lean_markup(item.markup),
                    reply_to_message_id=item.reply_to,
                    allow_sending_without_reply=True,
                )
                sent.append(message.message_id)
                if item.board is not None:
                    self.boards.append((item.board, item.chat_id, message.message_id))
            else:
                await bot.edit_message_text(
                    item.text,
                    chat_id=item.chat_id,
                    message_id=item.message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=lean_markup(item.markup),
                )
        except Forbidden as exc:
            log.info("not delivered to %s: %s", getattr(item, "chat_id", "-"), exc.message)
        except BadRequest as exc:
            if "not modified" not in exc.message:
                log.warning("Telegram refused %s: %s", type(item).__name__, exc.message)
        except TelegramError as exc:
            log.warning("delivery of %s failed: %s", type(item).__name__, exc)
