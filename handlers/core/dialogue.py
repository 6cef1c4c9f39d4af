"""One dialogue at a time: typed text goes to the wizard or prompt a person started last.

Each wizard (/leave, /hw, /swap) and each "type the reason" prompt is a ConversationHandler.
Left unfinished, one of them would otherwise keep catching whatever the person types next, even
an answer meant for a wizard started later. Here a person's typed text belongs to the dialogue
they touched last: any command in a private chat releases the claim, the dialogue it starts
takes it, and a button of an older dialogue takes it back. An abandoned dialogue also ends by
itself after DIALOGUE_TIMEOUT. Text that no dialogue takes any more (after the timeout, or a
restart that forgot them all) is answered by handlers/core/expired.py.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

DIALOGUE_TIMEOUT = timedelta(minutes=30)

# (id of the application's bot, chat id, user id) → the dialogue that owns typed text. Keyed by
# the bot object so that applications in one process (tests) never see each other's claims.
_OWNERS: dict[tuple[int, int, int], str] = {}
# Everyone who started, answered or left a dialogue since the bot started: for anyone else,
# typed text may answer a question asked before a restart (see `Untouched`).
_TOUCHED: set[tuple[int, int, int]] = set()


def _key(update: Update) -> tuple[int, int, int] | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    return (id(update.get_bot()), chat.id, user.id)


def claim(update: Update, name: str) -> None:
    key = _key(update)
    if key is not None:
        _OWNERS[key] = name
        _TOUCHED.add(key)


def release(update: Update, name: str | None = None) -> None:
    key = _key(update)
    if key is not None:
        _TOUCHED.add(key)
        if name is None or _OWNERS.get(key) == name:
            _OWNERS.pop(key, None)


class OwnedBy(filters.UpdateFilter):
    """Typed text that belongs to dialogue `name`."""

    def __init__(self, name: str) -> None:
        super().__init__(name=f"OwnedBy({name})")
        self.dialogue = name

    def filter(self, update: Update) -> bool:
        key = _key(update)
        return key is not None and _OWNERS.get(key) == self.dialogue


class Untouched(filters.UpdateFilter):
    """Typed text from someone who has not touched any dialogue since the bot started: what
    they type may answer a question asked before a restart, kept in the database."""

    def __init__(self) -> None:
        super().__init__(name="Untouched")

    def filter(self, update: Update) -> bool:
        key = _key(update)
        return key is not None and key not in _TOUCHED


async def _command_releases(update: Update, _context: Any) -> None:
    release(update)


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Before any other handler, a command in a private chat releases the typed-text claim."""
    for key in [k for k in _OWNERS if k[0] == id(application.bot)]:
        del _OWNERS[key]
    _TOUCHED.difference_update([k for k in _TOUCHED if k[0] == id(application.bot)])
    command = filters.COMMAND & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(command, _command_releases), group=-1)


Callback = Callable[[Update, Any], Coroutine[Any, Any, object]]


def _claiming(name: str, callback: Callback) -> Callback:
    @functools.wraps(callback)
    async def wrapper(update: Update, context: Any) -> object:
        claim(update, name)
        result = await callback(update, context)
        if result == ConversationHandler.END:
            release(update, name)
        return result

    return wrapper


def dialogue(
    name: str,
    *,
    entry_points: Sequence[BaseHandler[Any, Any, Any]],
    states: dict[object, Sequence[BaseHandler[Any, Any, Any]]],
    fallbacks: Sequence[BaseHandler[Any, Any, Any]],
) -> ConversationHandler[Any]:
    """A ConversationHandler whose typed-text steps answer only while it owns the dialogue."""
    steps = [handler for handlers in states.values() for handler in handlers]
    for handler in [*entry_points, *fallbacks, *steps]:
        handler.callback = _claiming(name, handler.callback)
    for handler in steps:
        if isinstance(handler, MessageHandler):
            handler.filters = handler.filters & OwnedBy(name)
    with warnings.catch_warnings():
        # Tracked per chat and user, not per message, on purpose: a dialogue's buttons say which
        # step they answer, and typed text must reach the step the person is on.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=list(entry_points),
            states={state: list(handlers) for state, handlers in states.items()},
            fallbacks=list(fallbacks),
            allow_reentry=True,
            conversation_timeout=DIALOGUE_TIMEOUT,
            name=name,
        )
