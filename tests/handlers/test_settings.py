"""/settings: admins list and change policies; bad values are refused with the allowed range."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.policies import load_policies
from storage.schools import school_by_name
from tests import factories
from tests.harness import BotHarness

TEACHER_ID = 7_200_000_001
ADMIN_ID = 7_200_000_002


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now(), "孟河小学")
        await factories.staff(s, school, "王晴晴", telegram_id=TEACHER_ID)
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)


async def caps(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as s:
        school = await school_by_name(session=s, name="孟河小学")
        assert school is not None
        return (await load_policies(session=s, school_id=school.id)).homework_cap(3)


async def test_admin_lists_policies_with_defaults(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    replies = await harness.send(harness.user(ADMIN_ID), "/settings")
    text = "\n".join(r.plain for r in replies)
    assert "homework.cap.grade3 = 45" in text
    assert "homework.cap.grade1 = 0" in text
    assert "cover.daily_cap = 2" in text
    assert all(len(r.text) <= 4096 for r in replies)


async def test_admin_changes_a_policy_and_it_is_audited(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    replies = await harness.send(harness.user(ADMIN_ID), "/settings homework.cap.grade3 40")
    assert "45 → 40" in replies[-1].plain
    assert await caps(engine) == 40
    listing = await harness.send(harness.user(ADMIN_ID), "/settings")
    assert "homework.cap.grade3 = 40 ✎" in "\n".join(r.plain for r in listing)
    async with session_factory(engine)() as s:
        change = (await audit.entries(session=s, action="policy_changed"))[-1]
    assert '"new": "40"' in change.detail and change.actor_telegram_id == ADMIN_ID


async def test_bad_values_are_refused_with_the_allowed_range(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    too_big = await harness.send(admin, "/settings homework.cap.grade3 500")
    bad_time = await harness.send(admin, "/settings duty.announce_time 25:00")
    bad_choice = await harness.send(admin, "/settings homework.publication everyone")
    unknown = await harness.send(admin, "/settings homework.cap.grade33 40")

    assert "允许：0–240" in too_big[-1].plain
    assert "HH:MM" in bad_time[-1].plain
    assert "auto | head_teacher | office" in bad_choice[-1].plain
    assert "homework.cap.grade3" in unknown[-1].plain
    assert await caps(engine) == 45


async def test_teacher_cannot_change_policies_and_group_use_is_redirected(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    refused = await harness.send(harness.user(TEACHER_ID), "/settings homework.cap.grade3 10")
    assert refused[-1].plain == "你没有权限执行这个操作。"
    assert await caps(engine) == 45


async def test_english_speaker_gets_english_texts(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    switched = await harness.send(admin, "/lang en")
    listing = await harness.send(admin, "/settings")
    assert switched[-1].plain == "OK, I will speak English with you from now on."
    assert "Policies of 孟河小学" in listing[0].plain


async def year_start(engine: AsyncEngine) -> str:
    async with session_factory(engine)() as s:
        school = await school_by_name(session=s, name="孟河小学")
        assert school is not None
        return (await load_policies(session=s, school_id=school.id)).raw("training.year_start")


async def test_a_training_year_cannot_start_on_a_day_the_calendar_lacks(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    no_day = await harness.send(admin, "/settings training.year_start 02-30")
    no_month = await harness.send(admin, "/settings training.year_start 13-01")
    leap = await harness.send(admin, "/settings training.year_start 02-29")
    await harness.send(admin, "/lang en")
    english = await harness.send(admin, "/settings training.year_start 04-31")

    assert no_day[-1].plain == (
        "“02-30”不是日历上的日子：training.year_start 要写成 月-日（MM-DD），例如 09-01。"
    )
    assert "“13-01”不是日历上的日子" in no_month[-1].plain
    assert leap[-1].plain == (
        "training.year_start 不能设为 02-29：大多数年份没有这一天。请改用 02-28 或 03-01。"
    )
    assert english[-1].plain == (
        '"04-31" is not a day of the calendar: training.year_start takes month-day (MM-DD),'
        " e.g. 09-01."
    )
    assert await year_start(engine) == "09-01"
    changed = await harness.send(admin, "/settings training.year_start 08-31")
    assert "09-01 → 08-31" in changed[-1].plain
