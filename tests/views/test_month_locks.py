"""What a locked month's refusals say: the month, who locked it on which local day, and how to
reopen it; a locker since removed from the staff list is still named as such."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage.cover_locks import MonthLock
from tests.conftest import SHANGHAI
from tests.views.plain import CAO, names
from views.month_locks import kept_text, lesson_locked_text


def test_the_refusal_names_the_month_the_locker_and_the_local_day() -> None:
    known = names()
    known.staff[CAO].telegram_id = 555
    # 17:30 on 2 December in UTC is already the 3rd in Shanghai.
    lock = MonthLock(date(2026, 11, 1), datetime(2026, 12, 2, 17, 30, tzinfo=UTC), 555)
    zh = lesson_locked_text("zh", known, lock, SHANGHAI)
    assert zh.startswith("🔒 2026-11 的代课统计已由 曹明 于 12月3日 周四 锁定")
    assert "/report 解锁 2026-11" in zh
    en = kept_text("en", known, lock, SHANGHAI, 2)
    assert "locked by 曹明 on Thu 3 Dec: the cover of 2 of these lessons stays" in en
    assert "/report unlock 2026-11" in en


def test_a_locker_no_longer_on_the_staff_list_is_said_so() -> None:
    lock = MonthLock(date(2026, 11, 1), datetime(2026, 12, 2, 1, 0, tzinfo=UTC), 999)
    assert "一位已不在教职工名单上的同事" in lesson_locked_text("zh", names(), lock, SHANGHAI)
