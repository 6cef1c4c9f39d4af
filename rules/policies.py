"""Every per-school policy: its key, type, default and allowed values.

The features read policies through `PolicySet`; a school that never changed a key gets the
default documented here (the defaults come from the source documents, see shared/domain.md).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any


class PolicyError(ValueError):
    """A value that the policy does not allow; `allowed` says what would be.

    `problem` names the refusal's text (`settings.<problem>` in the catalogue): `bad_value` for
    the wrong form or range, `no_such_day` for a month-day no calendar has, `leap_day` for 02-29.
    """

    def __init__(self, key: str, value: str, allowed: str, problem: str = "bad_value") -> None:
        super().__init__(f"{key}={value!r}: allowed {allowed}")
        self.key = key
        self.value = value
        self.allowed = allowed
        self.problem = problem


@dataclass(frozen=True)
class PolicySpec:
    key: str
    kind: str  # int | time | choice | bool | monthday
    default: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    schedules: bool = False  # a change moves a scheduled push, so jobs are rebuilt

    def allowed(self) -> str:
        if self.kind == "int":
            return f"{self.minimum}–{self.maximum}"
        if self.kind == "time":
            return "HH:MM, 00:00–23:59"
        if self.kind == "choice":
            return " | ".join(self.choices)
        if self.kind == "bool":
            return "on | off"
        return "MM-DD"

    def parse(self, raw: str) -> Any:
        """Turns the stored or typed text into a value, or raises PolicyError."""
        text = raw.strip()
        if self.kind == "int":
            if not re.fullmatch(r"-?\d{1,10}", text):
                raise PolicyError(self.key, raw, self.allowed())
            number = int(text)
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= number <= self.maximum:
                raise PolicyError(self.key, raw, self.allowed())
            return number
        if self.kind == "time":
            match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text)
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise PolicyError(self.key, raw, self.allowed())
            return time(int(match[1]), int(match[2]))
        if self.kind == "choice":
            if text.lower() not in self.choices:
                raise PolicyError(self.key, raw, self.allowed())
            return text.lower()
        if self.kind == "bool":
            lowered = text.lower()
            if lowered in ("on", "true", "yes", "1", "开", "是"):
                return True
            if lowered in ("off", "false", "no", "0", "关", "否"):
                return False
            raise PolicyError(self.key, raw, self.allowed())
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text)
        if not match:
            raise PolicyError(self.key, raw, self.allowed())
        if not (1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 31):
            raise PolicyError(self.key, raw, self.allowed(), problem="no_such_day")
        return (int(match[1]), int(match[2]))

    def normalise(self, raw: str) -> str:
        """The canonical text stored for a valid value (so `7:5` is refused and `07:05` kept)."""
        value = self.parse(raw)
        if self.kind == "monthday":
            _check_month_day(self.key, raw, value)
        if self.kind == "time":
            return value.strftime("%H:%M")
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "monthday":
            return f"{value[0]:02d}-{value[1]:02d}"
        return str(value)


def _check_month_day(key: str, raw: str, value: tuple[int, int]) -> None:
    """Refuses a day no calendar has (02-30, 04-31) and 02-29, which most years lack.

    Only when a value is set: one stored before this check (read by `parse`) still names the
    month's last day, as rules/training.py reads it.
    """
    month, day = value
    if (month, day) == (2, 29):
        raise PolicyError(key, raw, "MM-DD", problem="leap_day")
    if day > calendar.monthrange(2001, month)[1]:  # 2001: not a leap year
        raise PolicyError(key, raw, "MM-DD", problem="no_such_day")


def _int(key: str, default: int, lo: int, hi: int, **kw: Any) -> PolicySpec:
    return PolicySpec(key, "int", str(default), minimum=lo, maximum=hi, **kw)


def _time(key: str, default: str) -> PolicySpec:
    return PolicySpec(key, "time", default, schedules=True)


# What a school can route to a topic of its forum staff group: homework posts (作业), cover (代课),
# duties and patrols (值日), notices of meetings and events (通知).
TOPICS = ("homework", "cover", "duty", "notices")
TOPIC_MAX = 2_147_483_647  # message ids are 32-bit in a chat

# Written homework caps in minutes per grade (shared/domain.md, seed 003): none in grades 1–2,
# 45 in 3–4, 60 in 5–6, 90 in junior middle school.
_HOMEWORK_CAPS = {1: 0, 2: 0, 3: 45, 4: 45, 5: 60, 6: 60, 7: 90, 8: 90, 9: 90}

SPECS: tuple[PolicySpec, ...] = (
    _int("leave.office_after_days", 1, 0, 30),
    _int("leave.principal_after_days", 3, 0, 60),
    # The longest date range of one request: `leave.max_days` for every kind without its own.
    # Maternity leave runs for months (98 days by national law, 158 in most provinces, more in
    # some); sick leave after an operation can run for weeks; personal leave stays short.
    _int("leave.max_days", 30, 1, 180),
    _int("leave.maternity_max_days", 158, 1, 400),
    _int("leave.sick_max_days", 90, 1, 366),
    _int("leave.personal_max_days", 15, 1, 180),
    _int("leave.reminder_minutes", 120, 10, 1440),
    _int("leave.escalate_minutes", 120, 10, 1440, schedules=True),
    _int("leave.escalate_urgent_minutes", 15, 5, 240, schedules=True),
    _int("leave.provisional_minutes", 60, 0, 480),
    _int("leave.sick_note_after_days", 1, 0, 30),
    PolicySpec("cover.arranger", "choice", "office", choices=("office", "grade_leader")),
    # Who of the arrangers gets a day's boards: every one, or those on a duty that day.
    PolicySpec("cover.boards_to", "choice", "all", choices=("all", "on_duty")),
    _int("cover.daily_cap", 2, 1, 8),
    # External teachers (外聘/代课) among the suggested substitutes. Off unless the school says
    # so: they are hired for set lessons and paid per lesson from a budget of their own, so
    # an extra cover costs money the office has to agree to; they can still be asked in the
    # group, and linked and used like anyone else.
    PolicySpec("cover.suggest_external", "bool", "off"),
    # A leave longer than this many school days offers its arrangers a fixed cover plan (固定代课).
    _int("cover.plan_after_days", 5, 1, 60),
    # A private reminder to the substitute this long before the lesson (0: none).
    _int("cover.reminder_minutes", 10, 0, 60, schedules=True),
    _time("cover.slip_today", "07:20"),
    _time("cover.slip_tomorrow", "20:00"),
    # Pay per cover lesson of each kind, in yuan (代课费); all 0: statements show no money.
    _int("cover.rate.cover", 0, 0, 1000),
    _int("cover.rate.merged", 0, 0, 1000),
    _int("cover.rate.self_study", 0, 0, 1000),
    # Pay per cover in a slot that is not a regular lesson (早读, 午管, 晚自习: the bell file's
    # slot kind); 0 pays such a cover by its kind, as above.
    _int("cover.rate.morning", 0, 0, 1000),
    _int("cover.rate.noon", 0, 0, 1000),
    _int("cover.rate.evening", 0, 0, 1000),
    # Last month's cover statement to the academic office on the month's first school day.
    PolicySpec("cover.statement", "bool", "on", schedules=True),
    _time("cover.statement_time", "08:00"),
    *(_int(f"homework.cap.grade{g}", cap, 0, 240) for g, cap in _HOMEWORK_CAPS.items()),
    PolicySpec(
        "homework.publication", "choice", "auto", choices=("auto", "head_teacher", "office")
    ),
    _time("homework.board_time", "16:30"),
    _int("homework.escalate_minutes", 60, 10, 480),
    _time("homework.weekly_summary_time", "17:00"),
    _time("duty.announce_time", "07:00"),
    _int("duty.reminder_minutes", 15, 0, 120, schedules=True),
    PolicySpec("duty.swap_needs_admin", "bool", "off"),
    _time("patrol.reminder_time", "17:30"),
    _time("events.reminder_time", "17:00"),
    _time("events.week_summary_time", "07:30"),
    # A one-off meeting or training for a subject or grade group that falls on lessons puts its
    # members' lessons on the cover boards (handlers/events/cover.py); off: the office arranges
    # such cover by hand, as a leave.
    PolicySpec("events.cover", "bool", "on"),
    _int("training.target_hours", 90, 0, 1000),
    PolicySpec("training.year_start", "monthday", "09-01"),
    _int("push.grace_minutes", 120, 0, 720),
    # A copy of the whole database every day into BACKUP_DIR, keeping the newest `backup.keep`
    # (jobs/backup.py). Off: many schools already back up their server.
    PolicySpec("backup.daily", "bool", "off", schedules=True),
    _time("backup.time", "02:30"),
    _int("backup.keep", 7, 1, 365),
    # Forum topics of the staff group (message_thread_id; 0: the general topic). Set most easily
    # by an admin sending `/topic 作业` inside the topic (handlers/school/topics.py).
    *(_int(f"group.topic.{name}", 0, 0, TOPIC_MAX) for name in TOPICS),
    # Who below the office may have reports (/report): grade leaders their grade's or only
    # their own, and whether teachers may have their own cover statement and training hours.
    PolicySpec("report.grade_leaders", "choice", "grade", choices=("grade", "own")),
    PolicySpec("report.teachers", "bool", "on"),
)

SPEC_BY_KEY: dict[str, PolicySpec] = {spec.key: spec for spec in SPECS}


def spec(key: str) -> PolicySpec:
    try:
        return SPEC_BY_KEY[key]
    except KeyError:
        raise KeyError(key) from None


class PolicySet:
    """A school's policies: its stored values over the defaults, parsed on read."""

    def __init__(self, stored: Mapping[str, str] | None = None) -> None:
        self._stored = {k: v for k, v in (stored or {}).items() if k in SPEC_BY_KEY}

    def raw(self, key: str) -> str:
        return self._stored.get(key, spec(key).default)

    def get(self, key: str) -> Any:
        item = spec(key)
        try:
            return item.parse(self.raw(key))
        except PolicyError:
            # A value that was valid once but no longer is (ranges tightened): fall back.
            return item.parse(item.default)

    def is_default(self, key: str) -> bool:
        return key not in self._stored or self._stored[key] == spec(key).default

    def topic(self, name: str) -> int | None:
        """The forum topic (message_thread_id) posts of `name` go to; None: the general one."""
        return self.get(f"group.topic.{name}") or None

    def homework_cap(self, grade: int) -> int | None:
        key = f"homework.cap.grade{grade}"
        return self.get(key) if key in SPEC_BY_KEY else None
