"""Who is on duty: weekday rosters, rotations over school days, make-up days, post names."""

from __future__ import annotations

from datetime import date, time, timedelta

from rules.calendar import CalendarData, SchoolCalendar, Span
from rules.rota import (
    AFTERNOON,
    MORNING,
    ROTATION,
    WEEKDAY,
    RosterPost,
    count_school_days,
    due_turn,
    edited_rotation,
    half_of,
    match_posts,
    on_duty,
    rotation_anchor,
    windows_overlap,
)

AUTUMN_2026 = Span(date(2026, 9, 1), date(2027, 1, 22))
SPRING_2027 = Span(date(2027, 2, 22), date(2027, 7, 2))

# The patrol roster of seed 000, by weekday, with ids standing for the people.
JING, LEI_QH, WANG, LEI_HX, ZHANG = 1, 2, 3, 4, 5
PATROL = RosterPost(
    1,
    "巡课（上午）",
    time(8, 0),
    time(11, 30),
    WEEKDAY,
    by_weekday={1: JING, 2: LEI_QH, 3: WANG, 4: LEI_HX, 5: ZHANG},
)


def gate(anchor: date | None = None, people: tuple[int, ...] = (11, 12, 13, 14, 15)) -> RosterPost:
    return RosterPost(
        2, "护学岗", time(7, 20), time(7, 50), ROTATION, rotation=people, anchor=anchor
    )


def calendar(**extra: object) -> SchoolCalendar:
    return SchoolCalendar(CalendarData(terms=[AUTUMN_2026, SPRING_2027], **extra))  # type: ignore[arg-type]


def who(post: RosterPost, cal: SchoolCalendar, day: date) -> int | None:
    return on_duty(post, cal.status(day), cal)


def test_a_rotation_skips_the_national_day_holiday_week() -> None:
    cal = calendar()
    post = gate()
    # 30 September is the last school day before the holiday; 1–7 October use up no turn.
    before = who(post, cal, date(2026, 9, 30))
    after = who(post, cal, date(2026, 10, 8))
    assert before is not None and after is not None
    assert post.rotation.index(after) == (post.rotation.index(before) + 1) % 5
    assert [who(post, cal, date(2026, 10, d)) for d in range(1, 8)] == [None] * 7
    assert count_school_days(cal, date(2026, 10, 1), date(2026, 10, 8)) == 0


def test_a_rotation_counts_school_days_from_the_first_day_of_term() -> None:
    cal = calendar()
    post = gate()
    # Tue 1 Sep is the first school day: the first name; the weekend uses up no turn.
    assert [who(post, cal, date(2026, 9, d)) for d in (1, 2, 3, 4, 7)] == [11, 12, 13, 14, 15]
    assert who(post, cal, date(2026, 9, 8)) == 11
    # Sun 20 Sep is a make-up working day: simply the next step.
    friday, sunday, monday = (who(post, cal, date(2026, 9, d)) for d in (18, 20, 21))
    assert [post.rotation.index(p) for p in (friday, sunday, monday)] == [
        (post.rotation.index(friday) + i) % 5 for i in range(3)
    ]


def test_a_list_imported_mid_term_starts_with_its_first_name_and_each_term_starts_again() -> None:
    cal = calendar()
    post = gate(anchor=date(2026, 11, 25))
    assert who(post, cal, date(2026, 11, 25)) == 11
    assert who(post, cal, date(2026, 11, 26)) == 12
    assert who(post, cal, date(2026, 11, 24)) == 15  # the day before counts backwards
    assert rotation_anchor(cal, date(2027, 3, 1), date(2026, 11, 25)) == date(2027, 2, 22)
    assert who(post, cal, date(2027, 2, 22)) == 11


def test_a_make_up_day_follows_the_weekday_the_admin_set() -> None:
    cal = calendar(makeups={date(2026, 10, 10): 5})
    assert who(PATROL, cal, date(2026, 10, 10)) == ZHANG  # Saturday, 按周五
    assert who(PATROL, cal, date(2026, 10, 9)) == ZHANG  # the real Friday too
    # Sunday 20 September has no weekday set yet: nobody is guessed.
    assert cal.status(date(2026, 9, 20)).is_school_day
    assert who(PATROL, cal, date(2026, 9, 20)) is None


def test_no_one_on_holidays_weekends_closures_or_outside_term() -> None:
    cal = calendar(closures=[Span(date(2026, 12, 31), date(2026, 12, 31), "期末考试")])
    for day in (date(2026, 10, 1), date(2026, 11, 28), date(2026, 12, 31), date(2026, 8, 31)):
        assert who(PATROL, cal, day) is None
        assert who(gate(), cal, day) is None
    assert who(PATROL, cal, date(2026, 11, 25)) == WANG


def test_a_closure_uses_up_no_turn() -> None:
    closed = calendar(closures=[Span(date(2026, 11, 26), date(2026, 11, 26))])
    post = gate(anchor=date(2026, 11, 25))
    assert who(post, closed, date(2026, 11, 27)) == 12


def test_an_empty_rotation_has_nobody() -> None:
    assert who(gate(people=()), calendar(), date(2026, 11, 25)) is None


def test_halves_and_overlapping_windows() -> None:
    assert half_of(time(8, 0)) == MORNING and half_of(time(13, 30)) == AFTERNOON
    assert windows_overlap((time(7, 20), time(7, 50)), (time(7, 40), time(8, 0)))
    assert not windows_overlap((time(7, 20), time(7, 50)), (time(7, 50), time(8, 20)))


def test_posts_are_found_by_number_name_or_part_of_the_name() -> None:
    names = ["护学岗（早）", "巡课（上午）", "巡课（下午）", "护学岗（午）"]
    assert match_posts(names, "2") == [1]
    assert match_posts(names, "巡课(下午)") == [2]  # half-width brackets read alike
    assert match_posts(names, "护学岗") == [0, 3]
    assert match_posts(names, "9") == [] and match_posts(names, "食堂") == []


def test_days_in_a_row() -> None:
    cal = calendar()
    start = date(2026, 9, 28)
    # 28–30 September, 8–9 October and the make-up Saturday 10 October.
    assert count_school_days(cal, start, start + timedelta(days=14)) == 6


def test_an_edited_rotation_goes_on_where_it_was() -> None:
    a, b, c, d, e = 1, 2, 3, 4, 5
    assert edited_rotation([a, b, c, d], 2, add=e) == [c, d, e, a, b]
    assert edited_rotation([a, b, c, d], 2, remove=c) == [d, a, b]
    assert edited_rotation([a, b, c, d], 3, remove=d) == [a, b, c]
    assert edited_rotation([a, b, c, d], 0, remove=b) == [a, c, d]
    assert edited_rotation([], None, add=a) == [a]


def test_the_turn_due_is_found_past_a_weekend_and_a_holiday() -> None:
    post, cal = gate(), calendar()
    people = post.rotation
    friday, saturday, monday = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 23)
    assert people[due_turn(post, cal, friday) or 0] == who(post, cal, friday)
    assert people[due_turn(post, cal, saturday) or 0] == who(post, cal, monday)
    national_day = date(2026, 10, 2)  # the holiday week: the first school day after it counts
    assert people[due_turn(post, cal, national_day) or 0] == who(post, cal, date(2026, 10, 8))
    assert due_turn(gate(people=()), cal, friday) is None
