"""A /register request nobody decides reaches the system admins, and expires with the
requester told: nobody waits for an answer that never comes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from jobs.registrations import watch_registrations
from storage.db import session_factory
from storage.models import AuditLog, Registration, School, Staff
from tests.conftest import SHANGHAI
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BotHarness
from tests.schools import factories
from tests.schools.leave import in_own_chat
from tests.schools.linking import ADMIN_ID, TEACHER_ID, seed


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def watch_at(harness: BotHarness, when: datetime) -> tuple[int, int]:
    harness.clock.set(when)
    found = await watch_registrations(harness.app)
    await harness.services.settle()
    return found


async def registration(engine: AsyncEngine) -> Registration:
    async with session_factory(engine)() as s:
        return (await s.exec(select(Registration))).one()


async def test_a_request_nobody_decides_expires_and_the_requester_is_told(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await harness.send(harness.user(TEACHER_ID, "Qingqing"), "/register 王晴晴")
    request = harness.last(ADMIN_ID)

    assert (await watch_at(harness, at(28, 8, 59)))[1] == 0  # three days are not over
    assert await watch_at(harness, at(28, 9, 0)) == (0, 1)

    told = harness.last(TEACHER_ID).plain
    assert "你关联为“王晴晴”的申请 3 天内无人审核，已过期" in told
    assert "孟河小学" not in told  # a stranger learns no school's list from it
    redrawn = harness.request.find(ADMIN_ID, request.message_id)
    assert "已过期：Qingqing → 王晴晴" in redrawn.plain and redrawn.buttons == []
    assert harness.last(SYSADMIN_ID).buttons == []
    _, late = await harness.press(harness.user(ADMIN_ID), in_own_chat(ADMIN_ID), "v1:reg:ok:1")
    assert late["text"] == "这个申请已经过期。"
    assert (await registration(engine)).status == "expired"
    async with session_factory(engine)() as s:
        teacher = (await s.exec(select(Staff).where(Staff.name == "王晴晴"))).one()
        logged = (
            await s.exec(select(AuditLog).where(AuditLog.action == "registration_expired"))
        ).one()
    assert teacher.telegram_id is None and logged.subject_id == 1
    assert await watch_at(harness, at(28, 9, 1)) == (0, 0)  # told once


async def test_the_requester_is_told_in_the_language_they_chose(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID, "Qingqing")
    await harness.send(teacher, "/lang en")
    await harness.send(teacher, "/register 王晴晴")
    assert await watch_at(harness, at(28, 9, 0)) == (0, 1)
    assert "was not decided within 3 days and has expired" in harness.last(TEACHER_ID).plain


async def test_the_system_admins_are_told_when_no_admin_of_the_school_can_be_reached(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    harness.request.forbidden.add(ADMIN_ID)
    await harness.send(harness.user(TEACHER_ID, "Qingqing"), "/register 王晴晴")

    assert await watch_at(harness, at(25, 9, 1)) == (1, 0)
    told = harness.last(SYSADMIN_ID)
    assert "关联申请等你处理" in told.plain and "孟河小学 没有能联系上的管理员" in told.plain
    assert "申请关联为 王晴晴" in told.plain and "3 天内无人处理就会过期" in told.plain
    assert await watch_at(harness, at(25, 9, 2)) == (0, 0)  # once

    assert await watch_at(harness, at(28, 9, 0)) == (0, 1)
    assert "孟河小学 的一个关联申请 3 天内无人处理，已过期" in harness.last(SYSADMIN_ID).plain
    assert "已过期" in harness.last(TEACHER_ID).plain


async def test_a_school_whose_admins_never_linked_goes_to_the_system_admins_at_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now(), "焦溪小学")
        await factories.staff(s, school, "雷琴华", roles="teacher,admin")
        await factories.staff(s, school, "曹明")
    await harness.send(harness.user(TEACHER_ID, "Ming"), "/register 曹明")
    assert await watch_at(harness, at(25, 9, 1)) == (1, 0)
    told = harness.last(SYSADMIN_ID)
    assert "焦溪小学 没有能联系上的管理员" in told.plain
    await harness.press(harness.user(SYSADMIN_ID), told, told.data_of("批准"))
    assert "关联成功" in harness.last(TEACHER_ID).plain
    assert await watch_at(harness, at(28, 9, 0)) == (0, 0)


async def test_a_request_left_a_day_is_brought_to_the_system_admins(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await harness.send(harness.user(TEACHER_ID, "Qingqing"), "/register 王晴晴")
    assert await watch_at(harness, at(26, 8, 59)) == (0, 0)
    assert await watch_at(harness, at(26, 9, 0)) == (1, 0)
    assert "孟河小学 的管理员一天内没有处理" in harness.last(SYSADMIN_ID).plain


async def test_a_decided_request_is_left_alone(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await harness.send(harness.user(TEACHER_ID, "Qingqing"), "/register 王晴晴")
    request = harness.last(ADMIN_ID)
    await harness.press(harness.user(ADMIN_ID), request, request.data_of("拒绝"))
    assert await watch_at(harness, at(28, 9, 0)) == (0, 0)
    assert (await registration(engine)).status == "rejected"
    async with session_factory(engine)() as s:
        assert len((await s.exec(select(School))).all()) == 2
