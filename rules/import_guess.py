"""Which import a file sent without a caption looks like, from its header row and its name.

An admin who drops `课表.xlsx` into the chat without `/import timetable` should be told the
caption to use, not met with silence. The header row says it best: the kind whose required
columns are all there and which explains most of the headers wins; the file name (`课表`,
`bells`) decides between equals, and alone when the headers name no kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rules.tabular import ROW_NUMBER_HEADERS, Column, Table, header_key


@dataclass(frozen=True)
class KindShape:
    """What a kind of import looks like: its columns and the words that name it."""

    columns: Sequence[Column]
    words: Sequence[str]  # its name and aliases (`timetable`, `课表`, `课程表`)


@dataclass(frozen=True)
class Fit:
    kind: str
    complete: bool  # every required column is there
    matched: int  # headers the kind understands
    unknown: int  # headers it does not
    named: bool  # the file name names the kind


def _fit(kind: str, shape: KindShape, headers: Sequence[str], filename: str) -> Fit:
    spellings = {header_key(s): column.key for column in shape.columns for s in column.spellings}
    keys = [header_key(h) for h in headers if h.strip()]
    keys = [k for k in keys if k not in ROW_NUMBER_HEADERS]
    found = {spellings[k] for k in keys if k in spellings}
    required = {column.key for column in shape.columns if column.required}
    name = filename.casefold()
    return Fit(
        kind,
        complete=required <= found,
        matched=len(found),
        unknown=sum(1 for k in keys if k not in spellings),
        named=any(word.casefold() in name for word in shape.words),
    )


def _header_rows(table: Table | None) -> list[Sequence[str]]:
    """The header row, and the row below it when the first is a one-cell title
    (`某某小学课程表`)."""
    if table is None:
        return []
    rows: list[Sequence[str]] = [table.headers]
    if len([h for h in table.headers if h.strip()]) == 1 and table.rows:
        rows.append(table.rows[0].cells)
    return rows


def guess_kind(table: Table | None, filename: str, kinds: Mapping[str, KindShape]) -> str | None:
    """The import kind the file most likely is, or None when neither headers nor name tell.

    `table` is None when the file could not be read as a table at all.
    """
    fits = [
        _fit(kind, shape, headers, filename)
        for headers in _header_rows(table) or [()]
        for kind, shape in kinds.items()
    ]
    complete = [fit for fit in fits if fit.complete and fit.matched]
    if complete:
        best = max(complete, key=lambda f: (f.matched - f.unknown, f.named, -f.unknown))
        return best.kind
    named = [fit for fit in fits if fit.named]
    if named:
        return max(named, key=lambda f: f.matched).kind
    return None
