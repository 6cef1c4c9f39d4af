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
from rules.leave_dates import LEAVE_KINDS
from rules.reports import COVER_KINDS, ClassDay, CoverStatement, Report, TeacherHours, WeekLeave
from views.reports import filename, title

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
_COLOURS = {"cover": "#3b6fb6", "merged": "#e0a030", "self_study": "#8aa060"}
_LEAVE_COLOURS = {
    "sick": "#c05050",
    "personal": "#3b6fb6",
    "official": "#8aa060",
    "marriage": "#d080b0",
    "bereavement": "#707070",
    "maternity": "#e0a030",
    "paternity": "#50a0a0",
    "other": "#a08060",
}
_OVER = "#d02020"
# Past this many cells a heatmap's numbers would be too small to read: colours only.
_NUMBERED_CELLS = 600
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
    """The picture that helps read a school's or a grade's cover statement, leave summary,
    homework ledger or training hours; None for the duty record, for one person's own, when
    there is nothing to draw, or without the font."""
    if chart_font() is None or report.scope.staff_id is not None:
        return None
    if report.kind == "cover" and report.cover is not None and report.cover.covered:
        data = cover_chart(lang, _heading(lang, report), report.cover)
    elif report.kind == "training" and report.training:
        data = training_chart(lang, _heading(lang, report), report.training)
    elif report.kind == "leave" and any(week.halves.total() for week in report.leave_weeks):
        data = leave_chart(lang, _heading(lang, report), report.leave_weeks)
    elif report.kind == "homework" and report.class_days:
        data = homework_chart(lang, _heading(lang, report), report.class_days)
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


def leave_chart(lang: str, heading: str, weeks: Sequence[WeekLeave]) -> bytes:
    """Days of leave per week, stacked by leave type: when the staff room ran short (a flu
    week shows up as a tall red bar)."""
    with _LOCK:
        figure, ax, font = _figure(max(6.0, 0.4 * len(weeks) + 2), 4.5)
        labels = [f"{week.monday:%m-%d}" for week in weeks]
        positions = range(len(weeks))
        base = [0.0] * len(weeks)
        for kind in LEAVE_KINDS:
            days = [week.halves[kind] / 2 for week in weeks]
            if any(days):
                ax.bar(
                    positions,
                    days,
                    bottom=base,
                    color=_LEAVE_COLOURS[kind],
                    label=t(lang, f"leave.kind.{kind}"),
                )
                base = [b + d for b, d in zip(base, days, strict=True)]
        ax.set_xticks(positions, labels, rotation=45 if len(labels) > 10 else 0)
        ax.set_xlabel(t(lang, "report.chart.week_of"), fontproperties=font)
        _label_axes(ax, font, heading, t(lang, "report.chart.days"))
        ax.set_ylim(0, max(base, default=0) * 1.2 + 0.5)
        ax.legend(prop=font, frameon=False)
        return _png(figure)


def _class_order(day: ClassDay) -> tuple[int, int, str]:
    """三(2)班 before 三(10)班: by grade, then the number in the name."""
    digits = "".join(char if char.isdigit() else " " for char in day.class_name).split()
    return day.grade, int(digits[-1]) if digits else 0, day.class_name


def homework_chart(lang: str, heading: str, days: Sequence[ClassDay]) -> bytes:
    """Written minutes per class (rows, each with its grade's cap) and day (columns); the
    class-days over the cap are framed in red, the days without homework left blank."""
    import numpy as np
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    classes: dict[str, ClassDay] = {}
    for day in sorted(days, key=_class_order):
        classes.setdefault(day.class_name, day)
    rows = {name: index for index, name in enumerate(classes)}
    dates = sorted({day.day for day in days})
    columns = {day: index for index, day in enumerate(dates)}
    minutes = np.full((len(rows), len(dates)), np.nan)
    over = []
    for day in days:
        row, column = rows[day.class_name], columns[day.day]
        minutes[row, column] = day.written
        if day.over:
            over.append(Rectangle((column - 0.5, row - 0.5), 1, 1))
    with _LOCK:
        figure, ax, font = _figure(
            min(24.0, max(6.0, 0.3 * len(dates) + 3)), min(30.0, max(3.5, 0.32 * len(rows) + 2))
        )
        ax.set_facecolor("#f0f0f0")  # a day without homework
        mesh = ax.imshow(minutes, cmap="YlGnBu", aspect="auto", interpolation="nearest", vmin=0)
        ax.add_collection(
            PatchCollection(over, facecolor="none", edgecolor=_OVER, linewidth=1.8, zorder=3)
        )
        if minutes.size <= _NUMBERED_CELLS:
            top = max((day.written for day in days), default=0)
            small = font.copy()
            small.set_size(7)
            bold = small.copy()
            bold.set_weight("bold")
            for day in days:
                ax.text(
                    columns[day.day],
                    rows[day.class_name],
                    str(day.written),
                    ha="center",
                    va="center",
                    color="white" if day.written > top * 0.6 else "black",
                    fontproperties=bold if day.over else small,
                )
        step = max(1, len(dates) // 30)
        ax.set_xticks(
            range(0, len(dates), step),
            [f"{d:%m-%d}" for d in dates[::step]],
            rotation=45 if len(dates) > 10 else 0,
        )
        ax.set_yticks(
            range(len(rows)),
            [
                t(lang, "report.chart.class_cap", name=name, cap=day.cap)
                if day.cap is not None
                else name
                for name, day in classes.items()
            ],
        )
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            label.set_fontproperties(font)
        ax.set_title(heading, fontproperties=font, fontsize=13)
        bar = figure.colorbar(mesh, ax=ax, shrink=0.8)
        bar.set_label(t(lang, "report.chart.written_minutes"), fontproperties=font)
        for label in bar.ax.get_yticklabels():
            label.set_fontproperties(font)
        ax.legend(
            handles=[
                Patch(facecolor="none", edgecolor=_OVER, label=t(lang, "report.chart.over_cap"))
            ],
            prop=font,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(0, -0.12 if len(dates) > 10 else -0.06),
        )
        return _png(figure)
