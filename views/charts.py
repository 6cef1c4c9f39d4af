"""Report charts as PNG: drawn headless with matplotlib's Agg canvas, without pyplot (no global
figure state, so a chart can be drawn in a worker thread while the bot answers others).

Every text is drawn with one font file given explicitly, Noto Sans SC (SIL Open Font License),
installed with the project by the `pylopdf-fonts-zh-cn` package: matplotlib's own default font
has no Chinese glyphs, and a chart must never show empty boxes. Without that file there is no
chart (`chart_font()` is None), rather than a chart nobody can read.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from bot.texts import t
from rules.reports import COVER_KINDS, CoverStatement, Report, TeacherHours
from views.reports import filename, title

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
_COLOURS = {"cover": "#3b6fb6", "merged": "#e0a030", "self_study": "#8aa060"}
_LOCK = threading.Lock()  # matplotlib's font cache is shared: one drawing at a time


@cache
def chart_font() -> Path | None:
    """The CJK font file charts are drawn with, or None when it is not installed."""
    try:
        path = Path(str(resources.files(FONT_PACKAGE) / FONT_FILE))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


@dataclass(frozen=True)
class Chart:
    filename: str
    data: bytes
    caption: str


def _heading(lang: str, report: Report) -> str:
    period = f"{report.period.start.isoformat()} – {report.period.end.isoformat()}"
    return t(lang, f"report.chart.title_{report.kind}") + f"\n{report.school} · {period}"


def report_chart(lang: str, report: Report) -> Chart | None:
    """The picture that helps read a school's or a grade's cover statement or training hours;
    None for the others, for one person's own, or without the font."""
    if chart_font() is None or report.scope.staff_id is not None:
        return None
    if report.kind == "cover" and report.cover is not None and report.cover.covered:
        data = cover_chart(lang, _heading(lang, report), report.cover)
    elif report.kind == "training" and report.training:
        data = training_chart(lang, _heading(lang, report), report.training)
    else:
        return None
    name = filename(lang, report.school, report.kind, report.period).removesuffix(".xlsx")
    return Chart(f"{name}.png", data, title(lang, report.school, report.kind, report.period))


def _figure(width: float, height: float) -> tuple[Any, Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = chart_font()
    assert font is not None
    figure = Figure(figsize=(width, height), dpi=120, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot(), FontProperties(fname=str(font))


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _label_axes(ax: Any, font: Any, title: str, ylabel: str) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(y=0.15)  # room above the tallest bar for the legend
    ax.set_title(title, fontproperties=font, fontsize=13)
    ax.set_ylabel(ylabel, fontproperties=font)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontproperties(font)
    ax.spines[["top", "right"]].set_visible(False)


def cover_chart(lang: str, heading: str, statement: CoverStatement) -> bytes:
    """Cover lessons per teacher, stacked by kind, with the average of those who covered: who
    carries more than their share (the fairness picture the office looks at)."""
    takers = [teacher for teacher in statement.teachers if teacher.covered]
    with _LOCK:
        figure, ax, font = _figure(max(6.0, 0.55 * len(takers) + 2), 4.5)
        names = [teacher.name for teacher in takers]
        base = [0] * len(takers)
        for kind in COVER_KINDS:
            counts = [teacher.counts[kind] for teacher in takers]
            if any(counts):
                ax.bar(
                    names,
                    counts,
                    bottom=base,
                    color=_COLOURS[kind],
                    label=t(lang, f"report.kind.{kind}"),
                )
                base = [b + c for b, c in zip(base, counts, strict=True)]
        if takers:
            average = sum(base) / len(takers)
            ax.axhline(
                average,
                color="#c03030",
                linestyle="--",
                label=t(lang, "report.chart.average", value=f"{average:.1f}"),
            )
        ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 8 else 0)
        _label_axes(ax, font, heading, t(lang, "report.chart.lessons"))
        # Set, not left to the margins: a stacked bar of height 0 pins the top at the tallest.
        ax.set_ylim(0, max(base, default=0) * 1.2 + 0.5)
        ax.legend(prop=font, frameon=False)
        return _png(figure)


def training_chart(lang: str, heading: str, rows: Sequence[TeacherHours]) -> bytes:
    """Hours this year per teacher against the pace expected by the period's end."""
    with _LOCK:
        figure, ax, font = _figure(max(6.0, 0.45 * len(rows) + 2), 4.5)
        names = [row.name for row in rows]
        hours = [row.year_total / 10 for row in rows]
        colours = ["#c03030" if row.behind else "#3b6fb6" for row in rows]
        ax.bar(names, hours, color=colours)
        if rows:
            pace = float(rows[0].pace) / 10
            ax.axhline(
                pace,
                color="#333333",
                linestyle="--",
                label=t(lang, "report.chart.pace", value=f"{pace:.1f}"),
            )
            ax.legend(prop=font, frameon=False)
        ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 8 else 0)
        _label_axes(ax, font, heading, t(lang, "report.chart.hours"))
        return _png(figure)
