"""What a locked month's refusals say: which month, who locked it and when, and how the office
reopens it (`/report 解锁 2026-11`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.texts import t
from storage.cover_locks import MonthLock
from storage.schedule import Names
from views.common import day_label


def locker(lang: str, names: Names, lock: MonthLock) -> str:
    """Who locked the month: the colleague (by the Telegram id kept with the lock), or a
    word for someone since removed from the staff list."""
    people = {p.telegram_id: p.name for p in names.staff.values() if p.telegram_id is not None}
    found = people.get(lock.locked_by) if lock.locked_by is not None else None
    return found if found is not None else t(lang, "report.locked.by_unknown")


def lock_values(lang: str, names: Names, lock: MonthLock, tz: ZoneInfo) -> dict[str, object]:
    """The month, who locked it and on which day, as every locked-month text names them."""
    return {
        "month": f"{lock.month:%Y-%m}",
        "who": locker(lang, names, lock),
        "at": day_label(lang, lock.locked_at.astimezone(tz).date()),
    }


def lesson_locked_text(lang: str, names: Names, lock: MonthLock, tz: ZoneInfo) -> str:
    """A change to one lesson of a locked month, refused."""
    return t(lang, "report.locked.lesson", **lock_values(lang, names, lock, tz))


def kept_text(lang: str, names: Names, lock: MonthLock, tz: ZoneInfo, count: int) -> str:
    """An action that went ahead left `count` lessons of a locked month as they were."""
    return t(lang, "report.locked.kept", count=count, **lock_values(lang, names, lock, tz))
