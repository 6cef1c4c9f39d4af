"""Linking accounts: /register with admin buttons, /invite deep links, /start, /me."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from storage import audit
from storage.db import session_factory
from storage.models import Registration, School, Staff
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BotHarness, Sent
from tests.schools import factories
from tests.schools.linking import ADMIN_ID, OTHER_ADMIN_ID, TEACHER_ID, seed


async def test_register_asks_admins_and_approval_links_the_account(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID, "Qingqing")
    admin = harness.user(ADMIN_ID, "Siyue")

    replies = await harness.send(teacher, "/register 王晴晴")
    assert "已收到你关联为“王晴晴”的申请" in replies[0].plain
    request = harness.last(ADMIN_ID)
    assert "王晴晴" in request.plain and "孟河小学" in request.plain
    assert harness.last(SYSADMIN_ID).plain == request.plain

    _, answer = await harness.press(admin, request, request.data_of("批准"))
    assert answer.get("callback_query_id")
    assert "关联成功" in harness.last(TEACHER_ID).plain
    assert "已批准" in harness.request.find(ADMIN_ID, request.message_id).plain

    profile = await harness.send(teacher, "/me")
    assert (
        "王晴晴" in profile[-1].plain
        and "三(2)班" in profile[-1].plain
        and "班主任" in profile[-1].plain
    )


async def test_second_decision_on_a_registration_changes_nothing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    admin = harness.user(ADMIN_ID)
    sysadmin = harness.user(SYSADMIN_ID)
    await harness.send(teacher, "/register 王晴晴")
    first = harness.last(ADMIN_ID)
    second = harness.last(SYSADMIN_ID)

    await harness.press(admin, first, first.data_of("拒绝"))
    _, answer = await harness.press(sysadmin, second, second.data_of("批准"))

    assert "已经被拒绝" in answer["text"]
    async with session_factory(engine)() as s:
        staff = (await s.exec(select(Staff).where(Staff.name == "王晴晴"))).one()
        assert staff.telegram_id is None
        decisions = [
            e for e in await audit.entries(session=s) if e.action.startswith("registration_")
        ]
    assert [e.action for e in decisions] == ["registration_requested", "registration_rejected"]
    assert "没有批准" in harness.last(TEACHER_ID).plain


async def test_admin_of_another_school_cannot_decide(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await harness.send(harness.user(TEACHER_ID), "/register 王晴晴")
    request = harness.last(ADMIN_ID)

    _, answer = await harness.press(harness.user(OTHER_ADMIN_ID), request, request.data_of("批准"))

    assert answer["text"] == "你没有权限执行这个操作。"
    async with session_factory(engine)() as s:
        registration = (await s.exec(select(Registration))).one()
        denied = await audit.entries(session=s, action="denied")
    assert registration.status == "pending"
    assert denied and denied[-1].actor_telegram_id == OTHER_ADMIN_ID


async def test_junk_and_forged_callback_data_are_refused_and_audited(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    await harness.send(harness.user(TEACHER_ID), "/register 王晴晴")
    request = harness.last(ADMIN_ID)

    _, junk = await harness.press(admin, request, "v1:reg:ok:99999999")
    _, forged = await harness.press(admin, request, "v0:reg:ok:1")
    _, garbage = await harness.press(admin, request, "v1:reg:ok:1; DROP TABLE staff")
    _, huge = await harness.press(admin, request, "v1:reg:ok:99999999999")

    assert junk["text"] == forged["text"] == garbage["text"] == huge["text"] == "这个按钮已失效。"
    async with session_factory(engine)() as s:
        refused = await audit.entries(session=s, action="button_refused")
        assert (await s.exec(select(Registration))).one().status == "pending"
    assert len(refused) == 4


async def test_register_already_linked_and_without_a_name(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    linked = await harness.send(harness.user(ADMIN_ID), "/register 王晴晴")
    empty = await harness.send(harness.user(TEACHER_ID), "/register")

    assert "已经关联为 张思月" in linked[-1].plain
    assert "用法" in empty[-1].plain


async def test_register_in_private_does_not_tell_whether_a_name_exists(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    stranger = harness.user(TEACHER_ID + 50)

    unknown = await harness.send(stranger, "/register 李四")
    other_school = await harness.send(stranger, "/register 雷琴华")  # linked, at 焦溪小学
    known = await harness.send(harness.user(TEACHER_ID), "/register 王晴晴")

    def shape(sent: list[Sent], name: str) -> list[str]:
        return [m.plain.replace(name, "NAME") for m in sent if m.chat_id == stranger.id]

    # The same answer, and nothing else, whether the name is unknown, at another school or free.
    assert shape(unknown, "李四") == shape(other_school, "雷琴华")
    assert [m.plain.replace("李四", "王晴晴") for m in unknown] == [
        m.plain for m in known if m.chat_id == TEACHER_ID
    ]
    assert "焦溪小学" not in other_school[0].plain and "已经关联" not in other_school[0].plain
    # Those who can decide do hear of it: the free record's admins get the buttons, the linked
    # record's admins a note on how to relink its owner.
    assert "王晴晴" in harness.last(ADMIN_ID).plain and harness.last(ADMIN_ID).buttons
    note = harness.last(OTHER_ADMIN_ID)
    assert "已经关联了另一个" in note.plain and "/invite 雷琴华" in note.plain
    assert not note.buttons


async def test_register_in_private_reaches_every_school_with_that_name(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    async with session_factory(engine)() as s, s.begin():
        other = (await s.exec(select(Staff).where(Staff.name == "雷琴华"))).one()
        school = await s.get(School, other.school_id)
        assert school is not None
        await factories.staff(s, school, "王晴晴")

    await harness.send(harness.user(TEACHER_ID), "/register 王晴晴")

    assert "孟河小学" in harness.last(ADMIN_ID).plain
    assert "焦溪小学" in harness.last(OTHER_ADMIN_ID).plain
    async with session_factory(engine)() as s:
        assert len((await s.exec(select(Registration))).all()) == 2


async def test_register_is_limited_per_account_and_the_count_survives_a_restart(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    stranger = harness.user(TEACHER_ID + 60)
    for name in ("李四", "张三", "王五"):
        answer = await harness.send(stranger, f"/register {name}")
        assert "已收到" in answer[-1].plain

    settings = Settings(bootstrap_admin_ids=frozenset({SYSADMIN_ID}))
    async with BotHarness(settings, engine, clock) as restarted:
        refused = await restarted.send(restarted.user(stranger.id), "/register 王晴晴")
        assert "每 24 小时最多 3 次" in refused[-1].plain
        assert restarted.in_chat(ADMIN_ID) == []  # the admins were not asked
        clock.advance(timedelta(days=1, minutes=1))
        again = await restarted.send(restarted.user(stranger.id), "/register 王晴晴")
        assert "已收到" in again[0].plain
        assert "王晴晴" in restarted.last(ADMIN_ID).plain


async def test_invite_link_links_once_and_expires(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    reply = (await harness.send(admin, "/invite 王晴晴"))[-1]
    link = next(word for word in reply.plain.split() if word.startswith("https://t.me/"))
    payload = link.split("?start=", 1)[1]
    assert link.startswith("https://t.me/staffroom_bot?start=inv_")

    linked = await harness.send(harness.user(TEACHER_ID), f"/start {payload}")
    reused = await harness.send(harness.user(TEACHER_ID + 5), f"/start {payload}")
    assert "关联成功" in linked[-1].plain and "王晴晴" in linked[-1].plain
    assert "已经被使用过" in reused[-1].plain

    late = (await harness.send(admin, "/invite 王晴晴"))[-1]
    late_payload = late.plain.split("?start=", 1)[1].split()[0]
    clock.advance(timedelta(days=7, minutes=1))
    expired = await harness.send(harness.user(TEACHER_ID + 6), f"/start {late_payload}")
    assert "已过期" in expired[-1].plain


async def test_invite_is_for_admins_in_private_chat(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    async with session_factory(engine)() as s, s.begin():
        teacher = (await s.exec(select(Staff).where(Staff.name == "王晴晴"))).one()
        teacher.telegram_id = TEACHER_ID
        s.add(teacher)
    refused = await harness.send(harness.user(TEACHER_ID), "/invite 王晴晴")
    unknown = await harness.send(harness.user(ADMIN_ID), "/invite 李四")
    assert refused[-1].plain == "你没有权限执行这个操作。"
    assert "没有“李四”" in unknown[-1].plain


async def test_invite_for_a_linked_staff_member_warns_and_tells_the_old_account(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    async with session_factory(engine)() as s, s.begin():
        teacher = (await s.exec(select(Staff).where(Staff.name == "王晴晴"))).one()
        teacher.telegram_id = TEACHER_ID
        s.add(teacher)
    new_phone = TEACHER_ID + 9

    reply = (await harness.send(harness.user(ADMIN_ID), "/invite 王晴晴"))[-1]
    assert "已关联到另一个账号；打开链接的人将替换它" in reply.plain
    payload = reply.plain.split("?start=", 1)[1].split()[0]
    linked = await harness.send(harness.user(new_phone), f"/start {payload}")

    assert "关联成功" in linked[-1].plain
    assert "不再关联" in harness.last(TEACHER_ID).plain
    assert "王晴晴" in harness.last(TEACHER_ID).plain
    async with session_factory(engine)() as s:
        staff = (await s.exec(select(Staff).where(Staff.name == "王晴晴"))).one()
        unlinked = await audit.entries(session=s, action="staff_unlinked")
    assert staff.telegram_id == new_phone
    assert len(unlinked) == 1 and str(TEACHER_ID) in unlinked[0].detail


async def test_invite_for_an_unlinked_staff_member_has_no_warning(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    reply = (await harness.send(harness.user(ADMIN_ID), "/invite 王晴晴"))[-1]
    payload = reply.plain.split("?start=", 1)[1].split()[0]
    await harness.send(harness.user(TEACHER_ID), f"/start {payload}")
    assert "已关联到另一个账号" not in reply.plain
    async with session_factory(engine)() as s:
        assert await audit.entries(session=s, action="staff_unlinked") == []
