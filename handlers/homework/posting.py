"""What every homework handler shares: how a posting reads, the class's standing against its cap,
the author's buttons under a posting, and replies that keep the teacher's own words.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ConversationHandler

from bot import callbacks
from bot.texts import Safe, t, visible_length
from handlers.core.turn import Turn
from rules.homework import CapCheck, Kind, Layer, posting_line_text
from rules.policies import PolicySet
from storage.homework import EDITABLE, cap_check
from storage.models import HomeworkPost, SchoolClass, Staff
from storage.types import stored_id
from views.homework import kind_label, layer_label, resend_block, total_text

END = ConversationHandler.END
# What each dialogue keeps between its steps (user_data keys).
DRAFT_KEY = "hw_draft"
EDIT_KEY = "hw_edit"
RETURN_KEY = "hw_return"
TELEGRAM_LIMIT = 4096
# Pieces of a teacher's text too long to echo in one message: short enough in UTF-16 units
# (what Telegram counts) even when every character is an emoji.
ECHO_PIECE = 2000


def resend_line(lang: str, post: HomeworkPost, class_names: list[str], subject: str) -> str:
    """The /hw line that posts this again, in the teacher's words."""
    return posting_line_text(
        class_names,
        subject,
        post.minutes,
        Kind(post.kind),
        Layer(post.layer) if post.layer else None,
        post.content,
        kind_label(lang, post.kind),
        layer_label(lang, post.layer),
    )


def standing_text(lang: str, check: CapCheck) -> Safe:
    """The class's written total as it stands, against the cap."""
    return total_text(lang, check.cap, check.total)


async def standing(
    turn: Turn, klass: SchoolClass, post: HomeworkPost, policies: PolicySet
) -> CapCheck:
    """The class's day as it stands: a check for nothing more reads the total and what is left."""
    return await cap_check(
        session=turn.session,
        klass=klass,
        day=post.day,
        policies=policies,
        kind=Kind.ORAL,
        minutes=0,
    )


def author_markup(lang: str, post: HomeworkPost, *, change: bool = False) -> InlineKeyboardMarkup:
    """修改 / 撤回 under a posting, for its author (撤回修改 under a change that waits)."""
    row = []
    if post.status in EDITABLE:
        row.append(
            InlineKeyboardButton(
                t(lang, "hw.button.edit"),
                callback_data=callbacks.HOMEWORK_EDIT_START.data(stored_id(post)),
            )
        )
    withdraw = "hw.button.withdraw_change" if change else "hw.button.withdraw"
    row.append(
        InlineKeyboardButton(
            t(lang, withdraw), callback_data=callbacks.HOMEWORK_WITHDRAW.data(stored_id(post))
        )
    )
    return InlineKeyboardMarkup([row])


def school_today(turn: Turn) -> date:
    """The day postings are for: today in the school's own time zone."""
    school = turn.actor.school
    tz = ZoneInfo(school.timezone) if school is not None else turn.svc.clock.tz
    return turn.now.astimezone(tz).date()


def lang_of(turn: Turn, staff: Staff) -> str:
    return staff.language or turn.svc.settings.default_language


def forget(turn: Turn) -> None:
    """Drops whatever a homework dialogue was keeping (the wizard, an edit, a return)."""
    for key in (DRAFT_KEY, EDIT_KEY, RETURN_KEY):
        turn.context.user_data.pop(key, None)


def reply_keeping_text(
    turn: Turn, problem: str, original: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Why something was not done, with the teacher's own words to copy and send again.

    One message when both fit Telegram's limit; otherwise the reason goes first on its own, so
    it always arrives, and the words follow in as many messages as they need. Without words
    (`original` empty: in the staff group, where they are right above the answer) the reason
    goes alone.
    """
    if not original:
        turn.reply(problem, markup)
        return
    echo = resend_block(turn.lang, original)
    whole = f"{problem}\n{echo}"
    if visible_length(whole) <= TELEGRAM_LIMIT:
        turn.reply(whole, markup)
        return
    turn.reply(problem, markup)
    if visible_length(echo) <= TELEGRAM_LIMIT:
        turn.reply(echo)
        return
    pieces = [original[i : i + ECHO_PIECE] for i in range(0, len(original), ECHO_PIECE)]
    turn.reply(resend_block(turn.lang, pieces[0]))
    for piece in pieces[1:]:
        turn.reply(turn.t("hw.resend_more", text=piece))
