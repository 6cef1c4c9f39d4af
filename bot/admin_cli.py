"""Administration from the command line: migrate, schools, imports, policies."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.texts import t
from rules.policies import SPECS, PolicyError, spec
from storage import audit
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_async
from storage.policies import load_policies, set_policy
from storage.schools import (
    SchoolExists,
    bump_schedule_version,
    create_school,
    list_schools,
    school_by_name,
)


def plain(text: str) -> str:
    """Catalogue text for a terminal: tags dropped, entities unescaped."""
    return html.unescape(re.sub(r"</?(b|i|u|s|code|pre|a)( [^>]*)?>", "", text))


def _say(settings: Settings, key: str, /, **values: object) -> str:
    return plain(t(settings.default_language, key, **values))


async def migrate(settings: Settings) -> int:
    await upgrade_async(settings.database_url)
    print(_say(settings, "cli.migrated"))
    return 0


async def school_add(settings: Settings, name: str, timezone: str | None) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    tz_name = timezone or settings.timezone.key
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        print(_say(settings, "cli.bad_timezone", tz=tz_name), file=sys.stderr)
        return 1
    if not name.strip() or len(name.strip()) > 100:
        print(_say(settings, "cli.bad_school_name"), file=sys.stderr)
        return 1
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    clock = SystemClock(settings.timezone)
    try:
        async with session_factory(engine)() as session, session.begin():
            school = await create_school(
                session=session, name=name, timezone=tz_name, now=clock.now()
            )
            await audit.record(
                session=session,
                at=clock.now(),
                action="school_created",
                school_id=school.id,
                detail={"via": "cli"},
            )
    except SchoolExists:
        print(_say(settings, "cli.school_exists", name=name), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(_say(settings, "cli.school_added", name=name.strip(), tz=tz_name))
    return 0


async def school_list(settings: Settings) -> int:
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            schools = await list_schools(session=session)
    finally:
        await engine.dispose()
    for school in schools:
        print(f"{school.id}\t{school.name}\t{school.timezone}")
    if not schools:
        print(_say(settings, "cli.no_schools"))
    return 0


async def import_file(settings: Settings, kind: str, path: Path, school_name: str) -> int:
    from storage.importer import (
        IMPORT_KINDS,
        ImportFailed,
        import_table,
        render_errors,
        render_summary,
    )

    if kind not in IMPORT_KINDS:
        print(
            _say(settings, "cli.bad_import_kind", kind=kind, kinds=" | ".join(IMPORT_KINDS)),
            file=sys.stderr,
        )
        return 1
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError:
        print(_say(settings, "cli.no_file", path=str(path)), file=sys.stderr)
        return 1
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    clock = SystemClock(settings.timezone)
    lang = settings.default_language
    try:
        async with session_factory(engine)() as session, session.begin():
            school = await school_by_name(session=session, name=school_name)
            if school is None:
                print(_say(settings, "cli.unknown_school", name=school_name), file=sys.stderr)
                return 1
            result = await import_table(
                session=session,
                school_id=school.id or 0,
                kind=kind,
                data=data,
                filename=path.name,
                now=clock.now(),
                actor_telegram_id=None,
            )
    except ImportFailed as failed:
        print(plain(render_errors(lang, failed)), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(plain(render_summary(lang, result)))
    return 0


async def settings_show(settings: Settings, school_name: str) -> int:
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            school = await school_by_name(session=session, name=school_name)
            if school is None:
                print(_say(settings, "cli.unknown_school", name=school_name), file=sys.stderr)
                return 1
            policies = await load_policies(session=session, school_id=school.id or 0)
    finally:
        await engine.dispose()
    for item in SPECS:
        marker = "" if policies.is_default(item.key) else " *"
        description = _say(settings, f"policy.{item.key}")
        print(f"{item.key} = {policies.raw(item.key)}{marker}\t{description} [{item.allowed()}]")
    print(_say(settings, "cli.settings_legend"))
    return 0


async def settings_set(settings: Settings, school_name: str, key: str, value: str) -> int:
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    clock = SystemClock(settings.timezone)
    try:
        async with session_factory(engine)() as session, session.begin():
            school = await school_by_name(session=session, name=school_name)
            if school is None:
                print(_say(settings, "cli.unknown_school", name=school_name), file=sys.stderr)
                return 1
            try:
                old, new = await set_policy(
                    session=session,
                    school_id=school.id or 0,
                    key=key,
                    raw_value=value,
                    by=None,
                    now=clock.now(),
                )
            except KeyError:
                print(_say(settings, "cli.unknown_policy", key=key), file=sys.stderr)
                return 1
            except PolicyError as exc:
                print(
                    _say(settings, "settings.bad_value", key=key, value=value, allowed=exc.allowed),
                    file=sys.stderr,
                )
                return 1
            await audit.record(
                session=session,
                at=clock.now(),
                action="policy_changed",
                school_id=school.id,
                subject_type="policy",
                detail={"key": key, "old": old, "new": new, "via": "cli"},
            )
            if spec(key).schedules:
                await bump_schedule_version(session=session, school_id=school.id or 0)
    finally:
        await engine.dispose()
    print(_say(settings, "settings.changed", key=key, old=old, new=new))
    return 0
