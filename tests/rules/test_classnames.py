"""Class names in the forms teachers write them."""

from __future__ import annotations

import pytest

from rules.classnames import ClassNameError, ClassRef, nearest_class_names, parse_class_name

GOOD = [
    ("三(2)班", 3, 2),
    ("三（2）班", 3, 2),
    ("３（２）班", 3, 2),
    ("3(2)", 3, 2),
    ("3(2)班", 3, 2),
    ("3-2", 3, 2),
    ("3.2", 3, 2),
    ("3/2", 3, 2),
    ("三年级2班", 3, 2),
    ("三年级二班", 3, 2),
    ("3年级2班", 3, 2),
    ("三年级(2)班", 3, 2),
    ("三2班", 3, 2),
    (" 三 ( 2 ) 班 ", 3, 2),
    ("初一(3)班", 7, 3),
    ("初一（3）班", 7, 3),
    ("初一3班", 7, 3),
    ("初1(3)", 7, 3),
    ("七(3)", 7, 3),
    ("七(3)班", 7, 3),
    ("7-3", 7, 3),
    ("初三(12)班", 9, 12),
    ("高二(1)班", 11, 1),
    ("十二(1)", 12, 1),
    ("四(十)班", 4, 10),
    ("六(十一)班", 6, 11),
    ("一(1)班", 1, 1),
    ("grade 3 class 2", 3, 2),
    ("Grade3Class2", 3, 2),
    ("g3c2", 3, 2),
    ("G3-2", 3, 2),
    # Forms teachers type when posting homework (/hw).
    ("三(2)", 3, 2),
    ("三（2）", 3, 2),
    ("3（2）", 3, 2),
    ("3－2", 3, 2),
    ("五年级（1）班", 5, 1),
    ("初一（3）", 7, 3),
    ("七年级3班", 7, 3),
    ("七年级(3)班", 7, 3),
    ("初二(10)班", 8, 10),
    ("九(1)", 9, 1),
]

BAD = [
    "",
    "abc",
    "三班",
    "(2)班",
    "13(1)",
    "3(0)",
    "3(41)",
    "初四(1)班",
    "零(1)",
    "三(2)(3)",
    "2026-11-27",
    "3班2",
    "三(2)班,",
    "数学",
    "20",
]


@pytest.mark.parametrize(("text", "grade", "number"), GOOD)
def test_understood_forms(text: str, grade: int, number: int) -> None:
    assert parse_class_name(text) == ClassRef(grade, number)


@pytest.mark.parametrize("text", BAD)
def test_refused_forms(text: str) -> None:
    with pytest.raises(ClassNameError):
        parse_class_name(text)


def test_canonical_names() -> None:
    assert parse_class_name("3-2").name == "三(2)班"
    assert parse_class_name("七(3)").name == "初一(3)班"
    assert parse_class_name("高二(1)班").name == "高二(1)班"


def test_suggestions_prefer_the_same_grade_and_number() -> None:
    known = ["三(1)班", "三(2)班", "四(2)班", "一(1)班"]
    assert nearest_class_names("三(5)班", known)[:2] == ["三(2)班", "三(1)班"]
    assert nearest_class_names("5(2)", known)[0] == "四(2)班"
