"""Per-school policy values over the documented defaults (rules/policies.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.policies import PolicySet, spec
from storage.models import Policy
from storage.school_static import school_static
from storage.schools import bump_schedule_version
from storage.session_memo import remembered, tables_of

POLICY_TABLE = tables_of(Policy)


async def load_policies(*, session: AsyncSession, school_id: int) -> PolicySet:
    """The school's policy values: nearly every action reads them, and they are kept with the
    school's static data between actions (storing one moves its version). Once per action, too:
    an action that moved the version reads the static data afresh each time it asks."""

    async def load() -> PolicySet:
        return (await school_static(session=session, school_id=school_id)).policies

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
    """Validates and stores one value; returns (old, new), equal when nothing changed (then
    nothing is written). Raises KeyError or PolicyError."""
    item = spec(key)
    new = item.normalise(raw_value)
    row = (
        await session.exec(select(Policy).where(Policy.school_id == school_id, Policy.key == key))
    ).first()
    old = row.value if row is not None else item.default
    if new == old:
        # Nothing to store, and no reason to plan the school's pushes again.
        return old, new
    if row is None:
        row = Policy(school_id=school_id, key=key, value=new, updated_at=now, updated_by=by)
    else:
        row.value, row.updated_at, row.updated_by = new, now, by
    session.add(row)
    await session.flush()
    # Every action reads the policies from the school's static data, kept under this version.
    await bump_schedule_version(session=session, school_id=school_id)
    return old, new
