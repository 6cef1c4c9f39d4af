"""退回: an approver returns a posting with a reason the teacher will read.

The reason is typed, then shown back with 确认退回 / 取消: nothing is returned until the
approver confirms, so a message typed for something else can never return a posting by
accident. Typing again replaces the reason; only the newest confirmation counts.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import typed_text
from handlers.homework.decisions import MAX_REASON, apply_decision, find_decision
from handlers.homework.posting import END, RETURN_KEY

REASON = "hw.reason"


@button()
async def ask_return_reason(turn: Turn) -> str | None:
    """An approver pressed 退回: checks the press, then asks why (the teacher will be told)."""
    assert turn.callback is not None
    if turn.callback.action not in ("no", "xno"):
        await turn.refuse_press(reason="bad_action")
        return None
    found = await find_decision(turn, turn.callback.action, turn.callback.ids)
    if found is None:
        return None
    query = turn.update.callback_query
    assert query is not None and query.message is not None
    turn.context.user_data[RETURN_KEY] = {
        "action": turn.callback.action,
        "ids": list(turn.callback.ids),
        "origin": [query.message.chat.id, query.message.message_id],
    }
    turn.reply(turn.t("hw.ask_reason", klass=found.klass.name, subject=found.subject.name))
    return REASON


@command(where="private", staff=True)
async def on_return_reason(turn: Turn) -> object:
    """Keeps the reason and shows it back with 确认退回 / 取消."""
    pending = turn.context.user_data.get(RETURN_KEY)
    if pending is None:
        return END
    message = turn.update.effective_message
    reason = typed_text(turn)
    if len(reason) > MAX_REASON:
        turn.reply(turn.t("common.too_long", limit=MAX_REASON))
        return REASON
    found = await find_decision(turn, pending["action"], tuple(pending["ids"]))
    if found is None:
        turn.context.user_data.pop(RETURN_KEY, None)
        turn.reply(turn.t("hw.return_too_late"))
        return END
    # The typed message names this confirmation: an older one's button no longer counts.
    pending["reason"] = reason
    pending["typed"] = message.message_id if message is not None else 0
    ids = (*pending["ids"], pending["typed"])
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    turn.t("hw.button.confirm_return"),
                    callback_data=callbacks.HOMEWORK_RETURN_SEND.data(*ids),
                ),
                InlineKeyboardButton(
                    turn.t("hw.button.cancel"),
                    callback_data=callbacks.HOMEWORK_RETURN_CANCEL.data(*ids),
                ),
            ]
        ]
    )
    turn.reply(
        turn.t(
            "hw.return_confirm",
            klass=found.klass.name,
            subject=found.subject.name,
            reason=reason,
        ),
        markup,
    )
    return REASON


@button()
async def on_return_confirm(turn: Turn) -> object:
    """确认退回 returns the posting and tells the teacher why; 取消 leaves it undecided."""
    assert turn.callback is not None
    pending = turn.context.user_data.get(RETURN_KEY) or {}
    current = (*pending["ids"], pending["typed"]) if pending and "reason" in pending else None
    if current is None or turn.callback.ids != current:
        await turn.refuse_press(reason="stale_return")
        return None
    turn.context.user_data.pop(RETURN_KEY, None)
    if turn.callback.action != "ok":
        turn.edit_origin(turn.t("hw.return_kept"))
        return END
    found = await find_decision(turn, pending["action"], tuple(pending["ids"]))
    if found is None:
        return END
    chat_id, message_id = pending["origin"]
    if await apply_decision(
        turn, found, approve=False, reason=pending["reason"], origin=(chat_id, message_id)
    ):
        turn.edit_origin(turn.t("hw.returned_done", klass=found.klass.name))
    return END
