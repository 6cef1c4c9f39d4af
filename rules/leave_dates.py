"""Reading when a teacher will be away: days, ranges and the part of the day.

The days are read as every command reads them (rules.dates: 明天, 下周三, 11月27日, 11-27 or a
range), then 全天, 上午, 下午, 第3节 or 第1-3节 (English: am, pm, p1-3). Every error names the
piece that was not understood, so the reply can quote it.
`today` always comes from the bot's clock, never from the system.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rules.classnames import chinese_number
from rules.dates import DateError, normalise, read_day, read_span

MAX_PERIOD = 12

# Sick, personal and official leave are everyday; marriage, bereavement, maternity and paternity
# leave are granted by most schools too (shared/domain.md).
LEAVE_KINDS = (
    "sick", "personal", "official", "marriage", "bereavement", "maternity", "paternity", "other",
)  # fmt: skip
_KIND_WORDS = {
    "病假": "sick", "病": "sick", "sick": "sick",
    "事假": "personal", "事": "personal", "personal": "personal",
    "公假": "official", "公": "official", "公务": "official", "official": "official",
    "婚假": "marriage", "marriage": "marriage",
    "丧假": "bereavement", "bereavement": "bereavement", "funeral": "bereavement",
    "产假": "maternity", "maternity": "maternity",
    "陪产假": "paternity", "护理假": "paternity", "paternity": "paternity",
    "其他": "other", "其它": "other", "other": "other",
}  # fmt: skip

_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_PERIODS = re.compile(
    rf"^(?:第|p|period|periods)?{_NUM}(?:节|节课)?(?:(?:-|~|至|到|—|–)(?:第|p)?{_NUM})?(?:节|节课)?$"
)
_PART_WORDS = {
    "全天": "full", "整天": "full", "全日": "full", "一天": "full",
    "full": "full", "fullday": "full", "allday": "full", "wholeday": "full",
    "full-day": "full", "all-day": "full", "whole-day": "full",
    "上午": "am", "早上": "am", "am": "am", "morning": "am",
    "下午": "pm", "pm": "pm", "afternoon": "pm",
}  # fmt: skip
# Parts of the day people say that the leave does not take: each has no agreed periods, so the
# line is refused rather than read as a full day with the word taken into the reason.
_UNSUPPORTED_PARTS = frozenset(
    {
        "中午", "午间", "午休", "晚上", "晚间", "傍晚", "凌晨", "夜里", "夜间", "深夜", "半天",
        "早晨", "清晨", "noon", "midday", "lunchtime", "evening", "night", "tonight",
    }
)  # fmt: skip
_SUBSTITUTE = re.compile(r"^(?:代课|代课老师|cover|sub)[:：=](?P<name>.*)$", re.IGNORECASE)


# Leave's own refusals (a part of the day, a reason) are date errors like any other.
LeaveDateError = DateError


@dataclass(frozen=True)
class DayPart:
    """Which part of each day: the whole day, the morning, the afternoon or a run of periods."""

    kind: str  # full | am | pm | periods
    first: int | None = None
    last: int | None = None

    @property
    def code(self) -> str:
        """How it is stored: full, am, pm or p<first>-<last>."""
        if self.kind == "periods":
            return f"p{self.first}-{self.last}"
        return self.kind

    @classmethod
    def from_code(cls, code: str) -> DayPart:
        match = re.fullmatch(r"p(\d{1,2})-(\d{1,2})", code)
        if match:
            return cls("periods", int(match[1]), int(match[2]))
        if code not in ("full", "am", "pm"):
            raise ValueError(f"not a day part: {code!r}")
        return cls(code)

    @property
    def half_days(self) -> int:
        """How much of a day it takes, in halves: a run of periods counts as half a day."""
        return 2 if self.kind == "full" else 1


FULL_DAY = DayPart("full")


@dataclass(frozen=True)
class LeaveLine:
    """What `/leave <type> <days> [part] [代课:<name>] <reason>` said."""

    kind: str
    first: date
    last: date
    part: DayPart
    substitute: str | None
    reason: str


def parse_kind(text: str) -> str:
    kind = _KIND_WORDS.get(normalise(text))
    if kind is None:
        raise LeaveDateError("leave.err.kind", value=text)
    return kind


def parse_day(text: str, today: date) -> date:
    found = read_day(text, today)
    if found is None:
        raise LeaveDateError("leave.err.day", value=text)
    return found


def parse_span(text: str, today: date) -> tuple[date, date]:
    found = read_span(text, today)
    if found is None:
        raise LeaveDateError("leave.err.day", value=text)
    return found


def read_part(text: str) -> DayPart | None:
    """全天/上午/下午/第3节/第1-3节 (am, pm, p1-3), or None when it is not one.

    Raises LeaveDateError for periods out of order or beyond the last period.
    """
    value = normalise(text)
    if value in _PART_WORDS:
        return DayPart(_PART_WORDS[value])
    match = _PERIODS.match(value)
    if not match:
        return None
    # A bare number or 1-3 is a day or a typo, not a period: periods need 第, 节 or p.
    if not re.search(r"第|节|^p", value):
        return None
    first = chinese_number(match[1])
    last = chinese_number(match[2]) if match[2] else first
    if first is None or last is None:
        return None
    if not (1 <= first <= MAX_PERIOD and 1 <= last <= MAX_PERIOD):
        raise LeaveDateError("leave.err.period_range", value=text, max=MAX_PERIOD)
    if last < first:
        raise LeaveDateError("leave.err.period_order", value=text)
    return DayPart("periods", first, last)


def looks_like_part(text: str) -> bool:
    """Whether a word was probably meant as a part of the day (so a typo is not a reason)."""
    value = normalise(text)
    # Only what ends in 节 or reads p3: a reason may well begin with 第 (第二次复诊).
    return bool(re.match(r"^p\d", value) or value.endswith(("节", "节课")))


def parse_part(text: str) -> DayPart:
    found = read_part(text)
    if found is None:
        raise LeaveDateError("leave.err.part", value=text)
    return found


_PART_SUFFIX = re.compile(
    r"(全天|整天|上午|下午|早上|第?(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
    r"(?:[-~至到](?:\d{1,2}|[一二三四五六七八九十]{1,3}))?节课?)$"
)


def _split_glued(token: str, today: date) -> tuple[tuple[date, date], DayPart] | None:
    """明天上午, 周四第3节: a day and a part written without a space."""
    value = normalise(token)
    match = _PART_SUFFIX.search(value)
    if not match or match.start() == 0:
        return None
    span = read_span(value[: match.start()], today)
    part = read_part(match[1])
    if span is None or part is None:
        return None
    return span, part


def _reads_as_day(token: str, today: date) -> bool:
    """A word after the days that is itself a day, a range, or a day with its part."""
    try:
        return read_span(token, today) is not None or _split_glued(token, today) is not None
    except LeaveDateError:  # 周五第13节: a day whose periods are wrong is still a day
        return True


def parse_leave_line(text: str, today: date) -> LeaveLine:
    """Reads the one-line form; raises LeaveDateError naming the first thing not understood."""
    tokens = text.split()
    if not tokens:
        raise LeaveDateError("leave.err.empty")
    kind = parse_kind(tokens[0])
    rest = tokens[1:]
    if not rest:
        raise LeaveDateError("leave.err.no_day")
    span: tuple[date, date] | None = None
    part: DayPart | None = None
    used = 0
    # The longest run of words that reads as days: "11-27 ~ 11-28" is three words.
    for count in range(min(len(rest), 5), 0, -1):
        span = read_span("".join(rest[:count]), today)
        if span is not None:
            used = count
            break
    if span is None:
        glued = _split_glued(rest[0], today)
        if glued is None:
            raise LeaveDateError("leave.err.day", value=rest[0])
        (span, part), used = glued, 1
    rest = rest[used:]
    if part is None and rest:
        part = read_part(rest[0])
        if part is not None:
            rest = rest[1:]
        elif looks_like_part(rest[0]) or normalise(rest[0]) in _UNSUPPORTED_PARTS:
            raise LeaveDateError("leave.err.part", value=rest[0])
    if rest and _reads_as_day(rest[0], today):
        # 周四 周五 发烧: a second day apart from the first is not a range, and not a reason.
        raise LeaveDateError("leave.err.second_day", value=rest[0])
    substitute = None
    if rest:
        match = _SUBSTITUTE.match(unicodedata.normalize("NFKC", rest[0]))
        if match:
            substitute = match["name"].strip()
            rest = rest[1:]
            if not substitute and rest:
                substitute, rest = rest[0], rest[1:]
            if not substitute:
                raise LeaveDateError("leave.err.substitute_name")
    reason = " ".join(rest).strip()
    if not reason:
        raise LeaveDateError("leave.err.no_reason")
    return LeaveLine(kind, span[0], span[1], part or FULL_DAY, substitute, reason)


# The kinds of leave with a longest range of their own (rules/policies.py); the others share
# `leave.max_days`.
_OWN_MAXIMUM = ("maternity", "sick", "personal")


def max_days_policy(kind: str) -> str:
    """The policy that holds the longest range one request of this kind may span."""
    return f"leave.{kind}_max_days" if kind in _OWN_MAXIMUM else "leave.max_days"


def check_span(
    first: date,
    last: date,
    *,
    today: date,
    max_days: int,
    kind: str | None = None,
    allow_past: bool = False,
) -> LeaveDateError | None:
    """Why these days cannot be asked for, or None: backwards, too long (for this kind of
    leave, when it is known), or in the past."""
    if last < first:
        return LeaveDateError("leave.err.end_before_start", first=first, last=last)
    length = (last - first).days + 1
    if length > max_days:
        if kind is not None:
            return LeaveDateError("leave.err.too_long_kind", days=length, max=max_days, kind=kind)
        return LeaveDateError("leave.err.too_long", days=length, max=max_days)
    if first < today and not allow_past:
        return LeaveDateError("leave.err.past", day=first)
    return None
