"""How duty shifts, days and calendar entries read (views/duty.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.callbacks import Callback
from rules.calendar import DayKind, DayStatus
from rules.importing import CellError
from storage.duty import DutyGap, DutyShift, Replacement
from storage.models import School, Staff
from tests.views.plain import THU, labels, presses
from views.duty import (
    day_of,
    day_status_text,
    makeup_note,
    render_day,
    request_message,
    school_today,
    shift_line,
    take_day,
    who,
)

ZHOU_TELEGRAM = 7_600_000_004
SATURDAY = date(2026, 11, 28)


def gate(
    name: str = "周雅琴",
    *,
    staff_id: int | None = 4,
    telegram_id: int | None = ZHOU_TELEGRAM,
    regular: tuple[int, str] = (4, "周雅琴"),
    reason: str | None = None,
) -> DutyShift:
    """The gate on Thursday morning, 07:20–07:50."""
    return DutyShift(
        day=THU,
        post_id=1,
        post="校门",
        starts_at=time(7, 20),
        ends_at=time(7, 50),
        staff_id=staff_id,
        name=name,
        telegram_id=telegram_id,
        language=None,
        regular_staff_id=regular[0],
        regular_name=regular[1],
        reason=reason,
    )


def lunch() -> DutyShift:
    return DutyShift(
        day=THU,
        post_id=2,
        post="午餐",
        starts_at=time(11, 40),
        ends_at=time(12, 20),
        staff_id=5,
        name="许志强",
        telegram_id=None,
        language=None,
        regular_staff_id=5,
        regular_name="许志强",
        reason=None,
    )


def test_a_post_and_who_is_on_it() -> None:
    assert shift_line("zh", gate()) == "07:20–07:50 校门：<b>周雅琴</b>"
    assert shift_line("en", gate()) == "07:20–07:50 校门: <b>周雅琴</b>"


def test_in_the_group_the_person_on_duty_is_mentioned_when_their_account_is_known() -> None:
    assert shift_line("zh", gate(), notify=True) == (
        f'07:20–07:50 校门：<a href="tg://user?id={ZHOU_TELEGRAM}">周雅琴</a>'
    )
    assert shift_line("zh", lunch(), notify=True) == "11:40–12:20 午餐：<b>许志强</b>"


def test_a_post_without_anyone() -> None:
    empty = gate(name="", staff_id=None, telegram_id=None)
    assert shift_line("zh", empty) == "07:20–07:50 校门：（暂无人）"
    assert shift_line("en", empty) == "07:20–07:50 校门: (nobody)"


def test_someone_standing_in_says_for_whom() -> None:
    standing_in = gate("许志强", staff_id=5, telegram_id=None, reason="swap")
    assert who("zh", standing_in) == "<b>许志强</b>（替 周雅琴）"
    assert who("en", standing_in) == "<b>许志强</b> (for 周雅琴)"


def test_a_post_whose_person_is_away_needs_a_replacement() -> None:
    assert (
        shift_line("zh", gate(), gap=True) == "07:20–07:50 校门：⚠️ 待安排替班（原 周雅琴，不在校）"
    )
    assert (
        shift_line("en", gate(), gap=True)
        == "07:20–07:50 校门: ⚠️ replacement needed (周雅琴 is away)"
    )


def test_names_are_escaped() -> None:
    odd = gate("<i>周</i>", telegram_id=None)
    assert shift_line("zh", odd) == "07:20–07:50 校门：<b>&lt;i&gt;周&lt;/i&gt;</b>"


def test_a_make_up_working_day_says_whose_roster_it_follows() -> None:
    makeup = DayStatus(SATURDAY, DayKind.MAKEUP, timetable_weekday=4)
    unset = DayStatus(SATURDAY, DayKind.MAKEUP)

    assert makeup_note("zh", makeup) == "（调休上班，按周四安排）"
    assert makeup_note("en", makeup) == " (make-up working day, Thu's roster)"
    assert makeup_note("zh", unset) == "（调休上班，还没有设定按周几，按星期排的岗位暂无人）"
    assert makeup_note("zh", DayStatus(THU, DayKind.SCHOOL, timetable_weekday=4)) == ""


@pytest.mark.parametrize(
    ("status", "zh", "en"),
    [
        (DayStatus(THU, DayKind.SCHOOL, timetable_weekday=4), "上课", "school day"),
        (
            DayStatus(SATURDAY, DayKind.MAKEUP, timetable_weekday=4),
            "调休上班，按周四课表",
            "make-up working day, follows Thu",
        ),
        (
            DayStatus(SATURDAY, DayKind.MAKEUP),
            "调休上班，⚠️ 还没有设定按周几",
            "make-up working day, ⚠️ weekday not set yet",
        ),
        (DayStatus(SATURDAY, DayKind.WEEKEND), "周末", "weekend"),
        (DayStatus(THU, DayKind.CLOSED, note="运动会"), "停课：运动会", "school closed: 运动会"),
        (DayStatus(THU, DayKind.CLOSED), "停课", "school closed"),
        (
            DayStatus(date(2031, 10, 1), DayKind.HOLIDAY, statutory="national_day"),
            "法定节假日（国庆节，调休待公布）",
            "public holiday (National Day; make-up days not published yet)",
        ),
        (DayStatus(THU, DayKind.OUTSIDE_TERM), "不在学期内", "outside term"),
    ],
)
def test_how_the_calendar_describes_a_day(status: DayStatus, zh: str, en: str) -> None:
    assert day_status_text("zh", status) == zh
    assert day_status_text("en", status) == en


def test_a_days_duty_is_a_heading_and_a_line_per_post() -> None:
    status = DayStatus(THU, DayKind.SCHOOL, timetable_weekday=4)

    assert render_day("zh", status, [gate(), lunch()], title="duty.day_title", gaps={1}) == [
        "📋 <b>11月26日 周四</b>",
        "07:20–07:50 校门：⚠️ 待安排替班（原 周雅琴，不在校）",
        "11:40–12:20 午餐：<b>许志强</b>",
    ]
    makeup = DayStatus(SATURDAY, DayKind.MAKEUP, timetable_weekday=4)
    assert render_day("en", makeup, [], title="duty.day_title") == [
        "📋 <b>Sat 28 Nov</b> (make-up working day, Thu's roster)"
    ]


def test_the_schools_today_is_its_own_timezones() -> None:
    school = School(
        name="孟河小学",
        timezone="Asia/Shanghai",
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    late_evening_utc = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)

    assert school_today(school, late_evening_utc) == THU


def test_a_day_named_in_words_and_one_that_is_not() -> None:
    wednesday = date(2026, 11, 25)

    assert take_day(["明天", "校门"], wednesday) == (THU, 1)
    assert take_day(["下周一"], wednesday) == (date(2026, 11, 30), 1)
    with pytest.raises(CellError) as refused:
        take_day(["花"], wednesday)
    assert (refused.value.key, refused.value.values) == ("import.err.bad_date", {"value": "花"})
    with pytest.raises(CellError) as too_far:
        take_day(["2031-01-01"], wednesday)
    assert too_far.value.key == "common.date_out_of_range"


def test_a_duty_gap_asks_an_arranger_whom_to_pick() -> None:
    gap = DutyGap(gate(), "full")
    suggested = [
        Replacement(Staff(id=5, school_id=1, name="许志强"), 1, next_in_rotation=True),
        Replacement(Staff(id=6, school_id=1, name="林秀英"), 3, next_in_rotation=False),
    ]

    text, markup = request_message("zh", gap, suggested)

    assert text.splitlines() == [
        "🔁 <b>值班需要替班</b>",
        "11月26日 周四 07:20–07:50“校门”原由 周雅琴 值班，TA 那时请假不在校。请选一位替班的老师：",
        "· 许志强（轮值的下一位，本月值班 1 次）",
        "· 林秀英（本月值班 3 次）",
    ]
    assert labels(markup) == [["由 许志强 替班"], ["由 林秀英 替班"], ["另找他人"]]
    # The post, the day, the person away, and whom to pick: ids only.
    assert presses(markup)["由 林秀英 替班"] == Callback("dlv", "pick", (1, 20261126, 4, 6))
    assert presses(markup)["另找他人"] == Callback("dlv", "else", (1, 20261126, 4))
    assert day_of(20261126) == THU and day_of(20261131) is None


def test_a_duty_gap_with_nobody_to_suggest() -> None:
    text, markup = request_message("en", DutyGap(gate(), "am"), [])

    assert text.splitlines()[-1] == "Nobody free to suggest; press “Someone else”."
    assert labels(markup) == [["Someone else"]]
