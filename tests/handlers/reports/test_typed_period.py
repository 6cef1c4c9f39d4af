"""A period typed as plain text, without Telegram's reply: after 输入时段…, or straight under the
period picker, as the picker itself says."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage.db import session_factory
from tests.harness import BotHarness, Sent
from tests.schools import reports as report_school
from tests.schools.reports import OFFICE


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        await report_school.seed(s, clock.now() - timedelta(days=90))


async def typed(harness: BotHarness, text: str) -> list[Sent]:
    return [m for m in await harness.send(harness.user(OFFICE), text) if m.chat_id == OFFICE]


def documents(sent: list[Sent]) -> list[str]:
    return [m.plain for m in sent if m.file is not None and m.file[0] == "document"]


async def test_after_type_a_period_the_office_just_types_the_month(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    [periods] = await typed(harness, "/report 代课")
    sent, _ = await harness.press(harness.user(OFFICE), periods, periods.data_of("输入时段"))
    assert sent[0].plain.startswith("代课统计：请回复时段")

    [wrong] = await typed(harness, "十一月")
    assert "“十一月”不是时段" in wrong.plain
    # Still asked: the next try is taken.
    assert documents(await typed(harness, "2026-11")) == ["代课统计 · 2026-11-01 至 2026-11-30"]
    # Once sent, typed text is no period any more.
    [after] = await typed(harness, "2026-10")
    assert "没有在等你输入文字" in after.plain


async def test_under_the_period_picker_a_typed_month_is_taken_at_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    [periods] = await typed(harness, "/report 作业")
    assert "也可以直接输入月份" in periods.plain
    assert documents(await typed(harness, "2026-11")) == ["作业公示记录 · 2026-11-01 至 2026-11-30"]

    # Picked from the menu of reports, the same.
    [menu] = await typed(harness, "/report")
    await harness.press(harness.user(OFFICE), menu, menu.data_of("学时台账"))
    assert documents(await typed(harness, "2026-09-01~2026-11-30")) == [
        "学时台账 · 2026-09-01 至 2026-11-30"
    ]


async def test_another_command_ends_the_wait_for_a_period(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await typed(harness, "/report 作业")
    await typed(harness, "/help")
    [after] = await typed(harness, "2026-11")
    assert "没有在等你输入文字" in after.plain


async def test_in_english_a_typed_period_is_taken_too(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await typed(harness, "/lang en")
    [periods] = await typed(harness, "/report training")
    assert "You can also type a month" in periods.plain
    [wrong] = await typed(harness, "November")
    assert "November" in wrong.plain
    sent = await typed(harness, "2026-11")
    assert documents(sent) == ["Training hours · 2026-11-01 to 2026-11-30"]

    sent, _ = await harness.press(harness.user(OFFICE), periods, periods.data_of("Type a period"))
    assert sent[0].plain.startswith("Training hours: reply with the period")
    assert documents(await typed(harness, "2026-10")) == [
        "Training hours · 2026-10-01 to 2026-10-31"
    ]
