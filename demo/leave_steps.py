"""Demo steps for leave and cover: a one-line request, the approval button, arranging cover.

吴晓梅 (head teacher of 一(2)班) asks for the next school day off; her grade leader 周雅琴
approves with the button; 景佳梅 of the academic office assigns the first suggested colleague.
Then 许志强 phones in sick and 周雅琴 records his leave for him, which approves it at once.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.services import services_of
from demo.roster import SCHOOL_NAME
from demo.stage import Stage
from simulator import SimMessage
from storage.calendar import school_calendar
from storage.schools import school_by_name
from storage.types import stored_id

TEACHER = "吴晓梅"
LEADER = "周雅琴"
ARRANGER = "景佳梅"
CALLER = "许志强"  # teaches maths in grade one, 周雅琴's grade
# A school year has no break longer than this; past it the calendar has no school days at all.
MAX_DAYS_AHEAD = 120


async def _next_school_day(stage: Stage) -> date | None:
    svc = services_of(stage.app)
    async with svc.sessions() as session:
        school = await school_by_name(session=session, name=SCHOOL_NAME)
        assert school is not None
        calendar = await school_calendar(session=session, school_id=stored_id(school))
    today = stage.clock.now().date()
    day = today + timedelta(days=1)
    while not calendar.is_school_day(day):
        day += timedelta(days=1)
        if day > today + timedelta(days=MAX_DAYS_AHEAD):
            return None
    return day


async def ask_for_leave(stage: Stage) -> list[SimMessage]:
    day = await _next_school_day(stage)
    if day is None:
        return []
    return [await stage.ask(TEACHER, f"/leave 病假 {day.isoformat()} 发烧", contains="请假")]


async def approve_with_the_button(stage: Stage) -> list[SimMessage]:
    request = await stage.sim.wait_bot_message(stage.id_of(LEADER), contains="请假审批")
    since = stage.sim.seq
    await stage.press(LEADER, request, "批准")
    approved = await stage.sim.wait_bot_message(
        stage.id_of(TEACHER), since=since, contains="已批准"
    )
    return [request, approved]


async def _leave_board(stage: Stage, since: int = 0) -> SimMessage:
    """The arranger's board of the leave's day: the demo's meeting may have put lessons of
    another day on the boards before (a meeting that falls on lessons makes cover too)."""
    day = await _next_school_day(stage)
    title = f"代课安排 · {day.month}月{day.day}日" if day is not None else "代课安排"
    return await stage.sim.wait_bot_message(stage.id_of(ARRANGER), since=since, contains=title)


async def assign_cover(stage: Stage) -> list[SimMessage]:
    board = await _leave_board(stage)
    choice = next(
        (b.text.split("→", 1)[1] for row in board.buttons for b in row if b.text.startswith("1→")),
        None,
    )
    if choice is None:
        return [board]
    since = stage.sim.seq
    await stage.press(ARRANGER, board, f"1→{choice}")
    notice = await stage.sim.wait_bot_message(stage.id_of(choice), since=since, contains="请你代课")
    return [board, notice]


async def page_and_self_study(stage: Stage) -> list[SimMessage]:
    """On the same board (one lesson at a time, at most 8 buttons): the next lesson becomes
    self-study, and the board moves on by itself."""
    board = await _leave_board(stage)
    since = stage.sim.seq
    await stage.press(ARRANGER, board, "下一个")
    turned = await stage.sim.wait_bot_message(stage.id_of(ARRANGER), since=since, contains="👉")
    lesson = next(b.text for row in turned.buttons for b in row if b.text.endswith(" 自习"))
    since = stage.sim.seq
    await stage.press(ARRANGER, turned, lesson)
    moved = await stage.sim.wait_bot_message(stage.id_of(ARRANGER), since=since, contains="自习")
    return [moved]


async def record_for_a_colleague(stage: Stage) -> list[SimMessage]:
    day = await _next_school_day(stage)
    if day is None:
        return []
    line = f"/leavefor {CALLER} 病假 {day.isoformat()} 发烧"
    recorded = await stage.ask(LEADER, line, contains="登记请假")
    told = await stage.sim.wait_bot_message(stage.id_of(CALLER), contains="替你登记了请假")
    return [recorded, told]
