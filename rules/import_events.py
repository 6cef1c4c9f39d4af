"""The events import: weekly meetings and one-off training, one row each.

A row has a weekday (a weekly event) or a date (a one-off), never both. An event is known by
its title, day and audience, so a corrected start time or length updates it; events the file
does not mention are kept (a file may add just one training day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from rules.events import MAX_TITLE, Audience, EventError, parse_audience
from rules.importing import CellError, Parsed, RowReader, parse_date, parse_time, parse_weekday
from rules.tabular import Column, Sheet
from rules.training import CATEGORIES, HoursError, category_named, guess_category, parse_hours

COLUMNS = (
    Column("title", "名称", "title", required=True, aliases=("活动", "活动名称", "name")),
    Column("weekday", "星期", "weekday", aliases=("周几", "每周")),
    Column("date", "日期", "date", aliases=("day",)),
    Column("start", "开始", "start", required=True, aliases=("开始时间", "时间", "time")),
    Column("hours", "时长", "hours", required=True, aliases=("学时", "小时", "length")),
    Column("audience", "对象", "audience", aliases=("参加对象", "参加人员", "范围")),
    Column("category", "类别", "category", aliases=("分类", "类型", "type")),
)

EventKey = tuple[str, int | None, date | None, str]


@dataclass(frozen=True)
class EventRecord:
    line: int
    title: str
    weekday: int | None
    day: date | None
    start: time
    tenths: int
    audience: Audience
    category: str

    @property
    def key(self) -> EventKey:
        return (self.title, self.weekday, self.day, self.audience.encode())


def read_hours(text: str) -> int:
    try:
        return parse_hours(text)
    except HoursError as exc:
        raise CellError(exc.key, **exc.values) from exc


def read_audience(text: str) -> Audience:
    try:
        audience = parse_audience(text)
    except EventError as exc:
        raise CellError(exc.key, **exc.values) from exc
    if audience is None:
        raise CellError("import.err.bad_audience", value=text)
    return audience


def read_category(text: str) -> str:
    category = category_named(text)
    if category is None:
        raise CellError("import.err.bad_category", value=text, allowed="、".join(CATEGORIES))
    return category


def parse_events(sheet: Sheet) -> Parsed[EventRecord]:
    parsed: Parsed[EventRecord] = Parsed()
    seen: dict[EventKey, int] = {}
    for row in sheet.rows:
        cells = RowReader(sheet, row, parsed.errors)
        title = cells.text("title", required=True, max_len=MAX_TITLE)
        weekday = cells.read("weekday", parse_weekday)
        day = cells.read("date", parse_date)
        start = cells.read("start", parse_time, required=True)
        tenths = cells.read("hours", read_hours, required=True)
        audience = cells.read("audience", read_audience) or Audience()
        category = cells.read("category", read_category)
        if row["weekday"] and row["date"]:
            cells.fail("date", "import.err.event_weekday_and_date")
        elif not row["weekday"] and not row["date"]:
            cells.fail("weekday", "import.err.event_no_day")
        if not cells.ok or start is None or tenths is None:
            parsed.partial.append(cells.partial(audience=audience if row["audience"] else None))
            continue
        record = EventRecord(
            row.line,
            title,
            weekday,
            day,
            start,
            tenths,
            audience,
            category or guess_category(title),
        )
        if record.key in seen:
            cells.fail("title", "import.err.duplicate_event", other_line=seen[record.key])
            continue
        seen[record.key] = row.line
        parsed.records.append(record)
    return parsed
