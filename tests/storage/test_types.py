"""The id of a stored row: a row that never reached the database has none, and saying 0 for it
would quietly name no row at all."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import School
from storage.types import stored_id
from tests.conftest import SHANGHAI

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)


def test_a_row_never_flushed_has_no_id_to_give() -> None:
    with pytest.raises(ValueError, match="School has no id"):
        stored_id(School(name="实验小学"))


async def test_a_flushed_row_gives_its_id(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = School(name="实验小学", created_at=NOW)
        s.add(school)
        await s.flush()
        assert stored_id(school) == school.id and school.id > 0
