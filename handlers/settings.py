"""/settings: a school's policies, listed and changed by its admins in private chat."""

from __future__ import annotations

import difflib

from telegram.ext import BaseHandler, CommandHandler

from bot.commands import ADMINS
from bot.texts import escape, split_message, t
from handlers.turn import Turn, command
from rules.policies import SPECS, PolicyError, PolicySet, spec
from storage.policies import load_policies, set_policy


def render_policies(lang: str, policies: PolicySet, school: str) -> list[str]:
    """One line per policy, grouped by feature; changed values are marked."""
    lines = [t(lang, "settings.title", school=school)]
    section = ""
    for item in SPECS:
        head = item.key.split(".")[0]
        if head != section:
            section = head
            lines.append("")
            lines.append(t(lang, f"settings.section.{head}"))
        marker = "" if policies.is_default(item.key) else " ✎"
        lines.append(
            f"<code>{item.key}</code> = <b>{escape(policies.raw(item.key))}</b>{marker}"
            f" — {t(lang, f'policy.{item.key}')}"
        )
    lines.append("")
    lines.append(t(lang, "settings.usage"))
    return lines


@command(where="private", roles=ADMINS)
async def cmd_settings(turn: Turn) -> None:
    """Lists the policies, or `/settings <key> <value>` changes one."""
    school = turn.actor.school
    if school is None or school.id is None:
        turn.reply(turn.t("common.no_school"))
        return
    if not turn.args:
        policies = await load_policies(session=turn.session, school_id=school.id)
        for chunk in split_message(render_policies(turn.lang, policies, school.name)):
            turn.reply(chunk)
        return
    key = turn.args[0]
    if len(turn.args) < 2:
        turn.reply(turn.t("settings.usage"))
        return
    value = " ".join(turn.args[1:])
    try:
        old, new = await set_policy(
            session=turn.session,
            school_id=school.id,
            key=key,
            raw_value=value,
            by=turn.actor.telegram_id,
            now=turn.now,
        )
    except KeyError:
        close = difflib.get_close_matches(key, [s.key for s in SPECS], n=3, cutoff=0.5)
        turn.reply(turn.t("settings.unknown_key", key=key, close=", ".join(close) or "—"))
        return
    except PolicyError as exc:
        turn.reply(turn.t(f"settings.{exc.problem}", key=key, value=value, allowed=exc.allowed))
        return
    await turn.audit("policy_changed", subject_type="policy", key=key, old=old, new=new)
    if spec(key).schedules:
        await turn.schedule_changed(school.id)
    turn.reply(turn.t("settings.changed", key=key, old=old, new=new))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CommandHandler("settings", cmd_settings)]
