"""The staff group: /bind, the bot being added or removed, and the upgrade to a supergroup."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberAdministrator, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.services import BotContext
from bot.texts import t
from handlers.core.actor import GROUP_TYPES, language_of
from handlers.core.outbox import Outbox
from handlers.core.turn import Turn, command
from rules.roles import ADMIN
from storage import audit
from storage.schools import (
    bind_group,
    deactivate_group,
    group_for_chat,
    list_schools,
    migrate_group,
    note_unbound,
    school_by_id,
    school_by_name,
)
from storage.staff import admin_recipients, save_user_pref, staff_for_telegram
from storage.types import stored_id

log = logging.getLogger(__name__)


async def may_delete_messages(update: Update, context: BotContext) -> bool | None:
    """Whether the bot may delete other people's messages in this group (None: not a group,
    or Telegram did not say). Asked before the action's transaction, so a slow Telegram never
    holds the database."""
    chat = update.effective_chat
    if chat is None or chat.type not in GROUP_TYPES:
        return None
    try:
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError as exc:
        log.warning("could not read the bot's rights in %s: %s", chat.id, exc)
        return None
    if member.status == ChatMember.OWNER:
        return True
    return isinstance(member, ChatMemberAdministrator) and member.can_delete_messages


async def on_bind(update: Update, context: BotContext) -> None:
    """`/bind`: the bot's own rights are read first; the answer says if it cannot delete."""
    can_delete = await may_delete_messages(update, context)

    @command(where="group", unbound_ok=True)
    async def run(turn: Turn) -> None:
        await cmd_bind(turn, can_delete)

    await run(update, context)


async def cmd_bind(turn: Turn, can_delete: bool | None) -> None:
    """`/bind <school>` in a group: makes it that school's staff group (admins only)."""
    name = turn.arg_text
    if not name:
        turn.reply(turn.t("bind.usage"))
        return
    school = await school_by_name(session=turn.session, name=name)
    records = await staff_for_telegram(session=turn.session, telegram_id=turn.actor.telegram_id)
    admin_of = {r.school_id for r in records if ADMIN in r.role_set}
    if school is None and (turn.actor.is_sysadmin or admin_of):
        # A mistyped name from an admin deserves the list of names they could have meant; a
        # school admin sees only their own schools, never the other schools on the deployment.
        known = [
            s.name
            for s in await list_schools(session=turn.session)
            if turn.actor.is_sysadmin or s.id in admin_of
        ]
        turn.reply(turn.t("bind.unknown_school", name=name, known="、".join(known) or "—"))
        return
    if not (turn.actor.is_sysadmin or (school is not None and school.id in admin_of)):
        await turn.audit("denied", command="/bind", school=name[:100], chat=turn.chat_id)
        turn.reply(turn.t("bind.not_admin"))
        return
    assert school is not None
    chat = turn.update.effective_chat
    assert chat is not None
    bound = turn.actor.group
    if (
        bound is not None
        and bound.school_id != school.id
        and not turn.actor.is_sysadmin
        and bound.school_id not in admin_of
    ):
        # The group carries its school's pushes; an admin of another school taking it over
        # would silently cut that school's staff off from them.
        await _refuse_move(turn, bound.school_id, school.name)
        return
    group, previous = await bind_group(
        session=turn.session,
        school_id=stored_id(school),
        chat_id=chat.id,
        title=chat.title or "",
        by=turn.actor.telegram_id,
        now=turn.now,
    )
    await turn.audit(
        "group_bound", school_id=school.id, subject_type="group", subject_id=group.id, chat=chat.id
    )
    if turn.actor.is_sysadmin:
        await save_user_pref(
            session=turn.session, telegram_id=turn.actor.telegram_id, school_id=school.id
        )
    if previous is not None and previous != school.id:
        old = await school_by_id(session=turn.session, school_id=previous)
        old_name = old.name if old else "?"
        turn.reply(
            turn.t("bind.moved", school=school.name, old=old_name) + _rights(turn, can_delete)
        )
        await _tell_old_admins(turn, previous, old_name, school.name, chat.title or "")
    else:
        turn.reply(turn.t("bind.done", school=school.name) + _rights(turn, can_delete))


def _rights(turn: Turn, can_delete: bool | None) -> str:
    """A /leave typed in the group is deleted at once (handlers/leave/group.py): without the
    right, the group would read its type and reason."""
    if can_delete is None:
        return ""
    return "\n" + turn.t("bind.delete_right_ok" if can_delete else "bind.needs_delete_right")


async def _refuse_move(turn: Turn, bound_to: int, wanted: str) -> None:
    """Refuses to move a group bound to a school the sender does not administer."""
    current = await school_by_id(session=turn.session, school_id=bound_to)
    await turn.audit(
        "denied",
        school_id=bound_to,
        command="/bind",
        reason="bound_elsewhere",
        school=wanted[:100],
        chat=turn.chat_id,
    )
    # The sender has no staff record at the group's school: their language is the one they
    # chose at their own school.
    lang = await language_of(
        session=turn.session, settings=turn.svc.settings, telegram_id=turn.actor.telegram_id
    )
    turn.reply(t(lang, "bind.bound_elsewhere", current=current.name if current else "?"))


async def _tell_old_admins(
    turn: Turn, previous: int, old_name: str, new_name: str, title: str
) -> None:
    """The school the group was taken from hears it privately: its pushes stop reaching it."""
    for admin_id, lang in await admin_recipients(
        session=turn.session,
        school_id=previous,
        system_admins=turn.svc.settings.bootstrap_admin_ids,
        default_language=turn.svc.settings.default_language,
    ):
        if admin_id == turn.actor.telegram_id:
            continue  # they read the answer in the group
        turn.out.send(
            admin_id,
            t(
                lang,
                "bind.moved_admins",
                title=title or str(turn.chat_id),
                old=old_name,
                school=new_name,
                who=turn.actor.display_name,
            ),
        )


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was added to or removed from a group."""
    change = update.my_chat_member
    if change is None or change.chat.type not in GROUP_TYPES:
        return
    status = change.new_chat_member.status
    svc = context.svc
    now = svc.clock.now()
    removed = status in (ChatMember.LEFT, ChatMember.BANNED)
    outbox = Outbox()
    async with svc.sessions() as session, session.begin():
        if removed:
            group = await deactivate_group(session=session, chat_id=change.chat.id)
            if group is not None:
                await audit.record(
                    session=session,
                    at=now,
                    action="group_unbound",
                    school_id=group.school_id,
                    actor_telegram_id=change.from_user.id,
                    subject_type="group",
                    subject_id=group.id,
                    detail={"chat": change.chat.id, "reason": status},
                )
                # Nothing reaches the staff group any more: the admins must hear it from us,
                # privately, or they learn it only when a push is missed.
                school = await school_by_id(session=session, school_id=group.school_id)
                for admin_id, lang in await admin_recipients(
                    session=session,
                    school_id=group.school_id,
                    system_admins=svc.settings.bootstrap_admin_ids,
                    default_language=svc.settings.default_language,
                ):
                    outbox.send(
                        admin_id,
                        t(
                            lang,
                            "bind.removed_admins",
                            title=change.chat.title or group.title or str(change.chat.id),
                            school=school.name if school is not None else "",
                            who=change.from_user.full_name,
                        ),
                    )
        elif change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED):
            if await group_for_chat(session=session, chat_id=change.chat.id) is None:
                if await note_unbound(session=session, chat_id=change.chat.id, now=now):
                    outbox.send(change.chat.id, t(svc.settings.default_language, "bind.hello"))
        await outbox.persist(session, svc.dispatcher)
    await outbox.dispatch(svc.dispatcher)


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup: the binding follows the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    svc = context.svc
    async with svc.sessions() as session, session.begin():
        moved = await migrate_group(
            session=session, old_chat_id=message.chat.id, new_chat_id=message.migrate_to_chat_id
        )
        group = await group_for_chat(session=session, chat_id=message.migrate_to_chat_id)
        if moved and group is not None:
            await audit.record(
                session=session,
                at=svc.clock.now(),
                school_id=group.school_id,
                action="group_migrated",
                detail={"from": message.chat.id, "to": message.migrate_to_chat_id},
            )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("bind", on_bind),
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
    ]
