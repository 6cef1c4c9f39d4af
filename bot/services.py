"""What every handler and job needs, made once by `build_application`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot, Job

from bot.background import Background
from bot.clock import Clock
from bot.config import Settings
from bot.dispatcher import Dispatcher
from jobs.push_watch import PushWatch
from jobs.registry import PushKind
from jobs.replanning import Replanner

SERVICES_KEY = "services"
PUSHES_AT_ONCE = 1


async def _no_work(app: Any) -> int:
    return 0


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    # Plans a school's pushes again (the kinds moved, None for all) after anything that moves
    # a scheduled push: a policy, a roster, a leave request…
    replanner: Replanner | None = None
    # The start-up planning (catch-up and jobs), running beside the first updates.
    starting: asyncio.Task[None] | None = None
    # When the last update went through the handlers (the health endpoint, bot/health.py).
    last_update_at: datetime | None = None
    # Every kind of scheduled push, collected from the jobs modules by build_application.
    push_kinds: list[PushKind] = field(default_factory=list)
    # Each school's schedule_version when its jobs were last planned (jobs/scheduler.py).
    schedule_versions: dict[int, int] = field(default_factory=dict)
    # When the admins were last told of an error of each kind (handlers/core/errors.py).
    error_notices: dict[str, float] = field(default_factory=dict)
    # How many upkeep sweeps ran: every PURGE_EVERY-th also purges (jobs/upkeep.py).
    sweeps: int = 0
    # Runs the follow-up work still queued (handlers/core/follow_ups.py); set by bot/app.py so
    # that the scheduled jobs can take it up without importing the handlers.
    recover_work: Callable[[Any], Awaitable[int]] = field(default=_no_work)
    # Tests only: awaited inside a leave decision, after the reads and before the writes.
    before_decision: Callable[[Any], Awaitable[None]] | None = None
    # Each school's jobs of scheduled pushes, by name (jobs/scheduler.py).
    slot_jobs: dict[int, dict[str, Job[Any]]] = field(default_factory=dict)
    # Every slot planned for yesterday, today and tomorrow, and which ran (jobs/push_watch.py).
    watch: PushWatch = field(default_factory=PushWatch)
    # What follows an action for other people (boards, redrawn copies, slips), after its answer.
    background: Background = field(default_factory=Background)
    # Delivers the outbox, one lane per chat; made with the bot by build_application.
    # Typed as always there, since every handler and job runs after build_application set it.
    dispatcher: Dispatcher = field(default=None)  # type: ignore[assignment]
    # At 07:00 every school's announcement falls due at once. Composed together, their write
    # transactions contend for SQLite's one lock, whose busy handler is not fair: one of them can
    # lose for longer than the busy timeout. Composing takes milliseconds and sending (paced, in
    # jobs/delivery.py) seconds, so pushes compose one at a time and send outside the gate.
    push_gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(PUSHES_AT_ONCE))

    async def schedule_changed(self, school_id: int, kinds: frozenset[str] | None = None) -> None:
        if self.replanner is not None:
            self.replanner.request(school_id, kinds)

    async def settle(self) -> None:
        """Waits for the start-up planning, for what follows the actions so far, for the
        messages that can go now, and for every rebuild asked for (a follow-up may ask for one,
        a delivery may queue more)."""
        if self.starting is not None:
            await self.starting
        while True:
            await self.background.settle()
            if self.dispatcher is not None:
                await self.dispatcher.settle()
            if self.replanner is not None:
                await self.replanner.settle()
            if self.background.idle and (self.dispatcher is None or self.dispatcher.idle):
                return


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context with typed access to the services."""

    @property
    def svc(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    @property
    def user_data(self) -> dict[Any, Any]:
        """What a person's dialogue keeps between steps. PTB types it optional because a job has
        no user; a turn always has one (an update without a user never starts a turn)."""
        data = super().user_data
        if data is None:
            raise AttributeError("user_data is only there for an update from a person")
        return data

    @user_data.setter
    def user_data(self, _: object) -> NoReturn:
        raise AttributeError("user_data is changed in place, never replaced")


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    return application.bot_data[SERVICES_KEY]
