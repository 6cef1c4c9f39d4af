"""`staffroom health`: is the bot on this machine alive and keeping up? Exit code 0 or 1, with
one line per check, for a container's HEALTHCHECK or a systemd timer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from bot.admin_cli import CliError, check_database, say
from bot.clock import SystemClock
from bot.config import Settings
from bot.heartbeat import BEAT_SECONDS, read_beat
from storage import backup as backups
from storage.db import create_engine, session_factory
from storage.health import oldest_undelivered

# A beat older than this many of its intervals: the process, its loop or its scheduler is stuck.
MISSED_BEATS = 3
OUTBOX_MINUTES = 10


@dataclass(frozen=True)
class Check:
    ok: bool
    line: str


async def health(
    settings: Settings,
    *,
    outbox_minutes: float = OUTBOX_MINUTES,
    now: datetime | None = None,
) -> int:
    checks = await run_checks(settings, outbox_minutes=outbox_minutes, now=now)
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        print(f"{mark} {check.line}")
    healthy = all(check.ok for check in checks)
    print(say(settings, "cli.health.healthy" if healthy else "cli.health.unhealthy"))
    return 0 if healthy else 1


async def run_checks(
    settings: Settings, *, outbox_minutes: float, now: datetime | None = None
) -> list[Check]:
    """Database, schema, this machine's bot, the outbox: in this order, each on its own."""
    now = now or SystemClock(settings.timezone).now()
    beat = _heartbeat(settings, now)
    try:
        await check_database(settings)
    except CliError as error:
        return [Check(False, str(error)), beat]
    checks = [Check(True, say(settings, "cli.health.database"))]
    schema: str | None = None
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            schema = await backups.schema_of(conn)
        async with session_factory(engine)() as session:
            oldest = await oldest_undelivered(session=session)
    except DBAPIError:  # no tables yet: the schema check says why
        oldest = None
    finally:
        await engine.dispose()
    head = backups.head_revision()
    if schema == head:
        checks.append(Check(True, say(settings, "cli.health.schema", schema=schema)))
    else:
        found = schema or "-"
        checks.append(Check(False, say(settings, "cli.health.old_schema", found=found, head=head)))
    checks.append(beat)
    if oldest is None:
        checks.append(Check(True, say(settings, "cli.health.outbox_empty")))
    else:
        waited = now - oldest
        ok = waited <= timedelta(minutes=outbox_minutes)
        key = "cli.health.outbox_waiting" if ok else "cli.health.outbox_stuck"
        checks.append(Check(ok, say(settings, key, age=_age(waited), limit=f"{outbox_minutes:g}")))
    return checks


def _heartbeat(settings: Settings, now: datetime) -> Check:
    path = settings.heartbeat_file
    beat = read_beat(path)
    if beat is None:
        return Check(False, say(settings, "cli.health.no_beat", path=str(path)))
    age = now - beat.beat
    if age > timedelta(seconds=BEAT_SECONDS * MISSED_BEATS):
        return Check(False, say(settings, "cli.health.stale_beat", age=_age(age), pid=beat.pid))
    if not beat.polling:
        return Check(False, say(settings, "cli.health.not_polling", pid=beat.pid))
    last = beat.last_update
    update = _age(now - last) if last is not None else "-"
    return Check(True, say(settings, "cli.health.beat", age=_age(age), pid=beat.pid, update=update))


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
