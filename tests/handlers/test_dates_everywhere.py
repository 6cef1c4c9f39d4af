"""Every command that takes a day reads it the way /leave does, and names the day it read.

Today is Wednesday 25 November 2026 (the harness clock).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from tests.harness import BotHarness
from tests.schools import duty as duty_school
from tests.schools import leave as leave_school

# What a teacher types, the day the bot must name in its answer, and that day's month.
DAYS = [
    ("明天", "11月26日 周四", "2026年11月"),
    ("后天", "11月27日 周五", "2026年11月"),
    ("周五", "11月27日 周五", "2026年11月"),
    ("下周一", "11月30日 周一", "2026年11月"),
    ("12月8日", "12月8日 周二", "2026年12月"),
    ("12-08", "12月8日 周二", "2026年12月"),
    ("12/8", "12月8日 周二", "2026年12月"),
    ("2026-12-08", "12月8日 周二", "2026年12月"),
    ("２０２６年１２月８日", "12月8日 周二", "2026年12月"),
    ("1月5日", "2027年1月5日 周二", "2027年1月"),  # January, typed in November: next year's
    ("tomorrow", "11月26日 周四", "2026年11月"),
    ("next monday", "11月30日 周一", "2026年11月"),
    ("Fri", "11月27日 周五", "2026年11月"),
]


@dataclass(frozen=True)
class Command:
    """A command with a day in it, who may send it and the school it needs."""

    template: str
    school: str  # duty | leave
    user: int
    names_month: bool = False  # /covers answers with the month of the day
    undo: str = ""  # sent after each, so that the same day again is not "already so"

    def line(self, day: str) -> str:
        return self.template.format(day=day)


COMMANDS = {
    "leave": Command("/leave 病假 {day} 发烧", "leave", leave_school.TEACHER),
    # 林秀英 has no second period: every answer is a refusal naming the day, none a request.
    "swap": Command("/swap {day} 第3节 林秀英 {day} 第2节", "leave", leave_school.TEACHER),
    "dutyswap": Command("/dutyswap {day} 王晴晴", "duty", duty_school.ZHOU_ID),
    "event": Command("/event add {day} 15:30 教研会", "duty", duty_school.ADMIN_ID),
    "calendar": Command("/calendar closed {day} 运动会", "duty", duty_school.ADMIN_ID),
    "duty": Command("/duty {day}", "duty", duty_school.ADMIN_ID),
    "duty set": Command(
        "/duty set {day} 护学岗 王晴晴",
        "duty",
        duty_school.ADMIN_ID,
        undo="/duty unset {day} 护学岗",
    ),
    "covers": Command("/covers {day}", "leave", leave_school.HEAD, names_month=True),
    "arrange": Command("/arrange {day}", "leave", leave_school.HEAD),
}
# The commands that refuse a day gone by (the others may look back: the calendar, /duty, /covers).
REFUSE_THE_PAST = ["leave", "swap", "dutyswap", "event", "duty set"]


async def _seed(kind: str, engine: AsyncEngine, clock: ManualClock) -> None:
    if kind == "duty":
        await duty_school.seed(engine)
    else:
        await leave_school.seed(engine, clock.now())


def _sender(harness: BotHarness, command: Command) -> Callable[[str], Awaitable[str]]:
    user = harness.user(command.user)

    async def send(day: str) -> str:
        answer = await harness.send(user, command.line(day))
        if command.undo:
            await harness.send(user, command.undo.format(day=day))
        return "\n".join(m.plain for m in answer)

    return send


@pytest.mark.parametrize("name", [n for n in COMMANDS if n != "arrange"])
async def test_every_command_reads_the_same_days(
    name: str, harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    command = COMMANDS[name]
    await _seed(command.school, engine, clock)
    send = _sender(harness, command)
    for typed, label, month in DAYS:
        said = await send(typed)
        assert "不是日期" not in said and "没看懂" not in said, (typed, said)
        assert (month if command.names_month else label) in said, (typed, said)


async def test_arrange_reads_the_same_days(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    """/arrange answers "nothing to arrange" without naming the day; a day it could not read
    gets its own answer."""
    await _seed("leave", engine, clock)
    send = _sender(harness, COMMANDS["arrange"])
    for typed, _, _ in DAYS:
        said = await send(typed)
        assert "没有需要你安排" in said, (typed, said)
    assert "没有需要你安排" not in await send("明儿")


@pytest.mark.parametrize("name", REFUSE_THE_PAST)
async def test_yesterday_is_refused_as_past_by_name(
    name: str, harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    command = COMMANDS[name]
    await _seed(command.school, engine, clock)
    send = _sender(harness, command)
    for typed in ("昨天", "yesterday", "上周一", "11月24日"):
        said = await send(typed)
        assert "已经过去" in said, (typed, said)
        day = "11月16日 周一" if typed == "上周一" else "11月24日 周二"
        assert day in said, (typed, said)


RANGES = [
    ("12月8日~12月10日", "12月8日 周二 至 12月10日 周四"),
    ("12-08至12-10", "12月8日 周二 至 12月10日 周四"),
    ("12月8日-10日", "12月8日 周二 至 12月10日 周四"),
    ("周四到下周二", "11月26日 周四 至 12月1日 周二"),
]


@pytest.mark.parametrize("name", ["leave", "calendar"])
async def test_ranges_read_alike_in_leave_and_calendar(
    name: str, harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    command = COMMANDS[name]
    await _seed(command.school, engine, clock)
    send = _sender(harness, command)
    for typed, shown in RANGES:
        said = await send(typed)
        # The same days again are refused as already asked for, naming them all the same.
        assert shown in said, (typed, said)


async def test_english_speakers_see_one_english_style(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await duty_school.seed(engine)
    admin = harness.user(duty_school.ADMIN_ID)
    await harness.send(admin, "/lang en")
    added = "\n".join(m.plain for m in await harness.send(admin, "/event add 12-08 15:30 教研会"))
    assert "Tue 8 Dec 15:30" in added and "2026-12-08" not in added
    later = "\n".join(
        m.plain for m in await harness.send(admin, "/event add 2027-01-05 15:30 教研会")
    )
    assert "Tue 5 Jan 2027" in later
    shown = "\n".join(m.plain for m in await harness.send(admin, "/duty tomorrow"))
    assert "Thu 26 Nov" in shown


async def test_a_make_up_day_takes_any_day_then_the_weekday_it_follows(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await duty_school.seed(engine)
    admin = harness.user(duty_school.ADMIN_ID)
    for typed in ("下周六", "next saturday", "12月5日"):
        said = (await harness.send(admin, f"/calendar makeup {typed} 周三"))[0].plain
        assert "12月5日 周六" in said and "周三" in said, (typed, said)
