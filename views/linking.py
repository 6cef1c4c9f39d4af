"""Link requests (/register) as the admins see them: the request's buttons, and the name its
message is kept under to be redrawn when it is decided or expires."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.request_messages import about
from bot.texts import t
from storage.models import Registration

KEPT = "registration"


def decision_markup(lang: str, registration: Registration) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "register.approve"),
                    callback_data=callbacks.encode("reg", "ok", registration.id or 0),
                ),
                InlineKeyboardButton(
                    t(lang, "register.reject"),
                    callback_data=callbacks.encode("reg", "no", registration.id or 0),
                ),
            ]
        ]
    )


def kept_about(registration: Registration, lang: str) -> str:
    return about(KEPT, registration.id or 0, lang)
