"""One process in charge: several `staffroom run` may point at one database, one of them works.

The active process holds the lease named "bot" (storage/leases.py) and renews it every quarter
of LEASE_SECONDS; only it polls Telegram (a second poller on one token gets 409 Conflict) and
runs the scheduled pushes. The others stand by: no polling, no scheduler, only a look at the
lease as often. When the active one dies, its lease expires and the first standby to look takes
it, then starts as any start does: the jobs rebuilt from the tables, the outbox's undelivered
rows sent, the pushes missed meanwhile caught up. The push ledger and the outbox's own leases
already keep every message to one delivery across processes; the lease keeps the work itself to
one process.

A process that died on this machine is not waited for: the holder id names the machine's boot
and process namespace (`place`) and the process id, so a standby there, or the same service
started again by systemd after a crash, sees that the holder's process is gone and takes the
lease at once instead of after its expiry. A holder elsewhere (another machine, another
container) is always waited for: its process id means nothing here.

An active process that cannot renew (another took the lease after it was paused too long, or
the database did not confirm it before it expired) stops polling and its scheduler at once
and stands by again (`keep` calls `on_lost`), rather than run a second scheduler.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.admin_cli import say
from bot.clock import Clock
from bot.config import Settings
from bot.logs import tell_operator
from storage.leases import holding, release, take, take_from
from storage.outbox import release_held

log = logging.getLogger(__name__)

LEASE_NAME = "bot"
# Renewals (by the active process) and looks (by a standby) per lease.
CHECKS_PER_LEASE = 4
HOLDER_CHARS = 128

Sleep = Callable[[float], Awaitable[None]]


def place() -> str:
    """This machine's boot and process namespace, in 8 characters (empty where unknown): two
    processes with the same place see each other's process ids."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return hashlib.sha256(f"{boot}:{namespace}".encode()).hexdigest()[:8]


def holder_id() -> str:
    """host:pid:random:place: which machine and process, and never the same for two starts."""
    suffix = f":{os.getpid()}:{secrets.token_hex(3)}:{place()}"
    return socket.gethostname()[: HOLDER_CHARS - len(suffix)] + suffix


# The outbox's owner column holds 16 characters: 10 name the process, 6 its current bot.
SENDER_PREFIX_CHARS = 10


def sender_prefix(holder: str) -> str:
    """What the messages and work held by `holder`'s bots have in common (their owner's start),
    so that a process taking over from it knows which of them are free at once."""
    return hashlib.sha256(holder.encode()).hexdigest()[:SENDER_PREFIX_CHARS]


def sender_id(holder: str) -> str:
    """The owner of the outbox rows one bot of `holder` sends. A new one each time the process
    becomes active again: what its stopped bot held is not the new one's to renew."""
    return sender_prefix(holder) + secrets.token_hex(3)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def died_here(holder: str, *, alive: Callable[[int], bool] = _alive) -> bool:
    """Whether `holder` was a process of this place that is gone (see the module's text)."""
    parts = holder.rsplit(":", 3)
    here = place()
    if len(parts) != 4 or not here or parts[3] != here:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    # This process has the pid now: the holder that had it is gone.
    return pid == os.getpid() or not alive(pid)


class ProcessLease:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: Settings,
        *,
        holder: str | None = None,
        out: TextIO | None = None,
        gone: Callable[[str], bool] = died_here,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.lease = settings.lease
        self.holder = holder or holder_id()
        self.out = out
        self.held = False
        self.lost = False  # the last time it was active, it lost the lease (fencing)
        self.expires = clock.now()
        self._seen: str | None = None  # the other holder last reported while standing by
        self._gone = gone
        self.released = 0  # messages and work of a gone holder let go at the takeover

    @property
    def interval(self) -> float:
        return self.lease.total_seconds() / CHECKS_PER_LEASE

    @property
    def takeover_seconds(self) -> float:
        """The longest a standby waits once the active process died: the lease it last
        renewed, and one look."""
        return self.lease.total_seconds() + self.interval

    async def try_take(self, gone: str | None = None) -> bool:
        """One attempt to take (or renew) the lease, or to take it from `gone`, a holder whose
        process is gone; database errors are the caller's."""
        now = self.clock.now()
        until = now + self.lease
        async with self.sessions() as session, session.begin():
            if gone is None:
                taken = await take(
                    session=session, name=LEASE_NAME, holder=self.holder, now=now, until=until
                )
            else:
                taken = await take_from(
                    session=session,
                    name=LEASE_NAME,
                    holder=self.holder,
                    gone=gone,
                    now=now,
                    until=until,
                )
                if taken:
                    # Its messages and work wait no longer than the takeover itself.
                    self.released = await release_held(
                        session=session, owner_prefix=sender_prefix(gone)
                    )
        if taken:
            self.expires = until
        return taken

    async def wait_active(self, sleep: Sleep = asyncio.sleep) -> None:
        """Stands by until this process holds the lease; says so, and who is active meanwhile."""
        self.lost = False
        while True:
            try:
                if await self._look():
                    break
            except Exception as exc:  # the database away: look again, as a standby would
                log.warning(
                    "lease: could not look at the lease (%s); trying again", type(exc).__name__
                )
            await sleep(self.interval)
        self.held = True
        self._seen = None
        log.info("lease: active as %s", self.holder)
        self._print("cli.lease_active", holder=self.holder)

    async def _look(self) -> bool:
        """One look at the lease: True once this process took it. A holder whose process died
        here is taken from at once, its lease run out or not, with the messages it held; a
        free or run-out lease is taken; else says who is active."""
        async with self.sessions() as session:
            found = await holding(session=session, name=LEASE_NAME)
        if (
            found is not None
            and found.holder != self.holder
            and self._gone(found.holder)
            and await self.try_take(gone=found.holder)
        ):
            log.info(
                "lease: %s had stopped on this machine; taken over with %d rows it held",
                found.holder,
                self.released,
            )
            return True
        if await self.try_take():
            return True
        if found is not None and found.holder != self._seen:
            self._seen = found.holder
            log.info("lease: standing by as %s; %s is active", self.holder, found.holder)
            # Its expiry tells an operator when a process that is gone (a crash before this
            # start, on another machine or in another container) stops counting.
            until = found.expires_at.astimezone(self.clock.tz)
            self._print(
                "cli.lease_standby",
                holder=self.holder,
                active=found.holder,
                until=f"{until:%H:%M:%S}",
                seconds=f"{self.takeover_seconds:g}",
            )
        return False

    async def renew(self) -> bool:
        """Renews the lease; False once it is lost: another process holds it, or it could not
        be confirmed before it expires (the database away or too slow to answer).

        A renewal may take until the lease expires (at least one interval): one that comes back
        later than that, or fails, with less than an interval left, gives the work up, since
        another process may take over from that moment on.
        """
        left = (self.expires - self.clock.now()).total_seconds()
        try:
            async with asyncio.timeout(max(left, self.interval)):
                if await self.try_take():
                    return True
        except Exception as exc:  # includes the timeout
            if self.clock.now() + timedelta(seconds=self.interval) < self.expires:
                log.warning("lease: renewal failed (%s); trying again", type(exc).__name__)
                return True
            log.warning("lease: could not be renewed before it expired (%s)", type(exc).__name__)
            self._give_up("cli.lease_unconfirmed")
            return False
        active = "?"
        try:
            async with self.sessions() as session:
                found = await holding(session=session, name=LEASE_NAME)
            active = found.holder if found is not None else "?"
        except Exception:  # who took it is only for the message
            log.debug("lease: could not read who holds it", exc_info=True)
        log.warning("lease: lost to %s", active)
        self._give_up("cli.lease_taken_over", active=active)
        return False

    def _give_up(self, key: str, **values: object) -> None:
        self.held = False
        self.lost = True
        self._print(key, holder=self.holder, **values)

    async def keep(self, on_lost: Callable[[], object], sleep: Sleep = asyncio.sleep) -> None:
        """Renews the lease while this process works; `on_lost` once it is lost."""
        while True:
            await sleep(self.interval)
            if not await self.renew():
                on_lost()
                return

    async def release(self) -> None:
        """At a clean stop: a standby takes over at its next look, not after the expiry."""
        if not self.held:
            return
        self.held = False
        try:
            async with self.sessions() as session, session.begin():
                await release(session=session, name=LEASE_NAME, holder=self.holder)
        except Exception:  # it expires by itself
            log.warning("lease: could not be released; it expires by itself", exc_info=True)
            return
        log.info("lease: released by %s", self.holder)

    def _print(self, key: str, **values: object) -> None:
        tell_operator(self.settings, say(self.settings, key, **values), self.out)
