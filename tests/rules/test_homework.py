"""The one-line form, the cap arithmetic per grade, and who needs an approver."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.classnames import ClassRef
from rules.homework import (
    CapVerdict,
    ClassRequest,
    Entry,
    Kind,
    Layer,
    PostingError,
    check_cap,
    check_classes,
    needs_approval,
    parse_edit_line,
    parse_posting_line,
    posting_line_text,
    written_by_subject,
)
from rules.homework_board import BoardItem, ClassDay, by_grade, week_stats
from rules.policies import PolicySet

C31 = ClassRef(3, 1)
C32 = ClassRef(3, 2)

LINES = [
    ("三(2) 数学 20 练习册第12页", (C32,), "数学", 20, Kind.WRITTEN, None, "练习册第12页"),
    ("三(2)班 数学 20分钟 练习册第12页", (C32,), "数学", 20, Kind.WRITTEN, None, "练习册第12页"),
    (
        "三(1),三(2) 数学 20 练习册第12页",
        (ClassRef(3, 1), C32),
        "数学",
        20,
        Kind.WRITTEN,
        None,
        "练习册第12页",
    ),
    (
        "三(1)， 三(2)、3-3 数学 15 口算",
        (ClassRef(3, 1), C32, ClassRef(3, 3)),
        "数学",
        15,
        Kind.WRITTEN,
        None,
        "口算",
    ),
    ("一(1) 语文 10 口头 背诵古诗", (ClassRef(1, 1),), "语文", 10, Kind.ORAL, None, "背诵古诗"),
    (
        "一(1) 科学 30 实践 观察月亮",
        (ClassRef(1, 1),),
        "科学",
        30,
        Kind.PRACTICAL,
        None,
        "观察月亮",
    ),
    ("3-2 英语 15 拓展 读绘本", (C32,), "英语", 15, Kind.WRITTEN, Layer.EXTENDED, "读绘本"),
    ("3(2) 英语 15 口头 基础 跟读", (C32,), "英语", 15, Kind.ORAL, Layer.BASIC, "跟读"),
    ("三（2）班 数学 5 书面 订正", (C32,), "数学", 5, Kind.WRITTEN, None, "订正"),
    (
        "初一(3)班 数学 40 试卷 第二面",
        (ClassRef(7, 3),),
        "数学",
        40,
        Kind.WRITTEN,
        None,
        "试卷 第二面",
    ),
    ("数学 三(2) 20 练习册", (C32,), "数学", 20, Kind.WRITTEN, None, "练习册"),
    ("三(2) 数学 20 第一行\n第二行", (C32,), "数学", 20, Kind.WRITTEN, None, "第一行\n第二行"),
    (
        "三(2) 数学 20 口头作业不是类型词",
        (C32,),
        "数学",
        20,
        Kind.WRITTEN,
        None,
        "口头作业不是类型词",
    ),
    # A unit written apart belongs to the minutes.
    ("三(1) 数学 20 分钟 练习册第5页", (C31,), "数学", 20, Kind.WRITTEN, None, "练习册第5页"),
    ("3-2 英语 10 min reading", (C32,), "英语", 10, Kind.WRITTEN, None, "reading"),
    # Classes separated by spaces only: no subject reads as a class, so nothing is ambiguous.
    ("三(1) 三(2) 数学 5 口算", (C31, C32), "数学", 5, Kind.WRITTEN, None, "口算"),
    (
        "三(1),三(2) 3-3 数学 5 口算",
        (C31, C32, ClassRef(3, 3)),
        "数学",
        5,
        Kind.WRITTEN,
        None,
        "口算",
    ),
    ("数学 三(1) 三(2) 5 口算", (C31, C32), "数学", 5, Kind.WRITTEN, None, "口算"),
    ("七(3) 数学 30 试卷", (ClassRef(7, 3),), "数学", 30, Kind.WRITTEN, None, "试卷"),
    # English kind and layer words count in lower case only; capitalised, they are content.
    (
        "3-2 英语 10 oral read the dialogue",
        (C32,),
        "英语",
        10,
        Kind.ORAL,
        None,
        "read the dialogue",
    ),
    (
        "3-2 英语 10 basic copy the words",
        (C32,),
        "英语",
        10,
        Kind.WRITTEN,
        Layer.BASIC,
        "copy the words",
    ),
    (
        "3-2 英语 10 Oral practice of unit 3",
        (C32,),
        "英语",
        10,
        Kind.WRITTEN,
        None,
        "Oral practice of unit 3",
    ),
    ("3-2 英语 10 Basic words p.5", (C32,), "英语", 10, Kind.WRITTEN, None, "Basic words p.5"),
    ("3-2 英语 10 Practical English", (C32,), "英语", 10, Kind.WRITTEN, None, "Practical English"),
    # Only right after the minutes: further on, a kind word is part of the content.
    ("3-2 语文 10 背诵 口头 古诗", (C32,), "语文", 10, Kind.WRITTEN, None, "背诵 口头 古诗"),
]


@pytest.mark.parametrize(
    ("text", "classes", "subject", "minutes", "kind", "layer", "content"), LINES
)
def test_one_line_forms(
    text: str,
    classes: tuple[ClassRef, ...],
    subject: str,
    minutes: int,
    kind: Kind,
    layer: Layer | None,
    content: str,
) -> None:
    line = parse_posting_line(text)
    assert (line.classes, line.subject, line.minutes) == (classes, subject, minutes)
    assert (line.kind, line.layer, line.content) == (kind, layer, content)


BAD_LINES = [
    ("", "usage"),
    ("三(2)", "usage"),
    ("三(2) 数学", "minutes_missing"),
    ("三(2) 数学 0 练习", "minutes"),
    ("三(2) 数学 241 练习", "minutes"),
    ("三(2) 数学 20.5 练习", "minutes"),
    ("三(2) 数学 二十 练习", "minutes"),
    ("三(2) 数学 20", "content_missing"),
    ("三(2) 数学 20 口头", "content_missing"),
    ("三(2) 数学 20 口头 拓展", "content_missing"),
    ("三(2) 数学 20 分钟", "content_missing"),
    ("三(2) 数学 20 oral", "content_missing"),
    ("三(9, 三(2) 数学 20 练习", "bad_class"),
    ("三(9 数学 20 练习", "bad_class"),
    ("火星班 数学 20 练习", "bad_class"),
    ("三(2) 数学 20 " + "字" * 1001, "content_too_long"),
    (",".join(f"3-{n}" for n in range(1, 12)) + " 数学 20 练习", "too_many_classes"),
]


@pytest.mark.parametrize(("text", "code"), BAD_LINES)
def test_refused_lines_say_what_is_wrong(text: str, code: str) -> None:
    with pytest.raises(PostingError) as raised:
        parse_posting_line(text)
    assert raised.value.code == code


def test_content_of_exactly_1000_characters_is_accepted() -> None:
    assert len(parse_posting_line("三(2) 数学 240 " + "字" * 1000).content) == 1000


def test_edit_line_keeps_kind_and_layer_optional() -> None:
    line = parse_edit_line("25 练习册第12–13页")
    assert (line.minutes, line.kind, line.layer, line.content) == (
        25,
        None,
        None,
        "练习册第12–13页",
    )
    oral = parse_edit_line("10 口头 拓展 背诵")
    assert (oral.kind, oral.layer, oral.content) == (Kind.ORAL, Layer.EXTENDED, "背诵")
    unit = parse_edit_line("20 分钟 练习册")
    assert (unit.minutes, unit.content) == (20, "练习册")
    english = parse_edit_line("10 Oral practice")
    assert (english.kind, english.content) == (None, "Oral practice")


def test_the_resend_line_posts_the_same_again() -> None:
    text = posting_line_text(
        ["三(2)班"], "英语", 15, Kind.ORAL, Layer.BASIC, "跟读", "口头", "基础"
    )
    assert text == "/hw 三(2)班 英语 15 口头 基础 跟读"
    again = parse_posting_line(text.removeprefix("/hw "))
    assert (again.kind, again.layer, again.minutes) == (Kind.ORAL, Layer.BASIC, 15)


# --- the cap ---------------------------------------------------------------------------------

DEFAULT = PolicySet()
MATHS_30 = Entry("数学", Kind.WRITTEN, 30)
CHINESE_10 = Entry("语文", Kind.WRITTEN, 10)
READING = Entry("语文", Kind.ORAL, 60)

CAPS = [
    # grade, held, kind, minutes, verdict, total, after, left
    (1, [], Kind.WRITTEN, 5, CapVerdict.NO_WRITTEN, 0, 5, 0),
    (2, [], Kind.WRITTEN, 1, CapVerdict.NO_WRITTEN, 0, 1, 0),
    (1, [], Kind.ORAL, 20, CapVerdict.OK, 0, 0, 0),
    (2, [READING], Kind.PRACTICAL, 90, CapVerdict.OK, 0, 0, 0),
    (3, [MATHS_30], Kind.WRITTEN, 15, CapVerdict.OK, 30, 45, 15),
    (3, [MATHS_30], Kind.WRITTEN, 16, CapVerdict.OVER, 30, 46, 15),
    (4, [MATHS_30, CHINESE_10, READING], Kind.WRITTEN, 5, CapVerdict.OK, 40, 45, 5),
    (4, [MATHS_30, CHINESE_10], Kind.WRITTEN, 6, CapVerdict.OVER, 40, 46, 5),
    (4, [MATHS_30, CHINESE_10], Kind.ORAL, 200, CapVerdict.OK, 40, 40, 5),
    (5, [MATHS_30], Kind.WRITTEN, 30, CapVerdict.OK, 30, 60, 30),
    (6, [MATHS_30, MATHS_30], Kind.WRITTEN, 1, CapVerdict.OVER, 60, 61, 0),
    (7, [MATHS_30, MATHS_30], Kind.WRITTEN, 30, CapVerdict.OK, 60, 90, 30),
    (9, [MATHS_30, MATHS_30, MATHS_30], Kind.WRITTEN, 1, CapVerdict.OVER, 90, 91, 0),
]


@pytest.mark.parametrize(
    ("grade", "held", "kind", "minutes", "verdict", "total", "after", "left"), CAPS
)
def test_cap_per_grade(
    grade: int,
    held: list[Entry],
    kind: Kind,
    minutes: int,
    verdict: CapVerdict,
    total: int,
    after: int,
    left: int,
) -> None:
    check = check_cap(DEFAULT.homework_cap(grade), held, kind, minutes)
    assert (check.verdict, check.total, check.after, check.left) == (verdict, total, after, left)


def test_a_refusal_names_the_written_minutes_per_subject() -> None:
    held = [MATHS_30, CHINESE_10, READING, Entry("数学", Kind.WRITTEN, 5)]
    check = check_cap(45, held, Kind.WRITTEN, 10)
    assert check.verdict == CapVerdict.OVER
    assert check.by_subject == [("数学", 35), ("语文", 10)]
    assert written_by_subject(held) == check.by_subject


def test_a_grade_without_a_cap_policy_has_no_cap() -> None:
    assert DEFAULT.homework_cap(10) is None
    check = check_cap(None, [MATHS_30], Kind.WRITTEN, 240)
    assert check.ok and check.left is None and check.after == 270


def test_a_changed_policy_moves_the_cap() -> None:
    policies = PolicySet({"homework.cap.grade3": "40"})
    assert not check_cap(policies.homework_cap(3), [MATHS_30], Kind.WRITTEN, 15).ok


def test_several_classes_say_which_one_is_over() -> None:
    requests = [
        ClassRequest("三(1)班", 45, (CHINESE_10,)),
        ClassRequest("三(2)班", 45, (MATHS_30, CHINESE_10)),
        ClassRequest("一(1)班", 0, ()),
    ]
    result = check_classes(requests, Kind.WRITTEN, 20)
    verdicts = {name: check.verdict for name, check in result}
    assert verdicts == {
        "三(1)班": CapVerdict.OK,
        "三(2)班": CapVerdict.OVER,
        "一(1)班": CapVerdict.NO_WRITTEN,
    }
    assert dict(result)["三(2)班"].left == 5


@pytest.mark.parametrize(
    ("mode", "heads", "office", "waits"),
    [
        ("auto", False, False, False),
        ("head_teacher", False, False, True),
        ("head_teacher", True, False, False),
        ("head_teacher", False, True, True),
        ("office", False, False, True),
        ("office", True, False, True),
        ("office", False, True, False),
    ],
)
def test_who_waits_for_an_approver(mode: str, heads: bool, office: bool, waits: bool) -> None:
    assert needs_approval(mode, heads_class=heads, is_office=office) is waits


# --- the board and the week ------------------------------------------------------------------


def _day(grade: int, number: int, cap: int | None, *minutes: int) -> ClassDay:
    items = tuple(BoardItem("数学", Kind.WRITTEN, None, m, "x") for m in minutes)
    return ClassDay(grade, number, f"{grade}-{number}", cap, items)


def test_board_marks_over_and_missing() -> None:
    over, fine, empty = _day(3, 1, 45, 30, 20), _day(3, 2, 45, 45), _day(3, 3, 45)
    assert (over.over, over.missing, over.written, over.left) == (True, False, 50, 0)
    assert (fine.over, fine.missing, fine.left) == (False, False, 0)
    assert (empty.over, empty.missing, empty.left) == (False, True, 45)
    grades = by_grade([_day(4, 1, 45), empty, over, _day(1, 1, 0)])
    assert [(g, [d.number for d in days]) for g, days in grades] == [
        (1, [1]),
        (3, [1, 3]),
        (4, [1]),
    ]


def test_week_average_counts_empty_school_days_as_zero() -> None:
    days = [date(2026, 11, 23) + timedelta(days=i) for i in range(5)]
    stats = week_stats(
        grade=3,
        number=2,
        name="三(2)班",
        cap=45,
        school_days=days,
        written={days[0]: 40, days[1]: 50, days[2]: 35},
        posted=[days[0], days[1], days[2], days[3]],
    )
    assert stats.average == pytest.approx(25.0)
    assert stats.days_over == (days[1],)
    assert stats.days_missing == (days[4],)
