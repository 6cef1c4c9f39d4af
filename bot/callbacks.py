"""Callback data: short, versioned, ids only, parsed here and nowhere else.

Format `v1:<feature>:<action>:<id>[:<id>…]`, at most 64 bytes. A button proves nothing: every
press is re-authorised against the role table by its handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 64
_NAME = re.compile(r"^[a-z][a-z0-9]{0,9}$")
_ID = re.compile(r"^(0|[1-9]\d{0,9})$")
# Ids are database ids (PostgreSQL INTEGER) and small values; anything larger was not made here,
# and would only fail deeper down, in a query.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Callback:
    feature: str
    action: str
    ids: tuple[int, ...]

    def id(self, index: int = 0) -> int | None:
        return self.ids[index] if index < len(self.ids) else None


def encode(feature: str, action: str, *ids: int) -> str:
    if not _NAME.match(feature) or not _NAME.match(action):
        raise ValueError(f"bad callback name {feature}:{action}")
    if any(not isinstance(i, int) or not 0 <= i <= MAX_ID for i in ids):
        raise ValueError("callback ids must be integers from 0 to 2**31-1")
    data = ":".join([VERSION, feature, action, *map(str, ids)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
    return data


def decode(data: str | None) -> Callback | None:
    """The parsed callback, or None for anything we did not produce (old, forged, junk)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != VERSION:
        return None
    feature, action, raw_ids = parts[1], parts[2], parts[3:]
    if not _NAME.match(feature) or not _NAME.match(action):
        return None
    if not all(_ID.match(raw) for raw in raw_ids):
        return None
    ids = tuple(int(raw) for raw in raw_ids)
    if any(value > MAX_ID for value in ids):
        return None
    return Callback(feature, action, ids)


def pattern(feature: str) -> re.Pattern[str]:
    """The CallbackQueryHandler pattern for one feature's buttons."""
    return re.compile(rf"^{VERSION}:{re.escape(feature)}:")


@dataclass(frozen=True)
class Feature:
    """A family of buttons under one name, for a handler that takes all of them and tells them
    apart by action (`/settings`, duty swaps)."""

    name: str

    def button(self, action: str, *fields: str) -> Button:
        return Button(self.name, action, fields)

    @property
    def pattern(self) -> re.Pattern[str]:
        return pattern(self.name)


@dataclass(frozen=True)
class Button:
    """One kind of button, declared once: its feature, its action and the ids it carries, by
    name. `data(...)` writes what Telegram keeps on the button, `pattern` is what the handler
    that answers it listens for, and `parse` reads its ids back by name."""

    feature: str
    action: str
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.feature) or not _NAME.match(self.action):
            raise ValueError(f"bad callback name {self.feature}:{self.action}")

    def data(self, *ids: int) -> str:
        """The callback data for one button of this kind; too long or wrongly filled is refused."""
        if len(ids) != len(self.fields):
            raise ValueError(
                f"{self.feature}:{self.action} carries {', '.join(self.fields) or 'no ids'}"
            )
        return encode(self.feature, self.action, *ids)

    @property
    def pattern(self) -> re.Pattern[str]:
        return pattern_of(self)

    def matches(self, pressed: Callback | None) -> bool:
        return (
            pressed is not None
            and pressed.feature == self.feature
            and pressed.action == self.action
            and len(pressed.ids) == len(self.fields)
        )

    def field(self, pressed: Callback, name: str) -> int | None:
        """One id of a press its handler already took for this kind, by name (None when the
        press carried fewer ids; the handler refuses it like any other stale data)."""
        return pressed.id(self.fields.index(name))

    def read(self, pressed: Callback | None) -> dict[str, int] | None:
        """The ids of a pressed button of this kind, by name; None for any other button."""
        if pressed is None or not self.matches(pressed):
            return None
        return dict(zip(self.fields, pressed.ids, strict=True))

    def parse(self, data: str | None) -> dict[str, int] | None:
        return self.read(decode(data))


def pattern_of(*buttons: Button) -> re.Pattern[str]:
    """One handler's pattern for several kinds of one feature (a yes and a no answered by the
    same function). Kinds that carry ids match with ids only; kinds without, only bare."""
    features = {b.feature for b in buttons}
    carries = {bool(b.fields) for b in buttons}
    if len(features) != 1 or len(carries) != 1:
        raise ValueError("one pattern serves kinds of one feature that all carry ids or none")
    actions = [re.escape(b.action) for b in buttons]
    alternatives = actions[0] if len(actions) == 1 else f"({'|'.join(actions)})"
    tail = ":" if carries.pop() else "$"
    return re.compile(rf"^{VERSION}:{re.escape(features.pop())}:{alternatives}{tail}")


# --- every button the bot draws ------------------------------------------------------------------
# Field names say what each id is; the order is the order on the wire, which buttons already sent
# keep, so a kind's action and fields never change once released (add a new kind instead).

# Onboarding and linking
LANGUAGE = Feature("lang")
SET_LANGUAGE = LANGUAGE.button("set", "language")
REGISTRATION = Feature("reg")
REGISTRATION_APPROVE = REGISTRATION.button("ok", "registration")
REGISTRATION_REJECT = REGISTRATION.button("no", "registration")

# Settings: one handler for the whole menu
SETTINGS = Feature("set")
SETTINGS_MENU = SETTINGS.button("menu")
SETTINGS_SECTION = SETTINGS.button("sec", "section", "page")
SETTINGS_OPEN = SETTINGS.button("open", "policy")
SETTINGS_STOP = SETTINGS.button("stop", "policy")
SETTINGS_PICK = SETTINGS.button("pick", "policy", "option")
SETTINGS_FORCE = SETTINGS.button("force", "policy", "value")
SETTINGS_KEEP = SETTINGS.button("keep", "policy")

# Meetings and training hours
EVENTS = Feature("ev")
CHECK_IN = EVENTS.button("in", "event", "day")
EVENT_END = EVENTS.button("end", "event")
EVENT_KEEP = EVENTS.button("keep", "event")
HOURS = Feature("hrs")
HOURS_APPROVE = HOURS.button("ok", "entry")
HOURS_RETURN = HOURS.button("no", "entry")

# Reports: a report's and a period's place in rules/report_requests.py's KINDS and PERIOD_CHOICES
REPORTS = Feature("rep")
REPORT_KIND = REPORTS.button("k", "kind")
REPORT_PERIOD = REPORTS.button("p", "kind", "period")
REPORT_TYPED = REPORTS.button("t", "kind")

# Duties
DUTY_SWAP = Feature("dswap")
DUTY_SWAP_ACCEPT = DUTY_SWAP.button("ok", "swap")
DUTY_SWAP_DECLINE = DUTY_SWAP.button("no", "swap")
DUTY_SWAP_APPROVE = DUTY_SWAP.button("aok", "swap")
DUTY_SWAP_REJECT = DUTY_SWAP.button("ano", "swap")
DUTY_SWAP_CANCEL = DUTY_SWAP.button("del", "swap")
DUTY_LEAVE = Feature("dlv")
DUTY_LEAVE_PICK = DUTY_LEAVE.button("pick", "post", "day", "absent", "staff")
DUTY_LEAVE_ELSE = DUTY_LEAVE.button("else", "post", "day", "absent")

# Cover boards
COVER_ASSIGN = Button("cov", "as", ("need", "staff", "version"))
COVER_SELF_STUDY = Button("cov", "ss", ("need", "version"))
COVER_MERGE = Button("cov", "mg", ("need", "version"))
COVER_MERGE_WITH = Button("cov", "mc", ("need", "klass", "version"))
COVER_ASK_GROUP = Button("cov", "ask", ("need", "version"))
COVER_PAGE = Button("cov", "pg", ("day", "index"))
COVER_REOPEN = Button("cov", "ro", ("need", "version"))
COVER_VOLUNTEER = Button("cov", "me", ("need",))
COVER_ACKNOWLEDGE = Button("cov", "ok", ("need", "version"))
COVER_DECLINE = Button("cov", "no", ("need", "version"))
COVER_DECLINE_NOW = Button("cov", "nn", ("need", "version"))

# Lesson handover: the absent teacher's leave and one lesson of it, by its day (as an ordinal)
# and period; day 0 is the whole leave. 已上 names the covered lesson, its line the report.
HANDOVER = Feature("hov")
HANDOVER_MENU = HANDOVER.button("menu", "leave")
HANDOVER_BACK = HANDOVER.button("back", "leave")
HANDOVER_PICK = HANDOVER.button("pick", "leave", "day", "period")
HANDOVER_CLEAR = HANDOVER.button("clr", "leave", "day", "period")
HANDOVER_DONE = HANDOVER.button("done", "leave", "day", "period")
HANDOVER_WHEN = HANDOVER.button("when", "leave", "now")
# A page of a long leave's handover menu.
HANDOVER_PAGE = Button("hovp", "pg", ("leave", "page"))
COVER_TAUGHT = Button("covd", "ok", ("need",))
COVER_TAUGHT_SKIP = Button("covd", "skip", ("report",))

# Homework
HOMEWORK = Feature("hw")
HOMEWORK_WITHDRAW = HOMEWORK.button("wd", "post")
HOMEWORK_SEND_ALL = HOMEWORK.button("go", "batch")
HOMEWORK_FIT = HOMEWORK.button("fit", "post")
HOMEWORK_EXCEPTION = HOMEWORK.button("exc", "post")
HOMEWORK_DROP = HOMEWORK.button("drop", "batch")
HOMEWORK_EDIT = Feature("hwed")
HOMEWORK_EDIT_START = HOMEWORK_EDIT.button("ed", "post")
HOMEWORK_APPROVAL = Feature("hwok")
HOMEWORK_APPROVE = HOMEWORK_APPROVAL.button("ok", "post", "version")
HOMEWORK_APPROVE_EXCEPTION = HOMEWORK_APPROVAL.button("xok", "post", "version")
HOMEWORK_RETURNING = Feature("hwret")
HOMEWORK_RETURN = HOMEWORK_RETURNING.button("no", "post", "version")
HOMEWORK_RETURN_EXCEPTION = HOMEWORK_RETURNING.button("xno", "post", "version")
HOMEWORK_RETURN_CONFIRM = Feature("hwrc")
HOMEWORK_RETURN_SEND = HOMEWORK_RETURN_CONFIRM.button("ok", "post", "version", "typed")
HOMEWORK_RETURN_CANCEL = HOMEWORK_RETURN_CONFIRM.button("no", "post", "version", "typed")
# The /hw wizard: each step's choice carries one value (a class id, an index, minutes).
HOMEWORK_WIZARD_CLASS = Button("hww", "cls", ("klass",))
HOMEWORK_WIZARD_SUBJECT = Button("hww", "sub", ("subject",))
HOMEWORK_WIZARD_KIND = Button("hww", "kind", ("index",))
HOMEWORK_WIZARD_LAYER = Button("hww", "lay", ("index",))
HOMEWORK_WIZARD_MINUTES = Button("hww", "min", ("minutes",))
HOMEWORK_WIZARD_PUBLISH = Button("hww", "ok", ("zero",))
HOMEWORK_WIZARD_STOP = Button("hww", "stop", ("zero",))

# Leave
LEAVE_WITHDRAW = Button("lv", "wd", ("leave",))
LEAVE_BACK = Button("lv", "bk", ("leave",))
# 撤销 asks first: 确定撤销 / 不撤销 name the leave and the message whose 撤销 was pressed.
LEAVE_WITHDRAW_CONFIRM = Feature("lvwd")
LEAVE_WITHDRAW_YES = LEAVE_WITHDRAW_CONFIRM.button("ok", "leave", "message")
LEAVE_WITHDRAW_NO = LEAVE_WITHDRAW_CONFIRM.button("no", "leave", "message")
LEAVE_APPROVE = Button("lv", "ok", ("approval",))
LEAVE_REJECT = Button("lvno", "go", ("approval",))
LEAVE_SUBSTITUTE = Feature("lvs")
LEAVE_SUBSTITUTE_YES = LEAVE_SUBSTITUTE.button("yes", "leave")
LEAVE_SUBSTITUTE_NO = LEAVE_SUBSTITUTE.button("no", "leave")
LEAVE_WIZARD_KIND = Button("lvw", "k", ("index",))
LEAVE_WIZARD_FIRST = Button("lvw", "d", ("day",))
LEAVE_WIZARD_LAST = Button("lvw", "e", ("day",))
LEAVE_WIZARD_PART = Button("lvw", "p", ("index",))
LEAVE_WIZARD_NO_SUBSTITUTE = Button("lvw", "ns")
LEAVE_WIZARD_SUBMIT = Button("lvw", "ok")
LEAVE_WIZARD_STOP = Button("lvw", "x")

# My day: the presser's own preference, so no ids but the time chosen
MY_DAY = Feature("day")
MY_DAY_OFF = MY_DAY.button("off")
MY_DAY_ON = MY_DAY.button("on")
MY_DAY_TIMES = MY_DAY.button("time")
MY_DAY_AT = MY_DAY.button("at", "minutes")

# Calendar feed: a new link for the presser's own feed, so no ids
FEED = Feature("feed")
FEED_NEW_LINK = FEED.button("new")

# Lesson swaps
SWAP_AGREE = Button("sw", "yes", ("swap",))
SWAP_DECLINE = Button("sw", "no", ("swap",))
SWAP_APPROVE = Button("sw", "ok", ("swap",))
SWAP_REJECT = Button("sw", "rej", ("swap",))
SWAP_WITHDRAW = Button("sw", "wd", ("swap",))
SWAP_CANCEL = Button("sw", "cx", ("swap",))
SWAP_WIZARD_MINE = Button("sww", "mine", ("slot",))
SWAP_WIZARD_COLLEAGUE = Button("sww", "who", ("staff",))
SWAP_WIZARD_THEIRS = Button("sww", "les", ("slot",))
SWAP_WIZARD_SUBMIT = Button("sww", "ok")
SWAP_WIZARD_STOP = Button("sww", "x")

# Long-term cover plans (固定代课): a pick names its weekly lesson (weekday × 100 + period, and
# the class), which stays itself as the days go by; a page turn names a place in the list.
COVER_PLAN = Feature("cplan")
COVER_PLAN_PICK = COVER_PLAN.button("pick", "leave", "slot", "klass", "staff")
COVER_PLAN_PAGE = COVER_PLAN.button("pg", "leave", "index")
COVER_PLAN_END = COVER_PLAN.button("end", "leave")
