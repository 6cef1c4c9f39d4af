"""The daily board for the whole school, additions and corrections, and the weekly summary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from bot.texts import visible_length
from jobs import homework as homework_jobs
from jobs import scheduler
from storage.db import session_factory
from storage.models import CalendarEntry
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.homework import (
    ADMIN_ID,
    ENGLISH_ID,
    GROUP,
    HEAD11_ID,
    HEAD32_ID,
    MATHS_ID,
    OFFICE_ID,
    HomeworkSchool,
    seed_school,
)

MONDAY = date(2026, 11, 23)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, clock) as running:
        # Only the homework pushes, so the group holds nothing else.
        running.services.push_kinds = homework_jobs.push_kinds()
        yield running


@pytest.fixture
async def school(engine: AsyncEngine, clock: ManualClock) -> HomeworkSchool:
    return await seed_school(engine, clock.now())


@pytest.fixture
def bot(harness: BotHarness, school: HomeworkSchool) -> BotHarness:
    return harness


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


async def run_until(bot: BotHarness, until: datetime) -> int:
    """Moves the clock to `until`, sending every push due on the way."""
    start = bot.clock.now()
    bot.clock.set(until)
    return await scheduler.fire_due(bot.app, start, until)


def group(bot: BotHarness) -> list[Sent]:
    return bot.in_chat(GROUP)


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, [s.plain for s in sent]
    return sent[0]


async def test_the_board_goes_out_as_one_message_for_the_school_at_the_policy_time(
    bot: BotHarness,
) -> None:
    day = bot.clock.now().date()
    await bot.send(bot.user(MATHS_ID), "/hw 三(2) 数学 20 练习册第12页 <b>选做</b>")
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 25 作文")
    refused = only(await bot.send(bot.user(ENGLISH_ID), "/hw 三(2) 英语 15 单词"))
    sent, _ = await bot.press(bot.user(ENGLISH_ID), refused, refused.data_of("例外"))
    request = next(s for s in sent if s.chat_id == HEAD32_ID)
    await bot.press(bot.user(HEAD32_ID), request, request.data_of("同意例外"))
    await bot.send(bot.user(HEAD11_ID), "/hw 一(1) 语文 10 口头 背诵古诗")
    assert await run_until(bot, at(day, 16, 29)) == 0
    assert group(bot) == []
    await run_until(bot, at(day, 16, 31))
    board = only(group(bot))
    lines = board.plain.splitlines()
    assert lines[0] == "📋 作业公示 · 11月25日 周三"
    # Grade by grade, in order, in the one message.
    headings = [line for line in lines if line.startswith("━━")]
    assert headings == ["━━ 一年级 ━━", "━━ 三年级 ━━", "━━ 五年级 ━━"]
    first, rest = board.plain.split("━━ 三年级 ━━")
    third, fifth = rest.split("━━ 五年级 ━━")
    assert "语文 · 口头 10 分钟：背诵古诗" in first and "无书面作业 ✓" in first
    assert "三(1)班\n⚠️ 今天还没有布置作业" in third
    assert "数学 · 书面 20 分钟：练习册第12页 <b>选做</b>" in third
    assert "&lt;b&gt;选做&lt;/b&gt;" in board.text  # a teacher's text is never markup
    assert "⚠️ 书面合计 60/45 分钟，超出上限 15 分钟" in third
    assert "五(1)班\n⚠️ 今天还没有布置作业" in fifth
    # Fired again (a second process, a restart): nothing more.
    await scheduler.fire_due(bot.app, at(day, 9), at(day, 17))
    assert len(group(bot)) == 1


async def test_a_grade_without_written_homework_is_not_flagged_for_posting_nothing(
    bot: BotHarness,
) -> None:
    await run_until(bot, at(bot.clock.now().date(), 16, 31))
    board = only(group(bot)).plain
    assert "一(1)班：无书面作业 ✓" in board
    assert "一(1)班\n⚠️" not in board and board.count("今天还没有布置作业") == 3  # 三(1) 三(2) 五(1)


async def test_after_the_board_a_posting_is_an_addition_and_a_change_a_correction(
    bot: BotHarness,
) -> None:
    day = bot.clock.now().date()
    maths = bot.user(MATHS_ID)
    posted = only(await bot.send(maths, "/hw 三(2) 数学 20 练习册"))
    await run_until(bot, at(day, 16, 31))
    before = len(group(bot))
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 10 口头 背课文")
    addition = group(bot)[before]
    assert addition.plain.startswith("➕ 作业补充 · 三(2)班 · 11月25日 周三")
    assert "语文 · 口头 10 分钟：背课文" in addition.plain
    await bot.press(maths, posted, posted.data_of("修改"))
    await bot.send(maths, "25 练习册第12–13页")
    correction = group(bot)[before + 1]
    assert correction.plain.startswith("✏️ 作业更正 · 三(2)班")
    assert "数学 · 书面 25 分钟：练习册第12–13页" in correction.plain
    assert "书面合计 25/45 分钟" in correction.plain
    await bot.press(maths, posted, posted.data_of("撤回"))
    withdrawn = group(bot)[before + 2]
    assert "数学作业“练习册第12–13页”已撤回" in withdrawn.plain
    assert "书面合计 0/45 分钟" in withdrawn.plain


async def test_a_withdrawal_says_which_of_two_postings_of_a_subject_went(bot: BotHarness) -> None:
    day = bot.clock.now().date()
    maths = bot.user(MATHS_ID)
    await bot.send(maths, "/hw 三(2) 数学 10 口算天天练第8页")
    second = only(await bot.send(maths, "/hw 三(2) 数学 15 练习册第12页和第13页的应用题"))
    await run_until(bot, at(day, 16, 31))
    await bot.press(maths, second, second.data_of("撤回"))
    withdrawn = group(bot)[-1].plain
    assert "数学作业“练习册第12页和第13页的应用题”已撤回" in withdrawn
    assert "口算" not in withdrawn and "书面合计 10/45 分钟" in withdrawn


async def test_a_pending_posting_is_not_on_the_board_and_comes_as_an_addition(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    await seed_school(engine, clock.now(), {"homework.publication": "office"})
    day = clock.now().date()
    sent = await harness.send(harness.user(MATHS_ID), "/hw 三(2) 数学 20 练习册")
    request = next(s for s in sent if s.chat_id == OFFICE_ID)
    await run_until(harness, at(day, 16, 31))
    board = next(s for s in harness.in_chat(GROUP) if "作业公示" in s.plain)
    assert "另有 1 项待审核" in board.plain and "练习册" not in board.plain
    await harness.press(harness.user(OFFICE_ID), request, request.data_of("通过"))
    assert harness.in_chat(GROUP)[-1].plain.startswith("➕ 作业补充 · 三(2)班")


async def test_no_board_on_a_day_without_school(bot: BotHarness) -> None:
    await run_until(bot, at(date(2026, 11, 28), 18))  # through Thursday, Friday, Saturday
    titles = [b.plain.splitlines()[0] for b in group(bot) if "作业公示" in b.plain]
    assert [t.split(" · ")[1] for t in titles] == [
        "11月25日 周三",
        "11月26日 周四",
        "11月27日 周五",
    ]


async def test_a_long_board_is_split_under_telegrams_limit(bot: BotHarness) -> None:
    office = bot.user(OFFICE_ID)
    texts = [f"第{n}项 " + "读" * 900 for n in range(1, 9)]
    for text in texts:
        await bot.send(office, f"/hw 三(2) 语文 5 口头 {text}")
    await run_until(bot, at(bot.clock.now().date(), 16, 31))
    boards = [b for b in group(bot) if "作业公示" in b.plain]
    assert len(boards) == 2
    assert all(visible_length(b.text) <= 4096 for b in boards)
    first, second = (b.plain.splitlines() for b in boards)
    assert "（续）" in second[0]
    # The class goes on under its own name, marked as continued.
    assert second[2] == "三(2)班（续）" and second[3].startswith("• 语文 · 口头 5 分钟：第")
    assert "三(2)班" in first and first[-1].startswith("• 语文")
    assert "书面合计 0/45 分钟 ✓" in second  # 三(2)班 ends in the second part, then 五(1)班
    assert second[-2:] == ["五(1)班", "⚠️ 今天还没有布置作业"]
    joined = "\n".join(b.plain for b in boards)
    assert all(text in joined for text in texts)


async def test_escaped_content_is_measured_as_telegram_counts_it(bot: BotHarness) -> None:
    office = bot.user(OFFICE_ID)
    # 14 postings whose markup is three times as long as what a reader sees.
    texts = [f"第{n}项 " + "<读&写>" * 40 for n in range(1, 15)]
    for text in texts:
        await bot.send(office, f"/hw 三(2) 语文 5 口头 {text}")
    await run_until(bot, at(bot.clock.now().date(), 16, 31))
    [board] = [b for b in group(bot) if "作业公示" in b.plain]
    assert len(board.text) > 4096 >= visible_length(board.text)
    assert all(text in board.plain for text in texts)


async def test_the_weekly_summary_goes_to_the_office_on_friday(bot: BotHarness) -> None:
    maths, head, english = bot.user(MATHS_ID), bot.user(HEAD32_ID), bot.user(ENGLISH_ID)
    bot.clock.set(at(MONDAY, 9))
    await bot.send(maths, "/hw 三(2) 数学 40 试卷")
    await run_until(bot, at(MONDAY + timedelta(days=1), 9))
    await bot.send(head, "/hw 三(2) 语文 40 作文")
    refused = only(await bot.send(english, "/hw 三(2) 英语 15 单词"))
    sent, _ = await bot.press(english, refused, refused.data_of("例外"))
    request = next(s for s in sent if s.chat_id == HEAD32_ID)
    await bot.press(head, request, request.data_of("同意例外"))
    await run_until(bot, at(MONDAY + timedelta(days=3), 9))  # nothing on Wednesday
    await bot.send(maths, "/hw 三(2) 数学 20 口算")
    await run_until(bot, at(MONDAY + timedelta(days=3), 18))
    assert not [m for m in bot.in_chat(OFFICE_ID) if "本周作业汇总" in m.plain]
    await run_until(bot, at(MONDAY + timedelta(days=4), 9))
    await bot.send(maths, "/hw 三(2) 数学 10 口算")
    await run_until(bot, at(MONDAY + timedelta(days=4), 17, 1))
    summary = only([m for m in bot.in_chat(OFFICE_ID) if "本周作业汇总" in m.plain])
    assert "11月23日 周一 – 11月27日 周五" in summary.plain
    assert "三(2)班：平均 25/45 分钟；超限：周二；未布置：周三" in summary.plain
    assert "一(1)班：本年级不布置书面作业；未布置：周一、周二、周三、周四、周五" in summary.plain
    assert "0/0" not in summary.plain
    # The principal approves homework but the summary is the academic office's.
    assert not [m for m in bot.in_chat(ADMIN_ID) if "本周作业汇总" in m.plain]
    await run_until(bot, at(MONDAY + timedelta(days=5), 18))
    assert len([m for m in bot.in_chat(OFFICE_ID) if "本周作业汇总" in m.plain]) == 1


async def test_when_friday_is_closed_the_summary_comes_on_thursday(
    bot: BotHarness, engine: AsyncEngine, school: HomeworkSchool
) -> None:
    friday = MONDAY + timedelta(days=4)
    async with session_factory(engine)() as session, session.begin():
        session.add(
            CalendarEntry(
                school_id=school.school_id, kind="closed", start_date=friday, end_date=friday
            )
        )
    await run_until(bot, at(friday, 18))
    summaries = [m for m in bot.in_chat(OFFICE_ID) if "本周作业汇总" in m.plain]
    assert len(summaries) == 1
    assert "– 11月26日 周四" in summaries[0].plain
