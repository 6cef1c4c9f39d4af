"""The staff group: /bind, unbound groups, the bot removed, the group upgraded."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import (
    Chat,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    Update,
    User,
)

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.schools import group_for_chat, school_by_name
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BOT_ID, BotHarness
from tests.schools import factories

GROUP = -1001000000001
TEACHER_ID = 7_100_000_001
ADMIN_ID = 7_100_000_002


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now(), "孟河小学")
        await factories.staff(s, school, "王晴晴", telegram_id=TEACHER_ID)
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)


async def test_non_admin_bind_is_refused_and_audited(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    replies = await harness.send(harness.user(TEACHER_ID), "/bind 孟河小学", chat_id=GROUP)
    assert replies[-1].plain == "只有学校管理员可以绑定教师群。"
    async with session_factory(engine)() as s:
        assert await group_for_chat(session=s, chat_id=GROUP) is None
        assert (await audit.entries(session=s, action="denied"))[-1].actor_telegram_id == TEACHER_ID


async def test_school_admin_binds_and_commands_work_there(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    bound = await harness.send(harness.user(ADMIN_ID), "/bind 孟河小学", chat_id=GROUP)
    assert "本群已设为 孟河小学 的教师群" in bound[-1].plain
    helped = await harness.send(harness.user(TEACHER_ID), "/help", chat_id=GROUP)
    assert "你可以使用的命令" in helped[-1].plain


OTHER_ADMIN_ID = 7_100_000_003
BOTH_ADMIN_ID = 7_100_000_004


async def seed_two_schools(engine: AsyncEngine, clock: ManualClock) -> None:
    """孟河小学 as in `seed`, and 焦溪小学 with an admin of its own (English) and one shared."""
    await seed(engine, clock)
    async with session_factory(engine)() as s, s.begin():
        mh = await school_by_name(session=s, name="孟河小学")
        assert mh is not None
        other = await factories.school(s, clock.now(), "焦溪小学")
        english = await factories.staff(
            s, other, "雷琴华", roles="teacher,admin", telegram_id=OTHER_ADMIN_ID
        )
        english.language = "en"
        await factories.staff(s, mh, "陆建国", roles="teacher,admin", telegram_id=BOTH_ADMIN_ID)
        await factories.staff(s, other, "陆建国", roles="teacher,admin", telegram_id=BOTH_ADMIN_ID)


async def test_admin_of_another_school_cannot_take_over_a_bound_group(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_two_schools(engine, clock)
    await harness.send(harness.user(ADMIN_ID), "/bind 孟河小学", chat_id=GROUP)

    refused = await harness.send(harness.user(OTHER_ADMIN_ID), "/bind 焦溪小学", chat_id=GROUP)

    assert [m.chat_id for m in refused] == [GROUP]
    assert "already the staff group of 孟河小学" in refused[0].plain  # in the sender's language
    async with session_factory(engine)() as s:
        group = await group_for_chat(session=s, chat_id=GROUP)
        mh = await school_by_name(session=s, name="孟河小学")
        denied = await audit.entries(session=s, action="denied")
    assert group is not None and mh is not None and group.school_id == mh.id
    assert denied[-1].actor_telegram_id == OTHER_ADMIN_ID and denied[-1].school_id == mh.id
    assert "bound_elsewhere" in denied[-1].detail
    # The group's own school still reaches its staff there.
    helped = await harness.send(harness.user(TEACHER_ID), "/help", chat_id=GROUP)
    assert "你可以使用的命令" in helped[-1].plain


async def test_a_move_by_an_admin_of_both_schools_is_told_to_the_first_schools_admins(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_two_schools(engine, clock)
    await harness.send(harness.user(ADMIN_ID), "/bind 孟河小学", chat_id=GROUP)

    moved = await harness.send(harness.user(BOTH_ADMIN_ID), "/bind 焦溪小学", chat_id=GROUP)

    told = {m.chat_id: m.plain for m in moved}
    assert "已从 孟河小学 改绑为 焦溪小学" in told[GROUP]
    # 孟河小学's admins hear it privately; the one who moved it reads the answer in the group.
    assert set(told) == {GROUP, ADMIN_ID, SYSADMIN_ID}
    assert "从 孟河小学 改绑为 焦溪小学" in told[ADMIN_ID] and "陆建国" not in told[ADMIN_ID]
    async with session_factory(engine)() as s:
        group = await group_for_chat(session=s, chat_id=GROUP)
        other = await school_by_name(session=s, name="焦溪小学")
    assert group is not None and other is not None and group.school_id == other.id


async def test_a_system_admin_may_move_a_bound_group(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed_two_schools(engine, clock)
    await harness.send(harness.user(ADMIN_ID), "/bind 孟河小学", chat_id=GROUP)

    moved = await harness.send(harness.user(SYSADMIN_ID), "/bind 焦溪小学", chat_id=GROUP)

    told = {m.chat_id: m.plain for m in moved}
    assert set(told) == {GROUP, ADMIN_ID, BOTH_ADMIN_ID}
    assert "焦溪小学" in told[ADMIN_ID]


async def test_unknown_school_lists_known_ones_to_a_system_admin(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    replies = await harness.send(harness.user(SYSADMIN_ID), "/bind 不存在小学", chat_id=GROUP)
    assert "没有名为“不存在小学”的学校" in replies[-1].plain and "孟河小学" in replies[-1].plain


async def test_unknown_school_from_a_school_admin_lists_only_their_schools(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    async with session_factory(engine)() as s, s.begin():
        await factories.school(s, clock.now(), "别的小学")
    replies = await harness.send(harness.user(ADMIN_ID), "/bind 无此校", chat_id=GROUP)
    assert "没有名为“无此校”的学校" in replies[-1].plain
    assert "孟河小学" in replies[-1].plain and "别的小学" not in replies[-1].plain
    async with session_factory(engine)() as s:
        assert await group_for_chat(session=s, chat_id=GROUP) is None


async def test_unknown_school_from_a_non_admin_is_still_refused(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    replies = await harness.send(harness.user(TEACHER_ID), "/bind 无此校", chat_id=GROUP)
    assert replies[-1].plain == "只有学校管理员可以绑定教师群。"


async def test_unbound_group_gets_one_short_line_then_silence(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    first = await harness.send(teacher, "/help", chat_id=GROUP)
    second = await harness.send(teacher, "/me", chat_id=GROUP)
    assert len(first) == 1 and "/bind" in first[0].plain
    assert second == []


def member_update(old: object, new: object, by: User) -> Update:
    bot_user = User(BOT_ID, "Staffroom", True)
    change = ChatMemberUpdated(
        Chat(GROUP, Chat.SUPERGROUP, title="教师群"),
        by,
        datetime.now(UTC),
        old(bot_user) if callable(old) else old,  # type: ignore[operator]
        new(bot_user) if callable(new) else new,  # type: ignore[operator]
    )
    return Update(991, my_chat_member=change)


async def test_bot_removed_marks_binding_inactive(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    await harness.send(admin, "/bind 孟河小学", chat_id=GROUP)

    await harness.feed(
        member_update(ChatMemberMember, lambda u: ChatMemberBanned(u, until_date=None), admin)
    )

    async with session_factory(engine)() as s:
        assert await group_for_chat(session=s, chat_id=GROUP) is None
        assert (await audit.entries(session=s, action="group_unbound"))[-1].detail.find(
            "kicked"
        ) >= 0


async def test_bot_removed_from_a_bound_group_tells_the_admins_privately(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    await harness.send(admin, "/bind 孟河小学", chat_id=GROUP)

    sent = await harness.feed(member_update(ChatMemberMember, ChatMemberLeft, harness.user(1234)))

    told = {m.chat_id: m.plain for m in sent}
    assert set(told) == {ADMIN_ID, SYSADMIN_ID}  # not the group, not the teacher
    assert "机器人已被移出教师群“教师群”（孟河小学" in told[ADMIN_ID]
    assert "/bind 孟河小学" in told[ADMIN_ID]


async def test_bot_removed_from_an_unbound_group_tells_nobody(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    sent = await harness.feed(
        member_update(ChatMemberMember, ChatMemberLeft, harness.user(ADMIN_ID))
    )
    assert sent == []


async def test_bot_added_to_a_new_group_says_hello_once(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    hello = await harness.feed(member_update(ChatMemberLeft, ChatMemberMember, admin))
    after = await harness.send(harness.user(TEACHER_ID), "/me", chat_id=GROUP)
    assert len(hello) == 1 and "/bind" in hello[0].plain
    assert after == []


async def test_binding_follows_the_supergroup_upgrade(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    old_id, new_id = -4_000_001, -1_009_999_999_999
    admin = harness.user(ADMIN_ID)
    await harness.send(admin, "/bind 孟河小学", chat_id=old_id)
    message = Message(
        5000,
        clock.now(),
        Chat(old_id, Chat.GROUP, title="教师群"),
        from_user=admin,
        migrate_to_chat_id=new_id,
    )
    await harness.feed(Update(992, message=message))

    replies = await harness.send(harness.user(TEACHER_ID), "/help", chat_id=new_id)
    assert "你可以使用的命令" in replies[-1].plain
    async with session_factory(engine)() as s:
        assert (await group_for_chat(session=s, chat_id=new_id)) is not None
