"""`staffroom backup FILE` and `staffroom restore FILE`."""

from __future__ import annotations

from pathlib import Path

from bot.admin_cli import CliError, check_database, say
from bot.config import Settings
from storage import backup as backups
from storage.db import create_engine
from storage.migrate import upgrade_async


def _refusal(settings: Settings, error: backups.BackupError) -> CliError:
    return CliError(say(settings, f"cli.backup.{error.key}", **error.values))


async def make_backup(settings: Settings, target: Path) -> int:
    """A consistent copy of the database while the bot may go on writing."""
    source = backups.sqlite_path(settings.database_url)
    if source is not None and not source.is_file():
        # Checked before connecting: connecting would make an empty database there, and its
        # "copy" would look like a backup of nothing.
        raise _refusal(settings, backups.BackupError("no_database", path=str(source)))
    await check_database(settings)
    engine = create_engine(settings.database_url)
    try:
        summary = await backups.backup(engine, settings.database_url, target)
    except backups.BackupError as error:
        raise _refusal(settings, error) from None
    finally:
        await engine.dispose()
    print(
        say(
            settings,
            "cli.backup.written",
            path=str(target),
            schema=summary.schema or "-",
            tables=len(summary.rows),
            rows=summary.total,
        )
    )
    return 0


async def restore_backup(settings: Settings, source: Path) -> int:
    """Loads a backup into an empty database, then checks every table's rows."""
    await check_database(settings)
    engine = create_engine(settings.database_url)
    try:
        await backups.check_restorable(engine, source)
        await upgrade_async(settings.database_url)
        summary = await backups.restore(engine, source)
    except backups.BackupError as error:
        raise _refusal(settings, error) from None
    finally:
        await engine.dispose()
    for name, count in summary.rows.items():
        if count:
            print(f"  {name}\t{count}")
    print(
        say(
            settings,
            "cli.backup.restored",
            path=str(source),
            schema=summary.schema or "-",
            tables=len(summary.rows),
            rows=summary.total,
        )
    )
    return 0
