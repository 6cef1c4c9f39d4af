"""The command list: what /help shows to whom, and the menus set with set_my_commands."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.ext import filters

from bot.config import LANGUAGES
from bot.texts import t
from rules.roles import ADMIN, GRADE_LEADER, HEAD_TEACHER, OFFICE, PRINCIPAL, TEACHER

EVERYONE: frozenset[str] = frozenset()
STAFF = frozenset({TEACHER, HEAD_TEACHER, GRADE_LEADER, OFFICE, PRINCIPAL, ADMIN})
ADMINS = frozenset({ADMIN})
ORGANISERS = frozenset({OFFICE, ADMIN})  # meetings and training
ARRANGERS = frozenset({OFFICE, GRADE_LEADER, ADMIN})  # who arranges cover
RECORDERS = frozenset({OFFICE, GRADE_LEADER, PRINCIPAL, ADMIN})  # who records a colleague's leave


@dataclass(frozen=True)
class CommandInfo:
    name: str
    roles: frozenset[str]  # empty: anyone, even before linking
    private: bool = True
    group: bool = False
    menu: bool = True  # appears in the Telegram command menu
    unlinked_only: bool = False  # only for people not yet linked to a staff record


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("start", EVERYONE),
    CommandInfo("help", EVERYONE, group=True),
    CommandInfo("me", STAFF),
    CommandInfo("today", STAFF, group=True),
    CommandInfo("tomorrow", STAFF, group=True),
    CommandInfo("lang", EVERYONE),
    CommandInfo("register", EVERYONE, group=True, unlinked_only=True),
    CommandInfo("cancel", EVERYONE, menu=False),
    CommandInfo("bind", ADMINS, private=False, group=True),
    CommandInfo("topic", ADMINS, private=False, group=True),
    CommandInfo("invite", ADMINS),
    CommandInfo("unreachable", ADMINS),
    CommandInfo("settings", ADMINS),
    CommandInfo("import", ADMINS),
    CommandInfo("events", STAFF, group=True),
    CommandInfo("event", ORGANISERS),
    CommandInfo("hours", STAFF),
    CommandInfo("report", STAFF),
    CommandInfo("calendar", STAFF, group=True),
    CommandInfo("duty", STAFF, group=True),
    CommandInfo("dutyswap", STAFF),
    CommandInfo("patrol", STAFF, group=True),
    CommandInfo("hw", STAFF, group=True),
    CommandInfo("leave", STAFF, group=True),
    CommandInfo("leavefor", RECORDERS),
    CommandInfo("myleave", STAFF),
    CommandInfo("back", STAFF),
    CommandInfo("pending", STAFF),
    CommandInfo("arrange", ARRANGERS),
    CommandInfo("plan", ARRANGERS),
    CommandInfo("covers", STAFF),
    CommandInfo("handover", STAFF),
    CommandInfo("swap", STAFF),
    CommandInfo("swaps", STAFF),
)


# /start payloads of the deep links the group hands out (t.me/<bot>?start=hw): each opens a
# wizard in private, so the group never holds its questions and answers.
START_HW = "hw"
START_LEAVE = "leave"
WIZARD_PAYLOADS = (START_HW, START_LEAVE)


def started_with(*payloads: str) -> filters.BaseFilter:
    """`/start <payload>` for one of `payloads` (what a tapped deep link sends)."""
    return filters.Regex(rf"^/start(@\w+)? ({'|'.join(payloads)})$")


def visible_commands(
    roles: frozenset[str], *, linked: bool, is_admin: bool, in_group: bool
) -> list[CommandInfo]:
    """The commands this person may use here, for /help."""
    shown = []
    for info in COMMANDS:
        if (in_group and not info.group) or (not in_group and not info.private):
            continue
        if info.unlinked_only and linked:
            continue
        if info.roles is ADMINS and not is_admin:
            continue
        if info.roles is STAFF and not (linked or is_admin):
            continue
        if info.roles not in (EVERYONE, STAFF, ADMINS) and not roles & info.roles and not is_admin:
            continue
        shown.append(info)
    return shown


# Commands whose help names things only some may do: the whole text for these roles (and
# admins), `help_basic.<name>` for everyone else, so that a teacher is not shown what they are
# then refused.
HELP_IN_FULL: dict[str, frozenset[str]] = {
    "report": frozenset({OFFICE, PRINCIPAL, ADMIN}),  # rules/report_requests.py SCHOOL_READERS
    "hours": ORGANISERS,
    "calendar": ADMINS,
}


def help_key(info: CommandInfo, roles: frozenset[str], *, is_admin: bool) -> str:
    """The help text for this command, as far as this person may use it."""
    full = HELP_IN_FULL.get(info.name)
    if full is None or is_admin or roles & full:
        return f"help.{info.name}"
    return f"help_basic.{info.name}"


async def set_menus(bot: Bot) -> None:
    """Menus per scope and language; the one without a language is the Chinese one."""
    for scope, in_group in (
        (BotCommandScopeAllPrivateChats(), False),
        (BotCommandScopeAllGroupChats(), True),
    ):
        chosen = [
            info for info in COMMANDS if info.menu and (info.group if in_group else info.private)
        ]
        for lang in (None, *LANGUAGES):
            menu = [BotCommand(info.name, t(lang or "zh", f"menu.{info.name}")) for info in chosen]
            await bot.set_my_commands(menu, scope=scope, language_code=lang)
