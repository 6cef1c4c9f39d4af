"""Charts draw Chinese with the font installed with the project, never as empty boxes."""

from __future__ import annotations

import io
from datetime import date
from fractions import Fraction

from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from PIL import Image

from rules.reports import CoverRecord, Rates, TeacherHours, cover_statement
from views.charts import FONT_FILE, chart_font, cover_chart, training_chart

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
