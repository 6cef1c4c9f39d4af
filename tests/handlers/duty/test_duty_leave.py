"""Leave-aware duty: an approved leave asks the arranger to replace the person on duty."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from jobs import scheduler
from storage import audit
from storage.db import session_factory
from storage.models import DutyOverride
from tests.conftest import SHANGHAI
from tests.harness import BotHarness, Sent
from tests.schools.duty import ADMIN_ID, GROUP, OTHER_ID, WANG_ID, ZHOU_ID, seed
from tests.schools.leave import in_own_chat


async def approve_friday_leave_of_zhou(harness: BotHarness) -> Sent:
    """周雅琴 (on the gate rotation on Friday 27th) is away Friday; the office approves.
    Returns the arranger's (王晴晴's) request to replace her."""
    await harness.send(harness.user(ZHOU_ID), "/leave 病假 周五 发烧")
    request = harness.last(WANG_ID)
    await harness.press(harness.user(WANG_ID), request, request.data_of("批准"))
    asked = [m for m in harness.in_chat(WANG_ID) if "值班需要替班" in m.plain]
    assert len(asked) == 1
    return asked[0]


async def test_approval_asks_the_arranger_and_the_first_pick_stands_in(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine)
    ask = await approve_friday_leave_of_zhou(harness)

    assert "11月27日 周五 07:20–07:50“护学岗”原由 周雅琴 值班" in ask.plain
    assert "许志强（轮值的下一位，本月值班" in ask.plain  # the next in the rotation first
    # Then the fewest duties this month: two teachers with none yet.
    assert "张思月（本月值班 0 次）" in ask.plain and "吴晓梅（本月值班 0 次）" in ask.plain
    assert [label for label, _ in ask.buttons] == [
        "由 许志强 替班",
        "由 张思月 替班",
        "由 吴晓梅 替班",
        "另找他人",
    ]
    assert "病假" not in ask.plain and "发烧" not in ask.plain

    before = await harness.send(harness.user(OTHER_ID), "/duty 2026-11-27")
    assert "07:20–07:50 护学岗：⚠️ 待安排替班（原 周雅琴，不在校）" in before[-1].plain
    pick, other = ask.data_of("许志强"), ask.data_of("吴晓梅")
    _, answer = await harness.press(harness.user(WANG_ID), ask, pick)

    assert answer["text"] == "已安排 许志强 替班"
    assert "由 许志强 替 周雅琴 值班" in harness.request.find(WANG_ID, ask.message_id).plain
    assert "11月27日 周五 07:20–07:50 的“护学岗”由 许志强 替你值班" in harness.last(ZHOU_ID).plain
    day = await harness.send(harness.user(OTHER_ID), "/duty 2026-11-27")
    assert "07:20–07:50 护学岗：许志强（替 周雅琴）" in day[-1].plain

    # First press wins: the admin pressing the same request later changes nothing.
    _, late = await harness.press(harness.user(ADMIN_ID), in_own_chat(ADMIN_ID), other)
    assert "已经由 许志强 值班" in late["text"]
    _, teacher = await harness.press(harness.user(OTHER_ID), in_own_chat(OTHER_ID), other)
    assert teacher["text"] == "你没有权限执行这个操作。"
    async with session_factory(engine)() as s:
        overrides = (await s.exec(select(DutyOverride))).all()
        replaced = await audit.entries(session=s, action="duty_replaced")
        denied = await audit.entries(session=s, action="denied")
    assert [(o.reason, o.staff_id) for o in overrides] == [("leave", 5)]
    assert len(replaced) == 1 and json.loads(replaced[0].detail)["absent"] == 4
    assert [e.actor_telegram_id for e in denied] == [OTHER_ID]

    # The morning announcement names the replacement.
    start = datetime(2026, 11, 27, 6, 0, tzinfo=SHANGHAI)
    clock.set(start)
    end = datetime(2026, 11, 27, 7, 1, tzinfo=SHANGHAI)
    clock.set(end)
    await scheduler.fire_due(harness.app, start, end)
    announced = [m.plain for m in harness.in_chat(GROUP) if "今日值班" in m.plain]
    assert announced and "07:20–07:50 护学岗：许志强（替 周雅琴）" in announced[-1]


async def test_forged_data_and_someone_else_through_duty_set(
    harness: BotHarness, engine: AsyncEngine
) -> None:
    await seed(engine)
    ask = await approve_friday_leave_of_zhou(harness)
    wang = harness.user(WANG_ID)
    pick = ask.data_of("许志强")

    _, forged = await harness.press(wang, ask, "v1:dlv:pick:1:99999999:4:5")
    _, huge = await harness.press(wang, ask, "v1:dlv:pick:99999999999:20261127:4:5")
    assert forged["text"] == huge["text"] == "这个按钮已失效。"
    async with session_factory(engine)() as s:
        assert len(await audit.entries(session=s, action="button_refused")) == 2

    hint = (await harness.press(wang, ask, ask.data_of("另找他人")))[0][-1]
    assert "/duty set 2026-11-27 1 姓名" in hint.plain
    # 王晴晴 is not an admin: she may replace someone on leave, nobody else.
    refused = await harness.send(wang, "/duty set 2026-11-26 1 吴晓梅")
    assert "只能为请假的同事安排替班" in refused[-1].plain
    done = await harness.send(wang, "/duty set 2026-11-27 1 吴晓梅")
    assert "改由 吴晓梅 值班（原为 周雅琴）" in done[-1].plain
    async with session_factory(engine)() as s:
        override = (await s.exec(select(DutyOverride))).one()
    assert (override.reason, override.staff_id) == ("leave", 6)
    _, closed = await harness.press(wang, ask, pick)
    assert "已经由 吴晓梅 值班" in closed["text"]
