"""A wizard step answered either way: a press on one of its buttons, or the answer typed.

Every step of /leave and /swap offers buttons for the usual answers and takes any other typed.
The two read the answer differently (a button carries an id; typed text is parsed, and may be
refused with the reason in the user's words) and then go on the same way: `Step` writes the two
handlers once, so each step says only how to read each and what taking the answer does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import callbacks
from handlers.core.turn import Turn, button, command

T = TypeVar("T")

# Typed answers to a wizard: text in a private chat that is not a command.
TYPED = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE


class Retry(Exception):
    """A typed answer the step cannot use; `text`, in the user's language, says why, and the
    step asks again."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def typed_text(turn: Turn) -> str:
    message = turn.update.effective_message
    return (message.text or "").strip() if message is not None else ""


async def refuse_press(turn: Turn, state: object) -> object:
    """A wizard button with data no step of ours produced: refused, audited, step unchanged."""
    assert turn.callback is not None
    await turn.refuse_press(
        reason="bad_wizard_data",
        button=f"{turn.callback.feature}:{turn.callback.action}",
        ids=list(turn.callback.ids),
    )
    return state


@dataclass(frozen=True)
class Step(Generic[T]):
    """One step: `pressed` reads the answer a press carries (None: no button of ours could
    carry it), `typed` reads typed text (raising `Retry`), `done` is what the pressed message
    says once answered (None: it stays), and `take` stores the answer and asks the next
    question, returning the wizard's next state."""

    state: object
    button: callbacks.Button
    pressed: Callable[[Turn, int | None], Awaitable[T | None]]
    typed: Callable[[Turn, str], Awaitable[T]]
    take: Callable[[Turn, T], Awaitable[object]]
    done: Callable[[Turn, T], str] | None = None

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        @button()
        async def on_press(turn: Turn) -> object:
            assert turn.callback is not None
            answer = await self.pressed(turn, turn.callback.id())
            if answer is None:
                return await refuse_press(turn, self.state)
            if self.done is not None:
                turn.edit_origin(self.done(turn, answer))
            return await self.take(turn, answer)

        @command(where="private", staff=True)
        async def on_text(turn: Turn) -> object:
            try:
                answer = await self.typed(turn, typed_text(turn))
            except Retry as problem:
                turn.reply(problem.text)
                return self.state
            return await self.take(turn, answer)

        return [
            CallbackQueryHandler(on_press, pattern=self.button.pattern),
            MessageHandler(TYPED, on_text),
        ]
