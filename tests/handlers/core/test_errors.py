"""One error handler: the user gets an apology in their language, the admins a short notice."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import handlers.school.onboarding
from bot.clock import ManualClock
from storage.db import session_factory
from storage.staff import staff_for_telegram
from tests.handlers.conftest import SYSADMIN_ID
from tests.harness import BotHarness
from tests.schools import factories

TEACHER_ID = 7_400_000_001


async def test_a_failing_handler_apologises_and_changes_nothing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now())
        await factories.staff(s, school, "王晴晴", telegram_id=TEACHER_ID)
    teacher = harness.user(TEACHER_ID)
    await harness.send(teacher, "/lang en")

    async def broken(**_: object) -> None:
        raise RuntimeError("database went away")

    original_set = handlers.school.onboarding._set_language
    monkeypatch.setattr(handlers.school.onboarding, "classes_taught", broken)

    async def set_then_fail(turn: object, code: str) -> None:
        await original_set(turn, code)  # type: ignore[arg-type]
        raise RuntimeError("half-way")

    monkeypatch.setattr(handlers.school.onboarding, "_set_language", set_then_fail)

    profile = await harness.send(teacher, "/me")
    switched = await harness.send(teacher, "/lang zh")

    apology = "Sorry, something went wrong. The admins have been told; please try again later."
    assert [m.plain for m in profile if m.chat_id == TEACHER_ID] == [apology]
    assert [m.plain for m in switched if m.chat_id == TEACHER_ID] == [apology]
    notices = [m.plain for m in harness.in_chat(SYSADMIN_ID)]
    assert notices == ["⚠️ 机器人出错：RuntimeError（/me）"]  # one notice per kind of error
    async with session_factory(engine)() as s:
        (staff,) = await staff_for_telegram(session=s, telegram_id=TEACHER_ID)
    assert staff.language == "en"  # the half-done /lang zh was rolled back
