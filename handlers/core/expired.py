"""Text nobody was waiting for: a form that expired (a restart, the dialogue timeout, a command
sent in between) or words typed for no form at all.

Wizard steps live in memory, so after a restart the person's next words reach no step. Rather
than silence, they hear that the form expired and how to start it again; when their message
replies to one of the form's questions we know which form it was.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache

from telegram import Message
from telegram.ext import BaseHandler, MessageHandler

from bot.texts import catalogue
from handlers.core.turn import Turn, command
from handlers.core.wizard import TYPED

_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"\{\w+\}")


@dataclass(frozen=True)
class Form:
    how: str  # the text key that says how to start it again
    prompts: tuple[str, ...]  # the text keys of the questions it asks


# Most specific first: a confirmation that lists the homework would also read as a shorter one.
FORMS = (
    Form(
        "expired.how.leave",
        (
            "leave.wizard.confirm",
            "leave.wizard.kind",
            "leave.wizard.first",
            "leave.wizard.last",
            "leave.wizard.part",
            "leave.wizard.substitute",
            "leave.wizard.reason",
        ),
    ),
    Form(
        "expired.how.swap",
        (
            "swap.wizard.confirm",
            "swap.wizard.mine",
            "swap.wizard.colleague",
            "swap.wizard.theirs",
            "swap.wizard.theirs_none",
        ),
    ),
    Form("expired.how.homework_edit", ("hw.edit.prompt",)),
    Form("expired.how.homework_return", ("hw.ask_reason",)),
    Form(
        "expired.how.homework",
        (
            "hw.wizard.class",
            "hw.wizard.subject",
            "hw.wizard.kind",
            "hw.wizard.kind_no_written",
            "hw.wizard.layer",
            "hw.wizard.minutes",
            "hw.wizard.content",
            "hw.wizard.confirm",
        ),
    ),
)


def _pattern(template: str) -> re.Pattern[str]:
    """The message a template becomes, as Telegram hands it back (tags gone, any values)."""
    plain = html.unescape(_TAG.sub("", template))
    literal = [re.escape(part) for part in _PLACEHOLDER.split(plain)]
    return re.compile(".*?".join(literal), re.DOTALL)


@cache
def _patterns() -> tuple[tuple[Form, re.Pattern[str]], ...]:
    return tuple(
        (form, _pattern(template))
        for form in FORMS
        for key in form.prompts
        for template in catalogue()[key].values()
    )


def form_of(prompt: str) -> Form | None:
    """The form whose question this bot message was, or None."""
    return next((form for form, pattern in _patterns() if pattern.fullmatch(prompt)), None)


def _replied_prompt(message: Message | None) -> str | None:
    replied = message.reply_to_message if message is not None else None
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    return replied.text or None


@command(where="private")
async def on_unclaimed_text(turn: Turn) -> None:
    """Words no step took: the form they answer expired, or there was none."""
    answer_unclaimed(turn)


# A command typed with the full-width slash a Chinese keyboard gives: Telegram sees no command.
_WIDE_COMMAND = re.compile(r"\s*／([A-Za-z]\w*)(.*)", re.DOTALL)


def answer_unclaimed(turn: Turn) -> None:
    """What words no step took are answered with (also for a feature that looked first)."""
    message = turn.update.effective_message
    wide = _WIDE_COMMAND.fullmatch(message.text or "") if message is not None else None
    if wide is not None:
        turn.reply(turn.t("expired.wide_slash", line=f"/{wide[1]}{wide[2]}".strip()))
        return
    prompt = _replied_prompt(message)
    form = form_of(prompt) if prompt is not None else None
    if form is None:
        turn.reply(turn.t("expired.unclaimed"))
        return
    turn.reply(turn.t("expired.form", how=turn.t(form.how)))


def fallback_handlers() -> list[BaseHandler]:
    """After every feature: only text that no wizard, prompt or command took."""
    text = TYPED
    return [MessageHandler(text, on_unclaimed_text)]
