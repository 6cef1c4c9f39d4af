"""The calendar feed link, as `/calendar me` shows it in private."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import t


def feed_message(
    lang: str, link: str, *, renewed: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """The link to subscribe to (kept secret: whoever has it sees the timetable), and the
    button that replaces it."""
    key = "feed.link_renewed" if renewed else "feed.link"
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "feed.button.new"), callback_data=callbacks.FEED_NEW_LINK.data()
                )
            ]
        ]
    )
    return t(lang, key, link=link), markup
