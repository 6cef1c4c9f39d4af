"""Importing a school's own files: the kinds of import and the one entry point (the answers are
written in views/imports.py).

Every kind is one `ImportKind` in `IMPORT_KINDS`: its columns, a pure parser, a check against
the database and a writer. `import_table` reads the file, parses it, checks it, and writes only
when nothing at all is wrong; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from rules import (
    import_bells,
    import_calendar,
    import_duty,
    import_events,
    import_staff,
    import_timetable,
)
from rules.import_errors import ImportFailed, RowError
from rules.importing import Counts, Notice, Parsed, PartialRow
from rules.tabular import Column, Sheet, match_columns, read_table
from storage import audit
from storage.import_bells import write_bells
from storage.import_calendar import write_calendar
from storage.import_duty import check_duty, write_duty
from storage.import_events import check_events, write_events
from storage.import_staff import check_staff, write_staff
from storage.import_timetable import check_timetable, write_timetable
from storage.schools import bump_schedule_version
from storage.staff import staff_for_telegram

__all__ = [
    "IMPORT_KINDS",
    "ImportFailed",
    "ImportKind",
    "ImportResult",
    "Prepared",
    "RowError",
    "import_prepared",
    "import_table",
    "kind_named",
    "prepare_import",
]


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


# Called with session, school_id, sheet and records as keywords, and `now` too when the kind is
# `dated` (a writer that needs the day requires it, one that only may use it has a default):
# two shapes a single Protocol cannot state.
Writer = Callable[..., Awaitable[Counts]]


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
