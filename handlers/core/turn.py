"""One user action, one transaction: the decorators every command and button handler wears.

`@command(...)` and `@button(...)` open a session, resolve the actor, apply the chat and role
checks, run the handler with a `Turn`, commit, and only then deliver the queued messages.

What the action means for other people and is not its answer (the arrangers' boards after an
approval, colleagues' copies drawn again, the slip's update in the group) is queued with
`turn.then(...)`: it runs once the answer is out, in a transaction of its own, so the person who
pressed does not wait for it and the next update is not held up by it.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.logs import event
from bot.services import BotContext, Services
from bot.texts import Safe, t
from handlers.core import follow_ups
from handlers.core.actor import GROUP_TYPES, Actor, load_actor
from handlers.core.outbox import Markup, Outbox
from storage import audit
from storage.db import wrote
from storage.outbox import note_reachable
from storage.schools import bump_schedule_version, note_unbound

log = logging.getLogger(__name__)

Where = Literal["private", "group", "any"]


class SchoolOwned(Protocol):
    """A table row that belongs to one school (a leave, a cover need, a posting …)."""

    id: int | None
    school_id: int


Owned = TypeVar("Owned", bound=SchoolOwned)


@dataclass
class Turn:
    update: Update
    context: BotContext
    session: AsyncSession
    actor: Actor
    out: Outbox
    now: datetime
    callback: callbacks.Callback | None = None
    # Work for other people, run after this action (see `then`): (name, arguments).
    follow_ups: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # What the action loaded about a school (handlers/cover/boards.py `load_kit`), by school:
    # its follow-ups draw with the same, as they did when they were closures over it.
    kits: dict[int, Any] = field(default_factory=dict)
    following: bool = False  # running as a follow-up of the action

    @property
    def svc(self) -> Services:
        return self.context.svc

    @property
    def chat_id(self) -> int:
        assert self.update.effective_chat is not None
        return self.update.effective_chat.id

    @property
    def in_group(self) -> bool:
        chat = self.update.effective_chat
        return chat is not None and chat.type in GROUP_TYPES

    @property
    def args(self) -> list[str]:
        return list(self.context.args or [])

    @property
    def arg_text(self) -> str:
        """Everything after the command, as typed (keeps spaces and line breaks)."""
        message = self.update.effective_message
        text = (message.text or message.caption or "") if message is not None else ""
        parts = text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 and parts[0].startswith("/") else ""

    @property
    def lang(self) -> str:
        return self.actor.lang

    def t(self, key: str, /, **values: object) -> Safe:
        return t(self.lang, key, **values)

    @property
    def group_lang(self) -> str:
        """What is said in the staff group is read by everyone: the school's language, not the
        sender's (in a private chat, the person's own)."""
        return self.svc.settings.default_language if self.in_group else self.lang

    def group_t(self, key: str, /, **values: object) -> Safe:
        return t(self.group_lang, key, **values)

    @property
    def thread_id(self) -> int | None:
        """The forum topic the update came from (None: the general topic, or no topics)."""
        message = self.update.effective_message
        return (
            message.message_thread_id if message is not None and message.is_topic_message else None
        )

    def reply(self, text: str, markup: Markup = None) -> None:
        message = self.update.effective_message
        reply_to = message.message_id if message is not None and self.in_group else None
        # Inside a forum topic the answer stays in that topic.
        self.out.send(self.chat_id, text, markup, reply_to=reply_to, thread_id=self.thread_id)

    def toast(self, text: str | None = None, alert: bool = False) -> None:
        query = self.update.callback_query
        if query is not None:
            self.out.answer(query.id, text, alert)

    def edit_origin(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replaces the message whose button was pressed (typically to remove its buttons)."""
        query = self.update.callback_query
        if query is not None and query.message is not None:
            self.out.edit(query.message.chat.id, query.message.message_id, text, markup)

    async def audit(
        self,
        action: str,
        *,
        subject_type: str = "",
        subject_id: int | None = None,
        school_id: int | None = None,
        **detail: Any,
    ) -> None:
        await audit.record(
            session=self.session,
            at=self.now,
            action=action,
            school_id=school_id if school_id is not None else self.actor.school_id,
            actor_telegram_id=self.actor.telegram_id,
            actor_staff_id=self.actor.staff.id if self.actor.staff is not None else None,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail or None,
        )

    async def refuse_press(self, *, reason: str, **detail: Any) -> None:
        """A press that names nothing this button may act on (junk, gone, another school's,
        out of date): audited with why, and told as an alert in the presser's language."""
        await self.audit("button_refused", reason=reason, **detail)
        self.toast(self.t("common.button_invalid"), alert=True)

    async def deny_press(self, key: str = "common.not_allowed", /, **audited: Any) -> None:
        """A press by someone whose role does not allow it: audited as denied, and told with
        `key` as an alert."""
        await self.audit("denied", **audited)
        self.toast(self.t(key), alert=True)

    async def row_named(self, model: type[Owned], *, what: str, index: int = 0) -> Owned | None:
        """The row the pressed button names (its `index`-th id), if it belongs to the actor's
        school. Otherwise the press is refused as `unknown_<what>` with the id audited under
        `what`, and None comes back: the handler has nothing more to say."""
        row_id = self.callback.id(index) if self.callback is not None else None
        row = await self.session.get(model, row_id) if row_id is not None else None
        if row is None or row.school_id != self.actor.school_id:
            await self.refuse_press(reason=f"unknown_{what}", **{what: row_id})
            return None
        return row

    async def schedule_changed(self, school_id: int, kinds: frozenset[str] | None = None) -> None:
        """Records that scheduled pushes moved; their jobs are rebuilt once the change committed.

        `kinds` names the pushes a day-to-day change moves (a leave request moves the leave
        reminders and cover slips, nothing else), so only those are planned again. Without it,
        the whole school is rebuilt, and the version bump lets other bot processes on the same
        database notice too.
        """
        if kinds is None:
            await bump_schedule_version(session=self.session, school_id=school_id)
        self.out.after_commit.append(lambda: self.svc.schedule_changed(school_id, kinds))

    def then(self, work: FollowUp, /, **args: Any) -> None:
        """Queues work that tells or draws for others: it is kept with this action's change and
        runs once the action committed and its answer went out, with a Turn of its own (same
        update and actor, a new session and outbox). `work` is registered with
        `@follow_ups.named(...)` and `args` are plain values (ids, dates, strings), so that
        work a stopped or killed process left undone is run by the next start. Work queued
        from there runs in that same transaction, after it."""
        self.follow_ups.append((follow_ups.name_of(work), args))

    def private_chat_button(self, payload: str = "") -> InlineKeyboardMarkup:
        username = self.context.bot.username
        url = f"https://t.me/{username}" + (f"?start={payload}" if payload else "")
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(self.group_t("common.open_private"), url=url)]]
        )


Handler = Callable[[Turn], Awaitable[Any]]
# What python-telegram-bot's handlers accept: a coroutine function of (update, context).
Entry = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
FollowUp = Callable[..., Awaitable[object]]  # async def work(later: Turn, **args)


async def _run(
    update: Update,
    context: BotContext,
    body: Callable[[Turn], Awaitable[Any]],
    action: str = "",
) -> Any:
    user = update.effective_user
    if user is None:
        return None
    started = time.perf_counter()
    school: list[int | None] = [None]
    outcome = "error"
    try:
        result = await _run_turn(update, context, body, school)
        outcome = "ok"
        return result
    finally:
        # One line per action, for the operator: who, where and what, never what was written.
        chat = update.effective_chat
        log.info(
            "handled",
            extra=event(
                action,
                school=school[0],
                chat=chat.id if chat is not None else None,
                user=user.id,
                outcome=outcome,
                ms=round((time.perf_counter() - started) * 1000, 1),
            ),
        )


async def _run_turn(
    update: Update,
    context: BotContext,
    body: Callable[[Turn], Awaitable[Any]],
    school: list[int | None],
) -> Any:
    svc = context.svc
    user = update.effective_user
    assert user is not None
    outbox = Outbox()
    async with svc.sessions() as session, session.begin():
        actor = await load_actor(
            session=session, settings=svc.settings, user=user, chat=update.effective_chat
        )
        turn = Turn(update, context, session, actor, outbox, svc.clock.now())
        school[0] = actor.school_id
        if user.id in svc.dispatcher.unreachable:
            await _reachable_again(turn)
        result = await body(turn)
        # What follows from a change is kept with it. An action that changed nothing (/help,
        # /duty, a refusal) has nothing to keep: its answer is sent, and a crash loses only an
        # answer the person asks for again.
        if turn.follow_ups or outbox.worth_keeping or wrote(session):
            await outbox.persist(session, svc.dispatcher, actor.school_id)
        works = await follow_ups.keep(turn)
    await outbox.dispatch(svc.dispatcher)
    if works:
        await svc.background.add(functools.partial(follow_ups.run_kept, turn, works))
    return result


async def _reachable_again(turn: Turn) -> None:
    """The person wrote to the bot: it can write to them again (they had blocked it, or never
    started it)."""
    chat = turn.update.effective_chat
    if chat is not None and chat.type == "private":
        await note_reachable(session=turn.session, chat_id=chat.id)
        turn.out.after_commit.append(lambda: _forget_unreachable(turn.svc, chat.id))


async def _forget_unreachable(svc: Services, chat_id: int) -> None:
    svc.dispatcher.unreachable.discard(chat_id)


def command(
    *,
    where: Where = "any",
    roles: frozenset[str] | None = None,
    staff: bool = False,
    unbound_ok: bool = False,
) -> Callable[[Handler], Entry]:
    """Wraps a command handler with the chat, binding and role checks.

    `staff`: the user must be linked to a staff record of the school concerned (or be a system
    admin). `roles`: at least one of them; a refusal is audited.
    """

    def decorate(fn: Handler) -> Entry:
        @functools.wraps(fn)
        async def wrapper(update: Update, context: BotContext) -> Any:
            async def body(turn: Turn) -> Any:
                if not await _allowed(
                    turn, where=where, roles=roles, staff=staff, unbound_ok=unbound_ok
                ):
                    return None
                return await fn(turn)

            return await _run(update, context, body, fn.__name__)

        return wrapper

    return decorate


async def _allowed(
    turn: Turn,
    *,
    where: Where,
    roles: frozenset[str] | None,
    staff: bool,
    unbound_ok: bool,
) -> bool:
    actor = turn.actor
    if turn.in_group and actor.group is None and not unbound_ok:
        if await note_unbound(session=turn.session, chat_id=turn.chat_id, now=turn.now):
            turn.reply(turn.t("common.group_not_bound"))
        return False
    if where == "private" and turn.in_group:
        turn.reply(turn.t("common.use_private"), turn.private_chat_button())
        return False
    if where == "group" and not turn.in_group:
        turn.reply(turn.t("common.use_group"))
        return False
    if (staff or roles) and actor.staff is None and not actor.is_sysadmin:
        turn.reply(turn.t("common.not_linked"))
        return False
    if roles and not actor.has_any(roles):
        await turn.audit("denied", command=_command_name(turn), roles=sorted(roles))
        turn.reply(turn.t("common.not_allowed"))
        return False
    return True


def _command_name(turn: Turn) -> str:
    message = turn.update.effective_message
    text = message.text if message is not None and message.text else ""
    return text.split(maxsplit=1)[0][:32] if text else ""


def button(*, roles: frozenset[str] | None = None) -> Callable[[Handler], Entry]:
    """Wraps a callback-query handler: the data is parsed, every press re-authorised.

    Data we did not produce (forged, junk, an old version) is refused and audited; the handler
    itself must still check that the ids belong to the actor's school (`Turn.row_named`) and
    are in a state that accepts the press.
    """

    def decorate(fn: Handler) -> Entry:
        @functools.wraps(fn)
        async def wrapper(update: Update, context: BotContext) -> Any:
            async def body(turn: Turn) -> Any:
                query = update.callback_query
                assert query is not None
                parsed = callbacks.decode(query.data)
                if parsed is None:
                    await turn.refuse_press(reason="bad_data", data=(query.data or "")[:64])
                    return None
                turn.callback = parsed
                if roles and not turn.actor.has_any(roles):
                    await turn.deny_press(button=query.data, roles=sorted(roles))
                    return None
                result = await fn(turn)
                turn.toast()  # every query is answered once, even when the handler said nothing
                return result

            return await _run(update, context, body, fn.__name__)

        return wrapper

    return decorate
