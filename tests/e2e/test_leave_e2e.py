"""Leave, cover and swaps through the simulator with the demo school.

何玉兰 (head teacher of 三(2)班, grade 3) is away Thursday and Friday: her grade leader 郭春燕 and
then the academic office approve, the office arranges one lesson directly and asks the group
for another, the substitute confirms, and the evening slip shows it all — without the leave
type or the reason anywhere in the group. Then a swap goes from proposal to slip, and /back
releases cover.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from demo.stage import GROUP_ID, Stage
from simulator import SimMessage
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.e2e

TEACHER = "何玉兰"  # 三(2)班: Thu 1 阅读, 5 班会, 6 语文; Fri 4 劳动, 6 语文, 7 道德与法治
LEADER = "郭春燕"  # grade 3 leader
OFFICE = "景佳梅"
MATHS = "曹明"  # 三(2)班 数学: Thu 2, Fri 1
EVENING = datetime(2026, 11, 25, 20, 1, tzinfo=SHANGHAI)
REASON = "发烧咳嗽"


async def advance_to(stage: Stage, when: datetime) -> None:
    await stage.advance(when - stage.clock.now())


async def wait(stage: Stage, who: str, contains: str, since: int) -> SimMessage:
    return await stage.sim.wait_bot_message(stage.id_of(who), since=since, contains=contains)


def suggestions(board: SimMessage, number: int) -> list[str]:
    prefix = f"{number}→"
    return [
        b.text[len(prefix) :] for row in board.buttons for b in row if b.text.startswith(prefix)
    ]


async def test_request_approvals_cover_group_volunteer_acknowledgement_and_slip(
    stage: Stage,
) -> None:
    since = stage.sim.seq
    submitted = await stage.ask(TEACHER, f"/leave 病假 周四~周五 {REASON}")
    assert "请假申请已提交" in submitted.plain and "共 2 天" in submitted.plain
    assert "11月26日 周四 第6节（14:20–15:00）三(2)班 语文" in submitted.plain

    request = await wait(stage, LEADER, "请假审批", since)
    assert "第 1/2 步" in request.plain and REASON in request.plain
    await stage.press(LEADER, request, "批准")
    step = await wait(stage, OFFICE, "第 2/2 步", since)
    await wait(stage, TEACHER, "下一步由教导处审批", since)
    await stage.press(OFFICE, step, "批准")
    await wait(stage, TEACHER, "已批准（景佳梅，教导处）", since)

    thursday = await wait(stage, OFFICE, "代课安排 · 11月26日 周四", since)
    await wait(stage, OFFICE, "代课安排 · 11月27日 周五", since)
    assert "1. 第1节（08:00–08:40）三(2)班 阅读 · 何玉兰 请假" in thursday.plain
    assert REASON not in thursday.plain and "病假" not in thursday.plain
    first_choice = suggestions(thursday, 1)[0]
    assert "同班任课" in thursday.plain or "同年级组" in thursday.plain

    # Lesson 1 assigned directly; its substitute confirms with 收到.
    mark = stage.sim.seq
    await stage.press(OFFICE, thursday, f"1→{first_choice}")
    notice = await wait(stage, first_choice, "请你代课", mark)
    assert "第1节（08:00–08:40）三(2)班 阅读（代 何玉兰）" in notice.plain
    assert REASON not in notice.plain
    await stage.press(first_choice, notice, "收到")
    await wait(stage, first_choice, "已确认代课", mark)

    # Lesson 3 asked in the group; the first suggested colleague volunteers. The board moved
    # on to lesson 2 by itself; lesson 3 is one page further.
    board = await wait(stage, OFFICE, f"：{first_choice} 代课 ✅已确认", mark)
    assert "👉 2. 第5节" in board.plain
    mark = stage.sim.seq
    await stage.press(OFFICE, board, "下一个（3）")
    board = await wait(stage, OFFICE, "👉 3. 第6节", mark)
    volunteer = next(name for name in suggestions(board, 3) if name != first_choice)
    mark = stage.sim.seq
    await stage.press(OFFICE, board, "3 群里征集")
    post = await stage.sim.wait_bot_message(GROUP_ID, since=mark, contains="谁能代")
    assert post.plain.startswith("🙋 谁能代 三(2)班 11月26日 周四第6节 语文？")
    await stage.press(volunteer, post, "我来")
    await stage.sim.wait_bot_message(GROUP_ID, since=mark, contains=f"{volunteer} 代课")
    await wait(stage, OFFICE, f"{volunteer} 在群里认领了代课", mark)

    await advance_to(stage, EVENING)
    slip = await stage.sim.wait_bot_message(GROUP_ID, since=mark, contains="代课/调课公示")
    assert slip.plain.startswith("📋 代课/调课公示 · 11月26日 周四")
    assert "不在校：何玉兰（全天）" in slip.plain
    assert f"第1节（08:00–08:40）三(2)班 阅读 何玉兰 → {first_choice} 代课" in slip.plain
    assert f"第6节（14:20–15:00）三(2)班 语文 何玉兰 → {volunteer} 代课" in slip.plain
    assert "第5节（13:30–14:10）三(2)班 班会 何玉兰 → 待安排" in slip.plain

    # Neither the leave type nor the reason ever reached the group.
    for message in stage.sim.bot_messages(GROUP_ID):
        for secret in ("病假", "事假", "公假", REASON, "发烧", "sick"):
            assert secret not in message.plain, message.plain


async def test_a_swap_from_proposal_to_the_slip(stage: Stage) -> None:
    since = stage.sim.seq
    proposed = await stage.ask(MATHS, f"/swap 周四第2节 {TEACHER} 周五第6节")
    assert "已把调课请求发给 何玉兰 确认" in proposed.plain
    ask = await wait(stage, TEACHER, "想和你调课", since)
    await stage.press(TEACHER, ask, "同意")
    request = await wait(stage, OFFICE, "双方已同意", since)
    await stage.press(OFFICE, request, "批准")
    await wait(stage, MATHS, "调课已批准（景佳梅）", since)
    await wait(stage, TEACHER, "调课已批准（景佳梅）", since)

    await advance_to(stage, EVENING)
    slip = await stage.sim.wait_bot_message(GROUP_ID, since=since, contains="代课/调课公示")
    assert (
        "调课：11月26日 周四 第2节（08:50–09:30）三(2)班 数学（曹明）⇄ "
        "11月27日 周五 第6节（14:20–15:00）三(2)班 语文（何玉兰）"
    ) in slip.plain


async def test_back_releases_cover_still_ahead(stage: Stage) -> None:
    since = stage.sim.seq
    await stage.ask(TEACHER, f"/leave 病假 明天 {REASON}")
    request = await wait(stage, LEADER, "请假审批", since)
    await stage.press(LEADER, request, "批准")
    board = await wait(stage, OFFICE, "代课安排 · 11月26日 周四", since)
    mark = stage.sim.seq
    await stage.press(OFFICE, board, "下一个（2）")
    board = await wait(stage, OFFICE, "👉 2. ", mark)
    substitute = suggestions(board, 2)[0]
    mark = stage.sim.seq
    await stage.press(OFFICE, board, f"2→{substitute}")
    await wait(stage, substitute, "请你代课", mark)

    await advance_to(stage, datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))
    mark = stage.sim.seq
    back = await stage.ask(TEACHER, "/back", contains="已销假")
    assert "还没上的 2 节课不再需要代课" in back.plain  # periods 5 and 6; period 1 is over
    assert "已通知原定的代课老师" in back.plain
    released = await wait(stage, substitute, "不用代课了", mark)
    assert "第5节（13:30–14:10）三(2)班 班会" in released.plain
