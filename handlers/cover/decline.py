"""拒绝: the substitute says no to a lesson they were asked to cover, with a reason if they like.

The press asks for the reason first and changes nothing; the lesson is given back when the
reason comes, or at once with 不说明原因. Then it is open to arrange again (its version moves on,
so the boards' old buttons are refused), the arrangers are told who declined and why, their
boards are drawn again and a posted slip says so. Once the lesson has begun, it is too late.

The question is also kept in the database (storage/cover_declines.py): when the bot restarted
while the substitute was typing, the reason they send next is still taken, unless they went on
to something else first.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot import callbacks
from bot.services import BotContext
from bot.texts import Safe
from handlers.core.dialogue import DIALOGUE_TIMEOUT, Untouched, dialogue
from handlers.core.expired import answer_unclaimed
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import TYPED, typed_text
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import load_kit, need_for_press, tell_arrangers, update_slips
from handlers.cover.locked import lesson_locked
from handlers.cover.substitute import on_acknowledge
from jobs import kinds
from rules.states import CoverStatus
from storage.cover import decline
from storage.cover_declines import forget_ask, remember_ask, take_ask
from storage.models import CoverNeed, DeclineAsk
from storage.schedule import Kit
from storage.types import stored_id
from views.cover_substitute import decline_prompt, still_yours
from views.leave import need_label

REASON = 1
DECLINE_KEY = "cover_decline"
MAX_REASON = 200
END = ConversationHandler.END


async def _refusal(turn: Turn, kit: Kit, need: CoverNeed, version: int) -> str | None:
    """Why this lesson can no longer be declined, in the substitute's words; None if it can."""
    me = turn.actor.staff
    lesson = Safe(need_label(turn.lang, kit.names, kit.schedule, need))
    if (
        me is None
        or need.substitute_id != me.id
        or need.version != version
        or need.status != CoverStatus.ASSIGNED
    ):
        return turn.t("cover.ack.outdated", lesson=lesson)
    start = kit.schedule.lesson_start(need.day, need.period)
    if start is not None and start <= turn.now:
        return turn.t("cover.decline.too_late", lesson=lesson, start=f"{start:%H:%M}")
    # A period without a bell time has no start to be late for; its month may be locked.
    return await lesson_locked(turn, kit, need)


def _kept(
    turn: Turn, kit: Kit, need: CoverNeed, version: int, refusal: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A decline refused because the lesson began leaves the lesson theirs: its notice keeps
    收到 (if unconfirmed) and 已上 and says so; any other refusal leaves no buttons."""
    start = kit.schedule.lesson_start(need.day, need.period)
    me = turn.actor.staff
    theirs = me is not None and need.substitute_id == me.id and need.version == version
    if not theirs or need.status != CoverStatus.ASSIGNED or start is None or start > turn.now:
        return refusal, None
    return still_yours(turn.lang, need, refusal)


async def _pressed(turn: Turn, button_kind: callbacks.Button) -> tuple[CoverNeed, Kit, int] | None:
    """The need a decline button names, if the presser is its substitute and may still decline;
    otherwise the press is answered here."""
    assert turn.callback is not None
    found = await need_for_press(turn)
    version = button_kind.field(turn.callback, "version")
    if found is None or version is None:
        return None
    need, kit = found
    me = turn.actor.staff
    if me is None or (need.substitute_id != me.id and need.version == version):
        # Never this person's lesson to cover: a forwarded or forged button.
        await turn.deny_press(
            subject_type="cover_need", subject_id=need.id, button=f"cov:{turn.callback.action}"
        )
        return None
    refusal = await _refusal(turn, kit, need, version)
    if refusal is not None:
        turn.toast(refusal, alert=True)
        turn.edit_origin(*_kept(turn, kit, need, version, refusal))
        return None
    return need, kit, version


async def _decline(turn: Turn, kit: Kit, need: CoverNeed, version: int, reason: str) -> str:
    """Gives the lesson back, if it is still as read; returns what the substitute is told."""
    me = turn.actor.staff
    assert me is not None
    lesson = Safe(need_label(turn.lang, kit.names, kit.schedule, need))
    if not await decline(session=turn.session, need=need, version=version, staff_id=me.id or 0):
        return turn.t("cover.ack.outdated", lesson=lesson)
    await turn.audit(
        "cover_declined", subject_type="cover_need", subject_id=need.id, with_reason=bool(reason)
    )
    if reason:
        await tell_arrangers(
            turn, kit, need, "cover.decline.for_arranger_reason", name=me.name, reason=reason
        )
    else:
        await tell_arrangers(turn, kit, need, "cover.decline.for_arranger", name=me.name)
    redraw_copies(turn, kit, need.day, focus=need.id)
    update_slips(turn, kit, [need.day])
    await turn.schedule_changed(need.school_id, kinds.COVER)
    return turn.t("cover.decline.done", lesson=lesson)


@button()
async def on_decline_press(turn: Turn) -> object:
    """拒绝: asks for a reason (or none) before the lesson is given back."""
    found = await _pressed(turn, callbacks.COVER_DECLINE)
    if found is None:
        return END
    need, kit, version = found
    query = turn.update.callback_query
    assert query is not None and query.message is not None
    turn.context.user_data[DECLINE_KEY] = (
        stored_id(need),
        version,
        query.message.chat.id,
        query.message.message_id,
    )
    await remember_ask(
        session=turn.session,
        ask=DeclineAsk(
            telegram_id=turn.actor.telegram_id,
            need_id=stored_id(need),
            version=version,
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            asked_at=turn.now,
        ),
    )
    text, markup = decline_prompt(
        turn.lang, need, need_label(turn.lang, kit.names, kit.schedule, need)
    )
    turn.toast()
    turn.edit_origin(text, markup)
    return REASON


@button()
async def on_decline_now(turn: Turn) -> object:
    """不说明原因: gives the lesson back without a reason."""
    turn.context.user_data.pop(DECLINE_KEY, None)
    await forget_ask(session=turn.session, telegram_id=turn.actor.telegram_id)
    found = await _pressed(turn, callbacks.COVER_DECLINE_NOW)
    if found is None:
        return END
    need, kit, version = found
    text = await _decline(turn, kit, need, version, "")
    turn.toast()
    turn.edit_origin(text)
    return END


@command(where="private", staff=True)
async def on_decline_reason(turn: Turn) -> object:
    """Gives the lesson back with the reason typed."""
    asked = turn.context.user_data.pop(DECLINE_KEY, None)
    if asked is None:
        turn.reply(turn.t("common.button_invalid"))
        return END
    reason = typed_text(turn)
    if len(reason) > MAX_REASON:
        turn.context.user_data[DECLINE_KEY] = asked
        turn.reply(turn.t("common.too_long", limit=MAX_REASON))
        return REASON
    await forget_ask(session=turn.session, telegram_id=turn.actor.telegram_id)
    need_id, version, chat_id, message_id = asked
    await _answer(turn, need_id, version, chat_id, message_id, reason)
    return END


@command(where="private")
async def on_reason_after_restart(turn: Turn) -> None:
    """Words from someone the bot asked why they decline, before it restarted: their reason.
    Anything else typed is answered as any text nobody waits for."""
    ask = None
    if turn.actor.staff is not None:
        ask = await take_ask(
            session=turn.session,
            telegram_id=turn.actor.telegram_id,
            asked_since=turn.now - DIALOGUE_TIMEOUT,
        )
    if ask is None:
        answer_unclaimed(turn)
        return
    reason = typed_text(turn)
    if len(reason) > MAX_REASON:
        await remember_ask(session=turn.session, ask=DeclineAsk(**ask.model_dump()))  # still asked
        turn.reply(turn.t("common.too_long", limit=MAX_REASON))
        return
    await _answer(turn, ask.need_id, ask.version, ask.chat_id, ask.message_id, reason)


async def _answer(
    turn: Turn, need_id: int, version: int, chat_id: int, message_id: int, reason: str
) -> None:
    """Gives the lesson back with `reason`, or says why it cannot be any more."""
    need = await turn.session.get(CoverNeed, need_id)
    if need is None or need.school_id != turn.actor.school_id:
        turn.reply(turn.t("common.button_invalid"))
        return
    kit = await load_kit(turn, need.school_id)
    if kit is None:
        return
    refusal = await _refusal(turn, kit, need, version)
    text = refusal if refusal is not None else await _decline(turn, kit, need, version, reason)
    # The question's buttons would only be refused now.
    turn.out.edit(chat_id, message_id, *_kept(turn, kit, need, version, text))
    turn.reply(text)


@command(where="any")
async def on_decline_cancel(turn: Turn) -> object:
    """/cancel while asked for the reason: the lesson stays the substitute's."""
    turn.context.user_data.pop(DECLINE_KEY, None)
    await forget_ask(session=turn.session, telegram_id=turn.actor.telegram_id)
    turn.reply(turn.t("cover.decline.cancelled"))
    return END


async def on_keep(update: Update, context: BotContext) -> object:
    """收到 under the question: the substitute keeps the lesson after all, and what they type
    next is no reason to decline."""
    if context.user_data is not None:
        context.user_data.pop(DECLINE_KEY, None)
    await on_acknowledge(update, context)
    return END


def handlers() -> list[BaseHandler]:
    """Before the substitute's other buttons: while asked for a reason, 收到 ends the question."""
    return [
        dialogue(
            "cover_decline",
            entry_points=[
                CallbackQueryHandler(on_decline_press, pattern=callbacks.COVER_DECLINE.pattern)
            ],
            states={
                REASON: [
                    MessageHandler(TYPED, on_decline_reason),
                    CallbackQueryHandler(
                        on_decline_now, pattern=callbacks.COVER_DECLINE_NOW.pattern
                    ),
                    CallbackQueryHandler(on_keep, pattern=callbacks.COVER_ACKNOWLEDGE.pattern),
                ]
            },
            fallbacks=[CommandHandler("cancel", on_decline_cancel)],
        ),
        # The same button pressed after the dialogue was forgotten (a restart, a timeout).
        CallbackQueryHandler(on_decline_now, pattern=callbacks.COVER_DECLINE_NOW.pattern),
        # The reason typed after a restart forgot the dialogue (before handlers/core/expired.py).
        MessageHandler(TYPED & Untouched(), on_reason_after_restart),
    ]
