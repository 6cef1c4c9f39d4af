"""External teachers (外聘/代课) come with the staff list's 编制 column, uploaded in the chat;
the admins see the mark where the roster lists people."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage.db import session_factory
from storage.models import Staff
from tests.handlers.school.test_imports import ADMIN_ID, seed
from tests.harness import BotHarness

ROSTER = "姓名,学科,年级,编制\n周雅琴,语文,3,在编\n曹明,数学,4,外聘\n".encode()


async def test_an_uploaded_roster_marks_external_teachers_and_the_admins_see_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    done = await harness.upload(admin, "名册.csv", ROSTER, "/import staff")
    assert "新增 2" in done[-1].plain
    async with session_factory(engine)() as s:
        marked = {p.name: p.external for p in (await s.exec(select(Staff))).all()}
    assert marked["曹明"] and not marked["周雅琴"]

    (listing,) = await harness.send(admin, "/unreachable")
    assert "曹明（外聘）：没有关联 Telegram 账号" in listing.plain
    assert "周雅琴：没有关联 Telegram 账号" in listing.plain
    await harness.send(admin, "/lang en")
    (english,) = await harness.send(admin, "/unreachable")
    assert "曹明 (external): no Telegram account linked" in english.plain


async def test_an_unknown_employment_in_an_upload_is_named_by_line_and_column(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    bad = "姓名,编制\n曹明,兼职\n".encode()
    replies = await harness.upload(admin, "名册.csv", bad, "/import staff")
    text = "\n".join(r.plain for r in replies)
    assert "第 2 行「编制」列：“兼职”不是编制，请写在编或外聘（代课、非在编也可以）。" in text
    async with session_factory(engine)() as s:
        assert (await s.exec(select(Staff).where(Staff.name == "曹明"))).first() is None
