"""Duties through the simulator with the demo school: the 07:00 announcement, a reminder, a
patrol report and its late reminder, and a duty swap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from demo.roster import OFFICE, people
from demo.stage import GROUP_ID, Stage
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.e2e

GATE = [p.name for p in people() if "teacher" in p.roles and "office" not in p.roles][:10]
THURSDAY_7 = datetime(2026, 11, 26, 7, 0, tzinfo=SHANGHAI)


async def advance_to(stage: Stage, when: datetime) -> None:
    await stage.advance(when - stage.clock.now())


async def test_the_announcement_and_a_private_reminder(stage: Stage) -> None:
    since = stage.sim.seq
    await advance_to(stage, THURSDAY_7)
    (announcement,) = [
        m for m in stage.sim.bot_messages(GROUP_ID, since=since) if "今日值班" in m.plain
    ]
    assert "11月26日 周四" in announcement.plain
    # 周四 雷红霞 patrols (seed 000); the gate rotation imported yesterday is at its second name.
    assert f"08:00–11:30 巡课（上午）：{OFFICE[3]}" in announcement.plain
    assert f"07:20–07:50 护学岗（早）：{GATE[1]}" in announcement.plain
    mentioned = {e["url"] for e in announcement.entities if e["type"] == "text_link"}
    assert f"tg://user?id={stage.id_of(OFFICE[3])}" in mentioned

    gate_id = stage.id_of(GATE[1])
    assert not [m for m in stage.sim.bot_messages(gate_id, since=since) if "值班提醒" in m.plain]
    await advance_to(stage, THURSDAY_7 + timedelta(minutes=5))
    reminder = await stage.sim.wait_bot_message(gate_id, since=since, contains="值班提醒")
    assert "07:20–07:50" in reminder.plain and "护学岗（早）" in reminder.plain


async def test_a_patrol_report_and_the_late_reminder(stage: Stage) -> None:
    since = stage.sim.seq
    answer = await stage.ask("王晴晴", "/patrol 上午 三(2)班第二节课堂秩序良好")
    assert "上午巡课通报已发到教师群" in answer.plain
    report = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="巡课通报")
    assert "巡课：王晴晴" in report.plain and "三(2)班第二节课堂秩序良好" in report.plain
    # Wednesday's patroller has not reported the afternoon by 17:30: one private reminder.
    await advance_to(stage, datetime(2026, 11, 25, 17, 31, tzinfo=SHANGHAI))
    wang = stage.id_of("王晴晴")
    late = [m.plain for m in stage.sim.bot_messages(wang, since=since) if "还没有发布" in m.plain]
    assert late == [
        "📝 提醒：今天（11月25日 周三）下午的巡课通报还没有发布。请发送 /patrol 加上巡课情况。"
    ]


async def test_a_duty_swap_accepted_with_a_button(stage: Stage) -> None:
    since = stage.sim.seq
    sent = await stage.ask("王晴晴", "/dutyswap 2026-12-02 景佳梅")
    assert "已把换班申请发给 景佳梅" in sent.plain
    jing = stage.id_of("景佳梅")
    request = await stage.sim.wait_bot_message(jing, since=since, contains="换班申请")
    await stage.press("景佳梅", request, "同意")
    done = await stage.sim.wait_bot_message(
        stage.id_of("王晴晴"), since=since, contains="换班已生效"
    )
    assert "巡课（上午）：王晴晴 → 景佳梅" in done.plain
    shown = await stage.ask("景佳梅", "/duty 2026-12-02", contains="（替")
    assert "巡课（下午）：景佳梅（替 王晴晴）" in shown.plain


async def test_an_answer_in_the_group_replies_to_the_command_it_answers(stage: Stage) -> None:
    since = stage.sim.seq
    asked = await stage.say("王晴晴", "/duty", "group")
    answer = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="值班")
    # In a busy group the answer is tied to the message that asked for it.
    assert answer.reply_to_message_id == asked.message_id
