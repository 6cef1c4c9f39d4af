"""Which events put lessons up for cover, and which periods a meeting takes."""

from __future__ import annotations

from datetime import date, time

from rules.cover import DayLesson
from rules.event_cover import away_part, lessons_during, makes_cover, periods_during
from rules.events import EVERYONE, GRADE, SUBJECT, Audience

BELLS = {1: (time(8), time(8, 40)), 5: (time(13, 30), time(14, 10)), 6: (time(14, 20), time(15))}
THU = date(2026, 11, 26)


def test_only_a_one_off_event_for_a_group_makes_cover_and_only_when_the_school_wants_it() -> None:
    group = Audience(SUBJECT, subject="语文")
    assert makes_cover(group, one_off=True, enabled=True)
    assert makes_cover(Audience(GRADE, grade=3), one_off=True, enabled=True)
    assert not makes_cover(group, one_off=False, enabled=True)  # weekly: the timetable's job
    assert not makes_cover(EVERYONE, one_off=True, enabled=True)  # nobody left to cover
    assert not makes_cover(group, one_off=True, enabled=False)


def test_a_meeting_takes_the_periods_it_overlaps_and_their_lessons() -> None:
    assert periods_during(BELLS, time(14), time(15, 30)) == [5, 6]
    assert periods_during(BELLS, time(14, 10), time(14, 20)) == []  # the break between
    assert periods_during(BELLS, time(16), time(17)) == []  # after school
    lessons = [
        DayLesson(THU, 5, 2, 3, 1, 7, 1),
        DayLesson(THU, 1, 2, 3, 1, 7, 2),
        DayLesson(THU, 6, 1, 3, 2, 8, 3),
    ]
    assert [x.period for x in lessons_during(lessons, {7}, [5, 6])] == [5]
    part = away_part([5, 6])
    assert part is not None and part.code == "p5-6"
    assert away_part([]) is None
