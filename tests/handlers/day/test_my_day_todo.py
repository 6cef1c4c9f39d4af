"""My day lists the homework still to post for today's classes and offers 签到 when it is due.

The school's Thursday 26 November 2026 is in tests/schools/leave.py.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import HomeworkPost, Subject
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools import factories
from tests.schools.leave import OFFICE_A, TEACHER, XU, seed

THU = date(2026, 11, 26)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=SHANGHAI)


async def today(harness: BotHarness, user_id: int) -> Sent:
    answers = await harness.send(harness.user(user_id), "/today")
    [day] = [m for m in answers if "我的今天" in m.plain]
    return day


async def test_my_day_lists_the_homework_still_to_post_for_todays_classes(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    clock.set(at(8))
    # 许志强 teaches 三(2)班 数学 (period 1) and 三(1)班 数学 (period 2); one is posted.
    async with session_factory(engine)() as s, s.begin():
        maths = (await s.exec(select(Subject).where(Subject.name == "数学"))).one()
        s.add(
            HomeworkPost(
                school_id=school.school.id,
                class_id=school.c31.id,
                subject_id=maths.id,
                author_id=school.staff["许志强"].id,
                day=THU,
                kind="written",
                minutes=20,
                content="口算练习第5页",
                status="published",
                created_at=at(7),
                updated_at=at(7),
            )
        )

    xu = (await today(harness, XU)).plain
    teacher = (await today(harness, TEACHER)).plain

    assert "📝 今天还要布置的作业\n· 三(2)班 数学\n用 /hw 布置" in xu
    assert "三(1)班 数学" not in xu.split("📝")[1]
    # 周雅琴 teaches 三(2)班 语文 twice that day: listed once.
    assert teacher.count("· 三(2)班 语文\n") == 1


async def test_my_day_asks_for_a_subjects_homework_only_if_it_is_core_or_set_lately(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    clock.set(at(8))
    async with session_factory(engine)() as s, s.begin():
        sport = await factories.subject(s, school.school, "体育")
        meeting = await factories.subject(s, school.school, "班会")
        await factories.lesson(s, school.school, school.c31, 4, 6, sport, school.staff["许志强"])
        await factories.lesson(s, school.school, school.c32, 4, 7, meeting, school.staff["许志强"])
        # The school set homework in PE a fortnight ago: it does set some, so it is asked for.
        s.add(
            HomeworkPost(
                school_id=school.school.id,
                class_id=school.c32.id,
                subject_id=sport.id,
                author_id=school.staff["许志强"].id,
                day=date(2026, 11, 12),
                kind="practical",
                minutes=15,
                content="跳绳 200 个",
                status="published",
                created_at=at(7),
                updated_at=at(7),
            )
        )

    todo = (await today(harness, XU)).plain.split("📝")[1]

    assert "· 三(1)班 体育\n" in todo and "三(2)班 数学" in todo
    # Nobody set homework in a class meeting: it is not asked for every day.
    assert "班会" not in todo


async def test_my_day_offers_check_in_while_it_is_open_and_says_when_done(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(OFFICE_A), "/event add 周四 10:00 教研会 数学组")

    clock.set(at(8))
    early = await today(harness, XU)
    assert "10:00–11:00 教研会" in early.plain
    assert not [label for label, _ in early.buttons if "签到" in label]

    clock.set(at(9, 50))  # check-in opens 15 minutes before the start
    due = await today(harness, XU)
    assert "10:00–11:00 教研会（现在可以签到，按下方按钮）" in due.plain
    _, answer = await harness.press(harness.user(XU), due, due.data_of("✅ 签到：教研会"))
    assert "教研会" in answer["text"]

    done = await today(harness, XU)
    assert "10:00–11:00 教研会（已签到）" in done.plain
    assert not [label for label, _ in done.buttons if "签到" in label]
