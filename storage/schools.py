"""Schools and their bound staff groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import GroupChat, School, UnboundChat
from storage.session_memo import held_row


class SchoolExists(Exception):
    pass


async def create_school(
    *, session: AsyncSession, name: str, timezone: str, now: datetime
) -> School:
    name = name.strip()
    if await school_by_name(session=session, name=name) is not None:
        raise SchoolExists(name)
    school = School(name=name, timezone=timezone, created_at=now)
    session.add(school)
    await session.flush()
    return school


async def school_by_name(*, session: AsyncSession, name: str) -> School | None:
    return (await session.exec(select(School).where(School.name == name.strip()))).first()


async def school_by_id(*, session: AsyncSession, school_id: int) -> School | None:
    return await held_row(session, School, school_id)


async def list_schools(*, session: AsyncSession) -> list[School]:
    return list((await session.exec(select(School).order_by(col(School.id)))).all())


async def group_for_chat(
    *, session: AsyncSession, chat_id: int, active_only: bool = True
) -> GroupChat | None:
    found = await group_with_school(session=session, chat_id=chat_id, active_only=active_only)
    return found[0] if found is not None else None


# Every group update runs this; built once, the statement's construction and its cache key are
# not paid again on each.
_GROUP_WITH_SCHOOL = (
    select(GroupChat, School)
    .join(School, col(School.id) == col(GroupChat.school_id))
    .where(col(GroupChat.chat_id) == bindparam("chat_id"))
)
_ACTIVE_GROUP_WITH_SCHOOL = _GROUP_WITH_SCHOOL.where(col(GroupChat.active).is_(True))


async def group_with_school(
    *, session: AsyncSession, chat_id: int, active_only: bool = True
) -> tuple[GroupChat, School] | None:
    """The bound group and its school in one query (every group update asks for both)."""
    query = _ACTIVE_GROUP_WITH_SCHOOL if active_only else _GROUP_WITH_SCHOOL
    row = (await session.exec(query, params={"chat_id": chat_id})).first()
    return (row[0], row[1]) if row is not None else None


async def staff_groups(*, session: AsyncSession, school_id: int) -> list[GroupChat]:
    query = (
        select(GroupChat)
        .where(GroupChat.school_id == school_id, col(GroupChat.active).is_(True))
        .order_by(col(GroupChat.id))
    )
    return list((await session.exec(query)).all())


async def lost_groups(*, session: AsyncSession, school_id: int) -> list[GroupChat]:
    """The school's former staff groups: the bot was removed from them or kicked."""
    query = (
        select(GroupChat)
        .where(GroupChat.school_id == school_id, col(GroupChat.active).is_(False))
        .order_by(col(GroupChat.id))
    )
    return list((await session.exec(query)).all())


async def bind_group(
    *,
    session: AsyncSession,
    school_id: int,
    chat_id: int,
    title: str,
    by: int,
    now: datetime,
) -> tuple[GroupChat, int | None]:
    """Binds the chat to the school; returns the binding and the school it was bound to before."""
    group = await group_for_chat(session=session, chat_id=chat_id, active_only=False)
    previous = group.school_id if group is not None and group.active else None
    if group is None:
        group = GroupChat(
            school_id=school_id, chat_id=chat_id, title=title, bound_at=now, bound_by=by
        )
    else:
        group.school_id, group.title, group.active = school_id, title, True
        group.bound_at, group.bound_by = now, by
    session.add(group)
    await session.flush()
    return group, previous


async def deactivate_group(*, session: AsyncSession, chat_id: int) -> GroupChat | None:
    group = await group_for_chat(session=session, chat_id=chat_id)
    if group is not None:
        group.active = False
        session.add(group)
        await session.flush()
    return group


async def migrate_group(*, session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    """Moves a binding to the supergroup's new id; True when there was one to move."""
    if await group_for_chat(session=session, chat_id=new_chat_id, active_only=False) is not None:
        return False
    result = await session.exec(
        update(GroupChat).where(col(GroupChat.chat_id) == old_chat_id).values(chat_id=new_chat_id)
    )
    return result.rowcount > 0


async def note_unbound(*, session: AsyncSession, chat_id: int, now: datetime) -> bool:
    """True the first time an unbound group is seen, so it is told only once."""
    if await session.get(UnboundChat, chat_id) is not None:
        return False
    session.add(UnboundChat(chat_id=chat_id, noticed_at=now))
    await session.flush()
    return True


async def bump_schedule_version(*, session: AsyncSession, school_id: int) -> None:
    """Counts up the version a running bot keeps the school's slow-changing data under (its
    static data, storage/school_static.py; its duty roster, storage/duty.py) and re-plans its
    pushes by (jobs/scheduler.py)."""
    await session.exec(
        update(School)
        .where(col(School.id) == school_id)
        .values(schedule_version=School.schedule_version + 1)
    )


async def schedule_versions(*, session: AsyncSession) -> dict[int, int]:
    rows = (await session.exec(select(School.id, School.schedule_version))).all()
    return {school_id: version for school_id, version in rows if school_id is not None}
