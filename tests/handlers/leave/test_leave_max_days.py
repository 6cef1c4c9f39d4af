"""The longest leave is set per kind: maternity leave runs for months, personal leave is short,
and the office can change each in /settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import LeaveRequest
from tests.harness import BotHarness
from tests.schools.leave import CAO, HEAD, TEACHER, XU, seed


async def kinds_stored(engine: AsyncEngine) -> list[tuple[str, int]]:
    async with session_factory(engine)() as s:
        leaves = (await s.exec(select(LeaveRequest).order_by(LeaveRequest.id))).all()  # type: ignore[arg-type]
        return [(x.kind, (x.last_day - x.first_day).days + 1) for x in leaves]


async def test_each_kind_of_leave_is_refused_by_its_own_longest_range(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    teacher = harness.user(TEACHER)

    async def ask(text: str, who: int = TEACHER) -> str:
        await harness.send(harness.user(who), text)
        return harness.last(who).plain

    # 20 days of personal leave: over its 15; the same 20 days of official leave are allowed.
    too_long = await ask("/leave 事假 11-30~12-19 家事")
    assert "事假一次最多 15 天（这次是 20 天）" in too_long
    # 200 days of maternity leave: over its 158.
    assert "产假一次最多 158 天（这次是 200 天）" in await ask("/leave 产假 11-30~2027-06-17 生育")
    assert await kinds_stored(engine) == []
    # 150 days of maternity leave, 41 of sick leave: more than the 30 every other kind has.
    assert "请假申请已提交" in await ask("/leave 产假 11-30~2027-04-28 生育")
    assert "请假申请已提交" in await ask("/leave 病假 11-30~2027-01-09 手术", XU)
    assert "请假申请已提交" in await ask("/leave 公假 11-30~12-19 跟岗培训", CAO)
    assert await kinds_stored(engine) == [("maternity", 150), ("sick", 41), ("official", 20)]
    # Other kinds keep the one maximum for all.
    official = await ask("/leave 公假 2027-06-01~2027-07-01 培训")
    assert "公假一次最多 30 天（这次是 31 天）" in official

    # In English the kind is named in English.
    await harness.send(teacher, "/lang en")
    english = await ask("/leave personal 2027-06-01~2027-06-30 family")
    assert "One personal leave request may cover at most 15 days (this one covers 30)" in english


async def test_the_longest_maternity_leave_is_set_in_settings_and_the_wizard_follows_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    admin = harness.user(HEAD)
    section = (await harness.send(admin, "/settings 请假"))[-1]
    assert "请假最长天数：30 天" in section.plain
    # The longest leave of each kind is on the next page.
    await harness.press(admin, section, section.data_of("下一页"))
    kinds = harness.request.find(HEAD, section.message_id).plain
    assert "产假最长天数：158 天" in kinds and "事假最长天数：15 天" in kinds
    changed = (await harness.send(admin, "/settings 产假最长天数 188"))[-1].plain
    assert "188" in changed
    refused = (await harness.send(admin, "/settings 事假最长天数 0"))[-1].plain
    assert "1–180" in refused

    teacher = harness.user(TEACHER)
    start = (await harness.send(teacher, "/leave"))[-1]
    first = (await harness.press(teacher, start, start.data_of("产假")))[0][-1]
    assert "从哪天开始" in first.plain
    # 189 days: over the new maximum, asked again; 188 days go on to the part of the day.
    over = (await harness.send(teacher, "11-30~2027-06-06"))[-1].plain
    assert "产假一次最多 188 天（这次是 189 天）" in over
    await harness.send(teacher, "11-30~2027-06-05")
    part = harness.last(TEACHER)
    assert "全天" in [label for label, _ in part.buttons]

    # The wizard's personal leave keeps its 15 days.
    start = (await harness.send(teacher, "/leave"))[-1]
    await harness.press(teacher, start, start.data_of("事假"))
    assert "事假一次最多 15 天" in (await harness.send(teacher, "11-30~12-31"))[-1].plain
