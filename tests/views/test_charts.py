"""Charts draw Chinese with the font installed with the project, never as empty boxes."""

from __future__ import annotations

import io
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from bot.texts import t
from rules.leave_dates import LEAVE_KINDS
from rules.report_requests import KINDS, Period, Scope
from rules.reports import (
    ClassDay,
    CoverRecord,
    LeaveRecord,
    Rates,
    Report,
    TeacherHours,
    cover_statement,
    leave_weeks,
)
from views import charts
from views.charts import FONT_FILE, chart_font, cover_chart, report_chart, training_chart

LABEL = "每人代课节数 曹明 许志强 周雅琴 合班 看班 人均"


def test_the_chart_font_is_installed_and_has_every_glyph_of_a_chinese_label() -> None:
    font = chart_font()
    assert font is not None and font.name == FONT_FILE
    # The font a chart's text is drawn with is that file, not a fallback.
    assert findfont(FontProperties(fname=str(font)), fallback_to_default=False) == str(font)
    face = FT2Font(str(font))
    assert face.family_name == "Noto Sans SC"
    missing = [char for char in LABEL if not char.isspace() and face.get_char_index(ord(char)) == 0]
    assert missing == []


def test_a_cover_chart_is_a_png_drawn_without_a_missing_glyph_warning() -> None:
    # The suite turns warnings into errors: a glyph the font lacks would fail this test.
    records = [
        CoverRecord(date(2026, 11, 5), 1, "三(2)班", "语文", 1, 2, "cover"),
        CoverRecord(date(2026, 11, 5), 3, "三(2)班", "语文", 1, 3, "merged"),
        CoverRecord(date(2026, 11, 6), 2, "三(1)班", "数学", 3, 2, "self_study"),
    ]
    statement = cover_statement(records, {1: "周雅琴", 2: "曹明", 3: "许志强"}, Rates())
    png = cover_chart("zh", "每人代课节数\n孟河小学 · 2026-11-01 – 2026-11-30", statement)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 700


def test_a_training_chart_in_english() -> None:
    rows = [
        TeacherHours(1, "周雅琴", year_total=250, target=900, pace=Fraction(300)),
        TeacherHours(2, "曹明", year_total=400, target=900, pace=Fraction(300)),
    ]
    png = training_chart("en", "Training hours this year against the pace", rows)
    assert Image.open(io.BytesIO(png)).format == "PNG"


NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def november_leave() -> Report:
    """周雅琴 off sick from Thu 5 to Tue 10 November, 许志强 a morning of personal leave."""
    leaves = [
        LeaveRecord(1, "sick", date(2026, 11, 5), date(2026, 11, 10), "full"),
        LeaveRecord(2, "personal", date(2026, 11, 10), date(2026, 11, 10), "am"),
    ]
    report = Report("leave", "孟河小学", NOVEMBER, Scope(KINDS))
    report.leave_weeks = leave_weeks(leaves, NOVEMBER, lambda day: day.isoweekday() <= 5)
    return report


def november_homework() -> Report:
    """Two weeks of written homework of three classes; 三(2)班 over grade 3's cap of 45 on
    Mondays, 五(1)班 over 60 on the 13th."""
    report = Report("homework", "孟河小学", NOVEMBER, Scope(KINDS))
    for offset in range(12):
        day = date(2026, 11, 2) + timedelta(days=offset)
        if day.isoweekday() > 5:
            continue
        report.class_days += [
            ClassDay(day, "三(2)班", 3, [], 50 if day.isoweekday() == 1 else 40, 45),
            ClassDay(day, "三(10)班", 3, [], 30, 45),
            ClassDay(day, "五(1)班", 5, [], 75 if day.day == 13 else 55, 60),
        ]
    return report


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each figure a chart draws, as it was when saved."""
    figures: list[Any] = []
    save = charts._png

    def keep(figure: Any) -> bytes:
        figures.append(figure)
        return save(figure)

    monkeypatch.setattr(charts, "_png", keep)
    return figures


def texts_of(figures: list[Any]) -> list[Text]:
    return [
        text
        for figure in figures
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]


def assert_chinese_drawn_with_the_font(texts: list[Text], *expected: str) -> None:
    """Each text with Chinese in it was drawn with the bundled font, which has its glyphs."""
    font = chart_font()
    assert font is not None
    face = FT2Font(str(font))
    chinese = [text for text in texts if any(ord(char) > 0x2E80 for char in text.get_text())]
    shown = "\n".join(text.get_text() for text in chinese)
    for label in expected:
        assert label in shown
    for text in chinese:
        assert text.get_fontproperties().get_file() == str(font), text.get_text()
        missing = [
            c for c in text.get_text() if not c.isspace() and face.get_char_index(ord(c)) == 0
        ]
        assert missing == [], text.get_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_leave_chart_stacks_leave_days_per_week_by_type(lang: str, drawn: list[Any]) -> None:
    chart = report_chart(lang, november_leave())
    assert chart is not None
    image = Image.open(io.BytesIO(chart.data))
    assert image.format == "PNG" and image.size[0] >= 700 and image.size[1] >= 500
    expected = ["孟河小学", "11-02", "11-09", "11-30"]
    if lang == "zh":
        expected += ["每周请假天数", "病假", "事假", "天数"]
        assert chart.filename == "孟河小学-考勤汇总-2026-11.png"
    else:
        expected += ["Leave days per week", "sick leave", "personal leave"]
    drawn_texts = texts_of(drawn)
    texts = [text.get_text() for text in drawn_texts]
    for label in expected:
        assert any(label in text for text in texts), label
    assert_chinese_drawn_with_the_font(drawn_texts, "孟河小学")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_homework_heatmap_frames_the_class_days_over_the_cap(lang: str, drawn: list[Any]) -> None:
    report = november_homework()
    chart = report_chart(lang, report)
    assert chart is not None
    image = Image.open(io.BytesIO(chart.data))
    assert image.format == "PNG" and image.size[0] >= 700
    drawn_texts = texts_of(drawn)
    texts = [text.get_text() for text in drawn_texts]
    # Classes in their order (三(10)班 after 三(2)班), each with its grade's cap.
    cap = "三(2)班（上限45）" if lang == "zh" else "三(2)班 (cap 45)"
    rows = [text for text in texts if text.startswith(("三(", "五("))]
    assert rows[0] == cap and rows[1].startswith("三(10)班") and rows[2].startswith("五(1)班")
    # Each class-day's minutes are written in its cell; the over-cap ones are framed in red.
    assert texts.count("50") == 2 and texts.count("75") == 1
    [figure] = drawn
    frames = [
        collection
        for collection in figure.axes[0].collections
        if collection.get_facecolor().size == 0 or collection.get_facecolor()[0][3] == 0
    ]
    assert [len(frame.get_paths()) for frame in frames] == [3]  # two Mondays and the 13th
    assert [tuple(frame.get_edgecolor()[0][:3]) for frame in frames] == [
        pytest.approx((0xD0 / 255, 0x20 / 255, 0x20 / 255))
    ]
    if lang == "zh":
        assert_chinese_drawn_with_the_font(drawn_texts, "作业", "超过上限", "三(2)班")
    else:
        assert any("over the cap" in text for text in texts)
        assert_chinese_drawn_with_the_font(drawn_texts, "三(2)班", "孟河小学")


def test_every_chinese_chart_label_has_its_glyphs_in_the_font() -> None:
    font = chart_font()
    assert font is not None
    face = FT2Font(str(font))
    labels = [
        t("zh", key)
        for key in (
            "report.chart.title_leave",
            "report.chart.days",
            "report.chart.week_of",
            "report.chart.title_homework",
            "report.chart.written_minutes",
            "report.chart.over_cap",
        )
    ] + [t("zh", f"leave.kind.{kind}") for kind in LEAVE_KINDS]
    missing = {c for label in labels for c in label if face.get_char_index(ord(c)) == 0}
    assert missing == set()


def test_no_chart_when_nobody_was_on_leave_or_for_one_person_s_own() -> None:
    quiet = Report("leave", "孟河小学", NOVEMBER, Scope(KINDS))
    quiet.leave_weeks = leave_weeks([], NOVEMBER, lambda day: True)
    assert report_chart("zh", quiet) is None
    own = november_homework()
    own.scope = Scope(("homework",), staff_id=3)
    assert report_chart("zh", own) is None
