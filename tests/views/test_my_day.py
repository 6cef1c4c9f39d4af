"""A person's day drawn from plain values, in both languages: each kind of lesson, a day off,
and the buttons; every text parses as Telegram HTML."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from bot.texts import catalogue
from rules.calendar import DayKind, DayStatus
from simulator.html import parse_html
from storage.my_day import (
    MyDay,
    MyDuty,
    MyEvent,
    MyLesson,
    Preference,
    ToConfirm,
    ToPost,
    Waiting,
)
from views.my_day import day_message, time_choices, time_of

THU = date(2026, 11, 26)
FRI = date(2026, 11, 27)
SCHOOL = DayStatus(THU, DayKind.SCHOOL, timetable_weekday=4)


def lesson(period: int, kind: str, **more: object) -> MyLesson:
    return MyLesson(period, time(8 + period), time(8 + period, 40), "三(2)班", "语文", kind, **more)  # type: ignore[arg-type]


DAY = MyDay(
    day=THU,
    status=SCHOOL,
    timetable_known=True,
    lessons=(
        lesson(1, "own"),
        lesson(2, "swapped_in", moved_from=(FRI, 2)),
        lesson(3, "swapped_out", moved_to=(FRI, 4)),
        lesson(4, "given", state="assigned", other="许志强"),
        lesson(5, "given", state="self_study"),
        lesson(6, "cover", other="周雅琴", confirmed=False),
        lesson(7, "merged", other="周雅琴", merged_with="三(1)班"),
    ),
    duties=(MyDuty("护学岗", time(7, 20), time(7, 50), instead="曹明"),),
    events=(MyEvent("教研会 <语文>", time(15, 30), time(17)),),
    waiting=Waiting(approvals=2, covers=(ToConfirm(FRI, 3, "三(1)班", "数学"),), swaps=1),
)


def test_every_kind_of_lesson_in_english() -> None:
    text, markup = day_message("en", DAY, Preference(time(7, 30), False))
    assert text.splitlines() == [
        "☀️ <b>My day</b> · Thu 26 Nov",
        "📚 Lessons",
        "· Period 1 09:00–09:40 三(2)班 语文",
        "· Period 2 10:00–10:40 三(2)班 语文 (swapped, was Fri 27 Nov period 2)",
        "· Period 3 11:00–11:40 三(2)班 语文: swapped to Fri 27 Nov period 4",
        "· Period 4 12:00–12:40 三(2)班 语文 → 许志强 covers",
        "· Period 5 13:00–13:40 三(2)班 语文 → self-study",
        "· Period 6 14:00–14:40 三(2)班 语文 (cover for 周雅琴), waiting for you to press “Got it”",
        "· Period 7 15:00–15:40 三(2)班 语文 (merged with 三(1)班, cover for 周雅琴)",
        "🛡 Duty",
        "· 07:20–07:50 护学岗 (instead of 曹明)",
        "📅 Meetings and training",
        "· 15:30–17:00 教研会 &lt;语文&gt;",
        "⏳ Waiting on you",
        "· 2 leave requests to decide (/pending)",
        "· Cover to confirm: Fri 27 Nov period 3 三(1)班 数学 (press “Got it” on the cover notice)",
        "· 1 swap request waiting for your answer (/pending)",
        "",
        "You get your day privately at 07:30 on every school day.",
    ]
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "🔕 Turn off",
        "⏰ Change time",
    ]


def test_a_day_off_says_so_and_still_lists_what_waits() -> None:
    sunday = date(2026, 11, 29)
    off = MyDay(
        day=sunday,
        status=DayStatus(sunday, DayKind.WEEKEND),
        timetable_known=True,
        lessons=(),
        duties=(),
        events=(),
        waiting=Waiting(approvals=1),
    )
    text, markup = day_message("zh", off, Preference(time(7), True), heading="tomorrow")
    assert text.splitlines() == [
        "🌙 <b>我的明天</b> · 11月29日 周日",
        "11月29日 周日：周末，不上课。",
        "⏳ 等你处理",
        "· 请假审批 1 件（/pending）",
        "",
        "每日推送已关闭，随时可用 /today 查看。",
    ]
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "🔔 开启每日推送（07:00）",
        "⏰ 改时间",
    ]


def test_only_the_offered_times_can_be_chosen() -> None:
    _, markup = time_choices("zh", Preference(time(6, 30), False))
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "✓ 06:30",
        "07:00",
        "07:30",
        "08:00",
    ]
    assert time_of(450) == time(7, 30)
    assert time_of(425) is None and time_of(-1) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_parses_as_telegram_html(lang: str) -> None:
    own = [key for key in catalogue() if key.startswith("day.")]
    assert len(own) > 30
    for key in own:
        parse_html(catalogue()[key][lang].replace("{", "").replace("}", ""))


def test_homework_to_post_and_a_check_in_due_in_english_and_chinese() -> None:
    mine = replace(
        DAY,
        events=(
            MyEvent("教研会", time(10), time(11), event_id=3, checkin="due"),
            MyEvent("观课议课", time(8), time(9), event_id=4, checkin="done"),
        ),
        homework=(ToPost("三(2)班", "数学"), ToPost("三(1)班", "数学")),
    )
    en, markup = day_message("en", mine, Preference())
    zh, _ = day_message("zh", mine, Preference())

    assert "· 10:00–11:00 教研会 (check-in is open: the button below)" in en
    assert "· 08:00–09:00 观课议课 (checked in)" in en
    assert "📝 Homework still to post today\n· 三(2)班 数学\n· 三(1)班 数学\n" in en
    assert "📝 今天还要布置的作业\n· 三(2)班 数学" in zh
    assert "教研会（现在可以签到，按下方按钮）" in zh
    # One 签到 button, for the meeting whose check-in is open, above the settings.
    first = markup.inline_keyboard[0][0]
    assert (first.text, first.callback_data) == ("✅ Check in: 教研会", "v1:ev:in:3:20261126")
    assert len(markup.inline_keyboard) == 2
