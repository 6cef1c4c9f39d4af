"""The one error handler: logs, tells the admins briefly, apologises to the user."""

from __future__ import annotations

import logging
import time

from telegram import Update

from bot.messages import Answer, Send
from bot.services import BotContext
from bot.texts import t
from handlers.core.actor import language_of

log = logging.getLogger(__name__)

# Admins hear of each kind of error at most once in this many seconds: a failing job must not
# flood their chat.
ADMIN_NOTICE_INTERVAL = 300.0


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    log.error("error while handling an update", exc_info=error)
    svc = context.svc
    kind = type(error).__name__
    where = _where(update)
    last = svc.error_notices
    now = time.monotonic()
    if now - last.get(kind, -ADMIN_NOTICE_INTERVAL) >= ADMIN_NOTICE_INTERVAL:
        last[kind] = now
        # Through the dispatcher's lanes: an error handler waiting on Telegram would hold up
        # the next update.
        svc.dispatcher.submit(
            [
                Send(
                    admin_id,
                    t(svc.settings.default_language, "common.error_admin", error=kind, where=where),
                )
                for admin_id in sorted(svc.settings.bootstrap_admin_ids)
            ]
        )
    if isinstance(update, Update) and update.effective_chat is not None:
        lang = svc.settings.default_language
        if update.effective_user is not None:
            try:
                async with svc.sessions() as session:
                    lang = await language_of(
                        session=session, settings=svc.settings, telegram_id=update.effective_user.id
                    )
            except Exception:  # the database may be what failed; the apology still goes out
                log.debug("language lookup failed", exc_info=True)
        if update.callback_query is not None:
            svc.dispatcher.submit([Answer(update.callback_query.id, t(lang, "common.error"), True)])
        else:
            svc.dispatcher.submit([Send(update.effective_chat.id, t(lang, "common.error"))])


def _where(update: object) -> str:
    if not isinstance(update, Update):
        return "job"
    message = update.effective_message
    if update.callback_query is not None:
        return f"button {(update.callback_query.data or '')[:20]}"
    if message is not None and message.text and message.text.startswith("/"):
        return message.text.split(maxsplit=1)[0][:32]
    return "update"
