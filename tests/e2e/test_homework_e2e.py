"""Homework through the simulator with the demo school: posting, the cap, an exception, each
publication mode, the daily board and the Friday summary."""

from __future__ import annotations

from datetime import datetime

import pytest

from demo.stage import ADMIN_NAME, GROUP_ID, Stage
from simulator import SimMessage
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.e2e

MATHS = "曹明"  # 数学 in 三(1) and 三(2)
ENGLISH = "潘雨欣"  # 英语 in 三(1)–三(3)
HEAD = "何玉兰"  # head teacher of 三(2)
OFFICE = "景佳梅"  # academic office
BOARD_TIME = datetime(2026, 11, 25, 16, 31, tzinfo=SHANGHAI)
FRIDAY_SUMMARY = datetime(2026, 11, 27, 17, 1, tzinfo=SHANGHAI)


async def advance_to(stage: Stage, when: datetime) -> None:
    await stage.advance(when - stage.clock.now())


async def set_mode(stage: Stage, mode: str) -> None:
    answer = await stage.ask(ADMIN_NAME, f"/settings homework.publication {mode}")
    label = {"auto": "自动", "head_teacher": "班主任审核", "office": "教导处审核"}[mode]
    assert f"→ {label}" in answer.plain


async def wait(stage: Stage, who: str, contains: str, since: int) -> SimMessage:
    return await stage.sim.wait_bot_message(stage.id_of(who), since=since, contains=contains)


async def test_post_refuse_over_the_cap_and_the_head_teacher_allows_an_exception(
    stage: Stage,
) -> None:
    posted = await stage.ask(MATHS, "/hw 三(2) 数学 30 练习册第12页")
    assert "作业已发布" in posted.plain and "书面合计 30/45 分钟" in posted.plain
    refused = await stage.ask(ENGLISH, "/hw 三(2) 英语 20 抄写单词")
    assert "今天已布置：数学 30 分钟，合计 30 分钟；还可布置 15 分钟" in refused.plain
    assert "/hw 三(2) 英语 20 抄写单词" in refused.plain
    since = stage.sim.seq
    await stage.press(ENGLISH, refused, "请班主任批准例外")
    request = await wait(stage, HEAD, "例外申请", since)
    assert "潘雨欣 想布置：英语 · 书面 20 分钟：抄写单词" in request.plain
    await stage.press(HEAD, request, "同意例外")
    told = await wait(stage, ENGLISH, "同意了例外", since)
    assert "何玉兰" in told.plain and "作业已发布" in told.plain
    mine = await stage.ask(HEAD, "/hw class", contains="各科书面")
    assert "超出上限 5 分钟" in mine.plain


async def test_the_wizard_through_the_simulator(stage: Stage) -> None:
    start = await stage.ask(MATHS, "/hw")
    assert [b.text for row in start.buttons for b in row] == ["三(1)班", "三(2)班", "取消"]
    step = start
    for label, expect in [
        ("三(1)班", "哪一科"),
        ("数学", "什么类型"),
        ("口头", "分层吗"),
        ("不分层", "多少分钟"),
        ("10 分钟", "作业内容"),
    ]:
        since = stage.sim.seq
        await stage.press(MATHS, step, label)
        step = await wait(stage, MATHS, expect, since)
    confirm = await stage.ask(MATHS, "背乘法口诀")
    since = stage.sim.seq
    await stage.press(MATHS, confirm, "确认发布")
    published = await wait(stage, MATHS, "作业已发布", since)
    assert "三(1)班 · 数学 · 口头 10 分钟：背乘法口诀" in published.plain


async def test_head_teacher_mode_returns_with_a_reason(stage: Stage) -> None:
    await set_mode(stage, "head_teacher")
    since = stage.sim.seq
    submitted = await stage.ask(MATHS, "/hw 三(2) 数学 20 练习册")
    assert "等待班主任审核" in submitted.plain
    request = await wait(stage, HEAD, "作业待审核", since)
    await stage.press(HEAD, request, "退回")
    await wait(stage, HEAD, "退回三(2)班数学作业的理由", since)
    confirm = await stage.ask(HEAD, "今天数学已经在课上练过了", contains="确认退回吗")
    await stage.press(HEAD, confirm, "确认退回")
    told = await wait(stage, MATHS, "退回了你的作业", since)
    assert "理由：今天数学已经在课上练过了" in told.plain
    assert "/hw 三(2)班 数学 20 练习册" in told.plain


async def test_office_mode_the_office_approves_and_a_second_press_is_told(stage: Stage) -> None:
    await set_mode(stage, "office")
    since = stage.sim.seq
    submitted = await stage.ask(MATHS, "/hw 三(2) 数学 20 练习册")
    assert "等待教导处和校长审核" in submitted.plain
    request = await wait(stage, OFFICE, "作业待审核", since)
    other = await wait(stage, "雷琴华", "作业待审核", since)
    await stage.press(OFFICE, request, "通过")
    told = await wait(stage, MATHS, "通过了你的作业", since)
    assert "景佳梅" in told.plain
    query = await stage.press("雷琴华", other, "通过")
    await stage.settle()
    assert "已经处理过了" in (stage.sim.callback_answer(query) or {}).get("text", "")


async def test_the_daily_board_and_an_addition(stage: Stage) -> None:
    await stage.ask(MATHS, "/hw 三(2) 数学 20 练习册第12页")
    since = stage.sim.seq
    await advance_to(stage, BOARD_TIME)
    boards = [m for m in stage.sim.bot_messages(GROUP_ID, since=since) if "作业公示" in m.plain]
    (board,) = boards  # one message for the demo school's six grades
    grade3 = board
    assert "━━ 一年级 ━━" in board.plain and "━━ 六年级 ━━" in board.plain
    # Grades 1–2 set no written homework: not flagged for it.
    assert "一(1)班\n⚠️" not in board.plain and "一(1)班" in board.plain
    assert "三(2)班\n• 数学 · 书面 20 分钟：练习册第12页\n书面合计 20/45 分钟 ✓" in grade3.plain
    assert "三(1)班\n⚠️ 今天还没有布置作业" in grade3.plain
    since = stage.sim.seq
    await stage.ask(ENGLISH, "/hw 三(2) 英语 10 抄写单词")
    addition = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="作业补充")
    assert "三(2)班" in addition.plain and "书面合计 30/45 分钟" in addition.plain


async def test_the_friday_summary_reaches_the_academic_office(stage: Stage) -> None:
    await stage.ask(MATHS, "/hw 三(2) 数学 30 练习册")
    since = stage.sim.seq
    await advance_to(stage, FRIDAY_SUMMARY)
    summary = await wait(stage, OFFICE, "本周作业汇总", since)
    # Wednesday 30 minutes, Monday to Friday: 6 on average; nothing on the other four days.
    assert "三(2)班：平均 6/45 分钟；超限：无；未布置：周一、周二、周四、周五" in summary.plain
    assert "<b>六年级</b>" in summary.text


async def test_auto_mode_a_posting_goes_on_the_board_and_its_withdrawal_is_named(
    stage: Stage,
) -> None:
    await set_mode(stage, "office")
    await set_mode(stage, "auto")
    posted = await stage.ask(ENGLISH, "/hw 三(1) 英语 15 抄写单词 <Unit 3>")
    assert "作业已发布" in posted.plain and "书面合计 15/45 分钟" in posted.plain
    since = stage.sim.seq
    await advance_to(stage, BOARD_TIME)
    boards = [m for m in stage.sim.bot_messages(GROUP_ID, since=since) if "作业公示" in m.plain]
    (grade3,) = boards
    assert (
        "三(1)班\n• 英语 · 书面 15 分钟：抄写单词 <Unit 3>\n书面合计 15/45 分钟 ✓" in grade3.plain
    )
    since = stage.sim.seq
    await stage.press(ENGLISH, posted, "撤回")
    correction = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="作业更正")
    assert "英语作业“抄写单词 <Unit 3>”已撤回" in correction.plain
    assert "书面合计 0/45 分钟" in correction.plain


async def test_a_forum_topic_takes_the_board_until_it_is_deleted(stage: Stage) -> None:
    topic = stage.sim.create_topic(GROUP_ID, "作业")
    since = stage.sim.seq
    await stage.sim.send_text(stage.id_of(ADMIN_NAME), GROUP_ID, "/topic 作业", thread_id=topic)
    answer = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="这个话题")
    assert answer.message_thread_id == topic  # answered inside the topic
    await stage.ask(MATHS, "/hw 三(2) 数学 20 练习册第12页")
    since = stage.sim.seq
    await advance_to(stage, BOARD_TIME)
    board = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="作业公示")
    assert board.message_thread_id == topic
    stage.sim.delete_topic(GROUP_ID, topic)
    since = stage.sim.seq
    await stage.ask(ENGLISH, "/hw 三(2) 英语 10 抄写单词")
    addition = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="作业补充")
    assert addition.message_thread_id is None  # the topic is gone: the general topic has it
