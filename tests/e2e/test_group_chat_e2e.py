"""The staff group through the simulator with the demo school: homework posted there, a leave
typed there taken out of it, wizards opened in private by a deep link, /bind and the right to
delete, an unknown command and a file without a caption."""

from __future__ import annotations

import pytest

from demo.files import bells_file
from demo.stage import ADMIN_NAME, GROUP_ID, SYSADMIN_ID, Stage
from simulator import SimMessage

pytestmark = pytest.mark.e2e

HEAD = "何玉兰"  # head teacher of 三(2)班, teaches 语文 there
MATHS = "曹明"  # 三(2)班 数学
LEADER = "郭春燕"  # grade 3 leader
REASON = "发烧咳嗽"


def group_now(stage: Stage) -> list[SimMessage]:
    """What anyone in the group can read now."""
    return [m for m in stage.sim.messages(GROUP_ID) if not m.deleted]


async def test_homework_posted_in_the_group_is_answered_there_with_the_cap(stage: Stage) -> None:
    posted = await stage.ask(MATHS, "/hw 三(2) 数学 30 练习册第12页", "group")
    assert posted.plain == "✅ 已发布 三(2)班 数学 30 分钟。书面合计 30/45 分钟，还可布置 15 分钟"

    since = stage.sim.seq
    refused = await stage.ask(HEAD, "/hw 三(2) 语文 20 抄写第5课生字", "group")
    assert "没有布置" in refused.plain and "还可布置 15 分钟" in refused.plain
    private = await stage.sim.wait_bot_message(stage.id_of(HEAD), since=since, contains="上限")
    assert any("15" in b.text for row in private.buttons for b in row)


async def test_the_homework_wizard_opens_in_private_from_the_group(stage: Stage) -> None:
    pointer = await stage.ask(MATHS, "/hw", "group")
    since = stage.sim.seq
    await stage.sim.tap_link(stage.id_of(MATHS), pointer, "打开私聊")
    first = await stage.sim.wait_bot_message(stage.id_of(MATHS), since=since)
    assert first.plain.startswith("布置作业（1/6）")


async def test_a_leave_typed_in_the_group_is_deleted_and_reaches_the_approver(
    stage: Stage,
) -> None:
    stage.sim.promote_bot(GROUP_ID)
    since = stage.sim.seq
    typed = await stage.say(HEAD, f"/leave 病假 周四 {REASON}", "group")
    request = await stage.sim.wait_bot_message(
        stage.id_of(LEADER), since=since, contains="请假审批"
    )
    assert REASON in request.plain
    await stage.sim.wait_bot_message(stage.id_of(HEAD), since=since, contains="请假申请已提交")
    await stage.settle()

    assert typed.deleted
    assert not any(REASON in m.plain or "病假" in m.plain for m in group_now(stage))
    assert not [m for m in stage.sim.bot_messages(GROUP_ID, since) if not m.deleted]


async def test_without_the_right_to_delete_the_teacher_hears_it_privately(stage: Stage) -> None:
    stage.sim.promote_bot(GROUP_ID, can_delete_messages=False)
    since = stage.sim.seq
    typed = await stage.say(HEAD, f"/leave 病假 周四 {REASON}", "group")
    warned = await stage.sim.wait_bot_message(
        stage.id_of(HEAD), since=since, contains="没有权限删除"
    )
    assert "以后请直接在这里发 /leave" in warned.plain
    await stage.sim.wait_bot_message(stage.id_of(LEADER), since=since, contains="请假审批")
    await stage.settle()
    assert not typed.deleted
    assert not [m for m in stage.sim.bot_messages(GROUP_ID, since) if not m.deleted]


async def test_bind_reports_the_missing_right_to_delete(stage: Stage) -> None:
    # The demo school made the bot an admin that may delete; a school may not have.
    stage.sim.promote_bot(GROUP_ID, can_delete_messages=False)
    missing = await stage.ask(SYSADMIN_ID, "/bind 青松路小学", "group")
    assert "我还没有“删除消息”的权限" in missing.plain
    stage.sim.promote_bot(GROUP_ID)
    fine = await stage.ask(SYSADMIN_ID, "/bind 青松路小学", "group")
    assert "我可以删除消息" in fine.plain


async def test_an_unknown_command_and_a_file_without_a_caption_are_answered(
    stage: Stage,
) -> None:
    typo = await stage.ask(HEAD, "/leav 病假 周四 发烧")
    assert "你是想用 /leave 吗？" in typo.plain
    since = stage.sim.seq
    await stage.say(HEAD, "/weather", "group")
    await stage.settle()
    assert stage.sim.bot_messages(GROUP_ID, since) == []

    admin = stage.id_of(ADMIN_NAME)
    since = stage.sim.seq
    await stage.sim.send_document(admin, admin, "bells.csv", bells_file())
    answer = await stage.sim.wait_bot_message(admin, since=since)
    assert "/import bells" in answer.plain
