"""How meetings and training read (views/events.py): an event's line, who is mentioned, and
the check-in button."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.callbacks import Callback
from storage.models import Event, Staff
from tests.views.plain import presses
from views.events import checkin_markup, event_line, mention_lines

CREATED = datetime(2026, 9, 1, tzinfo=UTC)


def weekly() -> Event:
    return Event(
        id=3,
        school_id=1,
        title="教研会",
        category="教研",
        weekday=3,
        starts_at=time(15, 30),
        hours_tenths=15,
        audience="subject:语文",
        created_at=CREATED,
    )


def once() -> Event:
    return Event(
        id=4,
        school_id=1,
        title="<全体>会",
        category="other",
        on_date=date(2026, 12, 2),
        starts_at=time(14, 0),
        hours_tenths=20,
        audience="grade:3",
        created_at=CREATED,
    )


def test_a_weekly_event_reads_its_weekday_times_hours_audience_and_category() -> None:
    assert (
        event_line("zh", weekly())
        == "#3 <b>教研会</b> · 每周三 15:30–17:00 · 1.5 学时 · 语文组 · 教研"
    )
    assert event_line("en", weekly()) == (
        "#3 <b>教研会</b> · every Wed 15:30–17:00 · 1.5 h · 语文 group · research"
    )


def test_a_one_off_event_reads_its_day_as_every_message_does_and_its_title_is_escaped() -> None:
    assert event_line("zh", once()) == (
        "#4 <b>&lt;全体&gt;会</b> · 12月2日 周三 14:00–16:00 · 2 学时 · 三年级 · 其他"
    )
    assert event_line("en", once()) == (
        "#4 <b>&lt;全体&gt;会</b> · Wed 2 Dec 14:00–16:00 · 2 h · grade 3 · other"
    )


def test_linked_staff_are_mentioned_ten_to_a_line_and_others_named() -> None:
    linked = Staff(school_id=1, name="王<晴>", telegram_id=5)
    others = [Staff(school_id=1, name=f"T{number}") for number in range(11)]

    assert mention_lines([linked, *others]) == [
        '<a href="tg://user?id=5">王&lt;晴&gt;</a> T0 T1 T2 T3 T4 T5 T6 T7 T8',
        "T9 T10",
    ]


def test_the_check_in_button_carries_the_event_and_the_day() -> None:
    assert presses(checkin_markup("zh", 3, date(2026, 12, 2))) == {
        "✅ 签到": Callback("ev", "in", (3, 20261202))
    }
    assert list(presses(checkin_markup("en", 3, date(2026, 12, 2)))) == ["✅ Check in"]
