"""Class names as teachers write them: 三(2)班, 三（2）班, 3(2), 3-2, 三年级2班, 初一(3)班, 七(3)…

Grades are numbered 1–12 (初一 = 7, 高一 = 10); a class is (grade, number).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_GRADE = 12
MAX_CLASS_NUMBER = 40

_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_GRADE_WORDS = "一二三四五六七八九"
_STAGE_OFFSET = {"初": 6, "高": 9}
_STAGE_NAMES = {7: "初一", 8: "初二", 9: "初三", 10: "高一", 11: "高二", 12: "高三"}


class ClassNameError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class ClassRef:
    grade: int
    number: int

    @property
    def name(self) -> str:
        return display_name(self.grade, self.number)


def chinese_number(text: str) -> int | None:
    """Reads 1–99 written in Chinese numerals (三, 十二, 二十一) or digits."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    value = (_DIGITS[tens] if tens else 1) * 10
    return value + (_DIGITS[ones] if ones else 0)


def grade_word(grade: int) -> str:
    if grade in _STAGE_NAMES:
        return _STAGE_NAMES[grade]
    return _GRADE_WORDS[grade - 1]


def display_name(grade: int, number: int) -> str:
    """The canonical name: 三(2)班, 初一(3)班, 高二(1)班."""
    return f"{grade_word(grade)}({number})班"


def _normalise(text: str) -> str:
    # NFKC turns full-width brackets and digits (（２）) into ASCII ones.
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"\s+", "", text)


_PATTERNS = (
    # 初一(3)班, 高二3班, 初1(3)
    re.compile(
        r"^(?P<stage>[初高])(?P<g>[一二三123])(?:年级)?\(?(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})\)?班?$"
    ),
    # 三(2)班, 3(2), 三年级(2)班, 3年级2班, 三年级二班
    re.compile(
        r"^(?P<g>\d{1,2}|[一二三四五六七八九]|十[一二]?)(?:年级)?\((?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})\)班?$"
    ),
    re.compile(
        r"^(?P<g>\d{1,2}|[一二三四五六七八九]|十[一二]?)年级(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})班?$"
    ),
    # 3-2, 3.2, 3/2, 3班2? no: only separators between two numbers
    re.compile(r"^g?(?P<g>\d{1,2})[-./_](?P<n>\d{1,2})班?$"),
    # 三2班, 三2 (Chinese grade, Arabic class number)
    re.compile(r"^(?P<g>[一二三四五六七八九])(?P<n>\d{1,2})班?$"),
    # grade 3 class 2, g3c2, 3年2班
    re.compile(r"^(?:grade|g)?(?P<g>\d{1,2})(?:class|c|年)(?P<n>\d{1,2})班?$"),
)


def parse_class_name(text: str) -> ClassRef:
    """Reads a class name or raises ClassNameError naming what was not understood."""
    raw = text
    text = _normalise(text)
    if not text:
        raise ClassNameError("empty class name")
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        grade = chinese_number(match["g"])
        number = chinese_number(match["n"])
        if grade is None or number is None:
            continue
        stage = match.groupdict().get("stage")
        if stage:
            if grade > 3:
                continue
            grade += _STAGE_OFFSET[stage]
        if not 1 <= grade <= MAX_GRADE:
            raise ClassNameError(f"grade out of range in {raw!r}")
        if not 1 <= number <= MAX_CLASS_NUMBER:
            raise ClassNameError(f"class number out of range in {raw!r}")
        return ClassRef(grade, number)
    raise ClassNameError(f"not a class name: {raw!r}")


def nearest_class_names(text: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Suggestions for a name that is not a class of this school."""
    names = list(known)
    try:
        ref = parse_class_name(text)
    except ClassNameError:
        ref = None
    if ref is not None:
        # Same class number in a neighbouring grade, or another class of the same grade,
        # is what a teacher most likely meant.
        scored: list[tuple[int, str]] = []
        for name in names:
            try:
                other = parse_class_name(name)
            except ClassNameError:
                continue
            distance = abs(other.grade - ref.grade) * 2 + abs(other.number - ref.number)
            scored.append((distance, name))
        scored.sort()
        return [name for _, name in scored[:limit]]
    return difflib.get_close_matches(_normalise(text), names, n=limit, cutoff=0.3)
