"""/leave typed in the staff group: the words leave the group at once, the request goes on in
private.

A one-line `/leave 病假 明天 上午 发烧` holds the type and the reason, which only approvers may
see. The bot deletes the message as soon as it reads it (it asks for the right to when it is
bound, see handlers/school/groups.py), then handles the request exactly as if it had been sent in
private: the confirmation, a refusal and every later notice go to the teacher's private chat,
and the group is told nothing about it. When the message could not be deleted she hears it in
private, with how to avoid it next time. Only when the bot cannot write to her privately (she
never opened a chat with it, or blocked it) does the group get one neutral line with a link to
that chat. `/leave` alone in the group opens the wizard in private through a deep link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.commands import START_LEAVE
from bot.services import BotContext
from handlers.core.turn import Turn, command
from handlers.cover.boards import load_kit
from handlers.leave.request import Refusal, check_draft, draft_from_line, refusal_text, submit
from rules.leave_dates import LeaveDateError
from storage.types import stored_id

log = logging.getLogger(__name__)

Removal = Literal["deleted", "no_right", "failed"]


@dataclass(frozen=True)
class Trace:
    """What became of the teacher's message in the group, and whether she can be written to."""

    removal: Removal
    reachable: bool


async def delete_typed(update: Update) -> Removal:
    """Deletes the message that was just read (before the action's transaction, so a slow
    Telegram never holds the database)."""
    message = update.effective_message
    assert message is not None
    try:
        await message.delete()
    except (BadRequest, Forbidden) as exc:
        # "message can't be deleted": the bot is not an admin allowed to delete messages.
        log.info("could not delete a leave line in group %s: %s", message.chat_id, exc)
        return "no_right"
    except TelegramError as exc:
        log.warning("deleting a leave line in group %s failed: %s", message.chat_id, exc)
        return "failed"
    return "deleted"


async def can_write_to(context: BotContext, user_id: int) -> bool:
    """Whether the bot may write to someone privately: a chat action fails for a person who
    never started the bot (or blocked it), and shows nothing to anyone else."""
    try:
        await context.bot.send_chat_action(user_id, ChatAction.TYPING)
    except Forbidden:
        return False
    except TelegramError:
        pass  # not known to be unreachable: the outbox finds out, and keeps trying
    return True


async def remove_from_group(update: Update, context: BotContext) -> Trace:
    """The message is deleted first, then the bot checks it can go on in private."""
    user = update.effective_user
    assert user is not None
    removal = await delete_typed(update)
    return Trace(removal, await can_write_to(context, user.id))


async def group_leave_line(update: Update, context: BotContext) -> None:
    """`/leave <type> <days> …` in the group: removed from it, handled in private."""
    trace = await remove_from_group(update, context)

    @command(where="group", staff=True)
    async def run(turn: Turn) -> None:
        await _leave_line(turn, trace)

    await run(update, context)


async def _leave_line(turn: Turn, trace: Trace) -> None:
    school = turn.actor.school
    staff = turn.actor.staff
    if school is None or staff is None:
        turn.reply(turn.t("common.not_linked"))
        return
    await turn.audit("leave_group_message", removal=trace.removal, reachable=trace.reachable)
    private = turn.actor.telegram_id
    if trace.reachable:
        # Deleted, or why not and how to keep it out of the group next time.
        turn.out.send(private, turn.t(f"leave.from_group.{trace.removal}"))
    kit = await load_kit(turn, stored_id(school))
    assert kit is not None
    try:
        checked = await check_draft(turn, draft_from_line(turn.arg_text, kit.today(turn.now)))
    except (LeaveDateError, Refusal) as problem:
        turn.out.send(private, refusal_text(turn, problem))
        if not trace.reachable:
            _point_to_private(turn, trace, START_LEAVE)
        return
    await submit(turn, checked, private_chat=private)
    if not trace.reachable:
        _point_to_private(turn, trace, "")


def _point_to_private(turn: Turn, trace: Trace, payload: str) -> None:
    """The one line the group may get: her name and a link to the private chat, nothing else."""
    text = turn.t("leave.from_group.open_private", name=turn.actor.display_name)
    reply_to = None
    message = turn.update.effective_message
    if trace.removal != "deleted" and message is not None:
        reply_to = message.message_id
    turn.out.send(turn.chat_id, text, turn.private_chat_button(payload), reply_to=reply_to)


@command(where="group", staff=True)
async def group_leave_hint(turn: Turn) -> None:
    """/leave without words in the group: the wizard (and the reason) belong in private; the
    button opens it there."""
    turn.reply(turn.group_t("leave.group_hint"), turn.private_chat_button(START_LEAVE))
