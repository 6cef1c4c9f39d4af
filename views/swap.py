"""What a swap's decision requests look like: the colleague's 同意 / 拒绝, the arranger's
批准 / 驳回 (pure rendering: language, kit and swap in; text and buttons out)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from storage.models import LessonSwap
from storage.schedule import Kit
from storage.types import stored_id
from views.leave import swap_line


def _decision_markup(
    lang: str, swap: LessonSwap, yes: str, no: str, kinds: tuple[callbacks.Button, callbacks.Button]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, yes), callback_data=kinds[0].data(stored_id(swap))),
                InlineKeyboardButton(t(lang, no), callback_data=kinds[1].data(stored_id(swap))),
            ]
        ]
    )


def ask_colleague_message(
    lang: str, kit: Kit, swap: LessonSwap
) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        lang,
        "swap.ask_colleague",
        name=kit.names.person(swap.proposer_id),
        swap=Safe(swap_line(lang, kit.names, kit.schedule, swap)),
    )
    return text, _decision_markup(
        lang,
        swap,
        "swap.button.agree",
        "swap.button.decline",
        (callbacks.SWAP_AGREE, callbacks.SWAP_DECLINE),
    )


def ask_arranger_message(lang: str, kit: Kit, swap: LessonSwap) -> tuple[str, InlineKeyboardMarkup]:
    text = t(lang, "swap.ask_arranger", swap=Safe(swap_line(lang, kit.names, kit.schedule, swap)))
    return text, _decision_markup(
        lang,
        swap,
        "swap.button.approve",
        "swap.button.reject",
        (callbacks.SWAP_APPROVE, callbacks.SWAP_REJECT),
    )
