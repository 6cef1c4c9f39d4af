"""Importing a school's own files: the kinds of import, the one entry point, and its answers.

Every kind is one `ImportKind` in `IMPORT_KINDS`: its columns, a pure parser, a check against
the database and a writer. `import_table` reads the file, parses it, checks it, and writes only
when nothing at all is wrong; the caller owns the transaction.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.texts import Safe, escape, t
from rules import (
    import_bells,
    import_calendar,
    import_duty,
    import_events,
    import_staff,
    import_timetable,
)
from rules.import_errors import Bilingual, ImportFailed, RowError
from rules.importing import Counts, Notice, Parsed, PartialRow
from rules.tabular import MAX_BYTES, MAX_ROWS, Column, Sheet, match_columns, read_table
from storage import audit
from storage.import_bells import write_bells
from storage.import_calendar import write_calendar
from storage.import_duty import check_duty, write_duty
from storage.import_events import check_events, write_events
from storage.import_staff import check_staff, write_staff
from storage.import_timetable import check_timetable, write_timetable
from storage.schools import bump_schedule_version
from storage.staff import staff_for_telegram
from views.common import day_label

__all__ = [
    "IMPORT_KINDS",
    "ImportFailed",
    "ImportKind",
    "ImportResult",
    "Prepared",
    "Rerun",
    "RowError",
    "import_prepared",
    "import_table",
    "kind_named",
    "prepare_import",
    "render_error",
    "render_errors",
    "render_summary",
    "render_usage",
]

MAX_SHOWN_ERRORS = 20
# Hints that tell a chat user to send /import or the file again, and what the command line says
# instead: there the file is named on the command, and run again.
_CLI_KEYS = {
    "import.nothing_imported": "import.nothing_imported_cli",
    "import.err.unknown_column": "import.err.unknown_column_cli",
    "import.note.periods_without_bells": "import.note.periods_without_bells_cli",
}


_PLAIN_WORD = re.compile(r"[^\s'\"\\$`!&|;<>()*?#~{}\[\]]+")


@dataclass(frozen=True)
class Rerun:
    """The command-line import the answer is for, so that its hints name that command."""

    kind: str
    file: str
    school: str

    @property
    def command(self) -> str:
        words = ("staffroom", "import", self.kind, self.file, "--school", self.school)
        return " ".join(_shell_word(word) for word in words)

    def values(self, lang: str, key: str) -> dict[str, object]:
        """What a command-line hint needs besides the problem's own values."""
        spec = IMPORT_KINDS.get(self.kind)
        columns = _columns(lang, spec) if spec is not None else ""
        return {"command": self.command, "school": _shell_word(self.school), "columns": columns}


def _shell_word(word: str) -> str:
    """A word as it can be pasted into a shell: quoted only when the shell would split or
    expand it (shlex would quote every Chinese name too)."""
    return word if _PLAIN_WORD.fullmatch(word) else shlex.quote(word)


class Checker(Protocol):
    def __call__(
        self,
        *,
        session: AsyncSession,
        school_id: int,
        sheet: Sheet,
        records: list[Any],
        partial: Sequence[PartialRow],
    ) -> Awaitable[list[RowError]]: ...


class Writer(Protocol):
    def __call__(
        self, *, session: AsyncSession, school_id: int, sheet: Sheet, records: list[Any]
    ) -> Awaitable[Counts]: ...


async def no_check(
    *,
    session: AsyncSession,
    school_id: int,
    sheet: Sheet,
    records: list[Any],
    partial: Sequence[PartialRow] = (),
) -> list[RowError]:
    return []


@dataclass(frozen=True)
class ImportKind:
    """One kind of file a school can import.

    `check` finds what only the database can tell (an unknown teacher) and must not write; it
    sees the good rows and the readable cells of the rejected ones (`partial`), so one answer
    names every problem. `write` runs only after the file passed every check.
    """

    name: str
    columns: tuple[Column, ...]
    parse: Callable[[Sheet], Parsed[Any]]
    write: Writer
    check: Checker = no_check
    moves_schedule: bool = False  # timetable, bells and calendar decide when pushes go out
    aliases: tuple[str, ...] = ()  # other words an admin may type after /import
    # The writer also takes `now`: a duty rotation starts on the day its list was imported.
    dated: bool = False


IMPORT_KINDS: Mapping[str, ImportKind] = {
    kind.name: kind
    for kind in (
        ImportKind(
            "staff",
            import_staff.COLUMNS,
            import_staff.parse_staff,
            write_staff,
            check_staff,
            aliases=("名册", "教职工", "roster"),
        ),
        ImportKind(
            "timetable",
            import_timetable.COLUMNS,
            import_timetable.parse_timetable,
            write_timetable,
            check_timetable,
            moves_schedule=True,
            aliases=("课表", "课程表"),
        ),
        ImportKind(
            "bells",
            import_bells.COLUMNS,
            import_bells.parse_bells,
            write_bells,
            moves_schedule=True,
            aliases=("作息", "作息时间", "作息表"),
        ),
        ImportKind(
            "calendar",
            import_calendar.COLUMNS,
            import_calendar.parse_calendar,
            write_calendar,
            moves_schedule=True,
            aliases=("校历",),
        ),
        ImportKind(
            "events",
            import_events.COLUMNS,
            import_events.parse_events,
            write_events,
            check_events,
            moves_schedule=True,
            aliases=("活动", "教研", "会议", "培训", "event"),
            dated=True,
        ),
        ImportKind(
            "duty",
            import_duty.COLUMNS,
            import_duty.parse_duty,
            write_duty,
            check_duty,
            moves_schedule=True,
            aliases=("值班", "值班表", "值日"),
            dated=True,
        ),
    )
}


@dataclass(frozen=True)
class ImportResult:
    kind: str
    rows: int
    created: int
    updated: int
    removed: int
    unchanged: int
    notices: tuple[Notice, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def kind_named(text: str) -> str | None:
    """The import kind an admin meant by `staff`, `课表`…, or None."""
    wanted = text.strip().casefold()
    for kind in IMPORT_KINDS.values():
        if wanted == kind.name or wanted in kind.aliases:
            return kind.name
    return None


@dataclass(frozen=True)
class Prepared:
    """A file read and parsed, not yet checked against the database."""

    kind: str
    filename: str
    sheet: Sheet
    parsed: Parsed[Any]


def prepare_import(
    *, kind: str, data: bytes, filename: str, today: date, seconds: float | None = None
) -> Prepared:
    """Reads and parses the file: no database, so it may run on a thread of its own.

    Raises ImportFailed for what is wrong with the file as a whole; the problems of its rows
    are kept in the result, to be reported together with what the database checks find.
    """
    spec = IMPORT_KINDS.get(kind)
    if spec is None:
        raise ImportFailed.whole_file(
            "import.err.unknown_kind", kind=kind, kinds=list(IMPORT_KINDS)
        )
    table = read_table(data, filename, seconds=seconds)
    sheet = replace(match_columns(table, spec.columns), today=today)
    if not sheet.rows:
        raise ImportFailed.whole_file("import.err.no_rows")
    return Prepared(kind, filename, sheet, spec.parse(sheet))


async def import_table(
    *,
    session: AsyncSession,
    school_id: int,
    kind: str,
    data: bytes,
    filename: str,
    now: datetime,
    actor_telegram_id: int | None,
) -> ImportResult:
    """Imports the file, or raises ImportFailed naming every problem before writing anything."""
    prepared = prepare_import(kind=kind, data=data, filename=filename, today=now.date())
    return await import_prepared(
        session=session,
        school_id=school_id,
        prepared=prepared,
        now=now,
        actor_telegram_id=actor_telegram_id,
    )


async def import_prepared(
    *,
    session: AsyncSession,
    school_id: int,
    prepared: Prepared,
    now: datetime,
    actor_telegram_id: int | None,
) -> ImportResult:
    """Checks a parsed file against the database and writes it when nothing is wrong."""
    kind, filename, sheet, parsed = (
        prepared.kind,
        prepared.filename,
        prepared.sheet,
        prepared.parsed,
    )
    spec = IMPORT_KINDS[kind]
    # The database checks run even when the parse found problems: the admin fixes the file
    # once, not once per kind of problem.
    checked = await spec.check(
        session=session,
        school_id=school_id,
        sheet=sheet,
        records=parsed.records,
        partial=parsed.partial,
    )
    if parsed.errors or checked:
        # Stable by line, so each row's problems are listed together, in the order found.
        raise ImportFailed(sorted(parsed.errors + checked, key=lambda e: e.line or 0))
    dated: dict[str, Any] = {"now": now} if spec.dated else {}
    counts = await spec.write(
        session=session, school_id=school_id, sheet=sheet, records=parsed.records, **dated
    )
    if spec.moves_schedule and counts.changed:
        # A running bot notices the new version even when the import came from the command line.
        await bump_schedule_version(session=session, school_id=school_id)
    result = ImportResult(
        kind=kind,
        rows=len(parsed.records),
        created=counts.created,
        updated=counts.updated,
        removed=counts.removed,
        unchanged=counts.unchanged,
        notices=tuple(counts.notices),
    )
    await audit.record(
        session=session,
        at=now,
        action=f"import_{kind}",
        school_id=school_id,
        actor_telegram_id=actor_telegram_id,
        actor_staff_id=await _staff_id(session, school_id, actor_telegram_id),
        detail={
            "file": filename,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "removed": result.removed,
            "unchanged": result.unchanged,
        },
    )
    return result


async def _staff_id(session: AsyncSession, school_id: int, telegram_id: int | None) -> int | None:
    if telegram_id is None:
        return None
    linked = await staff_for_telegram(session=session, telegram_id=telegram_id)
    return next((s.id for s in linked if s.school_id == school_id), None)


def _value(lang: str, value: object) -> object:
    """A placeholder value in `lang`: bilingual names picked, lists joined."""
    if isinstance(value, Bilingual):
        return value.in_language(lang)
    if isinstance(value, date) and not isinstance(value, datetime):
        return day_label(lang, value)
    if isinstance(value, list | tuple):
        separator = t(lang, "common.list_sep")
        return Safe(separator.join(escape(_value(lang, item)) for item in value))
    return value


def _text(lang: str, key: str, values: Mapping[str, object]) -> Safe:
    return t(lang, key, **{name: _value(lang, value) for name, value in values.items()})


def _hint(lang: str, key: str, values: Mapping[str, object], rerun: Rerun | None) -> Safe:
    """The text of a problem or notice, as the command line says it when `rerun` is given."""
    if rerun is not None and key in _CLI_KEYS:
        return _text(lang, _CLI_KEYS[key], {**values, **rerun.values(lang, key)})
    return _text(lang, key, values)


def render_error(lang: str, error: RowError, rerun: Rerun | None = None) -> Safe:
    problem = _hint(lang, error.key, error.values, rerun)
    if error.line is None:
        return t(lang, "import.at_file", problem=problem)
    if error.column is None:
        return t(lang, "import.at_line", line=error.line, problem=problem)
    return t(
        lang, "import.at_cell", line=error.line, column=_value(lang, error.column), problem=problem
    )


def render_errors(lang: str, failed: ImportFailed, rerun: Rerun | None = None) -> str:
    """Why nothing was imported: the first problems by line, and how many more there are."""
    lines = [t(lang, "import.failed", count=len(failed.errors))]
    lines += [render_error(lang, e, rerun) for e in failed.errors[:MAX_SHOWN_ERRORS]]
    if len(failed.errors) > MAX_SHOWN_ERRORS:
        lines.append(t(lang, "import.more_errors", count=len(failed.errors) - MAX_SHOWN_ERRORS))
    lines.append(_hint(lang, "import.nothing_imported", {}, rerun))
    return "\n".join(lines)


def render_summary(lang: str, result: ImportResult, rerun: Rerun | None = None) -> str:
    lines = [
        t(lang, "import.done", kind=t(lang, f"import.kind.{result.kind}"), rows=result.rows),
        t(
            lang,
            "import.counts",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
    ]
    if result.removed:
        lines.append(t(lang, "import.removed", count=result.removed))
    if not result.changed:
        lines.append(t(lang, "import.no_changes"))
    lines += [_hint(lang, n.key, n.values, rerun) for n in result.notices]
    return "\n".join(lines)


def _columns(lang: str, kind: ImportKind) -> Safe:
    names = [c.name.in_language(lang) + ("*" if c.required else "") for c in kind.columns]
    return Safe(t(lang, "common.list_sep").join(escape(n) for n in names))


def render_usage(lang: str, kind: str | None = None) -> str:
    """How to import: every kind with its columns, or one kind in detail."""
    chosen = [IMPORT_KINDS[kind]] if kind is not None else list(IMPORT_KINDS.values())
    lines = [t(lang, "import.usage.title")]
    for spec in chosen:
        lines.append(
            t(
                lang,
                "import.usage.kind",
                name=spec.name,
                title=t(lang, f"import.kind.{spec.name}"),
                columns=_columns(lang, spec),
            )
        )
        if kind is not None:
            lines.append(t(lang, f"import.help.{spec.name}"))
    lines.append("")
    lines.append(
        t(lang, "import.usage.formats", limit_mb=MAX_BYTES // (1024 * 1024), max_rows=MAX_ROWS)
    )
    lines.append(t(lang, "import.usage.how", name=kind or chosen[0].name))
    return "\n".join(lines)
