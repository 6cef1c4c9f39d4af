"""Two processes on one database: the first is active, the second stands by and takes over once
the first stops renewing; one that finds its lease taken, or cannot renew it in time, gives the
work up (fencing). The clock is moved by the waits themselves, never slept on."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import ManualClock
from bot.config import Settings
from bot.lease import ProcessLease, died_here, place, sender_id
from storage.outbox import NewMessage, queue_messages, queue_work, stale_work, take_over

pytestmark = pytest.mark.both_databases

SETTINGS = Settings(default_language="en", lease_seconds=20)
A = "host-a:101:aaaa"
B = "host-b:202:bbbb"


@pytest.fixture
def clock(now: datetime) -> ManualClock:
    return ManualClock(now)


def process(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    holder: str,
    gone: Callable[[str], bool] = lambda _: False,  # the others hold on other machines
) -> tuple[ProcessLease, io.StringIO]:
    out = io.StringIO()
    return ProcessLease(sessions, clock, SETTINGS, holder=holder, out=out, gone=gone), out


def waits(clock: ManualClock, log: list[float] | None = None) -> Any:
    """A sleep that moves the clock instead of waiting."""

    async def sleep(seconds: float) -> None:
        if log is not None:
            log.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    return sleep


async def test_the_second_process_stands_by_and_takes_over_once_the_first_stops_renewing(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    first, first_out = process(sessions, clock, A)
    second, second_out = process(sessions, clock, B)
    await first.wait_active(waits(clock))
    assert first.held
    assert first_out.getvalue() == (
        f"This process ({A}) is now the active one: it receives updates and runs the scheduled "
        "pushes.\n"
    )
    assert not await second.try_take()

    died_at = clock.now()  # the first one is killed here: it renews no more
    slept: list[float] = []
    await second.wait_active(waits(clock, slept))
    said = second_out.getvalue().splitlines()
    assert said[0].startswith(f"The process {A} is active (its claim runs until 09:00:20 unless")
    assert f"this one ({B}) stands by" in said[0]
    assert "takes over within 25 s" in said[0]
    assert said[1].startswith(f"This process ({B}) is now the active one")
    assert len(said) == 2  # standing by is said once, not at every look
    waited = clock.now() - died_at
    assert timedelta(seconds=20) <= waited <= timedelta(seconds=second.takeover_seconds)
    assert set(slept) == {5.0}  # it looks every quarter of the lease


async def test_the_active_process_keeps_its_lease_by_renewing_it(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    first, _ = process(sessions, clock, A)
    second, _ = process(sessions, clock, B)
    await first.wait_active(waits(clock))
    for _ in range(10):  # well past one lease
        clock.advance(timedelta(seconds=first.interval))
        assert await first.renew()
        assert not await second.try_take()


async def test_a_process_whose_lease_was_taken_gives_the_work_up(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    first, first_out = process(sessions, clock, A)
    second, _ = process(sessions, clock, B)
    await first.wait_active(waits(clock))
    # The first is paused longer than its lease; the second takes over meanwhile.
    await second.wait_active(waits(clock))
    stopped: list[bool] = []
    await first.keep(lambda: stopped.append(True), waits(clock))
    assert stopped == [True]
    assert first.lost and not first.held
    assert f"The process {B} took over from this one ({A})" in first_out.getvalue()
    assert not await first.try_take()  # it stands by now, and B still holds the lease


async def test_a_process_that_cannot_reach_the_database_gives_the_work_up_before_its_lease_ends(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, monkeypatch: Any
) -> None:
    first, first_out = process(sessions, clock, A)
    await first.wait_active(waits(clock))
    expires = first.expires

    def unreachable() -> Iterator[None]:
        raise ConnectionRefusedError("the database is down")

    monkeypatch.setattr(first, "sessions", unreachable)
    renewals: list[datetime] = []
    while await first.renew():
        renewals.append(clock.now())
        clock.advance(timedelta(seconds=first.interval))
    # It kept working while a renewal could still come in time, and stopped an interval before
    # the lease could pass to another process.
    assert len(renewals) == 3
    assert clock.now() + timedelta(seconds=first.interval) >= expires > clock.now()
    assert first.lost
    assert "could not renew its claim with the database" in first_out.getvalue()


async def test_a_process_stopping_cleanly_hands_over_at_once(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    first, _ = process(sessions, clock, A)
    second, _ = process(sessions, clock, B)
    await first.wait_active(waits(clock))
    await first.release()
    slept: list[float] = []
    await second.wait_active(waits(clock, slept))
    assert second.held and slept == []


def exited_pid() -> int:
    """The process id of a process that has just ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def here(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:cccc:{place()}"


@pytest.mark.skipif(not place(), reason="no /proc: every holder is waited for")
async def test_a_process_that_died_on_this_machine_is_taken_over_at_once(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    # systemd starts the service again a moment after a crash: the new process must not wait
    # for the dead one's lease to expire before the morning's pushes.
    dead = here(exited_pid())
    first, _ = process(sessions, clock, dead)
    await first.wait_active(waits(clock))
    second, second_out = process(sessions, clock, B, died_here)
    slept: list[float] = []
    await second.wait_active(waits(clock, slept))
    assert second.held and slept == []
    assert "is now the active one" in second_out.getvalue()
    assert not await first.try_take()  # the dead one's lease is gone for good


@pytest.mark.skipif(not place(), reason="no /proc")
async def test_a_live_process_or_one_elsewhere_is_waited_for(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    assert not died_here(here(os.getppid()))  # alive here
    assert not died_here(f"other-host:{exited_pid()}:cccc:0000ffff")  # another machine
    assert not died_here(f"{socket.gethostname()}:{exited_pid()}:cccc")  # no place named
    assert died_here(here(exited_pid()))
    first, _ = process(sessions, clock, here(os.getppid()))
    await first.wait_active(waits(clock))
    second, _ = process(sessions, clock, B, died_here)
    slept: list[float] = []
    await second.wait_active(waits(clock, slept))
    # Standing by until the live one's lease ran out: it never renewed in this test.
    assert second.held and sum(slept) >= 20


@pytest.mark.skipif(not place(), reason="no /proc")
@pytest.mark.parametrize("restarted_after", [0, 25], ids=["at-once", "lease-run-out"])
async def test_what_a_dead_process_was_sending_is_free_as_soon_as_it_is_taken_over(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, restarted_after: int
) -> None:
    # Its messages were held for the delivery lease (30 s): without this they would wait that
    # long after the takeover, past the minute a morning announcement is due. systemd may also
    # start the service again only after the dead one's lease (20 s) ran out.
    dead, live = here(exited_pid()), here(os.getppid())
    lease = timedelta(seconds=30)
    held: dict[str, list[int]] = {}
    async with sessions() as session, session.begin():
        for who in (dead, live):
            owner = sender_id(who)
            held[who] = await queue_messages(
                session=session,
                messages=[NewMessage(chat_id=7, text=f"{who} {n}") for n in range(2)],
                owner=owner,
                now=clock.now(),
                lease=lease,
            )
            held[who] += await queue_work(
                session=session,
                items=[("cover_boards", "{}", None)],
                actor_id=None,
                owner=owner,
                now=clock.now(),
                lease=lease,
            )
    first, _ = process(sessions, clock, dead)
    await first.wait_active(waits(clock))
    clock.advance(timedelta(seconds=restarted_after))
    second, _ = process(sessions, clock, B, died_here)
    await second.wait_active(waits(clock))
    assert second.held and second.released == 3
    async with sessions() as session, session.begin():
        messages = await take_over(session=session, owner="new", now=clock.now(), lease=lease)
        work = await stale_work(session=session, owner="new", now=clock.now(), lease=lease)
    # The dead one's two messages and its work go now; the live one's stay with it.
    assert [m.text for m in messages] == [f"{dead} 0", f"{dead} 1"]
    assert [w.id for w in work] == held[dead][2:]
