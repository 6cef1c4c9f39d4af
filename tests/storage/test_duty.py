"""The duty roster in the database (SQLite and PostgreSQL): import, re-import, replacements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from demo.files import demo_files
from demo.roster import OFFICE, people
from rules.importing import Notice
from storage.duty import (
    add_post,
    clear_override,
    duty_on,
    on_any_duty,
    remove_post,
    school_posts,
    set_override,
    set_rotation,
    set_weekday_person,
)
from storage.importer import ImportFailed, ImportResult, import_table
from storage.models import DutyOverride, DutyPost, School, Staff
from storage.models.duty import DutyAssignment
from storage.schools import create_school
from storage.staff import staff_by_name

WEDNESDAY = date(2026, 11, 25)
GATE = [p.name for p in people() if "teacher" in p.roles and "office" not in p.roles][:10]


async def demo_school(session: AsyncSession, now: datetime) -> School:
    """The demo school's staff, calendar and duty roster, imported."""
    school = await create_school(
        session=session, name="青松路小学", timezone="Asia/Shanghai", now=now
    )
    files = demo_files(now.date())
    for kind in ("staff", "calendar", "duty"):
        filename, data = files[kind]
        await run(session, school, kind, data, now, filename)
    return school


@pytest.fixture
async def school(session: AsyncSession, now: datetime) -> School:
    return await demo_school(session, now)


async def run(
    session: AsyncSession,
    school: School,
    kind: str,
    data: bytes,
    now: datetime,
    filename: str = "duty.csv",
) -> ImportResult:
    return await import_table(
        session=session,
        school_id=school.id or 0,
        kind=kind,
        data=data,
        filename=filename,
        now=now,
        actor_telegram_id=None,
    )


def who(shifts: list, post: str) -> str:  # type: ignore[type-arg]
    return next(s.name for s in shifts if s.post == post)


async def test_the_demo_roster_imports_and_reads_back_by_day(
    session: AsyncSession, school: School
) -> None:
    posts = await school_posts(session=session, school_id=school.id or 0)
    assert [p.name for p in posts] == [
        "护学岗（早）",
        "巡课（上午）",
        "巡课（下午）",
        "护学岗（午）",
    ]
    today = await duty_on(session=session, school_id=school.id or 0, day=WEDNESDAY)
    # Seed 000: 王晴晴 patrols on Wednesdays; the gate rotation starts today with its first name.
    assert who(today, "巡课（上午）") == who(today, "巡课（下午）") == OFFICE[2]
    assert who(today, "护学岗（早）") == GATE[0]
    tomorrow = await duty_on(
        session=session, school_id=school.id or 0, day=WEDNESDAY + timedelta(1)
    )
    assert who(tomorrow, "护学岗（早）") == GATE[1] and who(tomorrow, "巡课（上午）") == OFFICE[3]
    assert await duty_on(session=session, school_id=school.id or 0, day=date(2026, 11, 28)) == []


async def test_the_same_file_again_changes_nothing_and_keeps_the_rotations_place(
    session: AsyncSession, school: School, now: datetime
) -> None:
    later = now + timedelta(days=2)
    result = await run(session, school, "duty", demo_files(now.date())["duty"][1], later)
    assert (result.created, result.updated, result.removed, result.unchanged) == (0, 0, 0, 30)
    friday = await duty_on(session=session, school_id=school.id or 0, day=later.date())
    assert who(friday, "护学岗（早）") == GATE[2]


async def test_a_changed_roster_replaces_in_place(
    session: AsyncSession, school: School, now: datetime
) -> None:
    posts = {p.name: p for p in await school_posts(session=session, school_id=school.id or 0)}
    friday = now.date() + timedelta(days=2)
    substitute = await staff_by_name(session=session, school_id=school.id or 0, name="曹明")
    assert substitute is not None
    for name in ("巡课（上午）", "护学岗（午）"):
        await set_override(
            session=session,
            school_id=school.id or 0,
            post_id=posts[name].id or 0,
            day=friday,
            staff_id=substitute.id or 0,
            reason="set",
            by=None,
            now=now,
        )
    text = (
        "岗位,开始,结束,星期,顺序,教师\n"
        f"巡课（上午）,08:00,11:30,周一,,{OFFICE[4]}\n"
        + "".join(
            f"巡课（上午）,08:00,11:30,周{d},,{OFFICE[i]}\n" for i, d in enumerate("二三四五", 1)
        )
        + "".join(f"护学岗（早）,07:20,07:50,,{i},{name}\n" for i, name in enumerate(GATE[::-1], 1))
    )
    result = await run(session, school, "duty", text.encode(), now + timedelta(days=1))
    # 巡课（下午） and 护学岗（午）: 15 rows gone; Monday's patroller and all 10 gate places moved.
    assert (result.created, result.updated, result.removed) == (0, 11, 15)
    assert (
        Notice(
            "import.note.duty_rotation_start",
            {"posts": ["护学岗（早）"], "day": date(2026, 11, 26)},
        )
        in result.notices
    )
    thursday = await duty_on(
        session=session, school_id=school.id or 0, day=now.date() + timedelta(1)
    )
    assert who(thursday, "护学岗（早）") == GATE[-1]
    assert [s.post for s in thursday] == ["护学岗（早）", "巡课（上午）"]
    shifts = await duty_on(session=session, school_id=school.id or 0, day=friday)
    assert who(shifts, "巡课（上午）") == "曹明"  # the kept post keeps its replacement
    left = (await session.exec(select(DutyOverride))).all()
    assert [o.post_id for o in left] == [posts["巡课（上午）"].id]


async def test_a_replacement_shows_whom_it_replaces_and_can_be_undone(
    session: AsyncSession, school: School, now: datetime
) -> None:
    post = (await school_posts(session=session, school_id=school.id or 0))[1]
    substitute = await staff_by_name(session=session, school_id=school.id or 0, name="曹明")
    assert substitute is not None
    await set_override(
        session=session,
        school_id=school.id or 0,
        post_id=post.id or 0,
        day=WEDNESDAY,
        staff_id=substitute.id or 0,
        reason="leave",
        by=None,
        now=now,
    )
    shift = (await duty_on(session=session, school_id=school.id or 0, day=WEDNESDAY))[1]
    assert (shift.name, shift.regular_name, shift.reason, shift.replaced) == (
        "曹明",
        OFFICE[2],
        "leave",
        True,
    )
    assert await clear_override(session=session, post_id=post.id or 0, day=WEDNESDAY)
    assert not await clear_override(session=session, post_id=post.id or 0, day=WEDNESDAY)
    shift = (await duty_on(session=session, school_id=school.id or 0, day=WEDNESDAY))[1]
    assert (shift.name, shift.replaced) == (OFFICE[2], False)


async def test_an_unknown_teacher_imports_nothing(session: AsyncSession, now: datetime) -> None:
    school = await create_school(session=session, name="焦小", timezone="Asia/Shanghai", now=now)
    with pytest.raises(ImportFailed) as caught:
        await run(
            session,
            school,
            "duty",
            "岗位,开始,结束,星期,教师\n巡课,08:00,11:30,周一,无名氏\n".encode(),
            now,
        )
    assert [e.key for e in caught.value.errors] == ["import.err.unknown_teacher"]
    assert await school_posts(session=session, school_id=school.id or 0) == []


async def test_whether_someone_has_any_duty_in_a_stretch_of_days(
    session: AsyncSession, school: School, now: datetime
) -> None:
    school_id = school.id or 0
    rostered = {
        a.staff_id
        for a in (
            await session.exec(select(DutyAssignment).where(DutyAssignment.school_id == school_id))
        ).all()
    }
    everyone = (await session.exec(select(Staff).where(Staff.school_id == school_id))).all()
    free = next(s.id or 0 for s in everyone if s.id not in rostered)
    week = (WEDNESDAY - timedelta(days=2), WEDNESDAY + timedelta(days=2))

    async def on_duty(staff_id: int, start: date, end: date) -> bool:
        return await on_any_duty(
            session=session, school_id=school_id, staff_id=staff_id, start=start, end=end
        )

    assert await on_duty(next(iter(rostered)), *week)
    assert not await on_duty(free, *week)

    post = (await school_posts(session=session, school_id=school_id))[0]
    await set_override(
        session=session,
        school_id=school_id,
        post_id=post.id or 0,
        day=WEDNESDAY,
        staff_id=free,
        reason="leave",
        by=None,
        now=now,
    )
    assert await on_duty(free, *week)  # standing in for someone that Wednesday
    assert not await on_duty(free, WEDNESDAY + timedelta(days=1), WEDNESDAY + timedelta(days=9))


async def test_the_roster_kept_between_actions_follows_every_change(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """Each action reads the roster from what the bot keeps for the school; a change made in one
    action (a weekday's person, a new rotation, a post added or removed, a file imported) shows
    in the next one's /duty."""
    async with sessions() as session:
        school = await demo_school(session, now)
        await session.commit()
    school_id = school.id or 0

    async def listed(day: date = WEDNESDAY) -> list[tuple[str, str]]:
        async with sessions() as session:
            return [
                (s.post, s.name)
                for s in await duty_on(session=session, school_id=school_id, day=day)
            ]

    async def change(how: Callable[[AsyncSession, dict[str, DutyPost]], Awaitable[object]]) -> None:
        async with sessions() as session:
            posts = {p.name: p for p in await school_posts(session=session, school_id=school_id)}
            await how(session, posts)
            await session.commit()

    async def cao(session: AsyncSession) -> int:
        found = await staff_by_name(session=session, school_id=school_id, name="曹明")
        assert found is not None
        return found.id or 0

    first = await listed()
    assert ("巡课（上午）", OFFICE[2]) in first

    async def patrol(session: AsyncSession, posts: dict[str, DutyPost]) -> None:
        await set_weekday_person(
            session=session, post=posts["巡课（上午）"], weekday=3, staff_id=await cao(session)
        )

    await change(patrol)
    assert ("巡课（上午）", "曹明") in await listed()

    async def rotation(session: AsyncSession, posts: dict[str, DutyPost]) -> None:
        await set_rotation(
            session=session,
            post=posts["护学岗（早）"],
            staff_ids=[await cao(session)],
            start=WEDNESDAY,
        )

    await change(rotation)
    assert ("护学岗（早）", "曹明") in await listed()

    async def added(session: AsyncSession, posts: dict[str, DutyPost]) -> None:
        post = await add_post(
            session=session,
            school_id=school_id,
            name="午间巡查",
            starts_at=time(12, 0),
            ends_at=time(12, 30),
            mode="rotation",
            start=WEDNESDAY,
        )
        assert post is not None
        await set_rotation(
            session=session, post=post, staff_ids=[await cao(session)], start=WEDNESDAY
        )

    await change(added)
    assert ("午间巡查", "曹明") in await listed()

    async def removed(session: AsyncSession, posts: dict[str, DutyPost]) -> None:
        await remove_post(session=session, post=posts["午间巡查"])

    await change(removed)
    assert "午间巡查" not in {post for post, _ in await listed()}

    # The file again, with another patroller on Wednesdays.
    header, *rows = demo_files(now.date())["duty"][1].decode("utf-8-sig").splitlines()
    text = "\n".join([header, *(r.replace(OFFICE[2], OFFICE[4]) for r in rows)]) + "\n"
    async with sessions() as session:
        await run(session, school, "duty", text.encode(), now)
        await session.commit()
    assert ("巡课（下午）", OFFICE[4]) in await listed()
