"""The cover slip for the group and the reminder of an unconfirmed cover."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from jobs import kinds, scheduler
from jobs.leave import watch_leaves
from jobs.registry import Slot
from rules.events import EVERYONE
from rules.rota import WEEKDAY
from storage.db import session_factory, wrote
from storage.duty import add_post, set_weekday_person
from storage.events import add_event
from storage.models import School
from storage.policies import set_policy
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.leave import GROUP, LEADER, OFFICE_A, OFFICE_B, TEACHER, XU, seed


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
async def harness(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(Settings(), engine, clock) as bot:
        yield bot


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def move(bot: BotHarness, clock: ManualClock, until: datetime) -> None:
    start = clock.now()
    clock.set(until)
    await scheduler.fire_due(bot.app, start, until)
    # The boards pushed are recorded after delivery; a press reads them to draw every copy.
    await bot.services.settle()


async def xu_covers_period_3(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock, when: str = "明天"
) -> Sent:
    """周雅琴 is away on Thursday (`when`); 王晴晴 assigns 许志强 to her period 3 on the board
    returned."""
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), f"/leave 病假 {when} 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    return board


def slips(bot: BotHarness) -> list[str]:
    return [m.plain for m in bot.in_chat(GROUP) if "代课/调课公示" in m.plain]


async def test_slips_for_tomorrow_and_today_and_updates_after_a_change(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)

    await move(harness, clock, at(25, 20, 1))

    assert len(slips(harness)) == 1
    slip = slips(harness)[0]
    assert slip.startswith("📋 代课/调课公示 · 11月26日 周四")
    assert "不在校：周雅琴（全天）" in slip
    assert "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 许志强 代课" in slip
    assert "第5节（13:30–14:10）三(2)班 语文 周雅琴 → 待安排" in slip

    posted = harness.last(GROUP)
    board = harness.last(OFFICE_B)
    await harness.press(harness.user(OFFICE_B), board, board.data_of("2 自习"))
    # The slip is edited in place: the group sees no new post, and the slip says what changed.
    assert harness.last(GROUP).message_id == posted.message_id
    update = harness.request.find(GROUP, posted.message_id)
    assert update.edited and update.plain.startswith("📋 代课/调课公示 · 11月26日 周四")
    assert "第5节（13:30–14:10）三(2)班 语文 周雅琴 → 自习" in update.plain
    assert "待安排" not in update.plain and "已取消" not in update.plain
    assert update.plain.endswith("🔄 已更新 20:01：\n· 第5节（13:30–14:10）三(2)班 语文：现在 自习")
    # A second press that changes nothing posts nothing.
    before = len(slips(harness))
    await harness.send(harness.user(OFFICE_B), "/arrange")
    assert len(slips(harness)) == before

    await move(harness, clock, at(26, 7, 21))
    today = slips(harness)[-1]
    assert today.startswith("📋 代课/调课公示 · 11月26日 周四") and "自习" in today
    for text in slips(harness):
        assert "病假" not in text and "发烧" not in text
    # Friday has nothing planned: no slip at 20:00 on Thursday.
    count = len(slips(harness))
    await move(harness, clock, at(26, 20, 1))
    assert len(slips(harness)) == count


async def test_an_unconfirmed_cover_reminds_the_arranger_half_an_hour_before(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    board = await xu_covers_period_3(harness, engine, clock)
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("2→郭春燕"))

    await move(harness, clock, at(26, 9, 29))
    assert not [m for m in harness.in_chat(OFFICE_A) if m.plain.startswith("⏰")]
    await move(harness, clock, at(26, 9, 31))
    reminder = [m.plain for m in harness.in_chat(OFFICE_A) if m.plain.startswith("⏰")]
    assert reminder == ["⏰ 许志强 还没有确认代课：11月26日 周四 第3节（10:00–10:40）三(2)班 语文"]
    # 郭春燕 confirms her afternoon cover: nothing reminds about it.
    notice = next(m for m in harness.in_chat(7_100_000_002) if "请你代课" in m.plain)
    await harness.press(harness.user(7_100_000_002), notice, notice.data_of("收到"))
    await move(harness, clock, at(26, 13, 5))
    assert len([m for m in harness.in_chat(OFFICE_A) if m.plain.startswith("⏰")]) == 1
    # Nothing more for him than the notice (and the morning message of his day, and the
    # reminder shortly before his lesson).
    told = [m.plain for m in harness.in_chat(XU) if "我的今天" not in m.plain]
    assert "请你代课" in [text for text in told if "分钟后代课" not in text][-1]


async def test_a_decline_after_the_slip_went_out_edits_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)
    notice = harness.last(XU)
    await move(harness, clock, at(25, 20, 1))
    posted = harness.last(GROUP)
    assert "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 许志强 代课" in posted.plain

    await harness.press(harness.user(XU), notice, notice.data_of("拒绝"))
    asked = harness.request.find(XU, notice.message_id)
    await harness.press(harness.user(XU), asked, asked.data_of("直接拒绝"))

    update = harness.request.find(GROUP, posted.message_id)
    assert update.edited and "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 待安排" in update.plain
    assert "许志强 代课" not in update.plain.split("🔄")[0]


def lesson_reminders(bot: BotHarness, chat: int) -> list[str]:
    return [m.plain for m in bot.in_chat(chat) if "分钟后代课" in m.plain]


async def test_the_substitute_is_reminded_once_ten_minutes_before_and_not_when_released(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    guo = 7_100_000_002
    board = await xu_covers_period_3(harness, engine, clock)
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("2→郭春燕"))  # 13:30

    await move(harness, clock, at(26, 9, 49))
    assert lesson_reminders(harness, XU) == []
    await move(harness, clock, at(26, 9, 51))
    await move(harness, clock, at(26, 9, 58))
    assert lesson_reminders(harness, XU) == [
        "⏰ 10 分钟后代课：11月26日 周四 第3节（10:00–10:40）三(2)班 语文（代 周雅琴）\n"
        "你还没有确认这节代课：请按“收到”。"
    ]

    # 周雅琴 comes back at noon: 郭春燕's afternoon cover is released, and not reminded of.
    await move(harness, clock, at(26, 12, 0))
    await harness.send(harness.user(TEACHER), "/back")
    await move(harness, clock, at(26, 13, 25))
    assert any("不用代课了" in m.plain for m in harness.in_chat(guo))
    assert lesson_reminders(harness, guo) == []
    assert len(lesson_reminders(harness, XU)) == 1


async def test_no_reminder_when_the_school_turns_it_off(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)
    async with session_factory(engine)() as s, s.begin():
        school = (await s.exec(select(School))).one()
        await set_policy(
            session=s,
            school_id=school.id or 0,
            key="cover.reminder_minutes",
            raw_value="0",
            by=None,
            now=clock.now(),
        )

    await move(harness, clock, at(26, 9, 55))

    assert lesson_reminders(harness, XU) == []


def reminders(bot: BotHarness, chat: int) -> list[str]:
    return [m.plain for m in bot.in_chat(chat) if "明天还有" in m.plain]


async def test_arrangers_get_tomorrows_board_while_lessons_are_still_open(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)

    await move(harness, clock, at(25, 17, 59))
    assert reminders(harness, OFFICE_A) == []
    await move(harness, clock, at(25, 18, 1))

    for office in (OFFICE_A, OFFICE_B):
        (reminder,) = reminders(harness, office)
        assert "明天还有 1 节课没安排代课" in reminder
        assert "代课安排 · 11月26日 周四" in reminder and "第5节" in reminder
        assert "病假" not in reminder and "发烧" not in reminder
        assert "2 自习" in [label for label, _ in harness.last(office).buttons]
    # The board's buttons work like any other board's.
    reminder = harness.last(OFFICE_B)
    await harness.press(harness.user(OFFICE_B), reminder, reminder.data_of("2 自习"))
    assert "状态：自习" in harness.request.find(OFFICE_B, reminder.message_id).plain


async def test_the_evening_boards_follow_what_another_arranger_decides(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)
    await move(harness, clock, at(25, 18, 1))
    theirs = harness.last(OFFICE_B)
    assert "明天还有 1 节课没安排代课" in theirs.plain

    mine = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), mine, mine.data_of("2 自习"))

    assert "状态：自习" in harness.request.find(OFFICE_B, theirs.message_id).plain


async def test_no_reminder_when_everything_is_arranged(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock, "明天 上午")

    await move(harness, clock, at(25, 18, 1))

    assert reminders(harness, OFFICE_A) == [] and reminders(harness, OFFICE_B) == []


async def test_the_slip_says_in_words_who_now_covers_and_whose_lesson_is_taught_as_usual(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)
    await move(harness, clock, at(25, 20, 1))
    posted = harness.last(GROUP)

    # Later that evening the arranger gives period 3 to someone else, on the newest board
    # (the one of 18:00; the older one now points to it).
    clock.set(at(25, 21, 5))
    board = harness.last(OFFICE_A)
    assert "明天还有 1 节课没安排代课" in board.plain
    await harness.press(harness.user(OFFICE_A), board, board.data_of("上一个（1）"))
    board = harness.request.find(OFFICE_A, board.message_id)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→郭春燕"))
    slip = harness.request.find(GROUP, posted.message_id).plain
    assert "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 郭春燕 代课" in slip
    assert slip.endswith(
        "🔄 已更新 21:05：\n· 第3节（10:00–10:40）三(2)班 语文：改由 郭春燕 代课（原为 许志强）"
    )

    # Thursday's slip goes out again at 07:20; at noon 周雅琴 is back: her afternoon lesson
    # is taught as usual, and the morning's slip says so (not "cancelled").
    await move(harness, clock, at(26, 7, 21))
    morning = harness.last(GROUP)
    assert morning.message_id != posted.message_id
    clock.set(at(26, 12, 0))
    await harness.send(harness.user(TEACHER), "/back")

    assert harness.last(GROUP).message_id == morning.message_id
    slip = harness.request.find(GROUP, morning.message_id).plain
    assert "第5节" not in slip.split("🔄")[0]
    assert slip.endswith(
        "🔄 已更新 12:00：\n· 第5节（13:30–14:10）三(2)班 语文：周雅琴老师已回校，原课照上"
    )
    assert "取消" not in slip


async def test_a_leave_cancelled_the_evening_before_says_its_teacher_is_not_away(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)
    await move(harness, clock, at(25, 20, 1))
    posted = harness.last(GROUP)

    # Still Wednesday evening: 周雅琴 will be there tomorrow after all.
    clock.set(at(25, 21, 0))
    teacher = harness.user(TEACHER)
    mine = (await harness.send(teacher, "/myleave"))[-1]
    await harness.press(teacher, mine, mine.data_of("取消请假 1"))

    slip = harness.request.find(GROUP, posted.message_id).plain
    assert "周雅琴老师不再请假，原课照上" in slip.split("🔄")[-1]
    assert "已回校" not in slip


async def test_a_slip_telegram_will_not_edit_is_posted_anew_and_that_post_edited_next(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await xu_covers_period_3(harness, engine, clock)
    await move(harness, clock, at(25, 20, 1))
    posted = harness.last(GROUP)
    # Someone deleted the slip in the group.
    harness.request.chat_faults[("editMessageText", GROUP)] = [
        (400, "Bad Request: message to edit not found", {})
    ]

    board = harness.last(OFFICE_B)
    await harness.press(harness.user(OFFICE_B), board, board.data_of("2 自习"))

    anew = harness.last(GROUP)
    assert anew.message_id != posted.message_id
    assert anew.plain.startswith("📋 代课/调课公示 · 11月26日 周四")
    assert "周雅琴 → 自习" in anew.plain and "🔄 已更新 20:01" in anew.plain
    assert len(slips(harness)) == 2

    board = harness.request.find(OFFICE_B, board.message_id)
    await harness.press(harness.user(OFFICE_B), board, board.data_of("上一个（1）"))
    board = harness.request.find(OFFICE_B, board.message_id)
    await harness.press(harness.user(OFFICE_B), board, board.data_of("1 自习"))

    assert len(slips(harness)) == 2
    edited = harness.request.find(GROUP, anew.message_id)
    assert edited.edited and "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 自习" in edited.plain
    assert "改由 自习（原为 许志强）" not in edited.plain
    assert "第3节（10:00–10:40）三(2)班 语文：现在 自习" in edited.plain


async def test_a_leave_not_granted_after_all_says_the_lesson_is_taught_as_usual(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    # Thursday 07:00: 周雅琴 asks for the morning; nobody decides before her lesson comes near,
    # so it goes on the boards and is covered meanwhile, which the group's slip shows.
    clock.set(at(26, 7, 0))
    await seed(engine, at(25, 9, 0))
    await harness.send(harness.user(TEACHER), "/leave 病假 今天 上午 发烧")
    clock.set(at(26, 9, 1))
    await watch_leaves(harness.app)
    await harness.services.settle()
    board = next(m for m in harness.in_chat(OFFICE_A) if "代课安排" in m.plain)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    posted = harness.last(GROUP)
    assert "第3节（10:00–10:40）三(2)班 语文 周雅琴 → 许志强 代课" in posted.plain

    clock.set(at(26, 9, 10))
    request = next(m for m in harness.in_chat(LEADER) if "请假审批" in m.plain)
    asked, _ = await harness.press(harness.user(LEADER), request, request.data_of("驳回"))
    await harness.reply_to(harness.user(LEADER), asked[-1], "期中考试")

    slip = harness.request.find(GROUP, posted.message_id).plain
    assert harness.last(GROUP).message_id == posted.message_id
    assert slip.endswith(
        "🔄 已更新 09:10：\n· 第3节（10:00–10:40）三(2)班 语文：周雅琴老师不再请假，原课照上"
    )
    assert "→ 许志强 代课" not in slip and "取消" not in slip
    assert "期中考试" not in slip and "发烧" not in slip


COVER_TOPIC = 55


async def test_with_a_cover_topic_the_slip_and_the_group_ask_go_to_that_topic(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        await set_policy(
            session=s,
            school_id=school.school.id or 0,
            key="group.topic.cover",
            raw_value=str(COVER_TOPIC),
            by=None,
            now=clock.now(),
        )
    harness.request.topics[GROUP] = {COVER_TOPIC}
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 发烧")
    await harness.press(harness.user(LEADER), harness.last(LEADER), "v1:lv:ok:1")
    board = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("群里征集"))
    (ask,) = [m for m in harness.in_chat(GROUP) if "我来" in str(m.markup)]
    assert ask.thread_id == COVER_TOPIC

    await move(harness, clock, at(25, 20, 1))
    (slip,) = [m for m in harness.in_chat(GROUP) if "代课/调课公示" in m.plain]
    assert slip.thread_id == COVER_TOPIC


async def test_a_cover_given_on_the_day_and_not_confirmed_is_still_reminded(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await move(harness, clock, at(26, 7, 40))
    await xu_covers_period_3(harness, engine, clock, when="今天")

    await move(harness, clock, at(26, 9, 51))

    assert lesson_reminders(harness, XU) == [
        "⏰ 10 分钟后代课：11月26日 周四 第3节（10:00–10:40）三(2)班 语文（代 周雅琴）\n"
        "你还没有确认这节代课：请按“收到”。"
    ]
    reminder = next(m for m in harness.in_chat(XU) if "分钟后代课" in m.plain)
    assert [label for label, _ in reminder.buttons] == ["收到", "已上"]


async def test_a_start_plans_each_day_as_that_day_alone_would_be_planned(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    """A start plans yesterday, today and tomorrow from one read each: the reminders of a
    covered lesson, a duty and an event land on their own day, as when each day is planned
    alone."""
    await xu_covers_period_3(harness, engine, clock)
    async with session_factory(engine)() as s, s.begin():
        school = (await s.exec(select(School))).one()
        post = await add_post(
            session=s,
            school_id=school.id,
            name="护学岗",
            starts_at=time(7, 20),
            ends_at=time(7, 50),
            mode=WEEKDAY,
            start=date(2026, 11, 2),
        )
        assert post is not None
        await set_weekday_person(session=s, post=post, weekday=4, staff_id=1)
        for on_date in (date(2026, 11, 26), date(2026, 11, 27)):
            await add_event(
                session=s,
                school_id=school.id,
                title="教研",
                category="meeting",
                weekday=None,
                on_date=on_date,
                start=time(15, 30),
                tenths=10,
                audience=EVERYONE,
                by_staff_id=None,
                now=clock.now(),
            )
    svc = harness.services
    days = [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]

    together = await scheduler.plan_days(svc, school, days)
    async with svc.sessions() as session:
        await scheduler.plan_days(svc, school, days, session=session)
        # Planning only reads: a school's re-planning runs without a transaction on PostgreSQL
        # (storage.db.without_transaction), where a write would be kept at once.
        assert not wrote(session)

    def seen(slots: list[Slot]) -> list[tuple[object, ...]]:
        return [(s.kind, s.target, s.at, s.key, s.data) for s in slots]

    for day in days:
        assert seen(together[day]) == seen(await scheduler.plan_day(svc, school, day))
    thursday = {slot.kind for slot in together[days[1]]}
    assert {
        kinds.COVER_REMINDER,
        kinds.COVER_ACK_REMINDER,
        kinds.DUTY_REMIND,
        kinds.EVENT_EVE,
        kinds.EVENT_SOON,
    } <= thursday
