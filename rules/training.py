"""Training hours (学时): reading and writing hours, the training year and the pace to target.

Hours are kept as whole tenths (1.5 hours = 15) so that sums are exact; seed 001 asks every
teacher for 90 hours a training year, which commonly runs 1 September – 31 August.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

MIN_TENTHS = 5  # half an hour
MAX_TENTHS = 120  # twelve hours: one long training day

# Categories as the ledger groups them; a title names its category often enough to guess it.
CATEGORIES = ("教研", "培训", "会议", "观课", "其他")
OTHER = "其他"
# The name each category has in the text catalogue (`training.category.<code>`).
CATEGORY_CODES = {
    "教研": "research",
    "培训": "training",
    "会议": "meeting",
    "观课": "observation",
    "其他": "other",
}
_CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("观课", ("观课", "议课", "听课", "评课", "observation")),
    ("教研", ("教研", "研修", "备课", "research")),
    ("培训", ("培训", "讲座", "学习", "training", "course")),
    ("会议", ("会议", "例会", "大会", "教师会", "meeting")),
)
_CATEGORY_NAMES = {
    "教研": "教研", "research": "教研", "教研活动": "教研",
    "培训": "培训", "training": "培训",
    "会议": "会议", "meeting": "会议", "例会": "会议",
    "观课": "观课", "observation": "观课", "观课议课": "观课", "听课": "观课",
    "其他": "其他", "other": "其他",
}  # fmt: skip

_HOURS = re.compile(r"^(\d{1,3})(?:\.(\d+))?(?:h|hr|hrs|hours?|小时|学时|个小时)?$")


class HoursError(ValueError):
    """Hours that cannot be taken; `key` names the catalogue text explaining why."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def parse_hours(text: str) -> int:
    """Tenths of an hour from 1.5, 2, 1.5h, 2小时, １．５ (0.5 to 12, at most one decimal)."""
    value = unicodedata.normalize("NFKC", text).strip().lower().replace("。", ".")
    match = _HOURS.match(value)
    if match is None:
        raise HoursError("hours.err.not_a_number", value=text)
    decimals = (match[2] or "").rstrip("0")
    if len(decimals) > 1:
        raise HoursError("hours.err.one_decimal", value=text)
    tenths = int(match[1]) * 10 + (int(decimals) if decimals else 0)
    if not MIN_TENTHS <= tenths <= MAX_TENTHS:
        raise HoursError(
            "hours.err.range",
            value=text,
            low=format_hours(MIN_TENTHS),
            high=format_hours(MAX_TENTHS),
        )
    return tenths


QUOTES = {'"': '"', "“": "”", "「": "」", "'": "'"}


def split_title(words: list[str]) -> tuple[str, str]:
    """The title and the note after it: the first word, or what stands between quotation
    marks ("District training" note), for a title of several words."""
    text = " ".join(words).strip()
    close = QUOTES.get(text[:1])
    if close is not None:
        end = text.find(close, 1)
        if end > 1:
            return text[1:end].strip(), text[end + 1 :].strip()
    title, _, note = text.partition(" ")
    return title, note.strip()


def looks_like_hours(text: str) -> bool:
    """Whether a word is meant as hours (a number), right or out of range."""
    return _HOURS.match(unicodedata.normalize("NFKC", text).strip().lower()) is not None


def format_hours(tenths: int | Fraction) -> str:
    """1.5, 2, 90.5; a fraction (a pace) is rounded to one decimal."""
    if isinstance(tenths, Fraction):
        tenths = round(tenths)
    whole, rest = divmod(int(tenths), 10)
    return f"{whole}.{rest}" if rest else str(whole)


def category_named(text: str) -> str | None:
    """The category a school wrote (教研, 培训, meeting…), or None."""
    return _CATEGORY_NAMES.get(unicodedata.normalize("NFKC", text).strip().casefold())


def guess_category(title: str, default: str = OTHER) -> str:
    """The category a title implies: 教研会 → 教研, 区级培训 → 培训, 周二观课议课 → 观课."""
    lowered = title.casefold()
    for category, words in _CATEGORY_WORDS:
        if any(word in lowered for word in words):
            return category
    return default


@dataclass(frozen=True)
class TrainingYear:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _start_in(year: int, month: int, day: int) -> date:
    # A stored 02-29 or 04-31 still names a sensible first day: the month's last day.
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def training_year(day: date, start: tuple[int, int] = (9, 1)) -> TrainingYear:
    """The training year containing `day`, starting each year on `start` (month, day)."""
    month, first = start
    this_year = _start_in(day.year, month, first)
    begin = this_year if day >= this_year else _start_in(day.year - 1, month, first)
    following = _start_in(begin.year + 1, month, first)
    return TrainingYear(begin, following - timedelta(days=1))


def pace(target_tenths: int, year: TrainingYear, day: date) -> Fraction:
    """The hours (in tenths) someone on track has by the end of `day`: target × elapsed share."""
    if day < year.start:
        return Fraction(0)
    elapsed = min((day - year.start).days + 1, year.days)
    return Fraction(target_tenths * elapsed, year.days)


def behind_pace(done_tenths: int, target_tenths: int, year: TrainingYear, day: date) -> bool:
    return done_tenths < pace(target_tenths, year, day)
