"""Planning again after changes: in the background, merged while a rebuild runs, never lost."""

from __future__ import annotations

import asyncio

from jobs.replanning import Replanner

LEAVE = frozenset({"leave_reminder"})
COVER = frozenset({"cover_slip"})


async def test_changes_during_a_rebuild_are_merged_into_the_next() -> None:
    calls: list[tuple[int, frozenset[str] | None]] = []
    release = asyncio.Event()

    async def rebuild(school_id: int, kinds: frozenset[str] | None) -> None:
        calls.append((school_id, kinds))
        if len(calls) == 1:
            await release.wait()  # the first rebuild is slow; more changes arrive meanwhile

    planner = Replanner(rebuild)
    planner.request(1, LEAVE)
    await asyncio.sleep(0)
    for _ in range(50):  # a burst of leave requests and a cover change at school 1
        planner.request(1, LEAVE)
    planner.request(1, COVER)
    planner.request(2, LEAVE)
    release.set()
    await planner.settle()
    assert calls == [(1, LEAVE), (1, LEAVE | COVER), (2, LEAVE)]


async def test_a_full_rebuild_absorbs_the_partial_ones() -> None:
    calls: list[tuple[int, frozenset[str] | None]] = []

    async def rebuild(school_id: int, kinds: frozenset[str] | None) -> None:
        calls.append((school_id, kinds))

    planner = Replanner(rebuild)
    planner.request(1, LEAVE)
    planner.request(1, None)
    planner.request(1, COVER)
    await planner.settle()
    assert calls == [(1, None)]


async def test_one_failing_school_does_not_stop_the_others() -> None:
    calls: list[int] = []

    async def rebuild(school_id: int, kinds: frozenset[str] | None) -> None:
        calls.append(school_id)
        if school_id == 1:
            raise RuntimeError("database gone for a moment")

    planner = Replanner(rebuild)
    planner.request(1, LEAVE)
    planner.request(2, LEAVE)
    await planner.settle()
    planner.request(1, LEAVE)  # a later change is planned again: the task starts anew
    await planner.settle()
    assert calls == [1, 2, 1]


async def test_a_burst_within_the_delay_is_planned_once_and_settle_does_not_wait_it_out() -> None:
    calls: list[tuple[int, frozenset[str] | None]] = []

    async def rebuild(school_id: int, kinds: frozenset[str] | None) -> None:
        calls.append((school_id, kinds))

    planner = Replanner(rebuild, delay=3600)
    planner.request(1, LEAVE)
    for _ in range(3):
        await asyncio.sleep(0)  # the loop turns; the rebuild still waits out its delay
        planner.request(1, COVER)
    assert calls == []
    await asyncio.wait_for(planner.settle(), timeout=5)
    assert calls == [(1, LEAVE | COVER)]
