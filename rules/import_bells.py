"""The bell-times import: when each period starts and ends, and what kind of slot it is (a
regular lesson, morning reading, noon supervision, evening study). The file replaces the whole
day; an empty kind keeps the one stored (a new period is a regular lesson)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from itertools import pairwise

from rules.import_errors import RowError
from rules.importing import CellError, Parsed, RowReader, parse_period, parse_time
from rules.slots import slot_kind
from rules.tabular import Column, Sheet

COLUMNS = (
    Column("period", "节次", "period", required=True, aliases=("节", "第几节")),
    Column(
        "start", "开始", "start", required=True, aliases=("开始时间", "上课", "上课时间", "from")
    ),
    Column("end", "结束", "end", required=True, aliases=("结束时间", "下课", "下课时间", "to")),
    Column("slot", "时段", "slot", aliases=("类型", "时段类型", "type", "kind", "slot kind")),
)


@dataclass(frozen=True)
class BellRecord:
    line: int
    period: int
    start: time
    end: time
    slot: str | None = None  # rules/slots.py SLOT_KINDS; None: keep what is stored


def parse_slot(text: str) -> str:
    kind = slot_kind(text)
    if kind is None:
        raise CellError("import.err.bad_slot", value=text)
    return kind


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def parse_bells(sheet: Sheet) -> Parsed[BellRecord]:
    parsed: Parsed[BellRecord] = Parsed()
    seen: dict[int, int] = {}
    for row in sheet.rows:
        cells = RowReader(sheet, row, parsed.errors)
        period = cells.read("period", parse_period, required=True)
        start = cells.read("start", parse_time, required=True)
        end = cells.read("end", parse_time, required=True)
        slot = cells.read("slot", parse_slot)
        if start is not None and end is not None and not start < end:
            cells.fail("end", "import.err.start_after_end", start=_hhmm(start), end=_hhmm(end))
        if period is not None and period in seen:
            cells.fail(
                "period", "import.err.duplicate_period", period=period, other_line=seen[period]
            )
        if not cells.ok or period is None or start is None or end is None:
            continue
        seen[period] = row.line
        parsed.records.append(BellRecord(row.line, period, start, end, slot))
    parsed.errors += _sequence_errors(sheet, parsed.records)
    return parsed


def _sequence_errors(sheet: Sheet, records: list[BellRecord]) -> list[RowError]:
    """Periods must follow each other in time; checking neighbours by number is enough,
    because times that increase with the number cannot overlap anywhere else."""
    ordered = sorted(records, key=lambda r: r.period)
    errors: list[RowError] = []
    for before, after in pairwise(ordered):
        if after.start >= before.end:
            continue
        key = "import.err.bell_order" if after.end <= before.start else "import.err.bell_overlap"
        errors.append(
            RowError(
                after.line,
                sheet.label("start"),
                key,
                {"period": after.period, "other_period": before.period, "other_line": before.line},
            )
        )
    return errors
