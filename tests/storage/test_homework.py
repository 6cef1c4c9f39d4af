"""Postings against the cap under the class lock, one winner per transition, the board once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

import storage.homework
from rules.homework import Kind
from rules.policies import PolicySet
from storage.db import session_factory
from storage.homework import (
    Draft,
    held_entries,
    move,
    place_postings,
    publish_board,
)
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from tests.schools.homework import seed_school

DAY = date(2026, 11, 25)
# How long the first transaction waits for the second one to read the total. With the lock the
# second one cannot read before the first commits, so this wait always runs out.
RACE_WAIT_SECONDS = 0.5


async def _post(
    engine: AsyncEngine,
    now: datetime,
    *,
    teacher: str,
    klass: str,
    subject: str,
    minutes: int,
    kind: Kind = Kind.WRITTEN,
    policies: PolicySet | None = None,
) -> list[storage.homework.Placed]:
    """One posting in a transaction of its own, as a handler makes it."""
    async with session_factory(engine)() as session, session.begin():
        author = await session.get(Staff, IDS["staff"][teacher])
        klass_row = await session.get(SchoolClass, IDS["classes"][klass])
        subject_row = await session.get(Subject, IDS["subjects"][subject])
        assert author and klass_row and subject_row
        return await place_postings(
            session=session,
            author=author,
            day=DAY,
            drafts=[Draft(klass_row, subject_row, kind, None, minutes, "练习")],
            policies=policies or PolicySet(),
            now=now,
        )


# Every test builds the same school on a fresh database, so the ids are the same each time.
IDS: dict[str, dict[str, int]] = {}


@pytest.fixture
async def school(engine: AsyncEngine, now: datetime) -> AsyncEngine:
    built = await seed_school(engine, now)
    IDS["staff"] = {name: s.id or 0 for name, s in built.staff.items()}
    IDS["classes"] = {name: c.id or 0 for name, c in built.classes.items()}
    IDS["subjects"] = {name: s.id or 0 for name, s in built.subjects.items()}
    IDS["school"] = {"id": built.school_id}
    return engine


async def test_accepted_postings_hold_minutes_and_over_cap_ones_do_not(
    school: AsyncEngine, now: datetime
) -> None:
    first = await _post(school, now, teacher="王老师", klass="三(2)", subject="数学", minutes=30)
    over = await _post(school, now, teacher="李老师", klass="三(2)", subject="英语", minutes=20)
    oral = await _post(
        school, now, teacher="李老师", klass="三(2)", subject="英语", minutes=20, kind=Kind.ORAL
    )
    assert first[0].check.ok and first[0].post is not None
    assert first[0].post.status == "published"
    assert not over[0].check.ok and over[0].post is not None
    assert over[0].post.status == "over_cap"
    assert (over[0].check.total, over[0].check.left) == (30, 15)
    assert oral[0].check.ok
    async with session_factory(school)() as session:
        class_id = first[0].klass.id or 0
        held = await held_entries(session=session, class_id=class_id, day=DAY)
    assert [(e.subject, e.kind, e.minutes) for e in held] == [
        ("数学", Kind.WRITTEN, 30),
        ("英语", Kind.ORAL, 20),
    ]


async def test_a_grade_without_written_homework_stores_nothing_written(
    school: AsyncEngine, now: datetime
) -> None:
    refused = await _post(school, now, teacher="王老师", klass="一(1)", subject="数学", minutes=10)
    assert refused[0].check.verdict == "no_written" and refused[0].post is None


async def test_in_head_teacher_mode_a_posting_waits_unless_its_author_heads_the_class(
    school: AsyncEngine, now: datetime
) -> None:
    policies = PolicySet({"homework.publication": "head_teacher"})
    waiting = await _post(
        school, now, teacher="王老师", klass="三(2)", subject="数学", minutes=10, policies=policies
    )
    own = await _post(
        school, now, teacher="赵老师", klass="三(2)", subject="语文", minutes=10, policies=policies
    )
    assert waiting[0].post is not None and waiting[0].post.status == "pending"
    assert own[0].post is not None and own[0].post.status == "published"


async def test_two_postings_at_the_same_moment_cannot_both_pass_the_cap(
    school: AsyncEngine, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each would fit alone (30 held, cap 45, 15 each); together they would pass the cap."""
    await _post(school, now, teacher="赵老师", klass="三(2)", subject="语文", minutes=30)
    first_read = asyncio.Event()
    second_read = asyncio.Event()
    readers: list[str] = []
    original = storage.homework.held_entries

    async def read_then_hold(**kwargs: object) -> list[object]:
        entries = await original(**kwargs)  # type: ignore[arg-type]
        readers.append(asyncio.current_task().get_name())  # type: ignore[union-attr]
        if len(readers) == 1:
            # The first transaction holds on between reading and writing, giving the second
            # every chance to read the same total; the class lock must keep it waiting.
            first_read.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(second_read.wait(), RACE_WAIT_SECONDS)
        else:
            second_read.set()
        return entries

    monkeypatch.setattr(storage.homework, "held_entries", read_then_hold)

    async def second() -> list[storage.homework.Placed]:
        await first_read.wait()
        return await _post(school, now, teacher="李老师", klass="三(2)", subject="英语", minutes=15)

    results = await asyncio.gather(
        asyncio.create_task(
            _post(school, now, teacher="王老师", klass="三(2)", subject="数学", minutes=15),
            name="maths",
        ),
        asyncio.create_task(second(), name="english"),
    )
    passed = [r[0].check.ok for r in results]
    assert sorted(passed) == [False, True]
    loser = next(r[0] for r in results if not r[0].check.ok)
    assert loser.check.total == 45  # it saw the winner's minutes
    async with session_factory(school)() as session:
        class_id = loser.klass.id or 0
        held = await original(session=session, class_id=class_id, day=DAY)
    assert sum(e.minutes for e in held) == 45


async def test_only_one_of_two_decisions_wins(school: AsyncEngine, now: datetime) -> None:
    policies = PolicySet({"homework.publication": "office"})
    placed = await _post(
        school, now, teacher="王老师", klass="三(2)", subject="数学", minutes=10, policies=policies
    )
    assert placed[0].post is not None
    post_id, version = placed[0].post.id, placed[0].post.version
    outcomes = []
    for status in ("published", "returned"):
        async with session_factory(school)() as session, session.begin():
            post = await session.get(HomeworkPost, post_id)
            assert post is not None
            outcomes.append(
                await move(
                    session=session,
                    post=post,
                    from_statuses=("pending",),
                    version=version,
                    now=now,
                    status=status,
                )
            )
    assert outcomes == [True, False]
    async with session_factory(school)() as session:
        post = await session.get(HomeworkPost, post_id)
        assert post is not None and (post.status, post.version) == ("published", version + 1)


async def test_the_board_is_published_once_and_marks_what_it_showed(
    school: AsyncEngine, now: datetime
) -> None:
    await _post(school, now, teacher="王老师", klass="三(2)", subject="数学", minutes=20)
    results = []
    for _ in range(2):
        async with session_factory(school)() as session, session.begin():
            classes = [await session.get(SchoolClass, i) for i in IDS["classes"].values()]
            results.append(
                await publish_board(
                    session=session,
                    school_id=IDS["school"]["id"],
                    classes=[c for c in classes if c is not None],
                    day=DAY,
                    policies=PolicySet(),
                    now=now,
                )
            )
    first, again = results
    assert again is None and first is not None
    shown = {d.name: (d.written, d.missing) for d in first}
    assert shown["三(2)班"] == (20, False) and shown["三(1)班"] == (0, True)
    async with session_factory(school)() as session:
        posts = list((await session.exec(select(HomeworkPost))).all())
    assert [p.announced for p in posts] == [True]
