"""Reading the cells of an import, and what every kind of import has in common.

The cell readers (weekday, period, time, date, date range, grade) accept what Chinese school
offices actually type, full-width characters included, and raise CellError naming the problem.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Generic, TypeVar

from rules.classnames import (
    MAX_GRADE,
    ClassNameError,
    ClassRef,
    chinese_number,
    parse_class_name,
)
from rules.import_errors import RowError
from rules.reach import OUT_OF_RANGE, out_of_range_values, within_reach
from rules.tabular import Sheet, SheetRow

T = TypeVar("T")
R = TypeVar("R")

MAX_PERIOD = 12
MAX_TELEGRAM_ID = 2**63 - 1

_WEEKDAY_PREFIX = re.compile(r"^(周|星期|礼拜)")
_WEEKDAY_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_WEEKDAY_ENGLISH = {
    "mon": 1, "monday": 1,
    "tue": 2, "tues": 2, "tuesday": 2,
    "wed": 3, "wednesday": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4,
    "fri": 5, "friday": 5,
    "sat": 6, "saturday": 6,
    "sun": 7, "sunday": 7,
}  # fmt: skip
_PERIOD = re.compile(r"^第?(\d{1,2}|[一二三四五六七八九十]{1,3})(节课?)?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_RANGE_SEPARATOR = re.compile(r"\s*(?:~|至|到|—|–)\s*")
_STAGES = {"初": 6, "高": 9}
_GRADE = re.compile(r"^(?:grade|g)?([初高]?)(\d{1,2}|[一二三四五六七八九十]{1,2})(?:年级)?$")
_LANGUAGES = {
    "zh": "zh", "中文": "zh", "汉语": "zh", "chinese": "zh", "cn": "zh",
    "en": "en", "英文": "en", "英语": "en", "english": "en",
}  # fmt: skip


class CellError(ValueError):
    """A cell that cannot be read; `key` and `values` describe the problem for the catalogue."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def normalise(text: str) -> str:
    """NFKC, so that full-width digits, colons and tildes read like their ASCII twins."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def parse_weekday(text: str) -> int:
    """ISO weekday (1 = Monday) from 周一, 星期一, 一, 1, Mon, Monday…"""
    value = _WEEKDAY_PREFIX.sub("", normalise(text).rstrip("."))
    if value.isdigit() and 1 <= int(value) <= 7:
        return int(value)
    found = _WEEKDAY_WORDS.get(value) or _WEEKDAY_ENGLISH.get(value)
    if found is None:
        raise CellError("import.err.bad_weekday", value=text)
    return found


def parse_period(text: str) -> int:
    """A lesson period from 3, 第3节, 第三节."""
    match = _PERIOD.match(normalise(text))
    number = chinese_number(match[1]) if match else None
    if number is None:
        raise CellError("import.err.bad_period", value=text)
    if not 1 <= number <= MAX_PERIOD:
        raise CellError("import.err.period_range", value=text, max=MAX_PERIOD)
    return number


def parse_time(text: str) -> time:
    """A time of day from 8:00, 08:00, 8:00:00 (Excel) or 8：00."""
    match = _TIME.match(normalise(text))
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise CellError("import.err.bad_time", value=text)


def parse_date(text: str) -> date:
    """A date from 2026-10-10, 2026/10/10, 2026.10.10 or 2026年10月10日."""
    match = _DATE.match(normalise(text))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError("import.err.bad_date", value=text)


def parse_date_span(text: str) -> tuple[date, date]:
    """One day, or a range written 2026-09-01~2027-01-23 (also 至 or 到 between the dates)."""
    parts = _RANGE_SEPARATOR.split(unicodedata.normalize("NFKC", text).strip())
    if len(parts) == 1:
        day = parse_date(parts[0])
        return day, day
    if len(parts) != 2:
        raise CellError("import.err.bad_date", value=text)
    start, end = parse_date(parts[0]), parse_date(parts[1])
    if end < start:
        raise CellError("import.err.range_backwards", start=start, end=end)
    return start, end


def parse_grade(text: str) -> int:
    """A grade group from 3, 三, 三年级, 初一 (= 7), 高二 (= 11) or Grade 3."""
    match = _GRADE.match(normalise(text))
    number = chinese_number(match[2]) if match else None
    if match is None or number is None:
        raise CellError("import.err.bad_grade", value=text)
    if match[1]:
        number = number + _STAGES[match[1]] if number <= 3 else 0
    if not 1 <= number <= MAX_GRADE:
        raise CellError("import.err.bad_grade", value=text)
    return number


def parse_class(text: str) -> ClassRef:
    try:
        return parse_class_name(text)
    except ClassNameError as exc:
        raise CellError("import.err.bad_class", value=text) from exc


def parse_telegram_id(text: str) -> int:
    value = normalise(text)
    if not value.isdigit() or not 1 <= int(value) <= MAX_TELEGRAM_ID:
        # Excel shows long numbers as 1.23457E+09 and saves them so: the digits are lost.
        raise CellError("import.err.bad_telegram_id", value=text)
    return int(value)


def parse_language(text: str) -> str:
    code = _LANGUAGES.get(normalise(text))
    if code is None:
        raise CellError("import.err.bad_language", value=text)
    return code


def overlaps(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    """Whether two validity spans share a day; None is an open end."""
    return (a[0] is None or b[1] is None or a[0] <= b[1]) and (
        b[0] is None or a[1] is None or b[0] <= a[1]
    )


def nearest_names(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Names a mistyped one most likely meant (Chinese names are short, so the bar is low)."""
    return difflib.get_close_matches(name.strip(), list(known), n=limit, cutoff=0.3)


@dataclass(frozen=True)
class PartialRow:
    """A row the parser rejected, with the cells it could still read (by column key).

    The database checks look at these too, so that a row with a bad time and an unknown teacher
    is reported with both problems at once rather than one per attempt.
    """

    line: int
    cells: Mapping[str, object]


@dataclass
class Parsed(Generic[R]):
    """What a parser read: the records of the good rows, the readable cells of the rejected
    ones, and every problem it found."""

    records: list[R] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    partial: list[PartialRow] = field(default_factory=list)


def named_cells(
    records: Iterable[Any], partial: Iterable[PartialRow], key: str
) -> list[tuple[int, str]]:
    """(line, value) of one text column over the good rows and the rejected rows that read it."""
    found = [(r.line, str(getattr(r, key))) for r in records]
    found += [(p.line, str(p.cells[key])) for p in partial if p.cells.get(key)]
    return sorted(found)


def unknown_names(
    sheet: Sheet, column: str, named: Iterable[tuple[int, str]], known_names: Iterable[str]
) -> list[RowError]:
    """Names that are not staff of the school, with the names most likely meant."""
    known = list(known_names)
    errors: list[RowError] = []
    for line, name in named:
        if name in known:
            continue
        close = nearest_names(name, known)
        key = "import.err.unknown_teacher_close" if close else "import.err.unknown_teacher"
        errors.append(
            RowError(line, sheet.label(column), key, {"name": name, "suggestions": close})
        )
    return errors


@dataclass(frozen=True)
class Notice:
    """Something worth telling after a successful import (a new class, a gap to fill)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    notices: list[Notice] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


class RowReader:
    """Reads the cells of one row, collecting every problem instead of stopping at the first."""

    def __init__(self, sheet: Sheet, row: SheetRow, errors: list[RowError]) -> None:
        self.sheet = sheet
        self.row = row
        self.line = row.line
        self._errors = errors
        self.ok = True
        self._failed: set[str] = set()

    def fail(self, key: str | None, error: str, /, **values: object) -> None:
        column = self.sheet.label(key) if key is not None else None
        self._errors.append(RowError(self.line, column, error, values))
        self.ok = False
        if key is not None:
            self._failed.add(key)

    def partial(self, **cells: object) -> PartialRow:
        """The row's cells that read well (a failed or empty one left out), for the checks."""
        return PartialRow(
            self.line,
            {
                key: value
                for key, value in cells.items()
                if key not in self._failed and value is not None and value != ""
            },
        )

    def text(self, key: str, *, required: bool = False, max_len: int | None = None) -> str:
        value = self.row[key]
        if not value and required:
            self.fail(key, "import.err.required")
        elif max_len is not None and len(value) > max_len:
            self.fail(key, "import.err.too_long", limit=max_len)
        return value

    def read(self, key: str, parser: Callable[[str], T], *, required: bool = False) -> T | None:
        """The parsed cell, or None when it is empty (an error if required) or unreadable."""
        value = self.row[key]
        if not value:
            if required:
                self.fail(key, "import.err.required")
            return None
        try:
            parsed = parser(value)
        except CellError as exc:
            self.fail(key, exc.key, **exc.values)
            return None
        today = self.sheet.today
        if today is not None and not all(within_reach(d, today) for d in _dates_in(parsed)):
            self.fail(key, OUT_OF_RANGE, **out_of_range_values(value, today))
            return None
        return parsed


def _dates_in(value: object) -> list[date]:
    """The dates a parsed cell holds: one, or both ends of a range."""
    if isinstance(value, date):
        return [value]
    if isinstance(value, tuple):
        return [item for item in value if isinstance(item, date)]
    return []
