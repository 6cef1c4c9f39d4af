"""The `staffroom` command line (same as `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings
from rules.report_requests import KINDS

EXIT_SETTINGS = 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="staffroom",
        description="Staffroom: the Telegram bot for a school's staff group.",
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the bot (long polling, or a webhook); needs TELEGRAM_BOT_TOKEN"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook (WEBHOOK_URL, WEBHOOK_SECRET; on when WEBHOOK_URL is set)",
    )
    commands.add_parser("migrate", help="bring the database to the newest schema")
    play = commands.add_parser(
        "playground", help="try the bot with no token: local simulator, demo school, terminal"
    )
    play.add_argument("--fresh", action="store_true", help="start from a new demo database")
    play.add_argument(
        "--webhook", action="store_true", help="the simulator posts updates to a webhook"
    )
    demo = commands.add_parser("demo", help="a scripted school day through the simulator")
    demo.add_argument("--quiet", action="store_true", help="print only the summary")

    saved = commands.add_parser(
        "backup",
        help="write a consistent copy of the database while the bot runs",
        description=(
            "SQLite: a copy of the database file (SQLite's online backup API). PostgreSQL: "
            "Staffroom's portable dump (JSON lines; gzip-compressed when FILE ends in .gz), which "
            "restores into either database."
        ),
    )
    saved.add_argument("file", type=Path, metavar="FILE")
    restored = commands.add_parser(
        "restore", help="load a backup into an empty database (DATABASE_URL) and check it"
    )
    restored.add_argument("file", type=Path, metavar="FILE")

    health = commands.add_parser(
        "health",
        help="check the running bot: exit code 0 when healthy, 1 when not",
        description=(
            "Checks that the database is reachable and at the newest schema, that `staffroom run` "
            "on this machine beat recently (its scheduler runs and it polls Telegram), and that "
            "no message has waited too long to be sent. For a container's HEALTHCHECK or systemd."
        ),
    )
    health.add_argument(
        "--outbox-minutes",
        type=float,
        default=10.0,
        metavar="N",
        help="unhealthy when a message has waited longer than this (default 10)",
    )

    school = commands.add_parser("school", help="manage schools")
    school_cmds = school.add_subparsers(dest="school_command", metavar="ACTION", required=True)
    add = school_cmds.add_parser("add", help="create a school")
    add.add_argument("name")
    add.add_argument("--timezone", default=None, help="IANA time zone (default: TIMEZONE)")
    school_cmds.add_parser("list", help="list the schools")

    importer = commands.add_parser("import", help="import a CSV/XLSX file into a school")
    importer.add_argument("kind", help="staff | timetable | bells | calendar | events | duty")
    importer.add_argument("file", type=Path)
    importer.add_argument("--school", required=True)

    settings = commands.add_parser("settings", help="show or change a school's policies")
    settings_cmds = settings.add_subparsers(
        dest="settings_command", metavar="ACTION", required=True
    )
    show = settings_cmds.add_parser("show", help="list every policy with its value")
    show.add_argument("--school", required=True)
    change = settings_cmds.add_parser("set", help="change one policy")
    change.add_argument("key")
    change.add_argument("value")
    change.add_argument("--school", required=True)

    reports = commands.add_parser(
        "report",
        help="write one of a school's reports as an Excel workbook",
        description=(
            "Writes a report of a school for a period as an .xlsx workbook. KIND is one of: "
            "cover (代课统计: each cover lesson, totals, balance, pay), "
            "leave (考勤汇总: days per leave type, lessons missed and covered), "
            "homework (作业公示记录: postings, daily totals against the cap), "
            "duty (值周巡课记录: who stood which post, patrol reports), "
            "training (学时台账: hours per teacher against the target)."
        ),
    )
    reports.add_argument("kind", choices=KINDS, metavar="KIND", help=" | ".join(KINDS))
    reports.add_argument("--school", required=True, metavar="NAME")
    reports.add_argument(
        "--from",
        dest="start",
        required=True,
        type=_day,
        metavar="DATE",
        help="first day, YYYY-MM-DD",
    )
    reports.add_argument(
        "--to", dest="end", required=True, type=_day, metavar="DATE", help="last day, YYYY-MM-DD"
    )
    reports.add_argument(
        "-o", "--output", type=Path, default=None, metavar="FILE", help="default: the report's name"
    )
    reports.add_argument(
        "--chart",
        type=Path,
        default=None,
        metavar="PNG",
        help="also draw the chart (cover, leave, homework, training) into this file",
    )
    reports.add_argument("--lang", choices=("zh", "en"), default=None, help="default: LANGUAGE")
    return root


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def main(argv: Sequence[str] | None = None) -> int:
    # Durations from python-telegram-bot as timedelta (its future default); the old integer form
    # warns on every RetryAfter.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 0
    try:
        settings = load_settings()
    except SettingsError as exc:
        print("Staffroom cannot start; fix these settings (environment or .env):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_SETTINGS
    if args.command == "run":
        # The bot's own loop: python-telegram-bot runs it and handles the stop signals.
        from bot import runner

        return runner.run(settings, webhook=args.webhook)
    return asyncio.run(dispatch(args, settings))


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here so that `staffroom --help` and a settings error stay instant.
    from bot import admin_cli

    try:
        return await _dispatch(args, settings)
    except admin_cli.CliError as error:
        return admin_cli.report(error)


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import admin_cli

    if args.command == "migrate":
        return await admin_cli.migrate(settings)
    if args.command == "playground":
        from bot.playground import playground

        return await playground(settings, fresh=args.fresh, webhook=args.webhook)
    if args.command == "demo":
        from demo.script import run_demo

        return await run_demo(settings, quiet=args.quiet)
    if args.command in ("backup", "restore"):
        from bot import backup_cli

        if args.command == "backup":
            return await backup_cli.make_backup(settings, args.file)
        return await backup_cli.restore_backup(settings, args.file)
    if args.command == "health":
        from bot.health_cli import health

        return await health(settings, outbox_minutes=args.outbox_minutes)
    if args.command == "school":
        if args.school_command == "add":
            return await admin_cli.school_add(settings, args.name, args.timezone)
        return await admin_cli.school_list(settings)
    if args.command == "import":
        return await admin_cli.import_file(settings, args.kind, args.file, args.school)
    if args.command == "settings":
        if args.settings_command == "show":
            return await admin_cli.settings_show(settings, args.school)
        return await admin_cli.settings_set(settings, args.school, args.key, args.value)
    if args.command == "report":
        return await admin_cli.write_report(
            settings,
            args.kind,
            args.school,
            args.start,
            args.end,
            args.output,
            args.lang,
            chart=args.chart,
        )
    return 1
