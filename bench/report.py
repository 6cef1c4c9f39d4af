"""The table the benchmarks print."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass
class Row:
    measure: str
    figure: str
    target: str
    met: bool | None  # None: no target


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def print_table(rows: list[Row], machine: dict[str, object], quick: bool) -> None:
    size = "quick (a tenth of the size)" if quick else "full size"
    cpus = f"{machine['cpus']} CPUs ({machine['cpu']})"
    print(f"Staffroom benchmarks — {machine['date']}, {cpus}, Python {machine['python']}, {size}")
    widths = [
        max(_width(r.measure) for r in rows),
        max(_width(r.figure) for r in rows),
        max(_width(r.target) for r in rows),
    ]
    for row in rows:
        mark = "" if row.met is None else ("✓" if row.met else "✗ missed")
        cells = zip((row.measure, row.figure, row.target), widths, strict=True)
        print("  " + "  ".join(_pad(text, width) for text, width in cells) + f"  {mark}")
