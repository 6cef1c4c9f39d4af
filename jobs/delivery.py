"""Sending a scheduled push to the staff groups and admins; one failure does not stop the rest."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.config import Settings
from bot.texts import t
from storage.schools import deactivate_group, migrate_group, staff_groups
from storage.staff import admin_recipients

log = logging.getLogger(__name__)


async def send_to_chat(
    bot: Bot,
    session: AsyncSession,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Any | None:
    """Sends one message; follows a supergroup migration and retires a group that kicked us."""
    try:
        return await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except ChatMigrated as exc:
        await migrate_group(session=session, old_chat_id=chat_id, new_chat_id=exc.new_chat_id)
        return await send_to_chat(bot, session, exc.new_chat_id, text, markup)
    except Forbidden as exc:
        log.info("chat %s refused a push: %s", chat_id, exc.message)
        if chat_id < 0:
            await deactivate_group(session=session, chat_id=chat_id)
    except BadRequest as exc:
        log.warning("Telegram refused a push to %s: %s", chat_id, exc.message)
    except TelegramError as exc:
        log.warning("push to %s failed: %s", chat_id, exc)
    return None


async def send_to_staff_groups(
    bot: Bot,
    session: AsyncSession,
    school_id: int,
    texts: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Sends the texts to every bound group of the school; returns how many messages went out."""
    sent = 0
    for group in await staff_groups(session=session, school_id=school_id):
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            if await send_to_chat(bot, session, group.chat_id, text, markup if last else None):
                sent += 1
    return sent


async def notify_admins(
    bot: Bot, session: AsyncSession, settings: Settings, school_id: int, key: str, **values: object
) -> int:
    sent = 0
    for telegram_id, lang in await admin_recipients(
        session=session,
        school_id=school_id,
        system_admins=settings.bootstrap_admin_ids,
        default_language=settings.default_language,
    ):
        if await send_to_chat(bot, session, telegram_id, t(lang, key, **values)):
            sent += 1
    return sent
