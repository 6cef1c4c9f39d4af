"""/dutyswap: the colleague accepts with a button (and an admin approves where the school asks);
the first decision wins, and presses by anyone else are refused and audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from storage import audit
from storage.db import session_factory
from storage.models import DutySwap
from tests.harness import BotHarness, Sent
from tests.schools.duty import ADMIN_ID, LEI_ID, OTHER_ID, WANG_ID, ZHOU_ID, seed


def text(replies: list[Sent]) -> str:
    return "\n".join(r.plain for r in replies)


async def ask(harness: BotHarness, engine: AsyncEngine, command: str) -> tuple[Sent, Sent]:
    """王晴晴 asks; returns her confirmation and the request the colleague got."""
    replies = await harness.send(harness.user(WANG_ID), command)
    mine = next(r for r in replies if r.chat_id == WANG_ID)
    theirs = next(r for r in replies if r.chat_id != WANG_ID)
    return mine, theirs


async def statuses(engine: AsyncEngine) -> list[str]:
    async with session_factory(engine)() as s:
        return [w.status for w in (await s.exec(select(DutySwap))).all()]


async def test_the_colleague_accepts_and_everyone_is_told(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    mine, request = await ask(harness, engine, "/dutyswap 2026-12-02 吴晓梅")
    assert request.chat_id == OTHER_ID
    assert "王晴晴 请你代班" in request.plain
    assert "12月2日 周三 08:00–11:30 巡课（上午）：王晴晴 → 吴晓梅" in request.plain
    assert "已把换班申请发给 吴晓梅" in mine.plain and mine.data_of("撤回")
    _, answer = await harness.press(harness.user(OTHER_ID), request, request.data_of("同意"))
    assert answer.get("show_alert") is not True
    assert "换班已生效" in harness.last(WANG_ID).plain
    assert "换班已生效" in harness.last(ADMIN_ID).plain
    assert "换班已生效" in request.plain and request.buttons == []  # the buttons are gone
    shown = text(await harness.send(harness.user(OTHER_ID), "/duty 2026-12-02"))
    assert "08:00–11:30 巡课（上午）：吴晓梅（替 王晴晴）" in shown
    assert "13:30–15:50 巡课（下午）：吴晓梅（替 王晴晴）" in shown
    assert await statuses(engine) == ["approved"]


async def test_a_press_by_someone_else_and_a_second_press_are_refused_and_audited(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    _, request = await ask(harness, engine, "/dutyswap 2026-12-02 吴晓梅")
    accept = request.data_of("同意")
    _, stranger = await harness.press(harness.user(LEI_ID), request, accept)
    assert stranger["show_alert"] is True and "没有权限" in stranger["text"]
    assert await statuses(engine) == ["pending"]
    await harness.press(harness.user(OTHER_ID), request, request.data_of("不同意"))
    assert "吴晓梅 没有同意换班" in harness.last(WANG_ID).plain
    _, again = await harness.press(harness.user(OTHER_ID), request, accept)
    assert again["show_alert"] is True and "已经处理过了" in again["text"]
    assert await statuses(engine) == ["declined"]
    async with session_factory(engine)() as s:
        refused = await audit.entries(session=s, action="button_refused")
    assert ['"wrong_person"' in r.detail for r in refused] == [True, False]
    assert '"already_decided"' in refused[1].detail


async def test_with_admin_approval_the_first_admin_decides(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    await harness.send(harness.user(ADMIN_ID), "/settings duty.swap_needs_admin on")
    mine, request = await ask(harness, engine, "/dutyswap 2026-12-02 吴晓梅")
    assert "还需要管理员批准" in mine.plain
    await harness.press(harness.user(OTHER_ID), request, request.data_of("同意"))
    assert "等待管理员批准" in harness.last(WANG_ID).plain
    approval = harness.last(ADMIN_ID)
    assert "换班待批准" in approval.plain
    approve, reject = approval.data_of("✅ 批准"), approval.data_of("不批准")
    # The colleague cannot approve it themselves.
    _, not_admin = await harness.press(harness.user(OTHER_ID), approval, approve)
    assert not_admin["show_alert"] is True
    assert "王晴晴" in text(await harness.send(harness.user(OTHER_ID), "/duty 2026-12-02"))
    await harness.press(harness.user(ADMIN_ID), approval, approve)
    assert "换班已生效" in harness.last(WANG_ID).plain
    assert "换班已生效" in harness.last(OTHER_ID).plain
    _, late = await harness.press(harness.user(ADMIN_ID), approval, reject)
    assert "已经处理过了" in late["text"]
    assert "吴晓梅（替 王晴晴）" in text(
        await harness.send(harness.user(OTHER_ID), "/duty 2026-12-02")
    )


async def test_pending_lists_the_duty_swaps_waiting_for_the_colleague_then_the_admin(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    await harness.send(harness.user(ADMIN_ID), "/settings duty.swap_needs_admin on")
    await ask(harness, engine, "/dutyswap 2026-12-02 吴晓梅")

    today = "\n".join(m.plain for m in await harness.send(harness.user(OTHER_ID), "/today"))
    assert "换班请求 1 件等你处理（/pending）" in today
    asked = await harness.send(harness.user(OTHER_ID), "/pending")
    request = asked[0]
    assert "换班申请" in request.plain and "王晴晴 请你代班" in request.plain
    assert asked[-1].plain == "以上 1 项等你处理。"
    await harness.press(harness.user(OTHER_ID), request, request.data_of("同意"))
    nothing = await harness.send(harness.user(OTHER_ID), "/pending")
    assert nothing[-1].plain == "现在没有等你处理的请假、调课或换班。"

    today = "\n".join(m.plain for m in await harness.send(harness.user(ADMIN_ID), "/today"))
    assert "换班请求 1 件等你处理（/pending）" in today
    waiting = await harness.send(harness.user(ADMIN_ID), "/pending")
    approval = waiting[0]
    assert "换班待批准" in approval.plain
    await harness.press(harness.user(ADMIN_ID), approval, approval.data_of("✅ 批准"))
    assert "换班已生效" in harness.last(WANG_ID).plain
    assert await statuses(engine) == ["approved"]


async def test_an_admin_rejects_and_nothing_changes(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    await harness.send(harness.user(ADMIN_ID), "/settings duty.swap_needs_admin on")
    _, request = await ask(harness, engine, "/dutyswap 2026-12-02 吴晓梅")
    await harness.press(harness.user(OTHER_ID), request, request.data_of("同意"))
    approval = harness.last(ADMIN_ID)
    await harness.press(harness.user(ADMIN_ID), approval, approval.data_of("不批准"))
    assert "管理员没有批准换班" in harness.last(WANG_ID).plain
    assert "管理员没有批准换班" in harness.last(OTHER_ID).plain
    assert "巡课（上午）：王晴晴" in text(
        await harness.send(harness.user(WANG_ID), "/duty 2026-12-02")
    )
    assert await statuses(engine) == ["rejected"]


async def test_the_asker_withdraws_before_the_answer(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    mine, request = await ask(harness, engine, "/dutyswap 2026-12-02 吴晓梅")
    listed = await harness.send(harness.user(WANG_ID), "/dutyswap")
    assert "等待对方确认" in listed[-1].plain
    await harness.press(harness.user(WANG_ID), mine, mine.data_of("撤回"))
    assert "王晴晴 撤回了换班申请" in harness.last(OTHER_ID).plain
    _, late = await harness.press(harness.user(OTHER_ID), request, request.data_of("同意"))
    assert "已经处理过了" in late["text"]
    assert await statuses(engine) == ["cancelled"]


async def test_an_exchange_puts_each_on_the_others_day(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    _, request = await ask(harness, engine, "/dutyswap 2026-12-02 雷琴华 2026-12-03")
    assert "王晴晴 想和你互换值班" in request.plain and "请你代班" not in request.plain
    assert "12月3日 周四 08:00–11:30 巡课（上午）：雷琴华 → 王晴晴" in request.plain
    await harness.press(harness.user(LEI_ID), request, request.data_of("同意"))
    wednesday = text(await harness.send(harness.user(LEI_ID), "/duty 2026-12-02"))
    thursday = text(await harness.send(harness.user(LEI_ID), "/duty 2026-12-03"))
    assert "巡课（上午）：雷琴华（替 王晴晴）" in wednesday
    assert "巡课（上午）：王晴晴（替 雷琴华）" in thursday


async def test_requests_that_cannot_work_are_refused(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    wang = harness.user(WANG_ID)
    not_on_duty = await harness.send(wang, "/dutyswap 2026-12-03 吴晓梅")
    assert "你没有值班" in not_on_duty[-1].plain
    past = await harness.send(wang, "/dutyswap 2026-11-18 吴晓梅")
    assert "11月18日 周三 已经过去了" in past[-1].plain
    yesterday = await harness.send(wang, "/dutyswap 昨天 吴晓梅")
    assert "11月24日 周二 已经过去了" in yesterday[-1].plain
    assert "不是日期" not in yesterday[-1].plain
    self_swap = await harness.send(wang, "/dutyswap 2026-12-02 王晴晴")
    assert "不能和自己换班" in self_swap[-1].plain
    unlinked = await harness.send(wang, "/dutyswap 2026-12-02 许志强")
    assert "还没有关联 Telegram" in unlinked[-1].plain
    no_exchange = await harness.send(wang, "/dutyswap 2026-12-02 周雅琴 2026-12-04")
    assert "没有值班，不能互换" in no_exchange[-1].plain
    group = await harness.send(
        harness.user(ZHOU_ID), "/dutyswap 2026-12-02 吴晓梅", -1_003_000_000_001
    )
    assert "私聊" in group[-1].plain
    await harness.send(wang, "/dutyswap 2026-12-02 吴晓梅")
    twice = await harness.send(wang, "/dutyswap 2026-12-02 周雅琴")
    assert "已经有一个 12月2日 周三 的换班申请" in twice[-1].plain
    assert await statuses(engine) == ["pending"]


async def test_a_request_the_roster_outran_expires(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    _, request = await ask(harness, engine, "/dutyswap 2026-12-02 吴晓梅")
    # Meanwhile an admin put someone else on both posts.
    for post in ("2", "3"):
        await harness.send(harness.user(ADMIN_ID), f"/duty set 2026-12-02 {post} 雷琴华")
    await harness.press(harness.user(OTHER_ID), request, request.data_of("同意"))
    assert "换班没有生效" in request.plain
    assert "换班没有生效" in harness.last(WANG_ID).plain
    assert await statuses(engine) == ["expired"]
