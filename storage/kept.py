"""What the bot keeps between actions for each school, under a version number the database
counts up when the data behind it changes (`schedule_version`, `staff_version`).

Kept per database (the engine), so that two databases in one process never share a school id,
and for the schools used most recently: older entries are read again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Connection, Engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import School
from storage.session_memo import flush_pending, held_row, wrote

T = TypeVar("T")

# Every school of a large district: a busy morning touches them all. About 0.3 MB a school of
# 350 lessons a week, timetable and staff list together.
DEFAULT_SCHOOLS = 512
# How many schools each kind of kept data holds (the setting SCHOOLS_KEPT, `keep_schools`).
_capacity = {"schools": DEFAULT_SCHOOLS}


def keep_schools(schools: int) -> None:
    """How many schools' data to keep from now on; the ones used longest ago go first."""
    _capacity["schools"] = max(1, schools)


class KeptByVersion(Generic[T]):
    def __init__(self) -> None:
        self._kept: WeakKeyDictionary[Engine | Connection, OrderedDict[int, tuple[int, T]]] = (
            WeakKeyDictionary()
        )

    def _entries(self, session: AsyncSession) -> OrderedDict[int, tuple[int, T]]:
        return self._kept.setdefault(session.sync_session.get_bind(), OrderedDict())

    def get(self, session: AsyncSession, school_id: int, version: int) -> T | None:
        """What was kept for the school under this version, if anything."""
        entries = self._entries(session)
        found = entries.get(school_id)
        if found is None or found[0] != version:
            return None
        entries.move_to_end(school_id)
        return found[1]

    def keep(self, session: AsyncSession, school_id: int, version: int, value: T) -> None:
        entries = self._entries(session)
        entries[school_id] = (version, value)
        entries.move_to_end(school_id)
        while len(entries) > _capacity["schools"]:
            entries.popitem(last=False)

    async def read(
        self,
        session: AsyncSession,
        school_id: int,
        *,
        version: Callable[[School], int],
        written: frozenset[str],
        load: Callable[[], Awaitable[T]],
        own: Callable[[], Awaitable[T]] | None = None,
    ) -> T:
        """What is kept for the school under its `version` as this transaction reads it, or
        `load()`, kept under that number. A session that wrote one of the tables `written` (its
        writes may still roll back), or a school not found, gets `own()` (by default `load()`),
        kept nowhere."""
        await flush_pending(session)
        fresh = own or load
        if wrote(session, written):
            return await fresh()
        school = await held_row(session, School, school_id)
        if school is None:
            return await fresh()
        number = version(school)
        found = self.get(session, school_id, number)
        if found is None:
            found = await load()
            self.keep(session, school_id, number, found)
        return found


def by_schedule_version(school: School) -> int:
    """The number the school's static data and duty roster are kept under."""
    return school.schedule_version


def by_staff_version(school: School) -> int:
    """The number the school's staff list is kept under."""
    return school.staff_version
