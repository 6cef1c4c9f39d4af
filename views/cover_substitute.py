"""What the substitute reads in private: the buttons under "please cover", the question that
comes when they decline, what a decline too late leaves them, and the reminder shortly before the
lesson."""

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


def _still_rows(lang: str, need: CoverNeed) -> list[list[InlineKeyboardButton]]:
    """收到 while the cover is unconfirmed, and 已上 (refused before the lesson begins)."""
    need_id = stored_id(need)
    rows = []
    if need.acknowledged_at is None:
        ack = callbacks.COVER_ACKNOWLEDGE.data(need_id, need.version)
        rows.append([InlineKeyboardButton(t(lang, "cover.button.ack"), callback_data=ack)])
    taught = callbacks.COVER_TAUGHT.data(need_id)
    rows.append([InlineKeyboardButton(t(lang, "handover.taught.button"), callback_data=taught)])
    return rows


def still_yours(lang: str, need: CoverNeed, refusal: str) -> tuple[Safe, InlineKeyboardMarkup]:
    """A decline refused because the lesson began: the lesson is still theirs, so the notice
    keeps what can still be pressed instead of losing every button."""
    unconfirmed = need.acknowledged_at is None
    key = "cover.decline.still_yours" if unconfirmed else "cover.decline.still_taught"
    text = Safe(f"{refusal}\n{t(lang, key)}")
    return text, InlineKeyboardMarkup(_still_rows(lang, need))


def reminder_markup(lang: str, need: CoverNeed) -> InlineKeyboardMarkup:
    """Under the reminder: 已上 for after the lesson, and 收到 for a substitute who has not
    confirmed yet (the reminder and its handover come all the same)."""
    return InlineKeyboardMarkup(_still_rows(lang, need))


def reminder_text(
    lang: str, names: Names, schedule: Schedule, need: CoverNeed, minutes: int
) -> Safe:
    """Shortly before the lesson: which one, for whom, and in how many minutes."""
    text = t(
        lang,
        "cover.reminder",
        minutes=minutes,
        lesson=Safe(need_label(lang, names, schedule, need)),
        teacher=names.person(need.absent_id),
    )
    if need.acknowledged_at is None:
        return Safe(f"{text}\n{t(lang, 'cover.reminder_unconfirmed')}")
    return text
