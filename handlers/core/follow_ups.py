"""Work an action leaves for after its answer, kept in the database until it has run.

An approval is answered as soon as it commits; the arrangers' boards, the request reaching its
next approvers and the slip's update follow (`turn.then`). Each such piece of work is written,
by name and plain arguments, in the action's own transaction, and deleted in the transaction
that does it. So a process killed or stopped in between leaves it in the table, and the next
start (or another process) runs it: the arrangers still get their boards.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Update, User

from handlers.core.outbox import Outbox
from storage.outbox import (
    decode,
    encode,
    queue_work,
    renew_work,
    stale_work,
    take_work,
    work_failed,
)
from storage.types import stored_id

if TYPE_CHECKING:
    from bot.services import Services
    from handlers.core.turn import Turn

log = logging.getLogger(__name__)

Work = Callable[..., Awaitable[object]]
# A piece of work that raised this many times is given up (and logged as an error).
ATTEMPTS = 3

_REGISTRY: dict[str, Work] = {}
_NAMES: dict[Work, str] = {}


def named(name: str) -> Callable[[Work], Work]:
    """Registers follow-up work under a stable name (it is kept in the database by name)."""

    def register(work: Work) -> Work:
        if _REGISTRY.get(name, work) is not work:
            raise ValueError(f"two follow-ups are named {name!r}")
        _REGISTRY[name] = work
        _NAMES[work] = name
        return work

    return register


def name_of(work: Work) -> str:
    name = _NAMES.get(work)
    if name is None or _REGISTRY.get(name) is not work:
        raise ValueError(f"{work!r} is not registered with @follow_ups.named")
    return name


Kept = tuple[int, str, dict[str, Any], int]  # id, name, arguments, attempts so far


async def keep(turn: Turn) -> list[Kept]:
    """Writes the action's follow-ups in its transaction; returns them as kept."""
    if not turn.follow_ups:
        return []
    queued, turn.follow_ups = turn.follow_ups, []
    dispatcher = turn.svc.dispatcher
    # Through JSON and back: the work then runs on the same values a later start would read.
    encoded = [(name, encode(args)) for name, args in queued]
    ids = await queue_work(
        session=turn.session,
        items=[(name, text, turn.actor.school_id) for name, text in encoded],
        actor_id=turn.actor.telegram_id or None,
        owner=dispatcher.owner,
        now=turn.now,
        lease=dispatcher.lease,
    )
    return [
        (work_id, name, decode(text), 0) for work_id, (name, text) in zip(ids, encoded, strict=True)
    ]


async def run_kept(done: Turn, works: list[Kept]) -> None:
    """Runs kept work in one transaction of its own, deleting each item as it runs; an item
    another process ran first is skipped. If one fails, the transaction is undone and each
    item runs again alone: the others' boards and slips still go, the failing one is counted
    (and tried again later)."""
    svc = done.svc
    outbox = Outbox()
    try:
        async with svc.sessions() as session, session.begin():
            turn = dataclasses.replace(
                done, session=session, out=outbox, follow_ups=[], following=True
            )
            for work_id, name, args, _ in works:
                if await take_work(session=session, work_id=work_id):
                    await _REGISTRY[name](turn, **args)
                    await _run_nested(turn)
            await outbox.persist(session, svc.dispatcher, done.actor.school_id)
    except Exception:
        if len(works) > 1:
            for kept in works:
                await run_kept(done, [kept])
            return
        log.exception("the work following an action failed: %s", works[0][1])
        await _failed(svc, works)
        return
    await outbox.dispatch(svc.dispatcher)


async def _run_nested(turn: Turn) -> None:
    """Work queued by the work itself: done here, in the same transaction."""
    while turn.follow_ups:
        nested, turn.follow_ups = turn.follow_ups, []
        for name, args in nested:
            await _REGISTRY[name](turn, **decode(encode(args)))


async def _failed(svc: Services, works: list[Kept]) -> None:
    """Counts the failure; the work is tried again after its lease, or given up."""
    try:
        async with svc.sessions() as session, session.begin():
            for work_id, name, _, attempts in works:
                give_up = attempts + 1 >= ATTEMPTS
                await work_failed(
                    session=session,
                    work_id=work_id,
                    attempts=attempts + 1,
                    give_up=give_up,
                    now=svc.clock.now(),
                )
                if give_up:
                    log.error(
                        "follow-up %s (%d) given up after %d attempts", name, work_id, ATTEMPTS
                    )
    except Exception:
        log.exception("could not count the failed follow-ups")


async def recover(app: Any) -> int:
    """Holds again the work still queued here, and runs the work nobody holds any more (its
    process died or stopped before running it); returns how many items were taken."""
    from bot.services import BotContext, services_of
    from handlers.core.actor import Actor, load_actor
    from handlers.core.turn import Turn

    svc = services_of(app)
    dispatcher = svc.dispatcher
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        # What still waits in this process's queue is held again first: it runs here, in its
        # turn, not a second time beside it (here or in another process).
        await renew_work(session=session, owner=dispatcher.owner, until=now + dispatcher.lease)
        rows = await stale_work(
            session=session, owner=dispatcher.owner, now=now, lease=dispatcher.lease
        )
    for row in rows:
        async with svc.sessions() as session:
            if row.actor_id is not None:
                actor = await load_actor(
                    session=session,
                    settings=svc.settings,
                    user=User(row.actor_id, "", False),
                    chat=None,
                )
            else:
                actor = Actor(0, "", svc.settings.default_language, False, None, None, None, None)
        turn = Turn(Update(0), BotContext(app), session, actor, Outbox(), svc.clock.now())
        log.info("running follow-up %s (%d) left undone", row.name, stored_id(row))
        await run_kept(turn, [(stored_id(row), row.name, decode(row.args), row.attempts)])
    return len(rows)
