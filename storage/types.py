"""Column types shared by the tables, and the id of a stored row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware.

    SQLite keeps no offset, so without this a value read back would be naive and silently wrong.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Row(Protocol):
    """A table row: its id is None until the row is flushed."""

    @property
    def id(self) -> int | None: ...


def stored_id(row: Row) -> int:
    """The id of a row that was stored (read from the database, or added and flushed).

    A row that never reached the database has no id; using one as if it had (0, say) would
    quietly name no row at all, so this raises instead.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id
