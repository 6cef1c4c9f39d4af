"""Link requests (/register) as the admins see them: the request's buttons, and the name its
message is kept under to be redrawn when it is decided or expires."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.request_messages import about
from bot.texts import t
from storage.models import Registration
from storage.types import stored_id

KEPT = "registration"


def decision_markup(lang: str, registration: Registration) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "register.approve"),
                    callback_data=callbacks.REGISTRATION_APPROVE.data(stored_id(registration)),
                ),
                InlineKeyboardButton(
                    t(lang, "register.reject"),
                    callback_data=callbacks.REGISTRATION_REJECT.data(stored_id(registration)),
                ),
            ]
        ]
    )


def kept_about(registration: Registration, lang: str) -> str:
    return about(KEPT, stored_id(registration), lang)
