"""My day (我的今天): the morning message and /today, /tomorrow, as a teacher reads them.

The fixture clock says Wednesday 25 November 2026, 09:00; the school's Thursday is in
tests/schools/leave.py.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from jobs import scheduler
from storage.db import session_factory
from storage.models import (
    CalendarEntry,
    DutyAssignment,
    DutyOverride,
    DutyPost,
    Event,
    School,
    Staff,
)
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.leave import (
    CAO,
    GROUP,
    LEADER,
    LIN,
    OFFICE_A,
    TEACHER,
    XU,
    seed,
)

TITLE = "我的今天"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def move(harness: BotHarness, to: datetime) -> int:
    """Lets time pass up to `to`, as the running job queue would."""
    start = harness.clock.now()
    harness.clock.set(to)
    return await scheduler.fire_due(harness.app, start, to)


def digests(harness: BotHarness, user_id: int, day: str = "11月26日") -> list[str]:
    """The messages of that person's day (the morning message, or /today's answer)."""
    return [m.plain for m in harness.in_chat(user_id) if f"{TITLE} · {day}" in m.plain]


async def swap_and_cover(harness: BotHarness) -> None:
    """周雅琴 swaps her Thursday period 3 for 许志强's Friday period 2, then is away on
    Thursday afternoon (period 5, sick); the office gives period 5 to 曹明."""
    teacher = harness.user(TEACHER)
    await harness.send(teacher, "/swap 周四第3节 许志强 周五第2节")
    ask = harness.last(XU)
    await harness.press(harness.user(XU), ask, ask.data_of("同意"))
    request = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), request, request.data_of("批准"))
    await harness.send(teacher, "/leave 病假 明天 下午 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→曹明"))


async def test_the_morning_message_after_a_swap_and_a_cover(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await swap_and_cover(harness)

    await move(harness, at(26, 7, 1))

    [mine] = digests(harness, TEACHER)
    assert "我的今天 · 11月26日 周四" in mine
    assert "第3节 10:00–10:40 三(2)班 语文：已调到 11月27日 周五 第2节" in mine
    assert "第5节 13:30–14:10 三(2)班 语文 → 曹明 代课" in mine
    assert "病假" not in mine and "发烧" not in mine
    [xu] = digests(harness, XU)
    assert "第3节 10:00–10:40 三(2)班 数学（调课，原在 11月27日 周五 第2节）" in xu
    assert "第1节 08:00–08:40 三(2)班 数学" in xu and "第2节 08:50–09:30 三(1)班 数学" in xu
    [cao] = digests(harness, CAO)
    assert "第3节 10:00–10:40 三(1)班 数学" in cao
    assert "第5节 13:30–14:10 三(2)班 语文（代 周雅琴），待你确认" in cao
    assert "代课待确认：11月26日 周四 第5节 三(2)班 语文" in cao
    assert "病假" not in cao and "发烧" not in cao
    # Someone with nothing that day hears nothing.
    assert digests(harness, OFFICE_A) == []
    assert "每个上课日 07:00 私信你当天安排" in mine


async def test_tomorrow_and_today_on_demand(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await swap_and_cover(harness)

    [tomorrow] = await harness.send(harness.user(CAO), "/tomorrow")
    assert "我的明天 · 11月26日 周四" in tomorrow.plain
    assert "第5节 13:30–14:10 三(2)班 语文（代 周雅琴），待你确认" in tomorrow.plain
    notice = next(m for m in harness.in_chat(CAO) if "请你代课" in m.plain)
    await harness.press(harness.user(CAO), notice, notice.data_of("收到"))
    [again] = await harness.send(harness.user(CAO), "/tomorrow")
    assert "第5节 13:30–14:10 三(2)班 语文（代 周雅琴）" in again.plain
    assert "待你确认" not in again.plain and "等你处理" not in again.plain

    [today] = await harness.send(harness.user(LIN), "/today")
    assert "我的今天 · 11月25日 周三" in today.plain and "没有课。" in today.plain

    clock.set(at(28, 9))
    [saturday] = await harness.send(harness.user(CAO), "/today")
    assert "11月28日 周六：周末，不上课。" in saturday.plain


async def test_what_waits_on_a_person(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(CAO), "/leave 事假 周五 上午 家里有事")
    await harness.send(harness.user(TEACHER), "/swap 周四第3节 许志强 周五第2节")

    [leader] = await harness.send(harness.user(LEADER), "/today")
    [xu] = await harness.send(harness.user(XU), "/today")

    assert "请假审批 1 件（/pending）" in leader.plain
    assert "家里有事" not in leader.plain and "事假" not in leader.plain
    assert "调课请求 1 件等你答复（/pending）" in xu.plain


async def test_in_the_group_the_day_goes_to_the_private_chat(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    answers = await harness.send(harness.user(XU), "/tomorrow", GROUP)

    [group] = [m for m in answers if m.chat_id == GROUP]
    [private] = [m for m in answers if m.chat_id == XU]
    assert group.plain == "已私信发给你。"
    assert "我的明天 · 11月26日 周四" in private.plain
    assert "第1节 08:00–08:40 三(2)班 数学" in private.plain


async def test_in_the_group_someone_the_bot_cannot_write_to_is_asked_to_open_the_chat(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.services.dispatcher.unreachable.add(XU)  # blocked the bot, or never started it

    answers = await harness.send(harness.user(XU), "/today", GROUP)

    assert [(m.chat_id, m.plain) for m in answers] == [(GROUP, "请先打开与我的私聊，再发 /today。")]
    assert answers[0].buttons[0][0] == "打开私聊"


async def test_nothing_on_a_holiday_and_a_make_up_day_counts(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        school = (await s.exec(select(School))).one()
        # Thursday closed (sports day); Sunday 29th a make-up day on Thursday's timetable.
        s.add(
            CalendarEntry(
                school_id=school.id,
                kind="closed",
                start_date=date(2026, 11, 26),
                end_date=date(2026, 11, 26),
                note="运动会",
            )
        )
        s.add(CalendarEntry(school_id=school.id, kind="makeup", start_date=date(2026, 11, 29),
                            end_date=date(2026, 11, 29), weekday=4))  # fmt: skip

    await move(harness, at(28, 12))
    assert digests(harness, XU) == [] and digests(harness, XU, "11月28日") == []
    clock.set(at(26, 12))
    [closed] = await harness.send(harness.user(XU), "/today")
    assert "11月26日 周四：停课：运动会，不上课。" in closed.plain

    clock.set(at(28, 12))
    await move(harness, at(29, 7, 30))
    [sunday] = digests(harness, XU, "11月29日")
    assert "11月29日 周日" in sunday and "第1节 08:00–08:40 三(2)班 数学" in sunday


async def test_the_off_button_stops_the_message_and_on_brings_it_back(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    [shown] = await harness.send(harness.user(XU), "/today")
    await harness.press(harness.user(XU), shown, shown.data_of("🔕 关闭每日推送"))
    off = harness.last(XU)
    assert "已关闭每日推送" in off.plain

    await move(harness, at(26, 8))
    assert digests(harness, XU) == []
    assert len(digests(harness, CAO)) == 1  # the others still get theirs

    await harness.press(harness.user(XU), off, off.data_of("🔔 开启每日推送（07:00）"))
    assert "以后每个上课日 07:00 私信你" in harness.last(XU).plain
    await move(harness, at(27, 8))
    [friday] = digests(harness, XU, "11月27日")
    assert "11月27日 周五" in friday


async def test_choosing_another_time_moves_the_message(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    [shown] = await harness.send(harness.user(XU), "/today")
    await harness.press(harness.user(XU), shown, shown.data_of("⏰ 改时间"))
    choices = harness.last(XU)
    assert [label for label, _ in choices.buttons] == ["06:30", "✓ 07:00", "07:30", "08:00"]
    await harness.press(harness.user(XU), choices, choices.data_of("07:30"))
    assert "以后每个上课日 07:30 私信你" in harness.request.find(XU, choices.message_id).plain

    await move(harness, at(26, 7, 20))
    assert digests(harness, XU) == []
    assert len(digests(harness, CAO)) == 1
    await move(harness, at(26, 7, 31))
    [xu] = digests(harness, XU)
    assert "每个上课日 07:30 私信你当天安排" in xu

    # A forged time is refused and changes nothing.
    _, refused = await harness.press(harness.user(XU), choices, "v1:day:at:425")
    assert refused["text"] == "这个按钮已失效。"
    [again] = await harness.send(harness.user(XU), "/today")
    assert "每个上课日 07:30 私信你当天安排" in again.plain


async def test_a_slot_is_sent_once_even_when_the_time_moves_later_that_morning(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await move(harness, at(26, 7, 1))
    # The job firing, the playground moving time and another start all try again.
    await scheduler.fire_due(harness.app, at(26, 6), at(26, 7, 1))
    await scheduler.start(harness.app)
    assert len(digests(harness, XU)) == 1

    [shown] = await harness.send(harness.user(XU), "/today")
    await harness.press(harness.user(XU), shown, shown.data_of("⏰ 改时间"))
    choices = harness.last(XU)
    await harness.press(harness.user(XU), choices, choices.data_of("08:00"))
    await move(harness, at(26, 9))
    assert len(digests(harness, XU)) == 2  # the one at 07:00 and /today, nothing at 08:00
    assert len(digests(harness, CAO)) == 1


async def test_the_school_gets_one_job_per_chosen_time(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    [shown] = await harness.send(harness.user(XU), "/today")
    await harness.press(harness.user(XU), shown, shown.data_of("⏰ 改时间"))
    choices = harness.last(XU)
    await harness.press(harness.user(XU), choices, choices.data_of("06:30"))
    async with session_factory(engine)() as s:
        school = (await s.exec(select(School))).one()
    slots = await scheduler.plan_day(harness.services, school, date(2026, 11, 26))
    mine = [(slot.target, f"{slot.at:%H:%M}") for slot in slots if slot.kind == "my_day"]
    assert mine == [("t0630", "06:30"), ("t0700", "07:00")]


async def test_merged_and_self_study_classes(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    """周雅琴 is away all Thursday: period 3 merges with 曹明's 三(1)班, period 5 is self-study."""
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("下一个"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("2 自习"))
    board = harness.request.find(OFFICE_A, board.message_id)
    choices = (await harness.press(harness.user(OFFICE_A), board, board.data_of("1 合班")))[0][-1]
    await harness.press(harness.user(OFFICE_A), choices, choices.data_of("三(1)班"))

    await move(harness, at(26, 7, 1))

    [absent] = digests(harness, TEACHER)
    assert "第3节 10:00–10:40 三(2)班 语文 → 与三(1)班合班（曹明）" in absent
    assert "第5节 13:30–14:10 三(2)班 语文 → 自习" in absent
    [cao] = digests(harness, CAO)
    assert "第3节 10:00–10:40 三(1)班 数学" in cao
    assert "第3节 10:00–10:40 三(2)班 语文（与三(1)班合班，代 周雅琴）" in cao


async def test_duty_posts_and_meetings_for_the_person(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        school = (await s.exec(select(School))).one()
        xu = (await s.exec(select(Staff).where(Staff.name == "许志强"))).one()
        xu.language = "en"
        post = DutyPost(
            school_id=school.id, name="护学岗", starts_at=time(7, 20), ends_at=time(7, 50)
        )
        s.add(post)
        await s.flush()
        s.add(DutyAssignment(school_id=school.id, post_id=post.id, weekday=4, staff_id=xu.id))
        # 曹明's afternoon post, which 许志强 takes this Thursday.
        cao = (await s.exec(select(Staff).where(Staff.name == "曹明"))).one()
        late = DutyPost(
            school_id=school.id, name="放学护导", starts_at=time(16), ends_at=time(16, 30)
        )
        s.add(late)
        await s.flush()
        s.add(DutyAssignment(school_id=school.id, post_id=late.id, weekday=4, staff_id=cao.id))
        s.add(DutyOverride(school_id=school.id, post_id=late.id, day=date(2026, 11, 26),
                           staff_id=xu.id, created_at=clock.now()))  # fmt: skip
        for title, audience in (
            ("数学教研", "subject:数学"),
            ("英语教研", "subject:英语"),
            ("三年级组会", "grade:3"),
        ):
            s.add(Event(school_id=school.id, title=title, category="教研", weekday=4,
                        starts_at=time(15, 30), hours_tenths=15, audience=audience,
                        created_at=clock.now()))  # fmt: skip

    [tomorrow] = await harness.send(harness.user(XU, language_code="en"), "/tomorrow")

    text = tomorrow.plain
    assert "My day tomorrow · Thu 26 Nov" in text
    assert "Period 1 08:00–08:40 三(2)班 数学" in text
    assert "🛡 Duty\n· 07:20–07:50 护学岗\n· 16:00–16:30 放学护导 (instead of 曹明)" in text
    assert "· 15:30–17:00 数学教研" in text and "· 15:30–17:00 三年级组会" in text
    assert "英语教研" not in text
    assert [label for label, _ in tomorrow.buttons] == ["🔕 Turn off", "⏰ Change time"]
    [lin] = await harness.send(harness.user(LIN), "/tomorrow")
    [cao] = await harness.send(harness.user(CAO), "/tomorrow")
    assert "放学护导" not in cao.plain
    assert "英语教研" in lin.plain and "数学教研" not in lin.plain and "三年级组会" in lin.plain
