"""Reading when a teacher will be away: days, ranges, parts of the day and the one-line form."""

from __future__ import annotations

from datetime import date

import pytest

from rules.leave_dates import (
    FULL_DAY,
    DayPart,
    LeaveDateError,
    check_span,
    max_days_policy,
    parse_leave_line,
    parse_part,
    parse_span,
)
from rules.reach import OUT_OF_RANGE

TODAY = date(2026, 11, 25)  # a Wednesday
THU = date(2026, 11, 26)
FRI = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("今天", TODAY, TODAY),
        ("明天", THU, THU),
        ("后天", FRI, FRI),
        ("大后天", date(2026, 11, 28), date(2026, 11, 28)),
        ("周四", THU, THU),
        ("星期五", FRI, FRI),
        ("礼拜一", date(2026, 11, 30), date(2026, 11, 30)),
        ("周三", TODAY, TODAY),  # the next one counts today
        ("周日", date(2026, 11, 29), date(2026, 11, 29)),
        ("星期天", date(2026, 11, 29), date(2026, 11, 29)),
        ("下周三", date(2026, 12, 2), date(2026, 12, 2)),
        ("下周一", date(2026, 11, 30), date(2026, 11, 30)),
        ("下星期五", date(2026, 12, 4), date(2026, 12, 4)),
        ("本周五", FRI, FRI),
        ("11-27", FRI, FRI),
        ("11/27", FRI, FRI),
        ("11月27日", FRI, FRI),
        ("11月27号", FRI, FRI),
        ("2026-11-27", FRI, FRI),
        ("2026/11/27", FRI, FRI),
        ("2026年11月27日", FRI, FRI),
        ("１１－２７", FRI, FRI),  # full-width, as Chinese keyboards type it
        ("1-5", date(2027, 1, 5), date(2027, 1, 5)),  # January, typed in November: next year
        ("11-27~11-28", FRI, date(2026, 11, 28)),
        ("11-27至11-30", FRI, date(2026, 11, 30)),
        ("11月27日到12月1日", FRI, date(2026, 12, 1)),
        ("11-27-11-28", FRI, date(2026, 11, 28)),
        ("11/27-11/28", FRI, date(2026, 11, 28)),
        ("11月27日-29日", FRI, date(2026, 11, 29)),
        ("周四~周五", THU, FRI),
        ("周五-周一", FRI, date(2026, 11, 30)),  # over the weekend, not backwards
        ("周四到下周二", THU, date(2026, 12, 1)),
        ("2026-11-27~2026-12-02", FRI, date(2026, 12, 2)),
        ("11-27 ~ 11-28", FRI, date(2026, 11, 28)),
        ("today", TODAY, TODAY),
        ("Tomorrow", THU, THU),
        ("thu", THU, THU),
        ("friday", FRI, FRI),
        ("next wed", date(2026, 12, 2), date(2026, 12, 2)),
        ("mon-wed", date(2026, 11, 30), date(2026, 12, 2)),
        ("2026-11-27 to 2026-11-28", FRI, date(2026, 11, 28)),
        ("today to tomorrow", TODAY, THU),
    ],
)
def test_days_and_ranges(text: str, first: date, last: date) -> None:
    assert parse_span(text, TODAY) == (first, last)


@pytest.mark.parametrize(
    "text",
    ["明儿", "周八", "13-01", "11-31", "2026-02-30", "下下周一", "someday", "11-27~", "~11-28",
     "11-27~明儿", "2月30日"],
)  # fmt: skip
def test_days_not_understood_name_the_text(text: str) -> None:
    with pytest.raises(LeaveDateError) as caught:
        parse_span(text, TODAY)
    assert caught.value.key == "leave.err.day"
    assert caught.value.values["value"] == text


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("全天", FULL_DAY),
        ("整天", FULL_DAY),
        ("上午", DayPart("am")),
        ("下午", DayPart("pm")),
        ("第3节", DayPart("periods", 3, 3)),
        ("第三节", DayPart("periods", 3, 3)),
        ("第1-3节", DayPart("periods", 1, 3)),
        ("第1至3节", DayPart("periods", 1, 3)),
        ("第一到三节", DayPart("periods", 1, 3)),
        ("1-3节", DayPart("periods", 1, 3)),
        ("第２节", DayPart("periods", 2, 2)),
        ("am", DayPart("am")),
        ("PM", DayPart("pm")),
        ("p3", DayPart("periods", 3, 3)),
        ("p1-3", DayPart("periods", 1, 3)),
        ("p1-p3", DayPart("periods", 1, 3)),
        ("full", FULL_DAY),
    ],
)
def test_parts_of_the_day(text: str, part: DayPart) -> None:
    assert parse_part(text) == part
    assert DayPart.from_code(part.code) == part


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("第3-1节", "leave.err.period_order"),
        ("第13节", "leave.err.period_range"),
        ("p0", "leave.err.period_range"),
        ("中午", "leave.err.part"),
        ("1-3", "leave.err.part"),  # without 第, 节 or p it is not a period
        ("evening", "leave.err.part"),
    ],
)
def test_parts_not_understood(text: str, key: str) -> None:
    with pytest.raises(LeaveDateError) as caught:
        parse_part(text)
    assert caught.value.key == key
    assert caught.value.values["value"] == text


@pytest.mark.parametrize(
    ("line", "kind", "first", "last", "part", "substitute", "reason"),
    [
        ("病假 明天 上午 发烧", "sick", THU, THU, DayPart("am"), None, "发烧"),
        ("事假 11-27~11-28 家中有事", "personal", FRI, date(2026, 11, 28), FULL_DAY, None,
         "家中有事"),
        ("公假 周四 第1-3节 区教研活动", "official", THU, THU, DayPart("periods", 1, 3), None,
         "区教研活动"),
        ("事假 周四 第3节 代课:许志强 家中有事", "personal", THU, THU, DayPart("periods", 3, 3),
         "许志强", "家中有事"),
        ("事假 周四 第3节 代课：许志强 家中有事", "personal", THU, THU,
         DayPart("periods", 3, 3), "许志强", "家中有事"),
        ("病假 明天上午 发烧 头痛", "sick", THU, THU, DayPart("am"), None, "发烧 头痛"),
        ("事假 11-27 ~ 11-28 下午 孩子生病", "personal", FRI, date(2026, 11, 28), DayPart("pm"),
         None, "孩子生病"),
        ("sick tomorrow am fever", "sick", THU, THU, DayPart("am"), None, "fever"),
        ("official next wed p1-3 district meeting", "official", date(2026, 12, 2),
         date(2026, 12, 2), DayPart("periods", 1, 3), None, "district meeting"),
        ("其他 周五 全天 搬家", "other", FRI, FRI, FULL_DAY, None, "搬家"),
        ("事假 周四 代课: 许志强 家中有事", "personal", THU, THU, FULL_DAY, "许志强", "家中有事"),
        ("病假 明天 第二次复诊", "sick", THU, THU, FULL_DAY, None, "第二次复诊"),
        # A reason may begin with such a word; only the word alone is a part of the day.
        ("病假 明天 晚上发烧到39度", "sick", THU, THU, FULL_DAY, None, "晚上发烧到39度"),
        ("病假 周四 上午 周五复查", "sick", THU, THU, DayPart("am"), None, "周五复查"),
    ],
)  # fmt: skip
def test_the_one_line_form(
    line: str,
    kind: str,
    first: date,
    last: date,
    part: DayPart,
    substitute: str | None,
    reason: str,
) -> None:
    parsed = parse_leave_line(line, TODAY)
    assert (parsed.kind, parsed.first, parsed.last, parsed.part) == (kind, first, last, part)
    assert (parsed.substitute, parsed.reason) == (substitute, reason)


@pytest.mark.parametrize(
    ("line", "key", "value"),
    [
        ("年假 明天 上午 休息", "leave.err.kind", "年假"),
        ("病假 明儿 上午 发烧", "leave.err.day", "明儿"),
        ("病假 明天 第13节 发烧", "leave.err.period_range", "第13节"),
        ("病假 明天 第3课节 发烧", "leave.err.part", "第3课节"),
        ("病假 明天 上午", "leave.err.no_reason", None),
        ("病假", "leave.err.no_day", None),
        ("事假 周四 代课:", "leave.err.substitute_name", None),
        # A second day is not a range, and no reason either.
        ("病假 周四 周五 发烧", "leave.err.second_day", "周五"),
        ("病假 周四 上午 周五 发烧", "leave.err.second_day", "周五"),
        ("事假 11-26 11-27下午 家事", "leave.err.second_day", "11-27下午"),
        ("事假 明天 11-28~11-29 家事", "leave.err.second_day", "11-28~11-29"),
        ("sick thu fri fever", "leave.err.second_day", "fri"),
        # Parts of the day the leave does not take are named, not read as the reason.
        ("病假 明天 中午 发烧", "leave.err.part", "中午"),
        ("病假 明天 晚上 发烧", "leave.err.part", "晚上"),
        ("病假 明天 傍晚 复诊", "leave.err.part", "傍晚"),
        ("病假 明天 凌晨 急诊", "leave.err.part", "凌晨"),
        ("sick tomorrow evening fever", "leave.err.part", "evening"),
    ],
)
def test_one_line_errors_name_what_was_not_understood(
    line: str, key: str, value: str | None
) -> None:
    with pytest.raises(LeaveDateError) as caught:
        parse_leave_line(line, TODAY)
    assert caught.value.key == key
    assert caught.value.values.get("value") == value


def test_span_checks() -> None:
    assert check_span(FRI, THU, today=TODAY, max_days=30).key == "leave.err.end_before_start"
    too_long = check_span(FRI, date(2027, 1, 1), today=TODAY, max_days=30)
    assert too_long.key == "leave.err.too_long" and too_long.values["days"] == 36
    assert check_span(date(2026, 11, 20), THU, today=TODAY, max_days=30).key == "leave.err.past"
    assert check_span(date(2026, 11, 20), THU, today=TODAY, max_days=30, allow_past=True) is None
    assert check_span(TODAY, TODAY, today=TODAY, max_days=1) is None


def test_a_run_of_periods_counts_as_half_a_day() -> None:
    assert [DayPart(k).half_days for k in ("full", "am", "pm")] == [2, 1, 1]
    assert DayPart("periods", 1, 3).half_days == 1


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("婚假", "marriage"),
        ("丧假", "bereavement"),
        ("funeral", "bereavement"),
        ("产假", "maternity"),
        ("陪产假", "paternity"),
        ("Paternity", "paternity"),
    ],
)
def test_the_longer_kinds_of_leave_are_understood(word: str, kind: str) -> None:
    assert parse_leave_line(f"{word} 明天 家事", TODAY).kind == kind


def test_a_hyphenated_whole_day_is_the_whole_day() -> None:
    line = parse_leave_line("sick today all-day fever", TODAY)
    assert (line.part, line.reason) == (FULL_DAY, "fever")


def test_a_date_far_from_today_is_out_of_range_not_an_overflow() -> None:
    today = date(2026, 11, 25)
    for line in ("病假 9999-12-31 发烧", "病假 9999-12-31~周五 发烧", "病假 0001-01-01 发烧"):
        with pytest.raises(LeaveDateError) as raised:
            parse_leave_line(line, today)
        assert raised.value.key == OUT_OF_RANGE
        assert raised.value.values["latest"] == "2028-11-26"
    # A school year ahead is still a day like any other.
    assert parse_leave_line("病假 2027-09-01 体检", today).first == date(2027, 9, 1)


def test_maternity_sick_and_personal_leave_have_a_longest_range_of_their_own() -> None:
    assert max_days_policy("maternity") == "leave.maternity_max_days"
    assert max_days_policy("personal") == "leave.personal_max_days"
    assert max_days_policy("marriage") == "leave.max_days"
    spans = (FRI, date(2027, 1, 1))
    assert check_span(*spans, today=TODAY, max_days=158, kind="maternity") is None
    too_long = check_span(*spans, today=TODAY, max_days=15, kind="personal")
    assert too_long is not None and too_long.key == "leave.err.too_long_kind"
    assert too_long.values == {"days": 36, "max": 15, "kind": "personal"}
