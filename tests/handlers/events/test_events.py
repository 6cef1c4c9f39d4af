"""Meetings and training: /event for the office and admins, /events, and the 签到 button."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from telegram import User

from bot.clock import ManualClock
from jobs import scheduler
from storage import audit
from storage.db import session_factory
from storage.models import School
from storage.schools import bind_group
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools import factories

GROUP = -1003000000001
ADMIN_ID = 7_100_000_001  # 张思月: academic office and admin
OFFICE_ID = 7_100_000_002  # 景佳梅: academic office
CHINESE_ID = 7_100_000_003  # 王晴晴: teaches 语文
MATHS_ID = 7_100_000_004  # 许志强: teaches 数学
LATE_ID = 7_100_000_005  # 周雅琴: teaches 语文
STRANGER_ID = 7_100_000_009


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now() - timedelta(days=90))
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        await factories.staff(
            s, school, "张思月", roles="teacher,office,admin", telegram_id=ADMIN_ID
        )
        await factories.staff(s, school, "景佳梅", roles="teacher,office", telegram_id=OFFICE_ID)
        await factories.staff(s, school, "王晴晴", subjects="语文", grade=3, telegram_id=CHINESE_ID)
        await factories.staff(s, school, "许志强", subjects="数学", grade=3, telegram_id=MATHS_ID)
        await factories.staff(s, school, "周雅琴", subjects="语文", grade=1, telegram_id=LATE_ID)
        await factories.staff(s, school, "李新", subjects="语文,数学")
        await bind_group(
            session=s,
            school_id=school.id,
            chat_id=GROUP,
            title="教师群",
            by=ADMIN_ID,
            now=clock.now(),
        )


async def ask(harness: BotHarness, user: User, text: str, chat_id: int | None = None) -> Sent:
    """Sends `text` and returns the bot's answer in that chat (group notices aside)."""
    chat = chat_id if chat_id is not None else user.id
    answers = [m for m in await harness.send(user, text, chat_id=chat_id) if m.chat_id == chat]
    assert len(answers) == 1, [m.plain for m in answers]
    return answers[0]


async def actions(engine: AsyncEngine, action: str) -> list[str]:
    async with session_factory(engine)() as s:
        return [row.detail for row in await audit.entries(session=s, action=action)]


async def test_office_adds_a_weekly_event_and_staff_list_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    reply = await ask(harness, admin, "/event add 周三 15:30 1.5 教研会 语文组")
    assert "已添加" in reply.plain
    assert "#1 教研会 · 每周三 15:30–17:00 · 1.5 学时 · 语文组 · 教研" in reply.plain
    assert "下次：11月25日 周三" in reply.plain
    assert len(await actions(engine, "event_added")) == 1

    once = await ask(harness, admin, "/event add 2026-12-02 14:00 2 区级培训 全体")
    assert "#2 区级培训 · 12月2日 周三 14:00–16:00 · 2 学时 · 全体教职工 · 培训" in once.plain

    teacher = harness.user(MATHS_ID)
    listing = await ask(harness, teacher, "/events", chat_id=GROUP)
    assert "#1 教研会" in listing.plain and "#2 区级培训" in listing.plain
    assert "/event change" not in listing.plain  # the how-to is for the office


async def test_teachers_cannot_add_change_or_cancel(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await harness.send(harness.user(ADMIN_ID), "/event add 周三 15:30 1.5 教研会 语文组")
    teacher = harness.user(CHINESE_ID)
    for text in ("/event add 周四 15:30 1 例会", "/event change 1 周五", "/event cancel 1"):
        reply = await ask(harness, teacher, text)
        assert "没有权限" in reply.plain
    assert len(await actions(engine, "denied")) == 3
    reply = await ask(harness, harness.user(STRANGER_ID), "/event add 周四 15:30 1 例会")
    assert "还没有关联" in reply.plain
    listing = await ask(harness, teacher, "/events")
    assert "教研会" in listing.plain and "例会" not in listing.plain


async def test_what_is_missing_or_mistyped_is_said(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    reply = await ask(harness, admin, "/event add 周三 教研会")
    assert "还缺：开始时间（15:30）。" in reply.plain
    assert "/event add 周三 15:30 教研会" in reply.plain
    reply = await ask(harness, admin, "/event add 教研会")
    assert "还缺：星期或日期（周三 / 2026-12-02）、开始时间（15:30）" in reply.plain
    reply = await ask(harness, admin, "/event add 周三 15:30 1.25 教研会")
    assert "最多保留一位小数" in reply.plain
    reply = await ask(harness, admin, "/event add 周三 15:30 1 教研会 语言组")
    assert "本校没有“语言组”" in reply.plain and "语文组" in reply.plain
    async with session_factory(engine)() as s, s.begin():
        school = (await s.exec(select(School))).one()
        await factories.school_class(s, school, 3, 1)
        await factories.school_class(s, school, 4, 1)
    reply = await ask(harness, admin, "/event add 周三 16:30 1 教研会 七年级")
    assert (
        reply.plain.startswith("本校没有初一年级") and "本校的年级：三年级、四年级" in reply.plain
    )
    reply = await ask(harness, admin, "/event add 2026-11-20 15:30 1 培训")
    assert "已经过去了" in reply.plain
    reply = await ask(harness, admin, "/event")
    assert "/event add 周三 15:30 教研会 语文组" in reply.plain
    reply = await ask(harness, admin, "/event change 7 周四")
    assert "没有编号为 7 的活动" in reply.plain
    assert await actions(engine, "event_added") == []


async def test_the_issues_examples_are_accepted_with_a_one_hour_default(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    reply = await ask(harness, admin, "/event add 周三 15:30 教研会 语文组")
    assert "已添加" in reply.plain
    assert "#1 教研会 · 每周三 15:30–16:30 · 1 学时 · 语文组" in reply.plain
    assert "未写时长，按 1 小时记" in reply.plain

    reply = await ask(harness, admin, "/event add 周二 观课议课")
    assert "还缺：开始时间（15:30）。" in reply.plain
    assert "例如：/event add 周二 15:30 观课议课" in reply.plain
    assert "/event add 周三 15:30 教研会 语文组" in reply.plain  # the full format follows
    reply = await ask(harness, admin, "/event add 周二 16:10 观课议课")
    assert "#2 观课议课 · 每周二 16:10–17:10 · 1 学时" in reply.plain
    assert len(await actions(engine, "event_added")) == 2


async def test_change_moves_the_event_and_tells_the_group(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(OFFICE_ID)
    await harness.send(admin, "/event add 周三 15:30 1.5 教研会 语文组")
    reply = await ask(harness, admin, "/event change 1 周四 16:00")
    assert "已修改" in reply.plain and "每周四 16:00–17:30" in reply.plain
    assert "下次：11月26日 周四" in reply.plain
    notice = harness.last(GROUP).plain
    assert "原：#1 教研会 · 每周三 15:30" in notice and "现：#1 教研会 · 每周四 16:00" in notice
    same = await ask(harness, admin, "/event change 1 16:00")
    assert "没有修改" in same.plain
    assert len(await actions(engine, "event_changed")) == 1


async def test_cancel_one_date_then_restore_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    await harness.send(admin, "/event add 周三 15:30 1.5 教研会 语文组")
    reply = await ask(harness, admin, "/event cancel 1 12-02")
    assert "已取消 12月2日 周三 的“教研会”" in reply.plain
    assert "/event restore 1 2026-12-02" in reply.plain
    assert "12月2日 周三 的“教研会”（语文组）取消" in harness.last(GROUP).plain
    listing = await ask(harness, admin, "/events")
    assert "已取消：12月2日 周三" in listing.plain
    again = await ask(harness, admin, "/event cancel 1 2026-12-02")
    assert "已经取消过了" in again.plain
    thursday = await ask(harness, admin, "/event cancel 1 2026-12-03")
    assert "没有安排“教研会”" in thursday.plain
    weekday = await ask(harness, admin, "/event cancel 1 周三")
    assert "不是日期" in weekday.plain
    back = await ask(harness, admin, "/event restore 1 2026-12-02")
    assert "已恢复" in back.plain and "照常举行" in harness.last(GROUP).plain
    assert len(await actions(engine, "event_cancelled")) == 1
    assert len(await actions(engine, "event_restored")) == 1


async def test_cancelling_the_whole_event_asks_first_and_counts_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    await harness.send(admin, "/event add 周三 15:30 1.5 教研会 语文组")
    question = await ask(harness, admin, "/event cancel 1")
    assert "确定取消整个活动吗" in question.plain

    confirm = question.data_of("确定取消")  # a stale copy of the message may still show it
    teacher = harness.user(CHINESE_ID)
    _, refused = await harness.press(teacher, question, confirm)
    assert "没有权限" in refused["text"]

    await harness.press(admin, question, confirm)
    assert "已取消整个活动" in harness.request.find(ADMIN_ID, question.message_id).plain
    assert "今后不再举行" in harness.last(GROUP).plain
    _, second = await harness.press(admin, question, confirm)
    assert "已经取消了" in second["text"]
    listing = await ask(harness, admin, "/events")
    assert "还没有会议或培训安排" in listing.plain
    assert len(await actions(engine, "event_ended")) == 1


async def reminder(harness: BotHarness, start: datetime) -> Sent:
    """The 30-minutes-before reminder, as the scheduler posts it in the staff group."""
    harness.clock.set(datetime(2026, 11, 25, 15, 0, 1, tzinfo=SHANGHAI))
    await scheduler.fire_due(harness.app, start, harness.clock.now())
    return next(m for m in harness.in_chat(GROUP) if "签到" in str(m.buttons))


async def test_check_in_inside_the_window_once_and_only_for_the_audience(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    start = clock.now()
    await harness.send(harness.user(ADMIN_ID), "/event add 周三 15:30 1.5 教研会 语文组")
    message = await reminder(harness, start)
    assert "教研会" in message.plain and "签到时间 15:15–16:00" in message.plain
    assert f'<a href="tg://user?id={CHINESE_ID}">王晴晴</a>' in message.text
    assert "李新" in message.plain and "许志强" not in message.plain
    data = message.data_of("签到")

    teacher = harness.user(CHINESE_ID)
    _, early = await harness.press(teacher, message, data)
    assert "15:15 开放" in early["text"]

    clock.set(datetime(2026, 11, 25, 15, 20, tzinfo=SHANGHAI))
    _, done = await harness.press(teacher, message, data)
    assert "签到成功" in done["text"] and "1.5 学时" in done["text"]
    _, twice = await harness.press(teacher, message, data)
    assert "已经签到过了（15:20）" in twice["text"]
    _, outsider = await harness.press(harness.user(MATHS_ID), message, data)
    assert "面向语文组" in outsider["text"]
    _, stranger = await harness.press(harness.user(STRANGER_ID), message, data)
    assert "只有已关联的本校教职工才能签到" in stranger["text"]

    clock.set(datetime(2026, 11, 25, 16, 0, 1, tzinfo=SHANGHAI))
    _, late = await harness.press(harness.user(LATE_ID), message, data)
    assert "已于 16:00 截止" in late["text"]
    assert len(await actions(engine, "event_checkin")) == 1

    sheet = await ask(harness, harness.user(OFFICE_ID), "/event attendance 1")
    assert "11月25日 周三：1/3 人" in sheet.plain
    assert "王晴晴 15:20" in sheet.plain and "未签到：周雅琴、李新" in sheet.plain
    refused = await ask(harness, teacher, "/event attendance 1")
    assert "没有权限" in refused.plain
    hours = await ask(harness, teacher, "/hours")
    assert "已认定 1.5 / 90 学时" in hours.plain and "教研：1.5" in hours.plain


async def test_a_cancelled_date_cannot_be_checked_into(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    start = clock.now()
    admin = harness.user(ADMIN_ID)
    await harness.send(admin, "/event add 周三 15:30 1.5 教研会 语文组")
    message = await reminder(harness, start)
    await harness.send(admin, "/event cancel 1 2026-11-25")
    clock.set(datetime(2026, 11, 25, 15, 20, tzinfo=SHANGHAI))
    _, gone = await harness.press(harness.user(CHINESE_ID), message, message.data_of("签到"))
    assert "已取消，不能签到" in gone["text"]


async def test_an_event_added_at_the_last_minute_still_gets_its_check_in(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    clock.set(datetime(2026, 11, 25, 15, 10, tzinfo=SHANGHAI))
    await harness.send(harness.user(ADMIN_ID), "/event add 今天 15:30 1 临时教研 语文组")
    posted = [m for m in harness.in_chat(GROUP) if "临时教研" in m.plain]
    assert len(posted) == 1 and "签到" in str(posted[0].buttons)
    # The scheduler finds the slot claimed and does not post it again.
    await scheduler.fire_due(harness.app, clock.now() - timedelta(hours=1), clock.now())
    assert len([m for m in harness.in_chat(GROUP) if "临时教研" in m.plain]) == 1


async def test_a_one_off_already_on_that_date_is_not_added_twice(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    await ask(harness, admin, "/event add 周三 15:30 1.5 教研会 语文组")

    twin = await ask(harness, admin, "/event add 12月9日 15:30 1.5 教研会 语文组")
    assert "12月9日 周三本来就有这项每周活动" in twin.plain and "#1 教研会" in twin.plain
    assert "/event cancel 1 2026-12-09" in twin.plain
    assert len(await actions(engine, "event_added")) == 1
    # Another time that day is another meeting.
    later = await ask(harness, admin, "/event add 12月9日 16:30 教研会 语文组")
    assert "已添加" in later.plain and "#2 教研会 · 12月9日 周三" in later.plain
    again = await ask(harness, admin, "/event add 12月9日 16:30 教研会 语文组")
    assert "12月9日 周三已经有这个活动了" in again.plain and "/event change 2" in again.plain

    # With the weekly one's date cancelled, that date can be arranged on its own.
    await ask(harness, admin, "/event cancel 1 2026-12-09")
    once = await ask(harness, admin, "/event add 12月9日 15:30 1.5 教研会 语文组")
    assert "已添加" in once.plain and "#3 教研会" in once.plain
