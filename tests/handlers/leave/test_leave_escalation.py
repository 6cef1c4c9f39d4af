"""Every request is decided or moves up: nobody waits on someone who is not there, and the
teacher's own message never says it waits for someone it does not."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from jobs.leave import watch_leaves
from storage.db import session_factory
from storage.models import AuditLog, CoverNeed, LeaveApproval, LeaveRequest, UnreachableChat
from storage.policies import set_policy
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools.leave import HEAD, LEADER, OFFICE_A, OFFICE_B, TEACHER, XU, seed


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def requests_to(harness: BotHarness, chat_id: int) -> list[str]:
    return [m.plain for m in harness.in_chat(chat_id) if "申请人：周雅琴" in m.plain]


async def request_tomorrow(harness: BotHarness) -> int:
    """周雅琴 asks on Wednesday 09:00 for Thursday morning; returns her notice's message id."""
    sent = await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 发烧")
    assert "请假申请" in sent[0].plain
    return sent[0].message_id


async def watch_at(harness: BotHarness, when: datetime) -> tuple[int, int]:
    harness.clock.set(when)
    found = await watch_leaves(harness.app)
    await harness.services.settle()
    return found


async def test_a_leave_starting_tomorrow_moves_up_after_the_urgent_delay(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    notice_id = await request_tomorrow(harness)

    # Within the urgent delay (15 minutes: the leave starts within a day) nothing moves.
    assert await watch_at(harness, at(25, 9, 14)) == (0, 0)
    assert requests_to(harness, OFFICE_A) == []

    assert await watch_at(harness, at(25, 9, 16)) == (1, 0)
    for office in (OFFICE_A, OFFICE_B):
        (request,) = requests_to(harness, office)
        assert "⏫ 这份请假等待郭春燕审批已超过 16 分钟" in request and "发烧" in request
    told = harness.last(TEACHER).plain
    assert "已转给 王晴晴、雷琴华 审批" in told
    notice = harness.request.find(TEACHER, notice_id)
    assert notice.edited and "等待 王晴晴、雷琴华 审批" in notice.plain
    assert "撤销" in [label for label, _ in notice.buttons]  # still hers to withdraw

    assert "请假申请已提交" not in notice.plain  # no longer says it waits for 郭春燕
    # The academic office may now decide it; the grade leader still may too.
    office_request = harness.last(OFFICE_A)
    await harness.press(harness.user(OFFICE_A), office_request, office_request.data_of("批准"))
    assert "已批准" in harness.last(TEACHER).plain
    assert "✅ 已批准（王晴晴）" in harness.request.find(TEACHER, notice_id).plain
    async with session_factory(engine)() as s:
        leave = (await s.exec(select(LeaveRequest))).one()
        moved = (await s.exec(select(AuditLog).where(AuditLog.action == "leave_escalated"))).one()
    assert leave.status == "approved" and json.loads(moved.detail)["why"] == "late"


async def test_it_keeps_moving_up_until_someone_decides(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await request_tomorrow(harness)
    await watch_at(harness, at(25, 9, 16))
    assert requests_to(harness, HEAD) == []
    # Nobody in the office acts either: the principal gets it 15 minutes later.
    await watch_at(harness, at(25, 9, 32))
    (request,) = requests_to(harness, HEAD)
    assert "王晴晴" in request
    async with session_factory(engine)() as s:
        step = (await s.exec(select(LeaveApproval))).one()
    assert step.level == 2 and step.status == "waiting"


async def test_a_leave_next_week_waits_the_normal_delay(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 事假 12月3日 上午 家中有事")
    assert await watch_at(harness, at(25, 10, 30)) == (0, 0)
    assert await watch_at(harness, at(25, 11, 1)) == (1, 0)
    assert len(requests_to(harness, OFFICE_A)) == 1


async def test_the_delay_is_a_school_policy(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    school = await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        await set_policy(
            session=s,
            school_id=school.school.id,
            key="leave.escalate_urgent_minutes",
            raw_value="45",
            by=None,
            now=clock.now(),
        )
    await request_tomorrow(harness)
    assert await watch_at(harness, at(25, 9, 40)) == (0, 0)
    assert await watch_at(harness, at(25, 9, 46)) == (1, 0)


async def test_nobody_is_messaged_at_night(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    clock.set(at(25, 21, 50))
    await seed(engine, clock.now())
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 发烧")
    assert await watch_at(harness, at(25, 23, 0)) == (0, 0)
    assert requests_to(harness, OFFICE_A) == []
    assert await watch_at(harness, at(26, 6, 31)) == (1, 0)
    assert len(requests_to(harness, OFFICE_A)) == 1


async def test_an_approver_who_blocked_the_bot_is_skipped_at_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.request.forbidden.add(LEADER)
    notice_id = await request_tomorrow(harness)

    # The request to the grade leader came back: it moved up without waiting.
    for office in (OFFICE_A, OFFICE_B):
        (request,) = requests_to(harness, office)
        assert "收不到机器人的消息" in request
    told = harness.last(TEACHER).plain
    assert "郭春燕收不到机器人的消息" in told and "已转给 王晴晴、雷琴华" in told
    assert "等待 王晴晴、雷琴华 审批（教导处）" in harness.request.find(TEACHER, notice_id).plain
    async with session_factory(engine)() as s:
        gone = (await s.exec(select(UnreachableChat))).one()
    assert gone.chat_id == LEADER and "blocked" in gone.reason

    # Once she unblocks the bot and writes to it, she can be reached again.
    harness.request.forbidden.discard(LEADER)
    await harness.send(harness.user(LEADER), "/help")
    async with session_factory(engine)() as s:
        assert (await s.exec(select(UnreachableChat))).all() == []
    assert LEADER not in harness.services.dispatcher.unreachable


async def test_an_approver_known_unreachable_is_passed_over_before_asking(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.request.forbidden.add(LEADER)
    await request_tomorrow(harness)
    # A second request: the bot knows already, so the answer names who it really waits for.
    sent = await harness.send(harness.user(TEACHER), "/leave 事假 12月3日 上午 家中有事")
    (answer,) = [m for m in sent if m.chat_id == TEACHER]
    assert "现在等待 王晴晴、雷琴华 审批" in answer.plain
    assert (
        len(
            [
                c
                for c in harness.request.calls
                if c[0] == "sendMessage" and int(c[1]["chat_id"]) == LEADER
            ]
        )
        == 1
    )


async def test_when_nobody_at_all_can_be_reached_the_teacher_is_told(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    harness.request.forbidden |= {LEADER, OFFICE_A, OFFICE_B, HEAD}
    notice_id = await request_tomorrow(harness)
    told = harness.last(TEACHER).plain
    assert "联系不上任何能审批的人" in told
    assert "联系不上审批人" in harness.request.find(TEACHER, notice_id).plain


async def test_a_request_nobody_decided_expires_and_everyone_is_told(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    notice_id = await request_tomorrow(harness)
    harness.request.forbidden |= {OFFICE_A, OFFICE_B, HEAD}  # they never answer either
    # Friday morning: Thursday is over and nobody decided.
    assert await watch_at(harness, at(27, 6, 45)) == (0, 1)
    assert "到期仍无人审批，已过期" in harness.last(TEACHER).plain
    assert "周雅琴 的请假申请" in harness.last(LEADER).plain
    assert "已过期" in harness.request.find(TEACHER, notice_id).plain
    assert harness.request.find(TEACHER, notice_id).buttons == []
    async with session_factory(engine)() as s:
        leave = (await s.exec(select(LeaveRequest))).one()
    assert leave.status == "expired"
    # Told once: the next look finds nothing to do.
    assert await watch_at(harness, at(27, 6, 50)) == (0, 0)


async def test_the_admins_can_see_who_the_bot_cannot_reach(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    (everyone,) = await harness.send(harness.user(HEAD), "/unreachable")
    assert "每个人机器人都能联系上" in everyone.plain

    harness.request.forbidden.add(LEADER)
    await request_tomorrow(harness)
    (listing,) = await harness.send(harness.user(HEAD), "/unreachable")
    assert "郭春燕：11月25日 周三 09:00 起收不到消息" in listing.plain
    assert "王晴晴" not in listing.plain

    (refused,) = await harness.send(harness.user(TEACHER), "/unreachable")
    assert "没有权限" in refused.plain


# --- a leave still undecided as its first lesson comes near ----------------------------------


async def request_today(harness: BotHarness, engine: AsyncEngine) -> None:
    """Thursday 07:00: 周雅琴 asks for the morning; her lesson is period 3 at 10:00."""
    harness.clock.set(at(26, 7, 0))
    await seed(engine, at(25, 9, 0))
    await harness.send(harness.user(TEACHER), "/leave 病假 今天 上午 发烧")


def boards(harness: BotHarness, chat_id: int) -> list[str]:
    return [m.plain for m in harness.in_chat(chat_id) if "代课安排" in m.plain]


async def test_an_undecided_leave_goes_on_the_boards_before_its_first_lesson(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await request_today(harness, engine)
    # Nobody decides (the office is asked at 07:15, the principal at 07:30 …).
    await watch_at(harness, at(26, 8, 30))
    assert boards(harness, OFFICE_A) == []

    await watch_at(harness, at(26, 9, 1))  # within the hour before 10:00
    for office in (OFFICE_A, OFFICE_B):
        (board,) = boards(harness, office)
        assert "第3节" in board and "请假还未批准" in board
        assert "发烧" not in board and "病假" not in board  # arrangers never see the reason
    assert any("已先交给教导处安排代课" in m.plain for m in harness.in_chat(TEACHER))
    async with session_factory(engine)() as s:
        (need,) = (await s.exec(select(CoverNeed))).all()
    assert need.provisional and need.status == "open"

    # Once approved, the same lesson is a need like any other: no second one, no marker.
    request = harness.last(HEAD)
    await harness.press(harness.user(HEAD), request, request.data_of("批准"))
    async with session_factory(engine)() as s:
        (need,) = (await s.exec(select(CoverNeed))).all()
    assert not need.provisional
    for office in (OFFICE_A, OFFICE_B):
        assert all("请假还未批准" not in board for board in boards(harness, office)[-1:])


async def test_a_rejected_leave_releases_the_lessons_arranged_before_and_tells_the_substitute(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await request_today(harness, engine)
    await watch_at(harness, at(26, 9, 1))
    board = next(m for m in harness.in_chat(OFFICE_A) if "代课安排" in m.plain)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    assert "请你代课" in harness.last(XU).plain

    request = next(m for m in harness.in_chat(LEADER) if "请假审批" in m.plain)
    asked, _ = await harness.press(harness.user(LEADER), request, request.data_of("驳回"))
    await harness.reply_to(harness.user(LEADER), asked[-1], "期中考试")

    async with session_factory(engine)() as s:
        (need,) = (await s.exec(select(CoverNeed))).all()
    assert need.status == "released"
    assert "不用代" in harness.last(XU).plain or "取消" in harness.last(XU).plain


async def test_a_leave_already_under_way_moves_up_once_per_urgent_wait_not_each_minute(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    clock.set(at(26, 9, 0))  # Thursday: the school day began at 08:00
    await seed(engine, at(25, 9, 0))
    await harness.send(harness.user(TEACHER), "/leave 病假 今天 下午 发烧")
    assert await watch_at(harness, at(26, 9, 1)) == (0, 0)
    assert await watch_at(harness, at(26, 9, 2)) == (0, 0)
    assert await watch_at(harness, at(26, 9, 16)) == (1, 0)
    assert await watch_at(harness, at(26, 9, 17)) == (0, 0)


async def test_at_the_top_of_the_ladder_it_stays_and_nobody_is_told_it_cannot_be_reached(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await request_tomorrow(harness)
    await watch_at(harness, at(25, 9, 16))  # the office
    await watch_at(harness, at(25, 9, 32))  # the principal, who is also the school's admin
    told = len(harness.in_chat(TEACHER))
    assert await watch_at(harness, at(25, 9, 48)) == (0, 0)
    assert len(harness.in_chat(TEACHER)) == told
    assert all("联系不上" not in m.plain for m in harness.in_chat(TEACHER))


async def test_a_school_without_bell_times_still_gets_the_lessons_on_the_boards_in_time(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    harness.clock.set(at(26, 6, 40))
    await seed(engine, at(25, 9, 0), bells=False)
    await harness.send(harness.user(TEACHER), "/leave 病假 今天 上午 发烧")
    # No bell times: the lesson counts from the day's opening (08:00), so within the hour
    # before it, its lesson is on the boards.
    await watch_at(harness, at(26, 7, 1))
    assert len(boards(harness, OFFICE_A)) == 1
