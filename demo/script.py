"""`staffroom demo`: a scripted school day through the simulator, printed as a transcript.

Each step acts as a demo staff member and names the kind of answer it expects; the exit code is
0 when every step got it. Features add their steps to STEPS.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.config import Settings
from demo.duty_steps import next_duty_announcement
from demo.files import bells_file
from demo.handover_steps import handover_reaches_the_substitute, leave_a_handover
from demo.leave_steps import (
    approve_with_the_button,
    ask_for_leave,
    assign_cover,
    page_and_self_study,
    record_for_a_colleague,
)
from demo.school_days import school_day_from
from demo.stage import ADMIN_NAME, GROUP_ID, NEWCOMER_ID, SYSADMIN_ID, Stage, open_stage
from simulator import SimMessage


@dataclass
class Step:
    title: str
    run: Callable[[Stage], Awaitable[list[SimMessage]]]
    expect: str  # text every answer of the step must show (one of them)


async def _ask(
    stage: Stage,
    who: str | int,
    text: str,
    chat: str | int = "private",
    contains: str | None = None,
) -> list[SimMessage]:
    return [await stage.ask(who, text, chat, contains=contains)]


async def _register_and_approve(stage: Stage) -> list[SimMessage]:
    asked = await stage.ask(NEWCOMER_ID, "/register 李新")
    request = await stage.sim.wait_bot_message(stage.id_of(ADMIN_NAME), contains="关联申请")
    await stage.press(ADMIN_NAME, request, "批准")
    linked = await stage.sim.wait_bot_message(NEWCOMER_ID, contains="关联成功")
    return [asked, request, linked]


async def _import_bells(stage: Stage) -> list[SimMessage]:
    return [await stage.upload(ADMIN_NAME, "bells.csv", bells_file(), "/import bells")]


async def _bad_import(stage: Stage) -> list[SimMessage]:
    broken = "节次,开始,结束\n1,08:00,08:40\n2,09:50,09:10\n".encode("gbk")
    return [await stage.upload(ADMIN_NAME, "bells.csv", broken, "/import bells")]


async def _meeting_start(stage: Stage) -> datetime | None:
    """A 教研会 90 minutes after the demo's clock, on the 10 minutes, on a school day: today if
    the school is open, else at that time on its next school day."""
    soon = stage.clock.now() + timedelta(minutes=90)
    soon = soon.replace(minute=soon.minute // 10 * 10, second=0, microsecond=0)
    day = await school_day_from(stage, soon.date())
    return None if day is None else datetime.combine(day, soon.timetz())


async def _add_meeting(stage: Stage) -> list[SimMessage]:
    start = await _meeting_start(stage)
    if start is None:
        return []
    text = f"/event add {start:%Y-%m-%d %H:%M} 1.5 教研会 语文组"
    return [await stage.ask(ADMIN_NAME, text)]


async def _meeting_check_in(stage: Stage) -> list[SimMessage]:
    start = await _meeting_start(stage)
    if start is None:
        return []
    since = stage.sim.seq
    await stage.advance(start - timedelta(minutes=30) - stage.clock.now())
    reminder = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="签到时间")
    await stage.advance(timedelta(minutes=20))
    await stage.press("周雅琴", reminder, "签到")
    await stage.settle()
    return [reminder, await stage.ask("周雅琴", "/hours")]


STEPS: list[Step] = [
    Step(
        "系统管理员在教师群绑定学校",
        lambda s: _ask(s, SYSADMIN_ID, "/bind 青松路小学", "group", "教师群"),
        "青松路小学",
    ),
    Step("新老师李新打开机器人", lambda s: _ask(s, NEWCOMER_ID, "/start"), "/register"),
    Step("李新申请关联，管理员批准", _register_and_approve, "关联成功"),
    Step("李新查看自己的信息", lambda s: _ask(s, NEWCOMER_ID, "/me"), "李新"),
    Step("王晴晴在群里查看帮助", lambda s: _ask(s, "王晴晴", "/help", "group"), "你可以使用的命令"),
    Step("王晴晴切换到英文", lambda s: _ask(s, "王晴晴", "/lang en"), "English"),
    Step("王晴晴看英文帮助", lambda s: _ask(s, "王晴晴", "/help"), "Commands you can use"),
    Step("管理员查看学校规则", lambda s: _ask(s, ADMIN_NAME, "/settings"), "homework.cap.grade3"),
    Step(
        "管理员把三年级作业上限改为40分钟",
        lambda s: _ask(s, ADMIN_NAME, "/settings homework.cap.grade3 40"),
        "45 → 40",
    ),
    Step(
        "管理员设了一个不允许的值",
        lambda s: _ask(s, ADMIN_NAME, "/settings homework.cap.grade3 500"),
        "0–240",
    ),
    Step(
        "老师不能改学校规则",
        lambda s: _ask(s, "王晴晴", "/settings homework.cap.grade3 10"),
        "not allowed",
    ),
    Step("管理员上传作息时间表（CSV）", _import_bells, "作息时间已导入"),
    Step("一个有错的文件：什么都不导入，并指出行和列", _bad_import, "3"),
    Step("教导处安排语文组教研会（今天或下一个上课日）", _add_meeting, "已添加"),
    Step("开会前30分钟群里提醒，周雅琴签到，学时自动记入", _meeting_check_in, "已认定 1.5"),
    Step("下一个上课日早上，今日值班自动发到教师群", next_duty_announcement, "今日值班"),
    Step("景佳梅查看今天谁值班", lambda s: _ask(s, "景佳梅", "/duty"), "今天值班"),
    Step(
        "曹明一行布置三(2)班数学作业",
        lambda s: _ask(s, "曹明", "/hw 三(2) 数学 30 练习册第12页"),
        "作业已发布",
    ),
    Step(
        "何玉兰再布置语文：超过三年级每天40分钟的上限，被拒并保留原文",
        lambda s: _ask(s, "何玉兰", "/hw 三(2) 语文 20 抄写词语"),
        "还可布置 10 分钟",
    ),
    Step(
        "何玉兰在教师群里按剩下的10分钟一行布置：群里一句话回复，写明合计与上限",
        lambda s: _ask(s, "何玉兰", "/hw 三(2) 语文 10 抄写第5课生字", "group"),
        "书面合计 40/40 分钟",
    ),
    Step("吴晓梅一行请假：下一个上课日，病假", ask_for_leave, "请假申请已提交"),
    Step(
        "吴晓梅按“添加交接”，给整个假期留下教学内容和作业（文字、照片或文件都可以）",
        leave_a_handover,
        "交接已保存",
    ),
    Step("年级组长周雅琴在私聊里按“批准”", approve_with_the_button, "已批准"),
    Step("教导处景佳梅按建议安排代课，代课老师收到通知", assign_cover, "请你代课"),
    Step(
        "代课老师紧接着私下收到吴晓梅的交接（教师群里看不到）",
        handover_reaches_the_substitute,
        "雨点儿",
    ),
    Step(
        "景佳梅在手机上翻到下一节课改为自习：一次一节课，安排好就自动到下一节",
        page_and_self_study,
        "）：自习",
    ),
    Step(
        "吴晓梅用 /today 看自己今天的课、值班、会议和待办",
        lambda s: _ask(s, "吴晓梅", "/today", contains="我的今天"),
        "我的今天",
    ),
    Step(
        "许志强打电话请病假，年级组长周雅琴替他登记：登记即批准",
        record_for_a_colleague,
        "登记即批准",
    ),
    Step(
        "教导处景佳梅要本月的代课统计：机器人发来 Excel 文件",
        lambda s: _ask(s, "景佳梅", "/report 代课 本月"),
        "代课统计 ·",
    ),
]


def _print(text: str, quiet: bool) -> None:
    if not quiet:
        print(text)


async def run_demo(
    settings: Settings,
    *,
    quiet: bool = False,
    steps: list[Step] | None = None,
    start: datetime | None = None,
) -> int:
    """Plays the steps from `start` (default: today at 07:30); 0 when each got its answer."""
    chosen = steps if steps is not None else STEPS
    failures = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="staffroom-demo-") as folder:
        database = Path(folder) / "demo.db"
        demo_settings = dataclasses.replace(
            settings, database_url=f"sqlite+aiosqlite:///{database}"
        )
        clock = ManualClock(
            start
            or datetime.now(settings.timezone).replace(hour=7, minute=30, second=0, microsecond=0)
        )
        async with open_stage(demo_settings, clock, bind=False) as stage:
            await stage.settle()
            for number, step in enumerate(chosen, start=1):
                _print(f"\n── {number}. {step.title}", quiet)
                try:
                    answers = await step.run(stage)
                    await stage.settle()
                except Exception as exc:  # a demo step that breaks is reported, the rest go on
                    answers = []
                    _print(f"   ✗ {type(exc).__name__}: {exc}", quiet)
                ok = any(step.expect in a.plain for a in answers)
                for answer in answers:
                    where = (
                        "群"
                        if answer.chat_id == GROUP_ID
                        else stage.names.get(answer.chat_id, answer.chat_id)
                    )
                    for index, line in enumerate(answer.plain.splitlines()):
                        _print(
                            f"   {'🤖 ' + str(where) + ': ' if index == 0 else '     '}{line}",
                            quiet,
                        )
                    media = answer.document or answer.photo
                    if media is not None:
                        _print(f"     📎 {media.filename} ({max(1, media.size // 1024)} KB)", quiet)
                    buttons = " ".join(f"[{b.text}]" for row in answer.buttons for b in row)
                    if buttons:
                        _print(f"     {buttons}", quiet)
                _print(f"   {'✓' if ok else '✗ expected: ' + step.expect}", quiet)
                failures += not ok
    total = len(chosen)
    elapsed = time.monotonic() - started
    summary = f"staffroom demo: {total - failures}/{total} steps as expected in {elapsed:.1f} s"
    print(summary, file=sys.stderr if failures else sys.stdout)
    return 1 if failures else 0
