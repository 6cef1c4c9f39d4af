"""The duty-roster import: posts with their time windows, and who is on them.

One row per person on a post: either with a weekday (周一…周五, as offices write the patrol roster,
seed 000) or with a place in a rotation (顺序). A post is known by its name and start time, so the
same name may appear with two windows (护学岗 07:20 and 11:20); all rows of one post must agree
on its window and on how it is assigned. One person per post per day: a post that needs two
people is two posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from rules.import_errors import RowError, weekday_name
from rules.importing import (
    CellError,
    Parsed,
    PartialRow,
    RowReader,
    named_cells,
    normalise,
    parse_time,
    unknown_names,
)
from rules.importing import parse_weekday as parse_any_weekday
from rules.rota import ROTATION, WEEKDAY
from rules.tabular import Column, Sheet

MAX_POST = 50
MAX_NAME = 50
MAX_ORDER = 999

COLUMNS = (
    Column("post", "岗位", "post", required=True, aliases=("值班岗位", "岗位名称", "duty")),
    Column("start", "开始", "start", required=True, aliases=("开始时间", "from")),
    Column("end", "结束", "end", required=True, aliases=("结束时间", "to")),
    Column("weekday", "星期", "weekday", aliases=("周几", "day")),
    Column("order", "顺序", "order", aliases=("轮值顺序", "轮次", "turn")),
    Column(
        "teacher", "教师", "teacher", required=True, aliases=("老师", "值班教师", "值班人", "姓名")
    ),
)


@dataclass(frozen=True)
class DutyRecord:
    line: int
    post: str
    start: time
    end: time
    weekday: int | None  # ISO weekday 1–5 for a weekday post
    order: int | None  # place in the rotation for a rotating post
    teacher: str

    @property
    def post_key(self) -> tuple[str, time]:
        return (self.post, self.start)

    @property
    def mode(self) -> str:
        return WEEKDAY if self.weekday is not None else ROTATION


def parse_school_weekday(text: str) -> int:
    """周一…周五: a make-up Saturday follows one of these, so a weekend row would never apply."""
    weekday = parse_any_weekday(text)
    if weekday > 5:
        raise CellError("import.err.duty_weekend", value=text)
    return weekday


def parse_order(text: str) -> int:
    value = normalise(text).removeprefix("第").removesuffix("位")
    if not value.isdigit() or not 1 <= int(value) <= MAX_ORDER:
        raise CellError("import.err.bad_order", value=text, max=MAX_ORDER)
    return int(value)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def parse_duty(sheet: Sheet) -> Parsed[DutyRecord]:
    parsed: Parsed[DutyRecord] = Parsed()
    for row in sheet.rows:
        cells = RowReader(sheet, row, parsed.errors)
        post = cells.text("post", required=True, max_len=MAX_POST)
        start = cells.read("start", parse_time, required=True)
        end = cells.read("end", parse_time, required=True)
        weekday = cells.read("weekday", parse_school_weekday)
        order = cells.read("order", parse_order)
        teacher = cells.text("teacher", required=True, max_len=MAX_NAME)
        if start is not None and end is not None and not start < end:
            cells.fail("end", "import.err.start_after_end", start=_hhmm(start), end=_hhmm(end))
        if weekday is not None and order is not None:
            cells.fail("order", "import.err.duty_both")
        elif cells.ok and not row["weekday"] and not row["order"]:
            cells.fail(None, "import.err.duty_neither")
        if not cells.ok or start is None or end is None:
            parsed.partial.append(cells.partial(teacher=teacher))
            continue
        parsed.records.append(DutyRecord(row.line, post, start, end, weekday, order, teacher))
    parsed.errors += post_conflicts(sheet, parsed.records)
    return parsed


def post_conflicts(sheet: Sheet, records: list[DutyRecord]) -> list[RowError]:
    """Rows of one post that disagree: its window, how it is assigned, a weekday or turn twice."""
    errors: list[RowError] = []
    first: dict[tuple[str, time], DutyRecord] = {}
    taken: dict[tuple[str, time, str, int], DutyRecord] = {}
    for record in records:
        head = first.setdefault(record.post_key, record)
        if record.end != head.end:
            errors.append(
                RowError(
                    record.line,
                    sheet.label("end"),
                    "import.err.duty_window",
                    {"post": record.post, "end": _hhmm(head.end), "other_line": head.line},
                )
            )
            continue
        if record.mode != head.mode:
            errors.append(
                RowError(
                    record.line,
                    None,
                    "import.err.duty_mixed",
                    {"post": record.post, "other_line": head.line},
                )
            )
            continue
        slot = record.weekday if record.weekday is not None else record.order
        assert slot is not None
        key = (record.post, record.start, record.mode, slot)
        clash = taken.setdefault(key, record)
        if clash is record:
            continue
        if record.weekday is not None:
            errors.append(
                RowError(
                    record.line,
                    sheet.label("weekday"),
                    "import.err.duty_weekday_taken",
                    {
                        "post": record.post,
                        "weekday": weekday_name(record.weekday),
                        "other_line": clash.line,
                    },
                )
            )
        else:
            errors.append(
                RowError(
                    record.line,
                    sheet.label("order"),
                    "import.err.duty_order_taken",
                    {"post": record.post, "order": slot, "other_line": clash.line},
                )
            )
    return errors


def unknown_people(
    sheet: Sheet,
    records: list[DutyRecord],
    staff_names: Iterable[str],
    partial: Iterable[PartialRow] = (),
) -> list[RowError]:
    """People who are not staff of the school, with the names most likely meant; `partial`
    adds the rows the parser rejected for another reason."""
    return unknown_names(sheet, "teacher", named_cells(records, partial, "teacher"), staff_names)
