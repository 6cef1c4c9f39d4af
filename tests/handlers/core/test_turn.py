"""The button preamble every feature shares: the row a press names must be one of the presser's
school, or the press is refused, audited and answered in the presser's language."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot import callbacks
from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import LeaveRequest
from tests.harness import BotHarness
from tests.schools import factories
from tests.schools.leave import TEACHER, in_own_chat, seed

ELSEWHERE = 7_200_000_001  # a teacher of another school


async def _leave_ids(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with session_factory(engine)() as s:
        rows = (await s.exec(select(LeaveRequest))).all()
    return [(row.id or 0, row.status) for row in rows]


async def test_a_press_on_another_schools_row_is_refused_in_the_pressers_language(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    async with session_factory(engine)() as s, s.begin():
        other = await factories.school(s, clock.now(), name="青松路小学")
        await factories.staff(s, other, "李老师", telegram_id=ELSEWHERE)
    await harness.send(harness.user(TEACHER), "/leave 病假 明天 上午 发烧")
    [(leave_id, status)] = await _leave_ids(engine)
    withdraw = callbacks.LEAVE_WITHDRAW.data(leave_id)
    assert harness.last(TEACHER).data_of("撤销") == withdraw

    _, chinese = await harness.press(harness.user(ELSEWHERE), in_own_chat(ELSEWHERE), withdraw)
    english = harness.user(ELSEWHERE, language_code="en")
    await harness.send(english, "/lang en")
    _, in_english = await harness.press(english, in_own_chat(ELSEWHERE), withdraw)
    _, gone = await harness.press(
        harness.user(TEACHER), in_own_chat(TEACHER), callbacks.LEAVE_WITHDRAW.data(leave_id + 1)
    )

    assert chinese["text"] == gone["text"] == "这个按钮已失效。"
    assert in_english["text"] == "This button is no longer valid."
    assert chinese["show_alert"] and in_english["show_alert"]
    assert await _leave_ids(engine) == [(leave_id, status)]
    async with session_factory(engine)() as s:
        refused = await audit.entries(session=s, action="button_refused")
    assert [(e.actor_telegram_id, json.loads(e.detail)) for e in refused] == [
        (ELSEWHERE, {"reason": "unknown_leave", "leave": leave_id}),
        (ELSEWHERE, {"reason": "unknown_leave", "leave": leave_id}),
        (TEACHER, {"reason": "unknown_leave", "leave": leave_id + 1}),
    ]
