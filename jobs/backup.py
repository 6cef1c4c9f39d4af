"""The daily backup: a copy of the whole database into BACKUP_DIR at `backup.time`, for the
schools that turned `backup.daily` on, keeping the newest `backup.keep` copies.

A backup covers every school in the database, so on a day one is already in the folder, the
other schools' slots add nothing. A backup that fails is told to the school's admins (the
claim is kept: trying again every minute would fail the same way until someone frees the disk).
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from pathlib import Path

from bot.texts import t
from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from storage import backup as backups
from storage.staff import admin_recipients
from storage.types import stored_id

log = logging.getLogger(__name__)

BACKUP = kinds.DATABASE_BACKUP
# staffroom-20261206-0230.backup (an SQLite copy) or .jsonl.gz (the portable dump): the name
# sorts by time, and says which day already has one.
NAMED = re.compile(r"staffroom-(\d{8})-(\d{4})\.(backup|jsonl\.gz)")


async def plan_backup(ctx: DayContext) -> list[Slot]:
    """Every day, holidays too: the data changes little then, but a copy costs nothing."""
    if not ctx.policies.get("backup.daily"):
        return []
    at = at_local(ctx.day, ctx.policies.get("backup.time"), ctx.tz)
    return [Slot(BACKUP, "database", at, ctx.day.isoformat())]


def backup_name(at: datetime, url: str) -> str:
    suffix = "backup" if backups.sqlite_path(url) is not None else "jsonl.gz"
    return f"staffroom-{at:%Y%m%d-%H%M}.{suffix}"


def kept_backups(folder: Path) -> list[Path]:
    """The folder's daily backups, oldest first; other files there are never touched."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NAMED.fullmatch(p.name))


def prune(folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` daily backups; returns the deleted."""
    old = kept_backups(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


async def send_backup(ctx: PushContext) -> bool:
    settings = ctx.services.settings
    folder = settings.backup_dir
    at = ctx.slot.at
    if any(p.name.startswith(f"staffroom-{at:%Y%m%d}-") for p in kept_backups(folder)):
        return False
    target = folder / backup_name(at, settings.database_url)
    try:
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        # On SQLite the copy is one step of SQLite's backup API on a connection of its own: it
        # reads one snapshot while the bot goes on (WAL), and takes well under a second for a
        # school's database.
        summary = await backups.backup(ctx.services.engine, settings.database_url, target)
    except (backups.BackupError, OSError) as error:
        log.error("daily backup to %s failed: %s", target, error)
        await _tell_admins(ctx, _reason(error))
        return True
    deleted = await asyncio.to_thread(prune, folder, ctx.policies.get("backup.keep"))
    log.info(
        "daily backup %s: %d rows in %d tables; %d old copies deleted",
        target,
        summary.total,
        len(summary.rows),
        len(deleted),
    )
    return True


def _reason(error: Exception) -> str:
    if isinstance(error, backups.BackupError):
        return ", ".join(str(v) for v in error.values.values()) or error.key
    if isinstance(error, OSError):
        return f"{error.strerror}: {error.filename}" if error.filename else str(error.strerror)
    return type(error).__name__


async def _tell_admins(ctx: PushContext, reason: str) -> None:
    settings = ctx.services.settings
    for telegram_id, lang in await admin_recipients(
        session=ctx.session,
        school_id=stored_id(ctx.school),
        system_admins=settings.bootstrap_admin_ids,
        default_language=settings.default_language,
    ):
        await send_to_chat(
            ctx.bot, ctx.session, telegram_id, t(lang, "push.backup_failed", reason=reason)
        )


def push_kinds() -> list[PushKind]:
    return [PushKind(BACKUP, plan_backup, send_backup)]
