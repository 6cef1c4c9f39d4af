"""Staff records and their link to Telegram accounts."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.roles import ADMIN
from storage.locks import database_held
from storage.models import School, SchoolClass, Staff, UserPref
from storage.session_memo import remembered
from storage.staff_cache import STAFF_TABLE, school_staff_rows
from storage.types import stored_id

# Built once: every leave request takes it before its overlap check.
_HOLD_STAFF = select(Staff.id).where(col(Staff.id) == bindparam("staff_id")).with_for_update()


async def hold_staff(*, session: AsyncSession, staff_id: int) -> None:
    """Serialises the actions that check a person's requests and then add one.

    Two submissions of overlapping leave for one teacher (a double tap, two bot processes on
    PostgreSQL) would each find no overlap and both insert; this row lock makes the second wait
    and then see the first. SQLite's BEGIN IMMEDIATE serialises whole transactions already
    (FOR UPDATE is not rendered there), so the statement is skipped.
    """
    if not database_held(session):
        await session.exec(_HOLD_STAFF, params={"staff_id": staff_id})


async def staff_for_telegram(*, session: AsyncSession, telegram_id: int) -> list[Staff]:
    """Every active staff record linked to this account (one per school at most)."""
    pairs = await staff_with_schools(session=session, telegram_id=telegram_id)
    return [staff for staff, _ in pairs]


# Every update runs this; built once, the statement's construction and its cache key are not
# paid again on each.
_STAFF_WITH_SCHOOLS = (
    select(Staff, School)
    .join(School, col(School.id) == col(Staff.school_id))
    .where(col(Staff.telegram_id) == bindparam("telegram_id"), col(Staff.active).is_(True))
    .order_by(col(Staff.school_id))
)


async def staff_with_schools(
    *, session: AsyncSession, telegram_id: int
) -> list[tuple[Staff, School]]:
    """The same records, each with its school, in one query (every update asks for both)."""
    rows = await session.exec(_STAFF_WITH_SCHOOLS, params={"telegram_id": telegram_id})
    return [(staff, school) for staff, school in rows.all()]


# An update's first question, built once: who the account is, and its preferences alongside.
_ACCOUNT = (
    select(Staff, School, UserPref)
    .join(School, col(School.id) == col(Staff.school_id))
    .outerjoin(UserPref, col(UserPref.telegram_id) == col(Staff.telegram_id))
    .where(col(Staff.telegram_id) == bindparam("telegram_id"), col(Staff.active).is_(True))
    .order_by(col(Staff.school_id))
)


async def account(
    *, session: AsyncSession, telegram_id: int
) -> tuple[list[tuple[Staff, School]], UserPref | None]:
    """The account's active staff records with their schools, and its preferences: one
    statement for a member of staff (every update asks), two for anyone else."""
    rows = (await session.exec(_ACCOUNT, params={"telegram_id": telegram_id})).all()
    if not rows:
        return [], await user_pref(session=session, telegram_id=telegram_id)
    return [(staff, school) for staff, school, _ in rows], rows[0][2]


async def staff_by_name(*, session: AsyncSession, school_id: int, name: str) -> Staff | None:
    query = select(Staff).where(Staff.school_id == school_id, Staff.name == name.strip())
    return (await session.exec(query)).first()


async def staff_named_anywhere(*, session: AsyncSession, name: str) -> list[Staff]:
    query = select(Staff).where(Staff.name == name.strip(), col(Staff.active).is_(True))
    return list((await session.exec(query)).all())


# Built once: most actions read the school's staff list.
_SCHOOL_STAFF = (
    select(Staff).where(col(Staff.school_id) == bindparam("school_id")).order_by(col(Staff.id))
)


async def all_school_staff(*, session: AsyncSession, school_id: int) -> list[Staff]:
    """Everyone on the school's staff list, former staff too, in id order; read once per action
    (see storage.session_memo): the names on a board and the people ranked for it share it."""

    async def own() -> list[Staff]:
        return list((await session.exec(_SCHOOL_STAFF, params={"school_id": school_id})).all())

    async def load() -> tuple[Staff, ...]:
        return await school_staff_rows(session, school_id, own)

    return list(await remembered(session, ("all_staff", school_id), STAFF_TABLE, load))


async def staff_with_ids(
    *, session: AsyncSession, school_id: int, ids: set[int]
) -> dict[int, Staff]:
    """These members of the school's staff (former ones too) by id, from the whole list: kept
    between actions (storage/staff_cache.py), it costs no statement once read."""
    if not ids:
        return {}
    everyone = await all_school_staff(session=session, school_id=school_id)
    return {stored_id(s): s for s in everyone if stored_id(s) in ids}


async def school_staff(*, session: AsyncSession, school_id: int) -> list[Staff]:
    """The school's active staff in id order, read once per action (see storage.session_memo)."""
    return [s for s in await all_school_staff(session=session, school_id=school_id) if s.active]


async def school_admins(*, session: AsyncSession, school_id: int) -> list[Staff]:
    return [
        s for s in await school_staff(session=session, school_id=school_id) if ADMIN in s.role_set
    ]


async def link_telegram(*, session: AsyncSession, staff: Staff, telegram_id: int) -> None:
    staff.telegram_id = telegram_id
    session.add(staff)
    await session.flush()


async def head_class(*, session: AsyncSession, staff: Staff) -> SchoolClass | None:
    if staff.head_of_class_id is None:
        return None
    return await session.get(SchoolClass, staff.head_of_class_id)


async def user_pref(*, session: AsyncSession, telegram_id: int) -> UserPref | None:
    return await session.get(UserPref, telegram_id)


async def save_user_pref(
    *,
    session: AsyncSession,
    telegram_id: int,
    language: str | None = None,
    school_id: int | None = None,
) -> UserPref:
    pref = await session.get(UserPref, telegram_id) or UserPref(telegram_id=telegram_id)
    if language is not None:
        pref.language = language
    if school_id is not None:
        pref.school_id = school_id
    session.add(pref)
    await session.flush()
    return pref


async def admin_recipients(
    *, session: AsyncSession, school_id: int, system_admins: frozenset[int], default_language: str
) -> list[tuple[int, str]]:
    """(telegram id, language) of the school's linked admins and of the system admins."""
    recipients: dict[int, str] = {}
    for staff in await school_admins(session=session, school_id=school_id):
        if staff.telegram_id is not None:
            recipients[staff.telegram_id] = staff.language or default_language
    for telegram_id in system_admins:
        if telegram_id not in recipients:
            pref = await session.get(UserPref, telegram_id)
            recipients[telegram_id] = (pref.language if pref else None) or default_language
    return sorted(recipients.items())
