"""Administration from the command line: migrate, schools, imports, policies."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import SystemClock
from bot.config import Settings
from bot.texts import t
from rules.policies import SPECS, PolicyError
from storage import audit
from storage.db import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade_async
from storage.models import School
from storage.policies import load_policies, set_policy
from storage.schools import (
    SchoolExists,
    create_school,
    list_schools,
    school_by_name,
)
from storage.types import stored_id


class CliError(Exception):
    """A refusal to print on stderr; the message is already in the user's language.

    Exit code 1, or 2 (as for a bad setting) when only changing the settings can help.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def plain(text: str) -> str:
    """Catalogue text for a terminal: tags dropped, entities unescaped."""
    return html.unescape(re.sub(r"</?(b|i|u|s|code|pre|a)( [^>]*)?>", "", text))


def say(settings: Settings, key: str, /, **values: object) -> str:
    return plain(t(settings.default_language, key, **values))


async def check_database(settings: Settings) -> None:
    """Raises CliError, one readable line, when the database cannot be reached at all.

    Tried before migrating: a refused connection, an unknown host, database or role would
    otherwise surface as a traceback from deep inside the migration tool.
    """
    sqlite = is_sqlite(settings.database_url)
    try:
        engine = create_engine(settings.database_url)  # makes an SQLite file's folder
    except OSError as exc:
        raise _sqlite_unusable(settings, exc) from None
    try:
        async with engine.connect():
            pass
    except (OSError, DBAPIError) as exc:  # OSError: refused, unknown host, timed out
        if sqlite:
            raise _sqlite_unusable(settings, exc) from None
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()
        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        raise CliError(
            say(
                settings,
                "cli.db_unreachable",
                url=shown,
                reason=reason[0] if reason else type(exc).__name__,
            )
        ) from None
    finally:
        await engine.dispose()


def _sqlite_unusable(settings: Settings, exc: Exception) -> CliError:
    """A file that cannot be made or opened: a wrong DATABASE_URL, so exit code 2."""
    if isinstance(exc, OSError) and exc.strerror:
        reason = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip()
    path = make_url(settings.database_url).database or ""
    return CliError(
        say(settings, "cli.sqlite_unusable", path=path, reason=reason.splitlines()[0]), exit_code=2
    )


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A migrated database and one transaction, committed when the block ends without error."""
    await check_database(settings)
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def school_named(session: AsyncSession, settings: Settings, name: str) -> School:
    school = await school_by_name(session=session, name=name)
    if school is None or school.id is None:
        raise CliError(say(settings, "cli.unknown_school", name=name))
    return school


async def migrate(settings: Settings) -> int:
    await check_database(settings)
    await upgrade_async(settings.database_url)
    print(say(settings, "cli.migrated"))
    return 0


async def school_add(settings: Settings, name: str, timezone: str | None) -> int:
    tz_name = timezone or settings.timezone.key
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(say(settings, "cli.bad_timezone", tz=tz_name)) from None
    if not name.strip() or len(name.strip()) > 100:
        raise CliError(say(settings, "cli.bad_school_name"))
    now = SystemClock(settings.timezone).now()
    async with database(settings) as session:
        try:
            school = await create_school(session=session, name=name, timezone=tz_name, now=now)
        except SchoolExists:
            raise CliError(say(settings, "cli.school_exists", name=name)) from None
        await audit.record(
            session=session,
            at=now,
            action="school_created",
            school_id=school.id,
            detail={"via": "cli"},
        )
    print(say(settings, "cli.school_added", name=name.strip(), tz=tz_name))
    return 0


async def school_list(settings: Settings) -> int:
    async with database(settings) as session:
        schools = await list_schools(session=session)
    for school in schools:
        print(f"{school.id}\t{school.name}\t{school.timezone}")
    if not schools:
        print(say(settings, "cli.no_schools"))
    return 0


async def import_file(settings: Settings, kind: str, path: Path, school_name: str) -> int:
    from storage.importer import IMPORT_KINDS, ImportFailed, import_table
    from views.imports import Rerun, render_errors, render_summary

    if kind not in IMPORT_KINDS:
        raise CliError(
            say(settings, "cli.bad_import_kind", kind=kind, kinds=" | ".join(IMPORT_KINDS))
        )
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError:
        raise CliError(say(settings, "cli.no_file", path=str(path))) from None
    rerun = Rerun(kind, str(path), school_name)  # hints name this command, not /import
    now = SystemClock(settings.timezone).now()
    try:
        async with database(settings) as session:
            school = await school_named(session, settings, school_name)
            result = await import_table(
                session=session,
                school_id=stored_id(school),
                kind=kind,
                data=data,
                filename=path.name,
                now=now,
                actor_telegram_id=None,
            )
    except ImportFailed as failed:
        raise CliError(plain(render_errors(settings.default_language, failed, rerun))) from None
    print(plain(render_summary(settings.default_language, result, rerun)))
    return 0


async def settings_show(settings: Settings, school_name: str) -> int:
    async with database(settings) as session:
        school = await school_named(session, settings, school_name)
        policies = await load_policies(session=session, school_id=stored_id(school))
    for item in SPECS:
        marker = "" if policies.is_default(item.key) else " *"
        description = say(settings, f"policy.{item.key}")
        print(f"{item.key} = {policies.raw(item.key)}{marker}\t{description} [{item.allowed()}]")
    print(say(settings, "cli.settings_legend"))
    return 0


async def settings_set(settings: Settings, school_name: str, key: str, value: str) -> int:
    now = SystemClock(settings.timezone).now()
    async with database(settings) as session:
        school = await school_named(session, settings, school_name)
        try:
            old, new = await set_policy(
                session=session,
                school_id=stored_id(school),
                key=key,
                raw_value=value,
                by=None,
                now=now,
            )
        except KeyError:
            raise CliError(say(settings, "cli.unknown_policy", key=key)) from None
        except PolicyError as exc:
            raise CliError(
                say(settings, f"settings.{exc.problem}", key=key, value=value, allowed=exc.allowed)
            ) from None
        if old == new:
            print(say(settings, "settings.unchanged", name=key, value=new))
            return 0
        await audit.record(
            session=session,
            at=now,
            action="policy_changed",
            school_id=school.id,
            subject_type="policy",
            detail={"key": key, "old": old, "new": new, "via": "cli"},
        )
    print(say(settings, "settings.changed", key=key, old=old, new=new))
    return 0


async def write_report(
    settings: Settings,
    kind: str,
    school_name: str,
    start: date,
    end: date,
    output: Path | None,
    lang: str | None,
    *,
    chart: Path | None = None,
) -> int:
    """The school's whole report for the period, written as a workbook (and its chart)."""
    from rules.report_requests import KINDS, PeriodError, Scope, parse_period
    from storage.reports import load_report
    from views.charts import report_chart
    from views.reports import render

    language = lang or settings.default_language
    try:
        period = parse_period(f"{start.isoformat()}~{end.isoformat()}")
    except PeriodError as error:
        raise CliError(plain(t(language, f"report.err.{error.key}", **error.values))) from None
    clock = SystemClock(settings.timezone)
    async with database(settings) as session:
        school = await school_named(session, settings, school_name)
        report = await load_report(
            session=session,
            school_id=stored_id(school),
            kind=kind,
            period=period,
            scope=Scope(KINDS),
            today=clock.now().astimezone(ZoneInfo(school.timezone)).date(),
        )
        await audit.record(
            session=session,
            at=clock.now(),
            action="report_sent",
            school_id=school.id,
            subject_type="report",
            detail={"kind": kind, "start": start.isoformat(), "end": end.isoformat(), "via": "cli"},
        )
    made = await asyncio.to_thread(render, language, report)
    target = output or Path(made.filename)
    files = [(target, made.data)]
    if chart is not None:
        drawn = await asyncio.to_thread(report_chart, language, report)
        if drawn is None:
            raise CliError(say(settings, "cli.no_chart"))
        files.append((chart, drawn.data))
    for path, data in files:
        try:
            await asyncio.to_thread(path.write_bytes, data)
        except OSError as exc:
            raise CliError(
                say(settings, "cli.cannot_write", path=str(path), reason=exc.strerror)
            ) from None
        print(say(settings, "cli.report_written", path=str(path), caption=plain(made.caption)))
    return 0


def report(error: CliError) -> int:
    print(str(error), file=sys.stderr)
    return error.exit_code
