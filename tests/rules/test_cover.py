"""Which lessons an absence touches, and who is suggested to cover them (in which order, why)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from rules.calendar import DayKind, DayStatus
from rules.cover import (
    ADJACENT,
    AWAY,
    BUSY,
    CAPPED,
    DECLINED,
    MONTH_COVERS,
    SAME_CLASS,
    SAME_GRADE,
    SAME_SUBJECT,
    SELF,
    Availability,
    Candidate,
    DayLesson,
    Reason,
    SwapMove,
    TimetableLesson,
    affected_lessons,
    is_morning,
    lesson_ends,
    lesson_over,
    lessons_of_day,
    rank_substitutes,
    unavailable,
)
from rules.leave_dates import DayPart

THU = date(2026, 11, 26)
CHINESE, MATHS = 1, 2
C31, C32, C41 = 31, 32, 41
ABSENT, SAME_CLASS_T, SAME_SUBJECT_T, OTHER_GRADE_T, BUSY_T, AWAY_T, CAPPED_T, GRADE_T = range(
    10, 18
)
BELLS = {1: time(8, 0), 2: time(8, 50), 3: time(10, 0), 4: time(10, 50), 5: time(13, 30)}

TIMETABLE = [
    TimetableLesson(1, C31, 3, 4, 3, CHINESE, ABSENT),
    TimetableLesson(2, C31, 3, 4, 1, MATHS, SAME_CLASS_T),
    TimetableLesson(3, C32, 3, 4, 2, CHINESE, SAME_SUBJECT_T),
    TimetableLesson(4, C32, 3, 4, 4, CHINESE, SAME_SUBJECT_T),
    TimetableLesson(5, C41, 4, 4, 5, MATHS, OTHER_GRADE_T),
    TimetableLesson(6, C32, 3, 4, 3, MATHS, BUSY_T),
    TimetableLesson(7, C31, 3, 4, 5, CHINESE, ABSENT),
    TimetableLesson(8, C31, 3, 3, 3, CHINESE, ABSENT),  # a Wednesday lesson
    TimetableLesson(9, C41, 4, 4, 1, CHINESE, OTHER_GRADE_T, valid_to=date(2026, 11, 1)),
]
PEOPLE = [
    Candidate(SAME_CLASS_T, "许志强", 3),
    Candidate(SAME_SUBJECT_T, "吴晓梅", 3),
    Candidate(OTHER_GRADE_T, "林秀英", 4),
    Candidate(BUSY_T, "曹明", 3),
    Candidate(AWAY_T, "萧红", 3),
    Candidate(CAPPED_T, "田志刚", 3),
    Candidate(GRADE_T, "冯海燕", 3),
    Candidate(ABSENT, "周雅琴", 3),
]


def thursday() -> list[DayLesson]:
    lessons = lessons_of_day(DayStatus(THU, DayKind.SCHOOL, 4), TIMETABLE)
    assert lessons is not None
    return lessons


def availability(lessons: list[DayLesson], **overrides: object) -> Availability:
    busy: dict[int, set[int]] = {}
    for lesson in lessons:
        busy.setdefault(lesson.teacher_id, set()).add(lesson.period)
    values: dict[str, object] = {
        "busy": busy,
        "away": {AWAY_T, ABSENT},
        "covers_today": {CAPPED_T: 2},
        "covers_month": {},
        "cap": 2,
    }
    values.update(overrides)
    return Availability(**values)  # type: ignore[arg-type]


def test_the_days_lessons_follow_its_timetable_weekday_and_validity() -> None:
    assert [(lesson.period, lesson.class_id) for lesson in thursday()] == [
        (1, C31),
        (2, C32),
        (3, C31),
        (3, C32),
        (4, C32),
        (5, C31),
        (5, C41),
    ]
    # A make-up Saturday that follows Wednesday's timetable.
    saturday = date(2026, 11, 28)
    makeup = lessons_of_day(DayStatus(saturday, DayKind.MAKEUP, 3), TIMETABLE)
    assert makeup == [DayLesson(saturday, 3, C31, 3, CHINESE, ABSENT, 8)]
    # A make-up day whose weekday was never set: unknown, not guessed.
    assert lessons_of_day(DayStatus(saturday, DayKind.MAKEUP, None), TIMETABLE) is None
    assert lessons_of_day(DayStatus(saturday, DayKind.WEEKEND), TIMETABLE) == []


def test_an_approved_swap_moves_both_lessons() -> None:
    friday = date(2026, 11, 27)
    mine = DayLesson(THU, 3, C31, 3, CHINESE, ABSENT, 1)
    theirs = DayLesson(friday, 2, C31, 3, MATHS, SAME_CLASS_T, 99)
    moves = [SwapMove(5, mine, friday, 2), SwapMove(5, theirs, THU, 3)]
    lessons = lessons_of_day(DayStatus(THU, DayKind.SCHOOL, 4), TIMETABLE, moves)
    assert lessons is not None
    at_three = [(x.class_id, x.teacher_id, x.swap_id) for x in lessons if x.period == 3]
    assert at_three == [(C31, SAME_CLASS_T, 5), (C32, BUSY_T, None)]


def test_morning_is_before_noon_by_the_bells_else_the_first_four_periods() -> None:
    assert is_morning(4, BELLS) and not is_morning(5, BELLS)
    assert is_morning(4, {}) and not is_morning(5, {})
    assert not is_morning(4, {4: time(12, 30)})


def test_the_lessons_an_absence_touches() -> None:
    days = [(THU, thursday()), (date(2026, 11, 28), None)]
    for part, periods in (
        (DayPart("full"), [3, 5]),
        (DayPart("am"), [3]),
        (DayPart("pm"), [5]),
        (DayPart("periods", 4, 5), [5]),
    ):
        touched, unknown = affected_lessons(ABSENT, days, part, BELLS)
        assert [lesson.period for lesson in touched] == periods
        assert unknown == [date(2026, 11, 28)]


def test_ranking_on_a_small_timetable() -> None:
    lessons = thursday()
    need = next(x for x in lessons if x.teacher_id == ABSENT and x.period == 3)
    ranked = rank_substitutes(
        need,
        PEOPLE,
        availability(lessons),
        class_teachers={ABSENT, SAME_CLASS_T},
        subject_teachers={ABSENT, SAME_SUBJECT_T},
        limit=10,
    )
    assert [s.name for s in ranked] == ["许志强", "吴晓梅", "冯海燕", "林秀英"]
    reasons = {s.name: [r.code for r in s.reasons] for s in ranked}
    assert reasons == {
        "许志强": [SAME_CLASS, SAME_GRADE, MONTH_COVERS],
        "吴晓梅": [SAME_SUBJECT, SAME_GRADE, ADJACENT, MONTH_COVERS],
        "冯海燕": [SAME_GRADE, MONTH_COVERS],
        "林秀英": [MONTH_COVERS],
    }
    top = rank_substitutes(
        need,
        PEOPLE,
        availability(lessons),
        class_teachers={ABSENT, SAME_CLASS_T},
        subject_teachers={ABSENT, SAME_SUBJECT_T},
    )
    assert [s.name for s in top] == ["许志强", "吴晓梅", "冯海燕"]


def test_whoever_declined_the_lesson_comes_last_and_marked() -> None:
    lessons = thursday()
    need = next(x for x in lessons if x.teacher_id == ABSENT and x.period == 3)
    ranked = rank_substitutes(
        need,
        PEOPLE,
        availability(lessons),
        class_teachers={ABSENT, SAME_CLASS_T},
        subject_teachers={ABSENT, SAME_SUBJECT_T},
        limit=10,
        declined={SAME_CLASS_T},
    )
    assert [s.name for s in ranked] == ["吴晓梅", "冯海燕", "林秀英", "许志强"]
    assert [r.code for r in ranked[-1].reasons] == [DECLINED, SAME_CLASS, SAME_GRADE, MONTH_COVERS]
    assert all(DECLINED not in [r.code for r in s.reasons] for s in ranked[:-1])


def test_teaching_in_the_grade_puts_a_specialist_in_its_grade_group() -> None:
    """林秀英's roster grade is 4, but she teaches in grade 3 (say, English in 三(1)班)."""
    lessons = thursday()
    need = next(x for x in lessons if x.teacher_id == ABSENT and x.period == 3)
    ranked = rank_substitutes(
        need,
        PEOPLE,
        availability(lessons),
        class_teachers={ABSENT, SAME_CLASS_T},
        subject_teachers={ABSENT, SAME_SUBJECT_T},
        grade_teachers={ABSENT, SAME_CLASS_T, SAME_SUBJECT_T, OTHER_GRADE_T},
        limit=10,
    )
    # She now ties with 冯海燕 on every reason; the lower staff id (hers) comes first.
    assert [s.name for s in ranked] == ["许志强", "吴晓梅", "林秀英", "冯海燕"]
    assert [r.code for r in ranked[2].reasons] == [SAME_GRADE, MONTH_COVERS]


def test_fewer_covers_this_month_then_the_staff_id_break_ties() -> None:
    lesson = DayLesson(THU, 3, C31, 3, CHINESE, ABSENT, 1)
    people = [Candidate(30, "甲", None), Candidate(31, "乙", None), Candidate(32, "丙", None)]
    ranked = rank_substitutes(
        lesson,
        people,
        Availability(busy={}, away=set(), covers_today={}, covers_month={30: 3, 31: 1}, cap=2),
        class_teachers=set(),
        subject_teachers=set(),
    )
    assert [s.name for s in ranked] == ["丙", "乙", "甲"]
    assert ranked[1].reasons == (Reason(MONTH_COVERS, 1),)
    again = rank_substitutes(
        lesson,
        list(reversed(people)),
        Availability(busy={}, away=set(), covers_today={}, covers_month={30: 3, 31: 1}, cap=2),
        class_teachers=set(),
        subject_teachers=set(),
    )
    assert again == ranked


def test_why_someone_cannot_cover() -> None:
    free = availability(thursday())
    assert unavailable(ABSENT, ABSENT, 3, free) == SELF
    assert unavailable(AWAY_T, ABSENT, 3, free) == AWAY
    assert unavailable(BUSY_T, ABSENT, 3, free) == BUSY
    assert unavailable(CAPPED_T, ABSENT, 3, free) == CAPPED
    assert unavailable(GRADE_T, ABSENT, 3, free) is None
    assert unavailable(CAPPED_T, ABSENT, 3, availability(thursday(), cap=3)) is None


SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int, day: date = THU) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def test_a_lesson_is_over_when_its_bell_ends_or_else_when_the_school_day_does() -> None:
    bells = {1: (time(8, 0), time(8, 40)), 3: (time(10, 0), time(10, 40))}
    assert lesson_ends(THU, 1, bells, SHANGHAI) == at(8, 40)
    # A period without a bell time: not before the last bell of the day.
    assert lesson_ends(THU, 6, bells, SHANGHAI) == at(10, 40)
    # A school without bell times: not before the school day ends.
    assert lesson_ends(THU, 1, {}, SHANGHAI) == at(17, 0)
    assert not lesson_over(at(8, 40), at(8, 39))
    assert lesson_over(at(8, 40), at(8, 40))
    assert lesson_over(at(8, 40), at(8, 0, date(2026, 11, 27)))


def test_a_lesson_that_is_over_is_offered_to_nobody() -> None:
    lessons = thursday()
    need = next(x for x in lessons if x.teacher_id == ABSENT and x.period == 3)

    def ranked(now: datetime) -> list[str]:
        return [
            s.name
            for s in rank_substitutes(
                need,
                PEOPLE,
                availability(lessons),
                class_teachers={ABSENT, SAME_CLASS_T},
                subject_teachers={ABSENT, SAME_SUBJECT_T},
                ends=at(10, 40),
                now=now,
            )
        ]

    assert ranked(at(9, 0)) == ranked(at(10, 39)) == ["许志强", "吴晓梅", "冯海燕"]
    assert ranked(at(10, 40)) == ranked(at(13, 57)) == []


def test_external_teachers_are_suggested_only_where_the_school_allows() -> None:
    lesson = DayLesson(THU, 3, C31, 3, CHINESE, ABSENT, 1)
    people = [Candidate(30, "甲", 3), Candidate(31, "外聘乙", 3, external=True)]
    free = Availability(busy={}, away=set(), covers_today={}, covers_month={30: 5}, cap=2)

    def ranked(with_external: bool) -> list[str]:
        found = rank_substitutes(
            lesson,
            people,
            free,
            class_teachers=set(),
            subject_teachers={31},
            with_external=with_external,
        )
        return [s.name for s in found]

    assert ranked(False) == ["甲"]
    assert ranked(True) == ["外聘乙", "甲"]
