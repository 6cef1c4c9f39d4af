"""A name not on the staff list: the nearest names when some are close, no empty line when not."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from tests.harness import BotHarness
from tests.schools import duty as duty_school
from tests.schools import leave as leave_school


async def test_swap_and_leave_offer_close_names_and_nothing_else(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    teacher = harness.user(leave_school.TEACHER)
    near = (await harness.send(teacher, "/swap 周四第3节 许强 周五第2节"))[-1].plain
    assert near == "名册里没有“许强”。是不是：许志强？"
    far = (await harness.send(teacher, "/swap 周四第3节 欧阳修 周五第2节"))[-1].plain
    assert far == "名册里没有“欧阳修”。"


async def test_duty_and_events_say_no_dash_when_nothing_is_close(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await duty_school.seed(engine)
    admin = harness.user(duty_school.ADMIN_ID)
    person = (await harness.send(admin, "/duty set 12-02 护学岗 欧阳修"))[-1].plain
    assert person == "教职工名册里没有“欧阳修”。"
    subject = (await harness.send(admin, "/event add 周三 15:30 教研会 天文组"))[-1].plain
    assert subject.startswith("本校没有“天文组”") and subject.endswith("找不到这个学科。")
    assert "—" not in person + subject and "是不是" not in person + subject
