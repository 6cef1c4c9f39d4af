"""Lessons that are over: a board shows them as over, and nothing can be arranged for them.

周雅琴 is away all Thursday: period 3 (10:00–10:40) and period 5 (13:30–14:10) of 三(2)班. At
13:57 the first is over and the second is being taught.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from tests.conftest import SHANGHAI
from tests.handlers.cover.test_cover import actions, approved_day_off, needs
from tests.harness import BotHarness, Sent
from tests.schools.leave import CAO, GROUP, LIN, OFFICE_A, OFFICE_B, seed

THU_1357 = datetime(2026, 11, 26, 13, 57, tzinfo=SHANGHAI)
OVER_UNCOVERED = "⚠️ 已结束，未安排代课"
REFUSED = "11月26日 周四第3节已于 10:40 下课，不能再安排。"


def labels(message: Sent) -> list[str]:
    return [label for label, _ in message.buttons]


def asked_to_cover(harness: BotHarness) -> list[Sent]:
    return [m for m in harness.request.sent if "请你代课" in m.plain]


async def refusals(engine: AsyncEngine) -> list[tuple[str, int | None]]:
    """(button, need) of each press refused because its lesson was over."""
    async with session_factory(engine)() as s:
        found = await audit.entries(session=s, action="button_refused")
    details = [(json.loads(e.detail or "{}"), e.subject_id) for e in found]
    return [(d["button"], need) for d, need in details if d.get("reason") == "lesson_over"]


async def test_a_lesson_that_is_over_is_not_assigned_and_the_board_shows_it_over(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)  # drawn on Wednesday, every lesson ahead
    clock.set(THU_1357)

    _, answer = await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))

    assert (answer["text"], answer["show_alert"]) == (REFUSED, True)
    assert [(n.status, n.substitute_id) for n in await needs(engine)] == [
        ("open", None),
        ("open", None),
    ]
    assert not asked_to_cover(harness)
    assert await actions(engine) == []
    assert await refusals(engine) == [("cov:as", 1)]
    # The board is drawn again: the lesson that ended with nobody is still there, said so, with
    # no suggestions and no buttons; the lesson being taught can still be covered.
    redrawn = harness.request.find(OFFICE_A, board.message_id)
    first, second = redrawn.plain.split("\n2. ")
    assert OVER_UNCOVERED in first and "建议" not in first
    assert "状态：待安排 · 🔔正在上课" in second and "建议" in second
    assert not [label for label in labels(redrawn) if label.startswith("1")]
    assert "2 群里征集" in labels(redrawn)

    in_progress = next(data for label, data in redrawn.buttons if label.startswith("2→"))
    _, taken = await harness.press(harness.user(OFFICE_A), redrawn, in_progress)

    assert taken["text"].startswith("已安排")
    assert [n.status for n in await needs(engine)] == ["open", "assigned"]
    assert len(asked_to_cover(harness)) == 1
    # The other arranger's copy is drawn again as it is now, the first lesson over.
    other = harness.last(OFFICE_B)
    assert other.edited and OVER_UNCOVERED in other.plain
    assert "代课（待确认） · 🔔正在上课" in other.plain
    assert not [label for label in labels(other) if label.startswith("1")]


async def test_self_study_merging_and_asking_the_group_are_refused_once_it_is_over(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    clock.set(datetime(2026, 11, 26, 10, 30, tzinfo=SHANGHAI))  # period 3 is being taught
    choices = (await harness.press(harness.user(OFFICE_A), board, board.data_of("1 合班")))[0][-1]
    assert labels(choices) == ["三(1)班（曹明）"]
    # Pressed on the board as it was drawn before the lesson ended (each press redraws it).
    pressed = [board.data_of(f"1 {action}") for action in ("自习", "合班", "群里征集")]
    clock.set(THU_1357)
    group_before = len(harness.in_chat(GROUP))

    answers = [(await harness.press(harness.user(OFFICE_A), board, data))[1] for data in pressed]
    _, merge = await harness.press(harness.user(OFFICE_A), choices, choices.data_of("三(1)班"))

    assert [a["text"] for a in [*answers, merge]] == [REFUSED] * 4
    assert [(n.status, n.merged_class_id) for n in await needs(engine)] == [
        ("open", None),
        ("open", None),
    ]
    assert len(harness.in_chat(GROUP)) == group_before
    assert not [m for m in harness.in_chat(CAO) if "合班" in m.plain]
    assert harness.request.find(OFFICE_A, choices.message_id).plain == REFUSED
    assert not harness.request.find(OFFICE_A, choices.message_id).buttons
    assert await actions(engine) == []
    assert await refusals(engine) == [("cov:ss", 1), ("cov:mg", 1), ("cov:ask", 1), ("cov:mc", 1)]


async def test_a_volunteer_for_a_lesson_that_ended_is_thanked_and_the_post_closes(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1 群里征集"))
    post = harness.last(GROUP)
    clock.set(THU_1357)

    _, late = await harness.press(harness.user(LIN), post, post.data_of("我来"))

    assert late["text"] == "11月26日 周四第3节已于 10:40 下课，不用再代了，谢谢！"
    assert late["show_alert"] is True
    closed = harness.request.find(GROUP, post.message_id)
    assert closed.plain == (
        "⌛ 11月26日 周四 第3节（10:00–10:40）三(2)班 语文：已结束，无人认领，不再征集。"
    )
    assert not closed.buttons
    assert [n.status for n in await needs(engine)] == ["asking", "open"]
    assert not [m for m in harness.in_chat(LIN) if "认领" in m.plain]
    assert await actions(engine) == ["cover_asked_group"]
    assert await refusals(engine) == [("cov:me", 1)]
    # The arranger's board keeps it, as a lesson nobody covered.
    board = (await harness.send(harness.user(OFFICE_A), "/arrange 今天"))[-1]
    assert OVER_UNCOVERED in board.plain.split("\n2. ")[0]


async def test_a_day_that_is_over_stays_on_the_board_without_buttons(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    board = await approved_day_off(harness)
    await harness.press(harness.user(OFFICE_A), board, board.data_of("1→许志强"))
    clock.set(datetime(2026, 11, 26, 10, 45, tzinfo=SHANGHAI))

    morning = (await harness.send(harness.user(OFFICE_B), "/arrange"))[-1]

    assert "（周雅琴）：许志强 代课（待确认） · ⌛已结束" in morning.plain.split("\n2. ")[0]
    assert "状态：待安排\n" in morning.plain.split("\n2. ")[1] + "\n"
    assert not [label for label in labels(morning) if label.startswith("1")]
    assert [label for label in labels(morning) if label.startswith("2")]

    clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=SHANGHAI))
    evening = (await harness.send(harness.user(OFFICE_B), "/arrange 今天"))[-1]

    listed = [line for line in evening.plain.splitlines() if "（周雅琴）：" in line]
    assert len(listed) == 2
    assert "1. 第3节" in listed[0] and "许志强 代课（待确认） · ⌛已结束" in listed[0]
    assert "2. 第5节" in listed[1] and OVER_UNCOVERED in listed[1]
    assert evening.markup is None or not evening.buttons


async def test_the_board_in_english_says_the_lesson_is_over(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await harness.send(harness.user(OFFICE_A), "/lang en")
    board = await approved_day_off(harness)
    clock.set(THU_1357)

    _, answer = await harness.press(harness.user(OFFICE_A), board, board.data_of("1→"))

    assert answer["text"] == ("Thu 26 Nov period 3 ended at 10:40; it can no longer be arranged.")
    redrawn = harness.request.find(OFFICE_A, board.message_id).plain
    assert "(周雅琴): ⚠️ over, no cover was arranged" in redrawn
    assert "Now: to arrange · 🔔 in progress" in redrawn
