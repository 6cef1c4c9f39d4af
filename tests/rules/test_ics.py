"""The .ics writer: what a phone's calendar reads back."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from rules.ics import FOLD_AT, IcsEvent, calendar, escape, fold

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_times_are_written_in_utc_and_lines_end_in_crlf() -> None:
    event = IcsEvent(
        "2026-11-26-p5-7@staffroom",
        datetime(2026, 11, 26, 13, 30, tzinfo=SHANGHAI),
        datetime(2026, 11, 26, 14, 10, tzinfo=SHANGHAI),
        "第5节 三(2)班 语文（代 周雅琴）",
    )
    data = calendar("曹明的课表", [event], stamp=datetime(2026, 11, 25, 9, tzinfo=SHANGHAI))
    text = data.decode("utf-8")
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20261126T053000Z\r\n" in text and "DTEND:20261126T061000Z\r\n" in text
    assert "DTSTAMP:20261125T010000Z\r\n" in text
    assert "SUMMARY:第5节 三(2)班 语文（代 周雅琴）\r\n" in text


def test_text_is_escaped_and_long_lines_fold_between_characters() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "教研活动" * 30
    pieces = fold(line)
    assert all(len(piece.encode("utf-8")) <= FOLD_AT for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece[1:] if i else piece for i, piece in enumerate(pieces)) == line


def test_a_time_without_a_zone_is_refused() -> None:
    event = IcsEvent("x", datetime(2026, 11, 26, 8), datetime(2026, 11, 26, 9), "?")
    with pytest.raises(ValueError):
        calendar("x", [event], stamp=datetime(2026, 11, 26, tzinfo=UTC))
