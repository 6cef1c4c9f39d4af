"""`/topic`: which forum topic of the staff group each kind of post goes to.

Sent inside a topic by an admin (`/topic 作业`), it routes that kind of post there; sent in the
general topic, back to the general topic. Without a word it lists the routing. The values are the
`group.topic.*` policies (rules/policies.py), so /settings shows and changes them too.
"""

from __future__ import annotations

from telegram.ext import BaseHandler, CommandHandler

from bot.commands import ADMINS
from bot.texts import Safe, t
from handlers.core.turn import Turn, command
from rules.policies import TOPICS, PolicySet
from storage.policies import load_policies, set_policy

# What an admin may type for each topic, in either language.
TOPIC_WORDS = {
    "作业": "homework",
    "homework": "homework",
    "代课": "cover",
    "cover": "cover",
    "值日": "duty",
    "duty": "duty",
    "通知": "notices",
    "notices": "notices",
}


def routing_lines(lang: str, policies: PolicySet) -> list[str]:
    """One line per kind of post: the topic it goes to."""
    lines: list[str] = []
    for name in TOPICS:
        thread = policies.topic(name)
        where = t(lang, "topic.in_thread", thread=thread) if thread else t(lang, "topic.general")
        lines.append(t(lang, "topic.line", kind=t(lang, f"topic.kind.{name}"), where=where))
    return lines


@command(where="group", roles=ADMINS)
async def cmd_topic(turn: Turn) -> None:
    """Routes a kind of post to the topic the command was sent in, or lists the routing."""
    group = turn.actor.group
    message = turn.update.effective_message
    assert group is not None and message is not None
    words = turn.args
    name = TOPIC_WORDS.get(words[0].lower()) if words else None
    if name is None:
        policies = await load_policies(session=turn.session, school_id=group.school_id)
        lines = [turn.group_t("topic.usage"), "", *routing_lines(turn.group_lang, policies)]
        turn.reply(Safe("\n".join(lines)))
        return
    chat = turn.update.effective_chat
    if chat is not None and not chat.is_forum and not message.is_topic_message:
        # Sent in a group without topics: there is nothing to route, say so rather than "from
        # now on in the General topic".
        turn.reply(turn.group_t("topic.not_forum"))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    old, new = await set_policy(
        session=turn.session,
        school_id=group.school_id,
        key=f"group.topic.{name}",
        raw_value=str(thread or 0),
        by=turn.actor.telegram_id,
        now=turn.now,
    )
    await turn.audit(
        "policy_changed", subject_type="policy", key=f"group.topic.{name}", old=old, new=new
    )
    kind = turn.group_t(f"topic.kind.{name}")
    turn.reply(turn.group_t("topic.set_here" if thread else "topic.set_general", kind=kind))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("topic", cmd_topic)]


async def topic_of(turn: Turn, school_id: int, name: str) -> int | None:
    """The forum topic the school routes posts of `name` to (None: the general topic)."""
    policies = await load_policies(session=turn.session, school_id=school_id)
    return policies.topic(name)
