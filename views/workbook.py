"""A workbook for printing and filing, from plain rows: a title row, a frozen header row, set
widths, dates as dates and numbers as numbers, a totals row, one sheet per part; landscape, fit to
the page's width, the header row repeated on every page. Text that came from people is written as
text: a value starting with = + - @ never becomes a formula."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.texts import t

FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_LINE = Side(style="thin")
_GRID = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)


@dataclass(frozen=True)
class Column:
    key: str  # report.col.<key>, or a ready header when `header` is given
    width: int
    number_format: str = ""
    header: str = ""


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: list[list[object]]
    totals: list[object] | None = None
    note: str = ""
    title: str = ""  # the title row when it differs from the book's (a part of the report)


@dataclass
class Book:
    """What a report is made of before it is written out."""

    title: str
    sheets: list[Sheet] = field(default_factory=list)


def _write_value(cell: object, value: object) -> None:
    cell.value = value  # type: ignore[attr-defined]
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Written as text, marked so a spreadsheet shows it as typed and never evaluates it.
        cell.data_type = "s"  # type: ignore[attr-defined]
        cell.quotePrefix = True  # type: ignore[attr-defined]


def _sheet(ws: Worksheet, lang: str, heading: str, sheet: Sheet) -> None:
    ws.title = sheet.name[:31]
    width = len(sheet.columns)
    ws.cell(1, 1).value = sheet.title or heading
    ws.cell(1, 1).font = _TITLE
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(2, index)
        cell.value = column.header or t(lang, f"report.col.{column.key}")
        cell.font = _BOLD
        cell.border = _GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    row_index = 2
    for row in sheet.rows:
        row_index += 1
        for index, (column, value) in enumerate(zip(sheet.columns, row, strict=True), start=1):
            cell = ws.cell(row_index, index)
            _write_value(cell, value)
            cell.border = _GRID
            if column.number_format and not isinstance(value, str):
                cell.number_format = column.number_format
    if not sheet.rows:
        row_index += 1
        ws.cell(row_index, 1).value = t(lang, "report.no_records")
    if sheet.totals is not None:
        row_index += 1
        for index, (column, value) in enumerate(
            zip(sheet.columns, sheet.totals, strict=True), start=1
        ):
            cell = ws.cell(row_index, index)
            _write_value(cell, value)
            cell.font = _BOLD
            cell.border = _GRID
            if column.number_format and not isinstance(value, str):
                cell.number_format = column.number_format
    if sheet.note:
        ws.cell(row_index + 2, 1).value = sheet.note
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.print_options.horizontalCentered = True


def write(lang: str, book: Book) -> bytes:
    workbook = Workbook()
    first = True
    for sheet in book.sheets:
        ws = workbook.active if first else workbook.create_sheet()
        assert ws is not None
        first = False
        _sheet(ws, lang, book.title, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
