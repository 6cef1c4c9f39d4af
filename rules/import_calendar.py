"""The school-calendar import: terms, closures and make-up working days (调休).

Entries are known by kind and first day, so a corrected end date or note updates the entry; the
calendar keeps entries the file does not mention (a file may add just one closure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.import_errors import RowError
from rules.importing import CellError, Parsed, RowReader, normalise, parse_date_span, parse_weekday
from rules.tabular import Column, Sheet

TERM = "term"
CLOSED = "closed"
MAKEUP = "makeup"
MAX_NOTE = 200

COLUMNS = (
    Column("date", "日期", "date", required=True, aliases=("dates", "日期范围")),
    Column("kind", "类型", "kind", required=True, aliases=("type",)),
    Column("weekday", "按周", "weekday", aliases=("按星期", "follows")),
    Column("note", "说明", "note", aliases=("备注", "名称", "notes")),
)

_KINDS = {
    "学期": TERM, "term": TERM, "semester": TERM,
    "停课": CLOSED, "放假": CLOSED, "closed": CLOSED, "closure": CLOSED, "holiday": CLOSED,
    "调休": MAKEUP, "补班": MAKEUP, "调休上班": MAKEUP, "makeup": MAKEUP, "make-up": MAKEUP,
    "makeupday": MAKEUP, "make-upday": MAKEUP, "workday": MAKEUP,
}  # fmt: skip


@dataclass(frozen=True)
class CalendarRecord:
    line: int
    kind: str
    start: date
    end: date
    weekday: int | None  # for a make-up day: whose timetable it follows; None is "not set yet"
    note: str


def parse_kind(text: str) -> str:
    kind = _KINDS.get(normalise(text))
    if kind is None:
        raise CellError("import.err.bad_kind", value=text)
    return kind


def parse_makeup_weekday(text: str) -> int:
    weekday = parse_weekday(text)
    if weekday > 5:
        raise CellError("import.err.makeup_weekday", value=text)
    return weekday


def parse_calendar(sheet: Sheet) -> Parsed[CalendarRecord]:
    parsed: Parsed[CalendarRecord] = Parsed()
    seen: dict[tuple[str, date], int] = {}
    for row in sheet.rows:
        cells = RowReader(sheet, row, parsed.errors)
        span = cells.read("date", parse_date_span, required=True)
        kind = cells.read("kind", parse_kind, required=True)
        weekday = cells.read("weekday", parse_makeup_weekday)
        note = cells.text("note", max_len=MAX_NOTE)
        if kind is not None and kind != MAKEUP and weekday is not None:
            cells.fail("weekday", "import.err.weekday_not_makeup")
        if kind == MAKEUP and span is not None and span[0] != span[1]:
            cells.fail("date", "import.err.makeup_range")
        if kind is not None and span is not None and (kind, span[0]) in seen:
            cells.fail("date", "import.err.duplicate_entry", other_line=seen[(kind, span[0])])
        if not cells.ok or kind is None or span is None:
            continue
        seen[(kind, span[0])] = row.line
        parsed.records.append(CalendarRecord(row.line, kind, span[0], span[1], weekday, note))
    parsed.errors += _term_overlaps(sheet, parsed.records)
    return parsed


def _term_overlaps(sheet: Sheet, records: list[CalendarRecord]) -> list[RowError]:
    errors: list[RowError] = []
    latest: CalendarRecord | None = None  # the term reaching furthest so far
    for term in sorted((r for r in records if r.kind == TERM), key=lambda r: r.start):
        if latest is not None and term.start <= latest.end:
            errors.append(
                RowError(
                    term.line,
                    sheet.label("date"),
                    "import.err.term_overlap",
                    {"other_line": latest.line},
                )
            )
        if latest is None or term.end > latest.end:
            latest = term
    return errors
