"""/start, /help, /me and /lang: what a person sees first and how they find their way."""

from __future__ import annotations

import difflib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.commands import COMMANDS, WIZARD_PAYLOADS, help_key, started_with, visible_commands
from bot.config import LANGUAGES
from bot.services import BotContext
from bot.texts import Safe, t
from handlers.core import expired
from handlers.core.turn import Turn, button, command
from handlers.school.linking import redeem_start_payload
from rules.roles import ROLES
from storage.staff import head_class, save_user_pref
from storage.timetable import classes_taught
from storage.types import stored_id
from views.leave import grade_label

KNOWN_COMMANDS = frozenset(info.name for info in COMMANDS)


@command(where="any", unbound_ok=True)
async def cmd_start(turn: Turn) -> None:
    """Greets the user; a deep-link payload from /invite links the account."""
    if turn.in_group:
        if turn.actor.group is not None:
            turn.reply(turn.t("start.group"), turn.private_chat_button())
        return
    if turn.args and await redeem_start_payload(turn, turn.args[0]):
        return
    actor = turn.actor
    if actor.staff is not None and actor.school is not None:
        turn.reply(turn.t("start.linked", name=actor.staff.name, school=actor.school.name))
    elif actor.is_sysadmin:
        turn.reply(turn.t("start.sysadmin"))
    else:
        turn.reply(turn.t("start.unlinked", name=actor.display_name))


@command(where="any")
async def cmd_help(turn: Turn) -> None:
    """Lists the commands this person may use here, by role, in their language."""
    actor = turn.actor
    infos = visible_commands(
        actor.roles, linked=actor.staff is not None, is_admin=actor.is_admin, in_group=turn.in_group
    )
    lines: list[str] = [turn.t("help.title")]
    lines += [
        f"/{info.name} — {turn.t(help_key(info, actor.roles, is_admin=actor.is_admin))}"
        for info in infos
    ]
    if actor.staff is None and not actor.is_sysadmin:
        lines.append("")
        lines.append(turn.t("help.unlinked_hint"))
    turn.reply("\n".join(lines))


def role_names(lang: str, roles: frozenset[str], sysadmin: bool = False) -> str:
    names = [t(lang, f"role.{role}") for role in ROLES if role in roles]
    if sysadmin:
        names.append(t(lang, "role.sysadmin"))
    return t(lang, "common.list_sep").join(names) or t(lang, "common.none")


@command(where="any", staff=True)
async def cmd_me(turn: Turn) -> None:
    """Shows roles, subjects, classes and school of the person asking."""
    actor = turn.actor
    none = turn.t("common.none")
    sep = turn.t("common.list_sep")
    if actor.staff is None:
        turn.reply(
            turn.t(
                "me.sysadmin",
                roles=Safe(role_names(turn.lang, actor.roles, actor.is_sysadmin)),
                school=actor.school.name if actor.school else none,
            )
        )
        return
    staff = actor.staff
    headed = await head_class(session=turn.session, staff=staff)
    taught = await classes_taught(session=turn.session, staff_id=stored_id(staff))
    turn.reply(
        turn.t(
            "me.profile",
            name=staff.name,
            school=actor.school.name if actor.school else none,
            roles=Safe(role_names(turn.lang, actor.roles, actor.is_sysadmin)),
            subjects=sep.join(staff.subject_list) or none,
            grade=grade_label(turn.lang, staff.grade) if staff.grade else none,
            head_of=headed.name if headed else none,
            classes=sep.join(c.name for c in taught) or none,
            lang=turn.t(f"lang.name_{turn.lang}"),
        )
    )


def _language_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(code, f"lang.name_{code}"),
                    callback_data=callbacks.SET_LANGUAGE.data(index),
                )
                for index, code in enumerate(LANGUAGES)
            ]
        ]
    )


async def _set_language(turn: Turn, code: str) -> None:
    if turn.actor.staff is not None:
        turn.actor.staff.language = code
        turn.session.add(turn.actor.staff)
    await save_user_pref(session=turn.session, telegram_id=turn.actor.telegram_id, language=code)
    turn.actor.lang = code


@command(where="any", unbound_ok=False)
async def cmd_lang(turn: Turn) -> None:
    """`/lang zh|en` switches the language; without an argument it offers buttons."""
    if not turn.args:
        turn.reply(turn.t("lang.choose"), _language_buttons())
        return
    code = turn.args[0].lower()
    code = {"中文": "zh", "chinese": "zh", "english": "en", "英文": "en"}.get(code, code)
    if code not in LANGUAGES:
        turn.reply(turn.t("lang.unknown", value=turn.args[0]), _language_buttons())
        return
    await _set_language(turn, code)
    turn.reply(turn.t("lang.set"))


@button()
async def on_language_button(turn: Turn) -> None:
    """Applies the language picked with a button."""
    assert turn.callback is not None
    index = turn.callback.id()
    if turn.callback.action != "set" or index is None or index >= len(LANGUAGES):
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return
    await _set_language(turn, LANGUAGES[index])
    turn.edit_origin(turn.t("lang.set"))


@command(where="any")
async def cmd_cancel(turn: Turn) -> None:
    """Reached only when no wizard took the /cancel: there is nothing to cancel."""
    turn.reply(turn.t("common.nothing_to_cancel"))


@button()
async def on_unknown_button(turn: Turn) -> None:
    """A press no feature claimed: an old version's button, or forged data."""
    await turn.refuse_press(reason="no_handler", data=turn.callback and turn.callback.feature)


@command(where="any", unbound_ok=True)
async def _answer_unknown(turn: Turn) -> None:
    """Names the nearest command this person may use, and /help."""
    name = _command_of(turn.update)[0]
    actor = turn.actor
    infos = visible_commands(
        actor.roles, linked=actor.staff is not None, is_admin=actor.is_admin, in_group=turn.in_group
    )
    near = difflib.get_close_matches(name, [info.name for info in infos], n=1, cutoff=0.5)
    hint = turn.t("unknown_command.near", command=near[0]) if near else ""
    turn.reply(turn.t("unknown_command.text", command=name, near=Safe(hint)))


def _command_of(update: Update) -> tuple[str, str]:
    """The command's name (lower case) and the bot it is addressed to (`/cmd@bot`), if any."""
    message = update.effective_message
    first = (message.text or "").split(maxsplit=1)[0] if message is not None else ""
    name, _, bot = first[1:].partition("@")
    return name.lower(), bot


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """A command no handler took. Unknown in private: pointed to /help and the nearest command.
    In a group other bots have commands of their own: only one addressed to us is answered."""
    name, addressed = _command_of(update)
    chat = update.effective_chat
    ours = context.bot.username or ""
    if addressed and addressed.lower() != ours.lower():
        return
    if chat is None or (chat.type != chat.PRIVATE and not addressed):
        return
    if name in KNOWN_COMMANDS:
        return  # ours, and not for here (a wizard step that expects something else)
    await _answer_unknown(update, context)


def fallback_handlers() -> list[BaseHandler]:
    """Registered after every feature, so a wizard's own /cancel, buttons and steps come first."""
    return [
        CommandHandler("cancel", cmd_cancel),
        MessageHandler(filters.COMMAND, on_unknown_command),
        CallbackQueryHandler(on_unknown_button),
        *expired.fallback_handlers(),
    ]


def handlers() -> list[BaseHandler]:
    return [
        # A deep link that opens a wizard is the wizard's own entry point (its dialogue).
        CommandHandler("start", cmd_start, filters=~started_with(*WIZARD_PAYLOADS)),
        CommandHandler("help", cmd_help),
        CommandHandler("me", cmd_me),
        CommandHandler("lang", cmd_lang),
        CallbackQueryHandler(on_language_button, pattern=callbacks.LANGUAGE.pattern),
    ]
