"""The daily backup: off until a school turns it on, then one copy a day at its time, the newest
`backup.keep` kept; a backup that cannot be written is told to the admins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from jobs import backup as backup_jobs
from jobs import scheduler
from storage.backup import kind_of
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_on
from storage.policies import set_policy
from storage.schools import school_by_name
from tests.conftest import SHANGHAI
from tests.harness import BotHarness
from tests.schools import reports as report_school

ADMIN = 7_399_000_001


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(date(2026, 12, 1), 20))


@pytest.fixture
async def migrated(db_url: str, clock: ManualClock) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_on)
    async with session_factory(engine)() as s, s.begin():
        await report_school.seed(s, clock.now() - timedelta(days=90))
    yield engine
    await engine.dispose()


async def harness_for(
    engine: AsyncEngine, db_url: str, clock: ManualClock, folder: Path
) -> BotHarness:
    settings = Settings(
        database_url=db_url, backup_dir=folder, bootstrap_admin_ids=frozenset({ADMIN})
    )
    return BotHarness(settings, engine, clock)


async def set_policies(engine: AsyncEngine, now: datetime, **values: str) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await school_by_name(session=s, name="孟河小学")
        assert school is not None and school.id is not None
        for key, value in values.items():
            await set_policy(
                session=s,
                school_id=school.id,
                key=key.replace("_", ".", 1),
                raw_value=value,
                by=None,
                now=now,
            )


async def run_until(bot: BotHarness, until: datetime) -> None:
    start = bot.clock.now()
    bot.clock.set(until)
    await scheduler.fire_due(bot.app, start, until)


async def test_off_by_default(
    migrated: AsyncEngine, db_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    async with await harness_for(migrated, db_url, clock, folder) as bot:
        bot.services.push_kinds = backup_jobs.push_kinds()
        await run_until(bot, at(date(2026, 12, 3), 9))
    assert not folder.exists()


async def test_one_copy_a_day_at_its_time_and_only_the_newest_kept(
    migrated: AsyncEngine, db_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("the IT person's own file")
    await set_policies(migrated, clock.now(), backup_daily="on", backup_time="03:15")
    await set_policies(migrated, clock.now(), backup_keep="2")
    async with await harness_for(migrated, db_url, clock, folder) as bot:
        bot.services.push_kinds = backup_jobs.push_kinds()
        await run_until(bot, at(date(2026, 12, 2), 3, 14))
        assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
        await run_until(bot, at(date(2026, 12, 2), 3, 16))
        await run_until(bot, at(date(2026, 12, 5), 12))  # a Saturday among them
        assert not any("备份没有完成" in m.plain for m in bot.in_chat(ADMIN))
    suffix = "backup" if db_url.startswith("sqlite") else "jsonl.gz"
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt",
        f"staffroom-20261204-0315.{suffix}",
        f"staffroom-20261205-0315.{suffix}",
    ]
    newest = folder / f"staffroom-20261205-0315.{suffix}"
    assert kind_of(newest) == ("sqlite" if suffix == "backup" else "dump")


async def test_a_backup_that_cannot_be_written_is_told_to_the_admins(
    migrated: AsyncEngine, db_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.write_text("a file where the folder should be")
    await set_policies(migrated, clock.now(), backup_daily="on")
    async with await harness_for(migrated, db_url, clock, folder) as bot:
        bot.services.push_kinds = backup_jobs.push_kinds()
        await run_until(bot, at(date(2026, 12, 2), 3))
        [notice] = [m for m in bot.in_chat(ADMIN) if "备份没有完成" in m.plain]
    assert notice.plain.startswith("⚠️ 今天的数据库备份没有完成")
    assert "BACKUP_DIR" in notice.plain
