"""A school's own spreadsheet, read into rows numbered as Excel shows them, with named columns.

Files come from Excel and WPS on office PCs: CSV saved as UTF-8, UTF-8 with BOM or GBK (the
default of Chinese Windows), with commas, tabs or semicolons, or an .xlsx workbook. Whatever the
format, the header is line 1 when it is the first row, and every data row keeps the line number
the user will look for in Excel.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

import openpyxl

from rules.import_errors import Bilingual, ImportFailed, RowError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# An .xlsx is a zip: 2 MB of it can unpack to gigabytes of XML that take minutes to read.
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
# The compound-file header of legacy .xls and WPS .et workbooks, which we do not read.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCODINGS = ("utf-8-sig", "gb18030")
DELIMITERS = (",", "\t", ";")

# Control characters and the private-use area never occur in a real roster; seeing them after a
# "successful" decode means the bytes were something else (UTF-16, a binary file).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff]")
_EDGE_SPACE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
# Templates often mark columns like `姓名*` or `姓名（必填）`; the hint is not part of the name.
_HEADER_HINT = re.compile(r"(\*|\([^)]*\))+$")
_HEADER_NOISE = re.compile(r"[\s_\-]+")
# Most school spreadsheets start with a running-number column; it carries no data to import.
ROW_NUMBER_HEADERS = frozenset({"序号", "no", "no.", "#"})


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """The header row and the non-empty rows under it, each with its Excel line number."""

    header_line: int
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]


@dataclass(frozen=True)
class Column:
    """A column an import understands: its canonical key and the headers that name it."""

    key: str
    zh: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> Bilingual:
        return Bilingual(self.zh, self.en)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.key, *self.aliases)


@dataclass(frozen=True)
class SheetRow:
    line: int
    cells: Mapping[str, str]

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass(frozen=True)
class Sheet:
    """A table whose headers were matched: cells are reached by canonical column key."""

    columns: tuple[Column, ...]
    labels: Mapping[str, str]  # canonical key -> the header as the file spells it
    rows: tuple[SheetRow, ...]
    # The importer's day: dates in the file must lie within reach of it (see rules.reach).
    today: date | None = None

    def has(self, key: str) -> bool:
        return key in self.labels

    def label(self, key: str) -> str | Bilingual:
        if key in self.labels:
            return self.labels[key]
        return next(c.name for c in self.columns if c.key == key)


def clean(text: str) -> str:
    """Strips a cell, including full-width and zero-width spaces."""
    return _EDGE_SPACE.sub("", text)


def cell_text(value: object) -> str:
    """An xlsx cell value as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return clean(str(value))


def column_letter(index: int) -> str:
    """Excel's name for the zero-based column `index`: A, B, … Z, AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def decode_text(data: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _NOT_TEXT.search(text):
            return text
    raise ImportFailed.whole_file("import.err.encoding")


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(data: bytes) -> Iterator[tuple[str, ...]]:
    text = decode_text(data)
    try:
        # Each record is one Excel row, even when a quoted cell spans several text lines.
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)):
            yield tuple(clean(cell) for cell in record)
    except csv.Error as exc:
        raise ImportFailed.whole_file("import.err.bad_csv") from exc


def _unzipped_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFailed.whole_file("import.err.bad_xlsx") from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[str, ...]]:
    if _unzipped_size(data) > MAX_UNZIPPED_BYTES:
        raise ImportFailed.whole_file(
            "import.err.too_complex", limit_mb=MAX_UNZIPPED_BYTES // (1024 * 1024)
        )
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (styles, validation); values survive.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or non-Excel zip fails in many library-specific ways
        raise ImportFailed.whole_file("import.err.bad_xlsx") from exc
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        # Some generators write a wrong sheet size, which would make read-only mode cut rows.
        sheet.reset_dimensions()
        try:
            for values in sheet.iter_rows(min_row=1, values_only=True):
                yield tuple(cell_text(v) for v in values)
        except Exception as exc:  # same reason as above, for a sheet damaged past its header
            raise ImportFailed.whole_file("import.err.bad_xlsx") from exc
    finally:
        book.close()


def read_table(data: bytes, filename: str = "", *, seconds: float | None = None) -> Table:
    """Reads a CSV or .xlsx file; raises ImportFailed with a file-level error it cannot read.

    `seconds` bounds the reading: past it the file is refused as too slow to read, and the
    reading stops (it runs on a thread of its own, which nothing else could stop).
    """
    if len(data) > MAX_BYTES:
        raise ImportFailed.whole_file("import.err.too_big", limit_mb=MAX_BYTES // (1024 * 1024))
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if data.startswith(ZIP_MAGIC):
        rows = _xlsx_rows(data)
    elif data.startswith(OLE_MAGIC):
        raise ImportFailed.whole_file("import.err.old_excel")
    elif suffix in ("xlsx", "xlsm"):
        raise ImportFailed.whole_file("import.err.bad_xlsx")
    else:
        rows = _csv_rows(data)
    deadline = monotonic() + seconds if seconds is not None else None
    return _table(rows, deadline, seconds)


def _table(
    rows: Iterator[tuple[str, ...]], deadline: float | None = None, seconds: float | None = None
) -> Table:
    header_line = 0
    headers: tuple[str, ...] = ()
    body: list[RawRow] = []
    for line, cells in enumerate(rows, start=1):
        # Empty rows count too: a crafted sheet can hold a million of them.
        if deadline is not None and monotonic() >= deadline:
            raise ImportFailed.whole_file("import.err.too_slow", seconds=f"{seconds:g}")
        if not any(cells):
            continue
        if not header_line:
            header_line, headers = line, _trim(cells)
            continue
        if len(body) == MAX_ROWS:
            raise ImportFailed.whole_file("import.err.too_many_rows", limit=MAX_ROWS)
        body.append(RawRow(line, _trim(cells)))
    if not header_line:
        raise ImportFailed.whole_file("import.err.empty_file")
    return Table(header_line, headers, tuple(body))


def _trim(cells: tuple[str, ...]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def header_key(text: str) -> str:
    """How headers are compared: NFKC, case-folded, without spaces, underscores or hints."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    return _HEADER_NOISE.sub("", _HEADER_HINT.sub("", text).strip())


def _without_title(table: Table, known: Collection[str]) -> Table:
    """Drops a one-cell title row above the header (`某某小学教职工名册`), common in school files.

    Only when the row below it names a known column, so a real header is never skipped.
    """
    title = [h for h in table.headers if h]
    if len(title) != 1 or header_key(title[0]) in known or not table.rows:
        return table
    below = table.rows[0]
    if not any(header_key(cell) in known for cell in below.cells):
        return table
    return Table(below.line, below.cells, table.rows[1:])


def match_columns(table: Table, columns: Sequence[Column]) -> Sheet:
    """Maps the file's headers to `columns`; every header problem is reported at once."""
    lookup = {header_key(s): (column, s) for column in columns for s in column.spellings}
    table = _without_title(table, lookup)
    line = table.header_line
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        if not header:
            if any(index < len(row.cells) and row.cells[index] for row in table.rows):
                errors.append(
                    RowError(
                        line, None, "import.err.unnamed_column", {"letter": column_letter(index)}
                    )
                )
            continue
        if header_key(header) in ROW_NUMBER_HEADERS:
            continue
        found = lookup.get(header_key(header))
        if found is None:
            close = difflib.get_close_matches(header_key(header), list(lookup), n=1, cutoff=0.5)
            if close:
                suggestion = lookup[close[0]][1]
                errors.append(
                    RowError(
                        line, header, "import.err.unknown_column_close", {"suggestion": suggestion}
                    )
                )
            else:
                errors.append(RowError(line, header, "import.err.unknown_column"))
            continue
        column = found[0]
        if column.key in positions:
            errors.append(
                RowError(line, header, "import.err.duplicate_column", {"other": labels[column.key]})
            )
            continue
        positions[column.key], labels[column.key] = index, header
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(RowError(line, None, "import.err.missing_column", {"name": column.name}))
    width = len(table.headers)
    for row in table.rows:
        # Rows are trimmed, so a row longer than the header has a value past its last column.
        if len(row.cells) > width:
            first = next(i for i in range(width, len(row.cells)) if row.cells[i])
            errors.append(
                RowError(
                    row.line, None, "import.err.beyond_header", {"letter": column_letter(first)}
                )
            )
    if errors:
        raise ImportFailed(errors)
    rows = tuple(
        SheetRow(
            row.line,
            {key: row.cells[i] if i < len(row.cells) else "" for key, i in positions.items()},
        )
        for row in table.rows
    )
    return Sheet(tuple(columns), labels, rows)
