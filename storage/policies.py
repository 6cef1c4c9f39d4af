"""Per-school policy values over the documented defaults (rules/policies.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.policies import PolicySet, spec
from storage.models import Policy
from storage.session_memo import remembered, tables_of

POLICY_TABLE = tables_of(Policy)
# Built once: nearly every action reads the policies (see storage/cover.py).
_POLICIES = select(Policy).where(col(Policy.school_id) == bindparam("school_id"))


async def load_policies(*, session: AsyncSession, school_id: int) -> PolicySet:
    """The school's policy values, read once per action (see storage.session_memo)."""

    async def load() -> PolicySet:
        rows = (await session.exec(_POLICIES, params={"school_id": school_id})).all()
        return PolicySet({row.key: row.value for row in rows})

    return await remembered(session, ("policies", school_id), POLICY_TABLE, load)


async def set_policy(
    *,
    session: AsyncSession,
    school_id: int,
    key: str,
    raw_value: str,
    by: int | None,
    now: datetime,
) -> tuple[str, str]:
    """Validates and stores one value; returns (old, new). Raises KeyError or PolicyError."""
    item = spec(key)
    new = item.normalise(raw_value)
    row = (
        await session.exec(select(Policy).where(Policy.school_id == school_id, Policy.key == key))
    ).first()
    old = row.value if row is not None else item.default
    if row is None:
        row = Policy(school_id=school_id, key=key, value=new, updated_at=now, updated_by=by)
    else:
        row.value, row.updated_at, row.updated_by = new, now, by
    session.add(row)
    await session.flush()
    return old, new
