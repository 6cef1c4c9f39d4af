"""A school's calendar, timetable and bells are kept between actions, never staler than the
database: a committed change is seen at the next action, an uncommitted one only by its own."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.models
from rules.calendar import DayKind
from rules.classnames import ClassRef
from rules.cover import DayLesson
from rules.states import SwapStatus
from storage.calendar import school_calendar
from storage.db import create_engine, session_factory
from storage.homework import may_post, school_subjects
from storage.import_classes import ensure_classes, ensure_subjects
from storage.models import BellPeriod, CalendarEntry, Lesson, School, SchoolClass, Staff
from storage.policies import load_policies, set_policy
from storage.schedule import bell_times, load_names, load_schedule
from storage.schools import bump_schedule_version
from storage.session_memo import held_row
from storage.shared_rows import SharedRowChanged
from storage.staff import school_staff
from storage.swaps import create_swap, move_swap
from storage.timetable import school_classes
from tests.schools import factories

WEDNESDAY = date(2026, 11, 25)


async def seed(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    async with sessions() as s, s.begin():
        school = await factories.school(s, now)
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        await factories.bells(s, school, [("08:00", "08:40")])
        return school.id or 0


async def kind_on(sessions: async_sessionmaker[AsyncSession], school_id: int) -> DayKind:
    async with sessions() as s:
        return (await school_calendar(session=s, school_id=school_id)).status(WEDNESDAY).kind


async def close_wednesday(session: AsyncSession, school_id: int) -> None:
    session.add(
        CalendarEntry(
            school_id=school_id,
            kind="closed",
            start_date=WEDNESDAY,
            end_date=WEDNESDAY,
            note="运动会",
        )
    )
    await session.flush()


async def test_a_committed_change_is_seen_by_the_next_action(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    assert await kind_on(sessions, school_id) == DayKind.SCHOOL
    async with sessions() as s, s.begin():
        await close_wednesday(s, school_id)
        await bump_schedule_version(session=s, school_id=school_id)
    assert await kind_on(sessions, school_id) == DayKind.CLOSED


async def test_an_uncommitted_change_is_seen_only_by_its_own_session(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    assert await kind_on(sessions, school_id) == DayKind.SCHOOL  # now kept
    async with sessions() as s:
        await s.begin()
        await close_wednesday(s, school_id)
        await bump_schedule_version(session=s, school_id=school_id)
        inside = (await school_calendar(session=s, school_id=school_id)).status(WEDNESDAY)
        assert inside.kind == DayKind.CLOSED
        await s.rollback()
    # The next real change takes the version number the rollback used; what it brings (a bell,
    # Wednesday still a school day) is what everyone sees, not the rolled-back closure.
    async with sessions() as s, s.begin():
        s.add(BellPeriod(school_id=school_id, period=2, starts_at=time(8, 50), ends_at=time(9, 30)))
        await bump_schedule_version(session=s, school_id=school_id)
    assert await kind_on(sessions, school_id) == DayKind.SCHOOL
    async with sessions() as s:
        assert set(await bell_times(session=s, school_id=school_id)) == {1, 2}


async def test_a_new_timetable_reaches_the_schedule(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    async with sessions() as s:
        before = await load_schedule(session=s, school_id=school_id)
        assert before.lessons(WEDNESDAY) == []
        assert set(await bell_times(session=s, school_id=school_id)) == {1}
    async with sessions() as s, s.begin():
        school = await s.get(School, school_id)
        klass = await factories.school_class(s, school, 3, 2)
        maths = await factories.subject(s, school, "数学")
        teacher = await factories.staff(s, school, "许志强")
        await factories.lesson(s, school, klass, 3, 1, maths, teacher)
        await bump_schedule_version(session=s, school_id=school_id)
    async with sessions() as s:
        after = await load_schedule(session=s, school_id=school_id)
    assert [(x.class_id, x.period, x.grade) for x in after.lessons(WEDNESDAY) or []] == [
        (klass.id, 1, 3)
    ]


async def test_each_database_keeps_its_own(
    engine: AsyncEngine, now: datetime, tmp_path: Path
) -> None:
    # Two schools with the same id in two databases must never see each other's calendar.
    other = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        async with other.begin() as conn:
            await conn.run_sync(storage.models.metadata.create_all)
        first, second = session_factory(engine), session_factory(other)
        school_a = await seed(first, now)
        school_b = await seed(second, now)
        async with second() as s, s.begin():
            await close_wednesday(s, school_b)
        assert school_a == school_b
        assert await kind_on(first, school_a) == DayKind.SCHOOL
        assert await kind_on(second, school_b) == DayKind.CLOSED
    finally:
        await other.dispose()


async def test_the_staff_list_follows_the_actions_own_changes(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    async with sessions() as s, s.begin():
        school = await s.get(School, school_id)
        first = await factories.staff(s, school, "周雅琴")
        assert [p.name for p in await school_staff(session=s, school_id=school_id)] == ["周雅琴"]
        await factories.staff(s, school, "许志强")
        first.active = False  # not flushed yet: the list must still leave her out
        names = [p.name for p in await school_staff(session=s, school_id=school_id)]
    assert names == ["许志强"]


async def test_an_unflushed_change_is_seen_by_its_own_session(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    assert await kind_on(sessions, school_id) == DayKind.SCHOOL  # now kept
    async with sessions() as s, s.begin():
        s.add(
            CalendarEntry(
                school_id=school_id,
                kind="closed",
                start_date=WEDNESDAY,
                end_date=WEDNESDAY,
                note="运动会",
            )
        )  # added, not flushed: the read must still see it, as a query would after autoflush
        calendar = await school_calendar(session=s, school_id=school_id)
        assert calendar.status(WEDNESDAY).kind == DayKind.CLOSED


async def test_a_class_or_subject_an_import_creates_is_named_at_the_next_action(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """A roster import may name a class the timetable has not; its name must not wait for the
    next timetable import."""
    school_id = await seed(sessions, now)
    async with sessions() as s:
        names = await load_names(session=s, school_id=school_id)
        assert names.classes == {} and names.subjects == {}  # kept, for this version

    async with sessions() as s, s.begin():
        classes, created = await ensure_classes(
            session=s, school_id=school_id, refs=[ClassRef(5, 3)]
        )
        subjects, _ = await ensure_subjects(session=s, school_id=school_id, names=["科学"])

    async with sessions() as s:
        names = await load_names(session=s, school_id=school_id)
    assert created == ["五(3)班"]
    assert names.classes == {classes[ClassRef(5, 3)].id: "五(3)班"}
    assert names.subjects == {subjects["科学"].id: "科学"}


async def test_a_policy_stored_elsewhere_is_read_at_the_next_action(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    async with sessions() as s:
        assert (await load_policies(session=s, school_id=school_id)).homework_cap(3) == 45

    async with sessions() as s, s.begin():  # /settings, or `staffroom settings set` elsewhere
        await set_policy(
            session=s,
            school_id=school_id,
            key="homework.cap.grade3",
            raw_value="30",
            by=None,
            now=now,
        )
        # Inside the change, its own session reads what it wrote.
        assert (await load_policies(session=s, school_id=school_id)).homework_cap(3) == 30

    async with sessions() as s:
        assert (await load_policies(session=s, school_id=school_id)).homework_cap(3) == 30


async def test_a_session_sees_a_change_committed_between_its_transactions(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    # The school row an action reads is held for its transaction only: a session that goes on
    # to another transaction (a follow-up's, a job's) reads it, and its version, again.
    school_id = await seed(sessions, now)
    async with sessions() as first:
        async with first.begin():
            before = await school_calendar(session=first, school_id=school_id)
            assert before.status(WEDNESDAY).kind == DayKind.SCHOOL
        async with sessions() as other, other.begin():
            await close_wednesday(other, school_id)
            await bump_schedule_version(session=other, school_id=school_id)
        async with first.begin():
            after = await school_calendar(session=first, school_id=school_id)
            assert after.status(WEDNESDAY).kind == DayKind.CLOSED


async def test_a_held_school_row_is_read_again_after_a_savepoint_rolled_back(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    # A savepoint rolled back (a duplicate caught inside an action) expires the rows the
    # session holds; asking for the school again must read it, not hand out an expired row.
    school_id = await seed(sessions, now)
    async with sessions() as s, s.begin():
        first = await held_row(s, School, school_id)
        assert first is not None
        nested = await s.begin_nested()
        first.name = "改名小学"
        await s.flush()
        await nested.rollback()
        again = await held_row(s, School, school_id)
        assert again is not None and again.name == "孟河小学"


async def test_the_kept_classes_and_subjects_cannot_be_changed_by_mistake(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    async with sessions() as s, s.begin():
        school = await factories.school(s, now)
        await factories.school_class(s, school, 3, 1)
        await factories.subject(s, school, "数学")
        school_id = school.id or 0
    async with sessions() as s, s.begin():
        klass = (await school_classes(session=s, school_id=school_id))[0]
        subject = (await school_subjects(session=s, school_id=school_id))[0]
        with pytest.raises(SharedRowChanged):
            klass.name = "三(9)班"
        with pytest.raises(SharedRowChanged):
            subject.name = "语文"
    async with sessions() as s, s.begin():
        # What every later action reads is untouched, and an action's own row may change.
        assert [c.name for c in await school_classes(session=s, school_id=school_id)] == ["三(1)班"]
        own = await s.get(SchoolClass, klass.id)
        assert own is not None
        own.name = "三(1)班 实验"
        await bump_schedule_version(session=s, school_id=school_id)
    async with sessions() as s, s.begin():
        assert [c.name for c in await school_classes(session=s, school_id=school_id)] == [
            "三(1)班 实验"
        ]


async def test_whether_a_teacher_teaches_a_class_follows_the_timetable_valid_that_day(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    async with sessions() as s, s.begin():
        school = await factories.school(s, now)
        klass = await factories.school_class(s, school, 3, 1)
        maths = await factories.subject(s, school, "数学")
        teacher = await factories.staff(s, school, "周雅琴")
        other = await factories.staff(s, school, "许志强")
        s.add(
            Lesson(
                school_id=school.id,
                class_id=klass.id,
                weekday=3,
                period=1,
                subject_id=maths.id,
                teacher_id=teacher.id,
                valid_to=date(2026, 12, 31),
            )
        )
    async with sessions() as s, s.begin():

        def may(person: Staff, day: date) -> Awaitable[bool]:
            return may_post(session=s, staff=person, klass=klass, subject=maths, day=day)

        assert await may(teacher, WEDNESDAY)
        assert not await may(teacher, date(2027, 1, 6))  # the lesson ended with the year
        assert not await may(other, WEDNESDAY)


async def test_an_approved_or_cancelled_swap_reaches_the_kept_schedule_at_the_next_action(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    school_id = await seed(sessions, now)
    async with sessions() as s, s.begin():
        school = await s.get(School, school_id)
        assert school is not None
        klass = await factories.school_class(s, school, 3, 2)
        maths = await factories.subject(s, school, "数学")
        xu = await factories.staff(s, school, "许志强")
        guo = await factories.staff(s, school, "郭春燕")
        first = await factories.lesson(s, school, klass, 3, 1, maths, xu)
        second = await factories.lesson(s, school, klass, 3, 2, maths, guo)
        await bump_schedule_version(session=s, school_id=school_id)

    async def teachers() -> dict[int, int]:
        async with sessions() as s:
            schedule = await load_schedule(session=s, school_id=school_id)
        return {x.period: x.teacher_id for x in schedule.lessons(WEDNESDAY) or []}

    assert await teachers() == {1: xu.id, 2: guo.id}  # now kept
    async with sessions() as s, s.begin():
        mine = DayLesson(WEDNESDAY, 1, klass.id or 0, 3, maths.id or 0, xu.id or 0, first.id or 0)
        theirs = DayLesson(
            WEDNESDAY, 2, klass.id or 0, 3, maths.id or 0, guo.id or 0, second.id or 0
        )
        swap = await create_swap(session=s, school_id=school_id, mine=mine, theirs=theirs, now=now)
        swap_id = swap.id or 0

    async def move(before: SwapStatus, after: SwapStatus) -> None:
        """The swap moves from `before` to `after` in an action of its own."""
        async with sessions() as s, s.begin():
            assert await move_swap(
                session=s, swap_id=swap_id, from_states=(before,), to_state=after, now=now
            )

    await move(SwapStatus.ASKED, SwapStatus.AGREED)
    assert await teachers() == {1: xu.id, 2: guo.id}  # agreed is not approved yet
    await move(SwapStatus.AGREED, SwapStatus.APPROVED)
    assert await teachers() == {1: guo.id, 2: xu.id}
    await move(SwapStatus.APPROVED, SwapStatus.CANCELLED)
    assert await teachers() == {1: xu.id, 2: guo.id}
