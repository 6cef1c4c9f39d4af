"""The messages an action (or a push) will send, kept with its change and delivered after it.

A handler queues messages here; just before its transaction commits they are written to the
outbox table (`persist`), so what was promised is kept with what was decided, and a user is
never told something that was then rolled back. Once committed they are handed to the
dispatcher's lanes (`dispatch`), which deliver them without the handler waiting on Telegram.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.dispatcher import Dispatcher
from bot.messages import Answer, Attachment, BoardTag, Edit, Markup, Send, SlipTag
from bot.texts import t
from storage.models import Staff
from views.leave import language_of

__all__ = ["Answer", "Attachment", "BoardTag", "Edit", "Markup", "Outbox", "Send", "SlipTag"]


@dataclass
class Outbox:
    items: list[Send | Edit | Answer] = field(default_factory=list)
    answered: bool = False
    # Work that must follow the commit, such as rebuilding the jobs after a policy change.
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def send(
        self,
        chat_id: int,
        text: str,
        markup: Markup = None,
        reply_to: int | None = None,
        *,
        board: BoardTag | None = None,
        slip: SlipTag | None = None,
        about: str = "",
        thread_id: int | None = None,
        attachment: Attachment | None = None,
    ) -> None:
        """`thread_id`: the forum topic to post in (None: the general topic). `attachment`: a
        file sent with `text` as its caption."""
        school_id = slip[0] if slip is not None else None
        self.items.append(
            Send(
                chat_id,
                text,
                markup,
                reply_to,
                board,
                slip,
                about=about,
                school_id=school_id,
                message_thread_id=thread_id,
                attachment=attachment,
            )
        )

    def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        about: str = "",
        school_id: int | None = None,
    ) -> None:
        self.items.append(Edit(chat_id, message_id, text, markup, about=about, school_id=school_id))

    def answer(self, query_id: str, text: str | None = None, alert: bool = False) -> None:
        if not self.answered:
            self.answered = True
            self.items.append(Answer(query_id, text, alert))

    @property
    def messages(self) -> list[Send | Edit]:
        return [item for item in self.items if not isinstance(item, Answer)]

    @property
    def worth_keeping(self) -> bool:
        """A message something is tracked by (a cover board to redraw later, a teacher's
        message to edit, a request that moves on if it cannot be delivered)."""
        return any(
            item.about
            or (isinstance(item, Send) and (item.board is not None or item.slip is not None))
            for item in self.messages
        )

    async def persist(
        self, session: AsyncSession, dispatcher: Dispatcher, school_id: int | None = None
    ) -> None:
        """Writes the messages to the outbox in the caller's transaction (before its commit)."""
        messages = self.messages
        if messages:
            await dispatcher.queue(session, messages, school_id=school_id)

    async def dispatch(self, dispatcher: Dispatcher) -> None:
        """After the commit: the button's answer first, then each chat's messages in order;
        then the work that waited for the commit."""
        items, self.items = self.items, []
        answers = [item for item in items if isinstance(item, Answer)]
        dispatcher.submit([*answers, *(item for item in items if not isinstance(item, Answer))])
        hooks, self.after_commit = self.after_commit, []
        for hook in hooks:
            await hook()


def tell(
    out: Outbox,
    staff: Staff | None,
    default_lang: str,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
    /,
    **values: object,
) -> bool:
    """Queues a private message to a staff member in their language; False if not linked."""
    if staff is None or staff.telegram_id is None:
        return False
    out.send(staff.telegram_id, t(language_of(staff, default_lang), key, **values), markup)
    return True
