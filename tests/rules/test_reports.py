"""The reports' sums and periods, with plain values."""

from __future__ import annotations

from datetime import date

import pytest

from rules.policies import PolicySet
from rules.report_requests import (
    KINDS,
    Period,
    PeriodError,
    ReportRights,
    chosen_period,
    parse_period,
    read_request,
    report_scope,
)
from rules.reports import (
    CoverRecord,
    HomeworkRecord,
    LeaveRecord,
    Rates,
    cover_statement,
    homework_ledger,
    leave_halves,
    leave_weeks,
    missing_patrols,
)

TERMS = [(date(2026, 2, 24), date(2026, 7, 3)), (date(2026, 9, 1), date(2027, 1, 22))]
TODAY = date(2026, 11, 25)


def weekday(day: date) -> bool:
    return day.isoweekday() <= 5


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026年2月", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-09-01~2026-11-30", date(2026, 9, 1), date(2026, 11, 30)),
        ("2026/9/1 - 2026/9/30", date(2026, 9, 1), date(2026, 9, 30)),
        ("2026年9月1日至2026年10月8日", date(2026, 9, 1), date(2026, 10, 8)),
    ],
)
def test_a_month_or_a_range_is_read(typed: str, start: date, end: date) -> None:
    assert parse_period(typed) == Period(start, end)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("2026-13", "bad_date"),
        ("2026-02-30~2026-03-01", "bad_date"),
        ("十一月", "bad_period"),
        ("2026-11-30~2026-11-01", "backwards"),
        ("2025-01-01~2026-12-31", "too_long"),
    ],
)
def test_a_period_that_cannot_be_used_says_why(typed: str, key: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(typed)
    assert raised.value.key == key


def test_the_buttons_periods() -> None:
    assert chosen_period("this_month", TODAY, TERMS) == Period(
        date(2026, 11, 1), date(2026, 11, 30)
    )
    assert chosen_period("last_month", date(2026, 1, 5), TERMS) == Period(
        date(2025, 12, 1), date(2025, 12, 31)
    )
    assert chosen_period("this_term", TODAY, TERMS) == Period(date(2026, 9, 1), date(2027, 1, 22))
    # In the summer holiday, the term that just ended.
    assert chosen_period("this_term", date(2026, 8, 1), TERMS).start == date(2026, 2, 24)
    with pytest.raises(PeriodError):
        chosen_period("this_term", TODAY, [])


def test_a_request_typed_after_the_command() -> None:
    assert read_request(["代课", "2026-11"], TODAY, TERMS) == (
        "cover",
        Period(date(2026, 11, 1), date(2026, 11, 30)),
    )
    assert read_request(["hours", "本学期"], TODAY, TERMS)[0] == "training"
    assert read_request(["考勤"], TODAY, TERMS) == ("leave", None)
    assert read_request(["什么"], TODAY, TERMS) == (None, None)


def test_an_english_period_may_be_typed_as_words() -> None:
    month = chosen_period("this_month", TODAY, TERMS)
    assert read_request(["cover", "this", "month"], TODAY, TERMS) == ("cover", month)
    assert read_request(["cover", "This", "Month"], TODAY, TERMS) == ("cover", month)
    last = chosen_period("last_month", TODAY, TERMS)
    assert read_request(["leave", "last", "month"], TODAY, TERMS) == ("leave", last)


def test_who_may_have_which_report() -> None:
    assert (
        report_scope(frozenset({"office"}), is_admin=False, staff_id=1, grade=None).kinds == KINDS
    )
    assert report_scope(frozenset(), is_admin=True, staff_id=None, grade=None).whole_school
    leader = report_scope(
        frozenset({"teacher", "grade_leader"}), is_admin=False, staff_id=2, grade=3
    )
    assert leader is not None and leader.grade == 3 and "duty" not in leader.kinds
    teacher = report_scope(frozenset({"teacher"}), is_admin=False, staff_id=5, grade=3)
    assert teacher is not None and teacher.kinds == ("cover", "training")
    assert teacher.covers_person(5, 3) and not teacher.covers_person(6, 3)
    assert report_scope(frozenset(), is_admin=False, staff_id=None, grade=None) is None


def test_the_school_s_report_policies_narrow_grade_leaders_and_teachers() -> None:
    leader_roles = frozenset({"teacher", "grade_leader"})
    policies = PolicySet({"report.grade_leaders": "own", "report.teachers": "off"})
    rights = ReportRights.of(policies)
    assert rights == ReportRights(grade_leaders="own", teachers=False)
    leader = report_scope(leader_roles, is_admin=False, staff_id=2, grade=3, rights=rights)
    assert leader is not None and leader.grade is None and leader.staff_id == 2
    assert leader.kinds == ("cover", "training")
    teacher = report_scope(
        frozenset({"teacher"}), is_admin=False, staff_id=5, grade=3, rights=rights
    )
    assert teacher is None
    office = report_scope(
        frozenset({"office"}), is_admin=False, staff_id=1, grade=None, rights=rights
    )
    assert office is not None and office.whole_school
    # The defaults: the grade for its leader, their own for a teacher.
    assert ReportRights.of(PolicySet()) == ReportRights()
    default = report_scope(leader_roles, is_admin=False, staff_id=2, grade=3)
    assert default is not None and default.grade == 3


def _cover(day: int, absent: int, substitute: int | None, kind: str) -> CoverRecord:
    return CoverRecord(date(2026, 11, day), 1, "三(2)班", "语文", absent, substitute, kind)


def test_pay_is_lessons_times_rates_and_the_balance_is_covered_minus_given_away() -> None:
    records = [
        _cover(5, 1, 2, "cover"),
        _cover(6, 1, 2, "cover"),
        _cover(6, 2, 3, "merged"),
        _cover(7, 1, None, "self_study"),
        _cover(8, 3, 2, "self_study"),
    ]
    statement = cover_statement(records, {1: "甲", 2: "乙", 3: "丙"}, Rates(30, 20, 10))
    by_name = {t.name: t for t in statement.teachers}
    assert by_name["乙"].pay == 2 * 30 + 10
    assert (by_name["乙"].covered, by_name["乙"].given_away, by_name["乙"].balance) == (3, 1, 2)
    assert (by_name["甲"].covered, by_name["甲"].given_away, by_name["甲"].balance) == (0, 2, -2)
    assert statement.pay == 2 * 30 + 20 + 10
    assert not cover_statement(records, {}, Rates()).rates.paid


def test_leave_days_count_school_days_in_the_period_and_stop_at_an_early_return() -> None:
    weekdays = lambda day: day.isoweekday() <= 5  # noqa: E731
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    # Fri 27 Nov to Wed 2 Dec: two school days in November (Fri, Mon).
    week = LeaveRecord(1, "sick", date(2026, 11, 27), date(2026, 12, 2), "full")
    assert leave_halves(week, november, weekdays) == 4
    mornings = LeaveRecord(1, "personal", date(2026, 11, 2), date(2026, 11, 4), "am")
    assert leave_halves(mornings, november, weekdays) == 3
    back = LeaveRecord(
        1, "sick", date(2026, 11, 2), date(2026, 11, 6), "full", date(2026, 11, 4), "am"
    )
    assert leave_halves(back, november, weekdays) == 2 + 2 + 1
    before_school = LeaveRecord(
        1, "sick", date(2026, 11, 2), date(2026, 11, 6), "full", date(2026, 11, 3), None
    )
    assert leave_halves(before_school, november, weekdays) == 2


def test_a_slot_s_rate_pays_a_cover_in_it_and_an_unset_one_falls_back_to_the_kind() -> None:
    rates = Rates(cover=30, merged=20, self_study=10, morning=15, evening=25)
    assert rates.of("cover") == 30
    assert rates.of("self_study", "morning") == 15
    assert rates.of("merged", "evening") == 25
    assert rates.of("merged", "noon") == 20  # noon unset: paid as a merged class
    assert Rates(noon=5).paid and not Rates().paid
    kept = CoverRecord(date(2026, 11, 5), 1, "三(2)班", "语文", 1, 2, "cover", rate=12, slot="noon")
    assert kept.pay(rates) == 12  # a locked month pays what it was locked at


def test_leave_days_per_week_by_type_over_every_week_of_the_period() -> None:
    leaves = [
        LeaveRecord(
            1, "sick", date(2026, 11, 5), date(2026, 11, 10), "full"
        ),  # Thu to the next Tue
        LeaveRecord(2, "personal", date(2026, 11, 10), date(2026, 11, 10), part="am"),
        LeaveRecord(3, "official", date(2026, 11, 30), date(2026, 12, 2), "full"),  # into December
    ]
    weeks = leave_weeks(leaves, Period(date(2026, 11, 1), date(2026, 11, 30)), weekday)
    assert [(w.monday, dict(w.halves)) for w in weeks] == [
        (date(2026, 10, 26), {}),  # Sunday 1 November's week
        (date(2026, 11, 2), {"sick": 4}),
        (date(2026, 11, 9), {"sick": 4, "personal": 1}),
        (date(2026, 11, 16), {}),
        (date(2026, 11, 23), {}),
        (date(2026, 11, 30), {"official": 2}),
    ]
    only_sick = leave_weeks(
        leaves, Period(date(2026, 11, 1), date(2026, 11, 30)), weekday, include=lambda s: s == 1
    )
    assert sum(w.halves.total() for w in only_sick) == 8


def test_the_homework_ledger_flags_days_over_the_cap() -> None:
    def post(
        day: int, klass: str, grade: int, minutes: int, written: bool = True
    ) -> HomeworkRecord:
        return HomeworkRecord(date(2026, 11, day), 0, klass, grade, "数学", minutes, written, "许")

    days, shares = homework_ledger(
        [
            post(2, "三(1)班", 3, 30),
            post(2, "三(1)班", 3, 20),
            post(2, "三(1)班", 3, 30, written=False),
            post(3, "三(1)班", 3, 40),
            post(2, "一(1)班", 1, 10),
        ],
        {1: 0, 3: 45},
    )
    assert [(d.class_name, d.day.day, d.written, d.over) for d in days] == [
        ("一(1)班", 2, 10, True),
        ("三(1)班", 2, 50, True),
        ("三(1)班", 3, 40, False),
    ]
    assert [(s.grade, s.class_days, s.over, s.share) for s in shares] == [
        (1, 1, 1, 1.0),
        (3, 2, 1, 0.5),
    ]


def test_patrols_not_reported_up_to_yesterday() -> None:
    days = [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    reported = [(date(2026, 11, 23), "am"), (date(2026, 11, 23), "pm"), (date(2026, 11, 24), "am")]
    assert missing_patrols(days, reported, until=date(2026, 11, 24)) == [(date(2026, 11, 24), "pm")]
