"""Two schools for linking accounts: 孟河小学 with an admin (张思月) and a head teacher
(王晴晴) whose account is not linked yet, and 焦溪小学 with an admin of its own (雷琴华)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from storage.db import session_factory
from tests.schools import factories

TEACHER_ID = 7_000_000_001
ADMIN_ID = 7_000_000_002
OTHER_ADMIN_ID = 7_000_000_003


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now(), "孟河小学")
        other = await factories.school(s, clock.now(), "焦溪小学")
        klass = await factories.school_class(s, school, 3, 2)
        await factories.staff(
            s,
            school,
            "王晴晴",
            roles="teacher,head_teacher",
            subjects="语文",
            grade=3,
            head_of=klass,
        )
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
        await factories.staff(s, other, "雷琴华", roles="teacher,admin", telegram_id=OTHER_ADMIN_ID)
