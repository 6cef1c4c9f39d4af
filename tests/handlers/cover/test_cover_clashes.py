"""Nobody is asked to cover a lesson that clashes with their duty post or a meeting they attend."""

from __future__ import annotations

from datetime import time

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import DutyAssignment, DutyPost
from tests.harness import BotHarness, Sent
from tests.schools.leave import LEADER, OFFICE_A, TEACHER, LeaveSchool, seed


async def on_duty_thursdays(engine: AsyncEngine, school: LeaveSchool, name: str) -> None:
    """A break-time post on Thursdays, 10:00–10:30: inside period 3 (10:00–10:40)."""
    async with session_factory(engine)() as s, s.begin():
        post = DutyPost(
            school_id=school.school.id, name="课间巡视", starts_at=time(10), ends_at=time(10, 30)
        )
        s.add(post)
        await s.flush()
        s.add(
            DutyAssignment(
                school_id=school.school.id,
                post_id=post.id,
                weekday=4,
                staff_id=school.staff[name].id,
            )
        )


async def approved_day_off(harness: BotHarness) -> Sent:
    """周雅琴 is away all Thursday (periods 3 and 5); returns 王晴晴's board (period 3 first)."""
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    return harness.last(OFFICE_A)


async def test_someone_on_duty_then_is_not_suggested_and_cannot_be_assigned(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    await on_duty_thursdays(engine, school, "许志强")
    board = await approved_day_off(harness)

    # Without the post he would come first (he teaches 三(2)班); now he is left out.
    labels = [label for label, _ in board.buttons]
    assert "1→许志强" not in labels and "1→郭春燕" in labels
    forged = board.data_of("1→郭春燕").split(":")
    forged[-2] = str(school.staff["许志强"].id)
    _, answer = await harness.press(harness.user(OFFICE_A), board, ":".join(forged))

    assert answer["text"] == "许志强 那时在课间巡视值岗（10:00–10:30），不能代课。"


async def test_someone_at_a_meeting_then_is_not_suggested_and_cannot_be_assigned(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    # 林秀英 (English) teaches nothing in period 3: the meeting takes no lesson of hers.
    await harness.send(harness.user(OFFICE_A), "/event add 明天 10:00 观课议课 英语组")
    board = await approved_day_off(harness)

    assert "1→林秀英" not in [label for label, _ in board.buttons]
    forged = board.data_of("1→郭春燕").split(":")
    forged[-2] = str(school.staff["林秀英"].id)
    _, answer = await harness.press(harness.user(OFFICE_A), board, ":".join(forged))

    assert answer["text"] == "林秀英 那时要参加“观课议课”（10:00–11:00），不能代课。"
