"""How a day is written in every message (views/common.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from bot.clock import ManualClock
from tests.conftest import SHANGHAI
from views import common as dates


@pytest.fixture(autouse=True)
def clock() -> Iterator[ManualClock]:
    clock = ManualClock(datetime(2026, 12, 6, 9, 0, tzinfo=SHANGHAI))
    dates.use_clock(clock)
    yield clock
    dates.use_clock(None)


@pytest.mark.parametrize(
    ("lang", "day", "shown"),
    [
        ("zh", date(2026, 12, 8), "12月8日 周二"),
        ("en", date(2026, 12, 8), "Tue 8 Dec"),
        ("zh", date(2027, 1, 1), "2027年1月1日 周五"),
        ("en", date(2027, 1, 1), "Fri 1 Jan 2027"),
        ("zh", date(2025, 12, 31), "2025年12月31日 周三"),
        (None, date(2026, 11, 26), "11月26日 周四"),  # no language known: Chinese
    ],
)
def test_one_style_per_language_the_year_only_when_not_this_one(
    lang: str | None, day: date, shown: str
) -> None:
    assert dates.day_label(lang, day) == shown


def test_the_year_follows_the_clock(clock: ManualClock) -> None:
    clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI))
    assert dates.day_label("zh", date(2027, 1, 1)) == "1月1日 周五"
    assert dates.day_label("en", date(2026, 12, 8)) == "Tue 8 Dec 2026"


def test_spans_and_values() -> None:
    first, last = date(2026, 12, 8), date(2026, 12, 10)
    assert dates.span_label("zh", first, last) == "12月8日 周二 至 12月10日 周四"
    assert dates.span_label("en", first, first) == "Tue 8 Dec"
    assert dates.localised("en", {"day": last, "name": "王晴晴"}) == {
        "day": "Thu 10 Dec",
        "name": "王晴晴",
    }


def test_a_moment_is_its_day_and_time() -> None:
    moment = datetime(2026, 12, 8, 7, 20, tzinfo=SHANGHAI)
    assert dates.moment_label("zh", moment) == "12月8日 周二 07:20"
    assert dates.moment_label("en", moment) == "Tue 8 Dec 07:20"


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("zh", ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]),
        ("en", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
        (None, ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]),
    ],
)
def test_weekdays_count_from_monday(lang: str | None, names: list[str]) -> None:
    assert [dates.weekday_name(lang, weekday) for weekday in range(1, 8)] == names


def test_a_text_that_names_the_year_already_can_leave_it_out() -> None:
    assert dates.day_label("zh", date(2027, 1, 1), year=False) == "1月1日 周五"
    assert dates.day_label("en", date(2027, 1, 1), year=False) == "Fri 1 Jan"


def test_without_a_clock_no_year_is_written() -> None:
    dates.use_clock(None)
    assert dates.day_label("zh", date(2030, 5, 6)) == "5月6日 周一"
    assert dates.day_label("en", date(2030, 5, 6)) == "Mon 6 May"


def test_a_span_into_next_year_gives_the_year_where_it_is_needed() -> None:
    first, last = date(2026, 12, 31), date(2027, 1, 4)
    assert dates.span_label("zh", first, last) == "12月31日 周四 至 2027年1月4日 周一"
    assert dates.span_label("en", first, last) == "Thu 31 Dec to Mon 4 Jan 2027"


def test_a_moment_next_year_carries_its_year() -> None:
    moment = datetime(2027, 2, 1, 13, 5, tzinfo=SHANGHAI)
    assert dates.moment_label("zh", moment) == "2027年2月1日 周一 13:05"
    assert dates.moment_label("en", moment) == "Mon 1 Feb 2027 13:05"
