"""What the substitute reads in private: the buttons under "please cover", the question that
comes when they decline, and the reminder shortly before the lesson."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from storage.models import CoverNeed
from storage.schedule import Names, Schedule
from storage.types import stored_id
from views.leave import need_label


def substitute_notice_markup(lang: str, need: CoverNeed) -> InlineKeyboardMarkup:
    """收到 and 拒绝 under the notice to whoever is asked to cover."""
    need_id = stored_id(need)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "cover.button.ack"),
                    callback_data=callbacks.COVER_ACKNOWLEDGE.data(need_id, need.version),
                ),
                InlineKeyboardButton(
                    t(lang, "cover.button.decline"),
                    callback_data=callbacks.COVER_DECLINE.data(need_id, need.version),
                ),
            ]
        ]
    )


def decline_prompt(lang: str, need: CoverNeed, lesson: str) -> tuple[Safe, InlineKeyboardMarkup]:
    """After 拒绝: asks for a reason, which may be skipped; 收到 still takes the lesson."""
    need_id = stored_id(need)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "cover.button.decline_now"),
                    callback_data=callbacks.COVER_DECLINE_NOW.data(need_id, need.version),
                )
            ],
            [
                InlineKeyboardButton(
                    t(lang, "cover.button.ack"),
                    callback_data=callbacks.COVER_ACKNOWLEDGE.data(need_id, need.version),
                )
            ],
        ]
    )
    return t(lang, "cover.decline.ask_reason", lesson=Safe(lesson)), markup


def reminder_text(
    lang: str, names: Names, schedule: Schedule, need: CoverNeed, minutes: int
) -> Safe:
    """Shortly before the lesson: which one, for whom, and in how many minutes."""
    return t(
        lang,
        "cover.reminder",
        minutes=minutes,
        lesson=Safe(need_label(lang, names, schedule, need)),
        teacher=names.person(need.absent_id),
    )
