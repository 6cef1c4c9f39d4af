"""/settings: a school's policies as a menu its admins change in private chat.

`/settings` opens the sections; a section lists its settings with their values, meanings and
ranges; a setting with a few values is changed by a button, any other by typing it when asked.
`/settings <名称|key> <value>` does the same in one line. A homework cap that breaks the 双减
rules is set only after the admin confirms it, knowing which rule it breaks.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any

from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot import callbacks
from bot.commands import ADMINS
from bot.config import LANGUAGES
from bot.texts import Safe, catalogue
from handlers.core.colleagues import did_you_mean
from handlers.core.dialogue import dialogue
from handlers.core.outbox import Markup
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import TYPED
from rules.policies import SPECS, PolicyError, PolicySpec, spec
from rules.policy_menu import (
    SECTION_BY_REF,
    SECTIONS,
    double_reduction_breach,
    entry,
    options,
    page_of,
    resolve,
    section_of,
    spec_by_ref,
    spellings,
)
from storage.policies import load_policies, set_policy
from views.settings import allowed as allowed_range
from views.settings import (
    back_markup,
    bare,
    breach_view,
    cancel_markup,
    detail_text,
    detail_view,
    menu_view,
    outcome_text,
    section_view,
    shown,
)
from views.settings import name as policy_name

END = ConversationHandler.END
TYPING = 1
# user_data: the number of the setting whose new value the admin was asked to type. Only the
# question lives in memory; a restart forgets it and the typed value is answered as expired.
TYPING_KEY = "settings_typing"
# user_data: (chat, message) of the question when it was a menu screen, so that once answered
# its 取消 button goes and it shows the value now in force.
PROMPT_KEY = "settings_prompt"
_SECTION = "section:"


@cache
def _names() -> dict[str, str]:
    """Every way to name a setting or a section: 三年级作业上限, grade 3 homework cap,
    homework.cap.grade3, 作业."""
    texts = catalogue()
    pairs = [(item.key, item.key) for item in SPECS]
    pairs += [(texts[f"policy_name.{i.key}"][lang], i.key) for i in SPECS for lang in LANGUAGES]
    pairs += [
        (texts[f"settings.section.{s.name}"][lang], _SECTION + s.name)
        for s in SECTIONS
        for lang in LANGUAGES
    ]
    return spellings(pairs)


def _stored_form(item: PolicySpec, raw: str) -> str:
    """A value typed as people say it (班主任审核, 关) in the form the policy stores."""
    typed = raw.strip().lower()
    for value in options(item):
        if any(typed == bare(lang, item, value).lower() for lang in LANGUAGES):
            return value
    return raw


@dataclass
class Outcome:
    text: str
    markup: Markup
    finished: bool  # False: the value was refused and may be typed again


async def _change(turn: Turn, item: PolicySpec, raw: str, *, forced: bool = False) -> Outcome:
    """Sets one value, in this action's transaction: audited, the pushes it moves planned again.

    A value that breaks a 双减 rule is not set unless `forced`: the admin is asked first."""
    school_id = turn.actor.school_id
    assert school_id is not None
    name = policy_name(turn.lang, item.key)
    typed = _stored_form(item, raw)
    try:
        new = item.normalise(typed)
    except PolicyError as exc:
        allowed = allowed_range(turn.lang, item)
        text: str = turn.t(f"settings.{exc.problem}", key=name, value=raw.strip(), allowed=allowed)
        return Outcome(text, None, finished=False)
    policies = await load_policies(session=turn.session, school_id=school_id)
    old = policies.raw(item.key)
    rule = double_reduction_breach(item.key, item.parse(new))
    if rule is not None and not forced and new != old:
        text, markup = breach_view(turn.lang, item, item.parse(new), rule)
        return Outcome(text, markup, finished=True)
    old, new = await set_policy(
        session=turn.session,
        school_id=school_id,
        key=item.key,
        raw_value=new,
        by=turn.actor.telegram_id,
        now=turn.now,
    )
    if old != new:
        detail: dict[str, Any] = {"breaks": rule} if rule is not None else {}
        await turn.audit(
            "policy_changed", subject_type="policy", key=item.key, old=old, new=new, **detail
        )
        if item.schedules:
            await turn.schedule_changed(school_id)
    return Outcome(outcome_text(turn.lang, item, old, new), back_markup(turn.lang, item), True)


@command(where="private", roles=ADMINS)
async def cmd_settings(turn: Turn) -> object:
    """Opens the menu; `/settings <name>` opens one setting; `/settings <name> <value>` sets it."""
    school = turn.actor.school
    if school is None or school.id is None:
        turn.reply(turn.t("common.no_school"))
        return END
    typed = turn.arg_text
    if not typed:
        turn.reply(*menu_view(turn.lang, school.name))
        return END
    found = resolve(typed, _names())
    if found is None:
        _unknown(turn, typed)
        return END
    target, value = found
    policies = await load_policies(session=turn.session, school_id=school.id)
    if target.startswith(_SECTION):
        # Also with a value after it (/settings 作业 40): the section shows the names to use.
        section = next(s for s in SECTIONS if _SECTION + s.name == target)
        if value:
            _which_one(turn, typed, value, section.name)
        turn.reply(*section_view(turn.lang, policies, section, 0))
        return END
    item = spec(target)
    if not value:
        turn.reply(*detail_view(turn.lang, policies, item))
        return _asking(turn, item)
    outcome = await _change(turn, item, value)
    turn.reply(outcome.text, outcome.markup)
    return END


def _which_one(turn: Turn, typed: str, rest: str, section: str) -> None:
    """`/settings 作业上限 40` names a section, then words no setting is called by alone: the
    value is not set, and the settings whose names hold those words are offered instead."""
    word = rest.split()[0].lower()
    matching = [
        name
        for name, key in _names().items()
        if not key.startswith(_SECTION)
        and section_of(key).name == section
        and word in name
        and name == policy_name(turn.lang, key).lower()
    ]
    sep = turn.t("common.list_sep")
    if matching:
        example = f"/settings {matching[0]} {rest.split()[-1]}"
        turn.reply(
            turn.t("settings.which_one", typed=typed, names=sep.join(matching), example=example)
        )
    else:
        turn.reply(turn.t("settings.which_one_none", typed=typed))


def _unknown(turn: Turn, typed: str) -> None:
    word = typed.split()[0]
    close = difflib.get_close_matches(word.lower(), list(_names()), n=3, cutoff=0.5)
    shown_close = [c for c in close if not _names()[c].startswith(_SECTION)]
    close_line = did_you_mean(turn.lang, shown_close, "settings.close")
    turn.reply(turn.t("settings.unknown_key", key=word, close=Safe(close_line)))


def _asking(turn: Turn, item: PolicySpec) -> object:
    """After a setting's screen: a typed setting now waits for its value."""
    if options(item):
        return _stop_typing(turn)
    turn.context.user_data[TYPING_KEY] = entry(item.key).ref
    query = turn.update.callback_query
    if query is not None and query.message is not None:
        prompt = (query.message.chat.id, query.message.message_id)
        turn.context.user_data[PROMPT_KEY] = prompt
    else:
        turn.context.user_data.pop(PROMPT_KEY, None)
    return TYPING


@command(where="private", roles=ADMINS)
async def on_value_text(turn: Turn) -> object:
    """Sets the value typed for the setting asked about, or says what is wrong and asks again."""
    item = spec_by_ref(turn.context.user_data.get(TYPING_KEY))
    message = turn.update.effective_message
    if item is None or message is None or turn.actor.school_id is None:
        return END
    outcome = await _change(turn, item, message.text or "")
    if not outcome.finished:
        turn.reply(outcome.text + "\n" + turn.t("settings.retry"), cancel_markup(turn.lang, item))
        return TYPING
    prompt = turn.context.user_data.get(PROMPT_KEY)
    if prompt is not None:
        fresh = await load_policies(session=turn.session, school_id=turn.actor.school_id)
        chat_id, message_id = prompt
        turn.out.edit(chat_id, message_id, detail_text(turn.lang, fresh, item))
    turn.reply(outcome.text, outcome.markup)
    return _stop_typing(turn)


@button(roles=ADMINS)
async def on_button(turn: Turn) -> object:
    """Every /settings button: moves through the menu, sets a value, answers the 双减 question."""
    assert turn.callback is not None
    school = turn.actor.school
    if school is None or school.id is None:
        turn.toast(turn.t("common.no_school"), alert=True)
        return END
    action, ids = turn.callback.action, turn.callback.ids
    policies = await load_policies(session=turn.session, school_id=school.id)
    if action == "menu":
        turn.edit_origin(*menu_view(turn.lang, school.name))
        return _stop_typing(turn)
    if action == "sec" and len(ids) == 2 and ids[0] in SECTION_BY_REF:
        turn.edit_origin(*section_view(turn.lang, policies, SECTION_BY_REF[ids[0]], ids[1]))
        return _stop_typing(turn)
    item = spec_by_ref(turn.callback.id())
    if item is None:
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return END
    if action == "open":
        turn.edit_origin(*detail_view(turn.lang, policies, item))
        return _asking(turn, item)
    if action == "stop":
        section = section_of(item.key)
        turn.edit_origin(*section_view(turn.lang, policies, section, page_of(item.key)))
        return _stop_typing(turn)
    if action == "pick" and len(ids) == 2 and ids[1] < len(options(item)):
        outcome = await _change(turn, item, options(item)[ids[1]])
        fresh = await load_policies(session=turn.session, school_id=school.id)
        turn.edit_origin(*detail_view(turn.lang, fresh, item, note=outcome.text))
        return _stop_typing(turn)
    if action == "force" and len(ids) == 2 and item.kind == "int":
        outcome = await _change(turn, item, str(ids[1]), forced=True)
        turn.edit_origin(outcome.text, back_markup(turn.lang, item))
        return _stop_typing(turn)
    if action == "keep":
        value = shown(turn.lang, item, policies.raw(item.key))
        text = turn.t("settings.kept", name=policy_name(turn.lang, item.key), value=value)
        turn.edit_origin(text, back_markup(turn.lang, item))
        return _stop_typing(turn)
    turn.toast(turn.t("common.button_invalid"), alert=True)
    return END


def _stop_typing(turn: Turn) -> object:
    turn.context.user_data.pop(TYPING_KEY, None)
    turn.context.user_data.pop(PROMPT_KEY, None)
    return END


def handlers() -> list[BaseHandler]:
    text = TYPED
    # No /cancel here: any command releases the question (handlers/core/dialogue.py), and a /cancel
    # caught here would not reach a wizard the admin started after it.
    return [
        dialogue(
            "settings",
            entry_points=[
                CommandHandler("settings", cmd_settings),
                CallbackQueryHandler(on_button, pattern=callbacks.SETTINGS.pattern),
            ],
            states={TYPING: [MessageHandler(text, on_value_text)]},
            fallbacks=[],
        )
    ]
