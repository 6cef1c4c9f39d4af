"""/hw in the staff group: posting there is what the bot is for, but the group reads one line.

The posting goes through exactly the checks of the private one-line form (who may post where,
the grade's cap); what the teacher would have read in private (the posting with its 修改 / 撤回
buttons, a refusal with its choices, an exception to ask for) goes to her private chat, and the
group gets one short line: what was recorded and the day's written total against the cap, or
the refusal and the minutes left. `/hw` alone in the group opens the wizard in private with a
deep link.
"""

from __future__ import annotations

from bot.commands import START_HW
from bot.messages import Send
from bot.texts import Safe
from handlers.core.turn import Turn
from rules.homework import CapVerdict, Kind
from rules.states import HomeworkStatus
from storage.homework import Placed
from storage.models import Subject
from views.homework import kind_label, total_text


def mark_answers(turn: Turn) -> int:
    """Where the answers of the group command start in the outbox (see `move_answers`)."""
    return len(turn.out.items)


def move_answers(turn: Turn, since: int) -> None:
    """The answers queued for the group since `since` go to the teacher's private chat instead:
    the buttons under them (修改, 撤回, 申请例外) are hers, and the group is not a place for
    choices only she can make."""
    for item in turn.out.items[since:]:
        # A notice to the group's homework topic (another topic than hers) stays in the group.
        if (
            isinstance(item, Send)
            and item.chat_id == turn.chat_id
            and item.message_thread_id == turn.thread_id
        ):
            item.chat_id = turn.actor.telegram_id
            item.reply_to = None


def group_line(
    turn: Turn, placed: list[Placed], subject: Subject, kind: Kind, minutes: int
) -> Safe:
    """One line for the group: per class, recorded (and its total against the cap) or not."""
    parts = [_class_part(turn, item, subject, kind, minutes) for item in placed]
    text = turn.group_t("hw.group_line.sep").join(parts)
    if not all(item.check.ok for item in placed):
        text += turn.group_t("hw.group_line.choices_private")
    return Safe(text)


def _class_part(turn: Turn, item: Placed, subject: Subject, kind: Kind, minutes: int) -> str:
    check = item.check
    post = item.post
    what = _what(turn, item, subject, kind, minutes)
    if check.verdict == CapVerdict.NO_WRITTEN:
        return turn.group_t("hw.group_line.no_written", klass=item.klass.name)
    if not check.ok:
        return turn.group_t(
            "hw.group_line.over",
            what=what,
            total=check.total,
            cap=check.cap if check.cap is not None else "—",
            left=check.left or 0,
        )
    total = total_text(turn.group_lang, check.cap, check.after)
    status = post.status if post is not None else HomeworkStatus.DRAFT
    key = {"published": "published", "pending": "pending"}.get(status, "held")
    return turn.group_t(f"hw.group_line.{key}", what=what, total=total)


def _what(turn: Turn, item: Placed, subject: Subject, kind: Kind, minutes: int) -> Safe:
    """`三(2) 语文 20 分钟` (with the kind when it is not written homework)."""
    label = "" if kind == Kind.WRITTEN else kind_label(turn.group_lang, kind.value)
    return turn.group_t(
        "hw.group_line.what",
        klass=item.klass.name,
        subject=subject.name,
        kind=f"{label} " if label else "",
        minutes=minutes,
    )


def open_wizard_privately(turn: Turn) -> None:
    """`/hw` alone in the group: the wizard's buttons and questions belong in private."""
    turn.reply(turn.group_t("hw.group_wizard"), turn.private_chat_button(START_HW))
