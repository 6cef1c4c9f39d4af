"""Onboarding through the simulator: binding, registering, linking, menus, the group upgrade."""

from __future__ import annotations

import pytest

from demo.stage import ADMIN_NAME, GROUP_ID, NEWCOMER_ID, SYSADMIN_ID, Stage

pytestmark = pytest.mark.e2e


async def test_registration_is_approved_by_the_admin_with_a_button(stage: Stage) -> None:
    answer = await stage.ask(NEWCOMER_ID, "/register 李新")
    assert "发给管理员" in answer.plain
    request = await stage.sim.wait_bot_message(stage.id_of(ADMIN_NAME), contains="关联申请")
    await stage.press(ADMIN_NAME, request, "批准")
    linked = await stage.sim.wait_bot_message(NEWCOMER_ID, contains="关联成功")
    assert "青松路小学" in linked.plain
    profile = await stage.ask(NEWCOMER_ID, "/me")
    assert "李新" in profile.plain and "数学" in profile.plain


async def test_menus_are_set_per_scope_and_language(stage: Stage) -> None:
    private_zh = stage.sim.commands("all_private_chats", "zh")
    group_en = stage.sim.commands("all_group_chats", "en")
    default = stage.sim.commands("all_private_chats", "")
    assert {"start", "help", "settings"} <= {c["command"] for c in private_zh}
    assert "bind" in {c["command"] for c in group_en}
    assert "settings" not in {c["command"] for c in group_en}
    assert default == private_zh


async def test_group_command_with_another_bots_name_is_left_to_that_bot(stage: Stage) -> None:
    since = stage.sim.seq
    # An admin bot (as the demo school's is) receives every message of the group, commands for
    # other bots included: it must let them be.
    message = await stage.say(ADMIN_NAME, "/help@some_other_bot", "group")
    answer = await stage.ask(ADMIN_NAME, "/help", "group")
    assert message.delivered
    assert "你可以使用的命令" in answer.plain
    assert len(stage.sim.bot_messages(GROUP_ID, since=since)) == 1


async def test_binding_follows_the_group_when_it_becomes_a_supergroup(stage: Stage) -> None:
    sim = stage.sim
    old_group = -4_400_000_001
    sim.add_group(old_group, "新教师群", members=[stage.id_of(ADMIN_NAME), SYSADMIN_ID])
    await sim.add_bot_to_group(old_group, SYSADMIN_ID)
    await stage.settle()
    bound = await stage.ask(SYSADMIN_ID, "/bind 青松路小学", old_group, contains="已设为")
    assert "青松路小学" in bound.plain
    new_group = await sim.migrate_group(old_group, by_user_id=SYSADMIN_ID)
    await stage.settle()
    answer = await stage.ask(ADMIN_NAME, "/help", new_group)
    assert "你可以使用的命令" in answer.plain


async def test_an_unbound_group_hears_one_line(stage: Stage) -> None:
    sim = stage.sim
    other = -4_400_000_002
    sim.add_group(other, "闲聊群", members=[stage.id_of(ADMIN_NAME)])
    await sim.add_bot_to_group(other, stage.id_of(ADMIN_NAME))
    hello = await sim.wait_bot_message(other)
    await stage.say(ADMIN_NAME, "/help", other)
    await stage.settle()
    assert "/bind" in hello.plain
    assert len(sim.bot_messages(other)) == 1
