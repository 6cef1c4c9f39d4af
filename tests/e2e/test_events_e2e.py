"""Meetings and training through the simulator: an event, its reminder with 签到, the check-in
crediting hours, and /hours showing them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from demo.stage import ADMIN_NAME, GROUP_ID, Stage

pytestmark = pytest.mark.e2e

TEACHER = "周雅琴"  # head teacher of 一(1)班, teaches 语文
MATHS = "许志强"


async def test_check_in_at_the_reminder_credits_hours(stage: Stage) -> None:
    added = await stage.ask(ADMIN_NAME, "/event add 周三 15:30 1.5 教研会 语文组")
    assert "已添加" in added.plain and "下次：11月25日 周三" in added.plain

    since = stage.sim.seq
    await stage.advance(timedelta(hours=7, minutes=30))  # 15:00, thirty minutes before
    reminder = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="签到时间")
    assert "教研会 将于 15:30 开始" in reminder.plain and TEACHER in reminder.plain
    assert MATHS not in reminder.plain

    early = await stage.press(TEACHER, reminder, "签到")
    await stage.settle()
    assert "15:15 开放" in (stage.sim.callback_answer(early) or {}).get("text", "")

    await stage.advance(timedelta(minutes=20))  # 15:20
    pressed = await stage.press(TEACHER, reminder, "签到")
    await stage.settle()
    assert "已记入 1.5 学时" in (stage.sim.callback_answer(pressed) or {}).get("text", "")
    outsider = await stage.press(MATHS, reminder, "签到")
    await stage.settle()
    assert "面向语文组" in (stage.sim.callback_answer(outsider) or {}).get("text", "")

    hours = await stage.ask(TEACHER, "/hours")
    assert "已认定 1.5 / 90 学时" in hours.plain and "教研：1.5" in hours.plain
    sheet = await stage.ask(ADMIN_NAME, "/event attendance 1")
    assert f"{TEACHER} 15:20" in sheet.plain
