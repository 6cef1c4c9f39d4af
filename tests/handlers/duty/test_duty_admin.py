"""Admins edit the standing roster in chat: a rotation's list, and the posts themselves."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from storage import audit
from storage.db import session_factory
from storage.models import DutyOverride, DutyPost, Staff
from tests.harness import BotHarness
from tests.schools.duty import ADMIN_ID, LEI_ID, OTHER_ID, ZHOU_ID, seed


def text(replies: list) -> str:  # type: ignore[type-arg]
    return "\n".join(r.plain for r in replies)


async def ids(engine: AsyncEngine) -> tuple[dict[str, int], dict[str, int]]:
    """Staff ids by name and post ids by name."""
    async with session_factory(engine)() as s:
        staff = {p.name: p.id or 0 for p in (await s.exec(select(Staff))).all()}
        posts = {p.name: p.id or 0 for p in (await s.exec(select(DutyPost))).all()}
    return staff, posts


def push_jobs(harness: BotHarness) -> set[str]:
    assert harness.app.job_queue is not None
    return {
        j.name or "" for j in harness.app.job_queue.jobs() if (j.name or "").startswith("push:")
    }


async def test_a_new_rotation_list_starts_today_and_moves_the_reminders(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    before = push_jobs(harness)

    done = await harness.send(admin, "/duty rotation 护学岗 吴晓梅，雷琴华、周雅琴")

    assert "“护学岗”（07:20–07:50）的轮值名单已更新" in done[-1].plain
    assert "从11月25日 周三起" in done[-1].plain
    assert "吴晓梅 → 雷琴华 → 周雅琴" in done[-1].plain
    assert "07:20–07:50 护学岗：吴晓梅" in text(await harness.send(admin, "/duty"))
    assert "07:20–07:50 护学岗：雷琴华" in text(await harness.send(admin, "/duty 2026-11-26"))
    assert "加入“护学岗”" in harness.last(OTHER_ID).plain
    assert "加入“护学岗”" in harness.last(LEI_ID).plain
    assert harness.in_chat(ZHOU_ID) == []  # still on it: nothing to tell
    staff, posts = await ids(engine)
    gate = posts["护学岗"]
    # Tomorrow's reminder is planned for the new person on the gate.
    assert any(
        name.endswith(f"duty_remind:s{staff['雷琴华']}p{gate}:2026-11-26")
        for name in push_jobs(harness) - before
    )
    async with session_factory(engine)() as s:
        (entry,) = await audit.entries(session=s, action="duty_rotation")
    detail = json.loads(entry.detail)
    assert detail["before"] == [staff["周雅琴"], staff["许志强"]]
    assert detail["after"] == [staff["吴晓梅"], staff["雷琴华"], staff["周雅琴"]]
    assert entry.actor_telegram_id == ADMIN_ID


async def test_adding_and_removing_one_person_keeps_the_turn(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    # 周雅琴 today (Wednesday), 许志强 on Thursday, 周雅琴 on Friday.
    added = await harness.send(admin, "/duty rotation 1 add 吴晓梅")
    assert "周雅琴 → 许志强 → 吴晓梅" in added[-1].plain
    assert "07:20–07:50 护学岗：周雅琴" in text(await harness.send(admin, "/duty"))
    assert "护学岗：许志强" in text(await harness.send(admin, "/duty 2026-11-26"))
    assert "护学岗：吴晓梅" in text(await harness.send(admin, "/duty 2026-11-27"))

    removed = await harness.send(admin, "/duty rotation 护学岗 remove 周雅琴")
    assert "许志强 → 吴晓梅" in removed[-1].plain
    assert "不在“护学岗”" in harness.last(ZHOU_ID).plain
    assert "07:20–07:50 护学岗：许志强" in text(await harness.send(admin, "/duty"))
    assert "护学岗：吴晓梅" in text(await harness.send(admin, "/duty 2026-11-26"))
    async with session_factory(engine)() as s:
        assert len(await audit.entries(session=s, action="duty_rotation")) == 2


async def test_rotation_mistakes_are_explained_and_change_nothing(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    weekday = await harness.send(admin, "/duty rotation 巡课（上午） 吴晓梅")
    assert "按星期排班" in weekday[-1].plain and "/duty weekday" in weekday[-1].plain
    unknown = await harness.send(admin, "/duty rotation 护学岗 吴晓眉,雷琴华")
    assert "没有“吴晓眉”" in unknown[-1].plain and "吴晓梅" in unknown[-1].plain
    twice = await harness.send(admin, "/duty rotation 护学岗 add 许志强")
    assert "已经在“护学岗”的轮值名单里" in twice[-1].plain
    absent = await harness.send(admin, "/duty rotation 护学岗 remove 吴晓梅")
    assert "不在“护学岗”的轮值名单里" in absent[-1].plain
    await harness.send(admin, "/duty rotation 护学岗 remove 许志强")
    empty = await harness.send(admin, "/duty rotation 护学岗 remove 周雅琴")
    assert "轮值名单不能为空" in empty[-1].plain
    usage = await harness.send(admin, "/duty rotation")
    assert "/duty rotation 岗位 姓名1,姓名2" in usage[-1].plain
    refused = await harness.send(harness.user(OTHER_ID), "/duty rotation 护学岗 吴晓梅")
    assert refused[-1].plain == "你没有权限执行这个操作。"
    async with session_factory(engine)() as s:
        assert len(await audit.entries(session=s, action="duty_rotation")) == 1
        denied = await audit.entries(session=s, action="denied")
    assert denied and denied[-1].actor_telegram_id == OTHER_ID
    assert "07:20–07:50 护学岗：周雅琴" in text(await harness.send(admin, "/duty"))


async def test_admin_adds_a_post_then_staffs_it_and_removes_another(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    added = await harness.send(admin, "/duty post add 护学岗 11:20-11:55 轮值")
    assert "已新增岗位 3. 11:20–11:55“护学岗”（轮值）" in added[-1].plain
    assert "/duty rotation 3 姓名1,姓名2" in added[-1].plain
    await harness.send(admin, "/duty rotation 3 吴晓梅,雷琴华")
    assert "11:20–11:55 护学岗：吴晓梅" in text(await harness.send(admin, "/duty"))

    weekday = await harness.send(admin, "/duty post add 校门值守 15:50～16:10")
    assert "（按星期排班）" in weekday[-1].plain and "/duty weekday" in weekday[-1].plain
    again = await harness.send(admin, "/duty post add 校门值守 15:50-16:10")
    assert "已经有 15:50 开始的“校门值守”岗位了" in again[-1].plain
    backwards = await harness.send(admin, "/duty post add 午休 13:00-12:00")
    assert "不是有效的时段" in backwards[-1].plain

    await harness.send(admin, "/duty set 2026-11-26 巡课（下午） 吴晓梅")
    removed = await harness.send(admin, "/duty post remove 巡课（下午）")
    assert "已删除岗位“巡课（下午）”（13:30–15:50）" in removed[-1].plain
    assert "巡课（下午）" not in text(await harness.send(admin, "/duty 2026-11-26"))
    async with session_factory(engine)() as s:
        actions = [e.action for e in await audit.entries(session=s) if "post" in e.action]
        assert (await s.exec(select(DutyOverride))).all() == []
        (gone,) = await audit.entries(session=s, action="duty_post_removed")
    assert actions == ["duty_post_added", "duty_post_added", "duty_post_removed"]
    assert "巡课（下午）" in gone.detail and "13:30" in gone.detail


async def test_a_school_without_a_roster_starts_one_post_by_post(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    admin = harness.user(ADMIN_ID)
    for ref in ("护学岗", "巡课（上午）", "巡课（下午）"):
        await harness.send(admin, f"/duty post remove {ref}")
    assert "/duty post add" in text(await harness.send(admin, "/duty"))
    added = await harness.send(admin, "/duty post add 护学岗 07:20-07:50 轮值")
    assert "已新增岗位 1." in added[-1].plain
