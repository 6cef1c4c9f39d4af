"""Single-use invitation links that tie a Telegram account to a staff record."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.states import RegistrationStatus
from storage import audit
from storage.models import AuditLog, Invite, Registration, School

INVITE_LIFETIME = timedelta(days=7)


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


async def create_invite(
    *, session: AsyncSession, school_id: int, staff_id: int, by: int | None, now: datetime
) -> Invite:
    invite = Invite(
        school_id=school_id,
        staff_id=staff_id,
        code=secrets.token_urlsafe(12),
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
        created_by=by,
    )
    session.add(invite)
    await session.flush()
    return invite


async def redeem_invite(
    *, session: AsyncSession, code: str, telegram_id: int, now: datetime
) -> Invite | InviteProblem:
    """Marks the invite used by this account, at most once even when opened twice at once."""
    invite = (await session.exec(select(Invite).where(Invite.code == code))).first()
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.used_at is not None:
        return InviteProblem.USED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    claimed = await session.exec(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by=telegram_id)
    )
    if claimed.rowcount != 1:
        return InviteProblem.USED
    await session.refresh(invite)
    return invite


async def create_registration(
    *,
    session: AsyncSession,
    school_id: int,
    staff_id: int,
    telegram_id: int,
    telegram_name: str,
    now: datetime,
) -> Registration:
    registration = Registration(
        school_id=school_id,
        staff_id=staff_id,
        telegram_id=telegram_id,
        telegram_name=telegram_name[:200],
        created_at=now,
    )
    session.add(registration)
    await session.flush()
    return registration


async def pending_registration(
    *, session: AsyncSession, telegram_id: int, staff_id: int
) -> Registration | None:
    query = select(Registration).where(
        Registration.telegram_id == telegram_id,
        Registration.staff_id == staff_id,
        Registration.status == RegistrationStatus.PENDING,
    )
    return (await session.exec(query)).first()


async def decide_registration(
    *, session: AsyncSession, registration_id: int, approve: bool, by: int, now: datetime
) -> bool:
    """The conditional update that lets exactly one of two approvers decide."""
    result = await session.exec(
        update(Registration)
        .where(
            col(Registration.id) == registration_id,
            col(Registration.status) == RegistrationStatus.PENDING,
        )
        .values(
            status=RegistrationStatus.APPROVED if approve else RegistrationStatus.REJECTED,
            decided_at=now,
            decided_by=by,
        )
    )
    return result.rowcount == 1


async def pending_registrations(*, session: AsyncSession) -> list[tuple[Registration, School]]:
    """Every link request still waiting, with its school (the registration watch)."""
    query = (
        select(Registration, School)
        .join(School, col(School.id) == col(Registration.school_id))
        .where(Registration.status == RegistrationStatus.PENDING)
        .order_by(col(Registration.id))
    )
    return [(row, school) for row, school in (await session.exec(query)).all()]


async def expire_registration(
    *, session: AsyncSession, registration_id: int, now: datetime
) -> bool:
    """Nobody decided it in time: it expires (one winner against an admin's press)."""
    result = await session.exec(
        update(Registration)
        .where(
            col(Registration.id) == registration_id,
            col(Registration.status) == RegistrationStatus.PENDING,
        )
        .values(status=RegistrationStatus.EXPIRED, decided_at=now)
    )
    return result.rowcount == 1


async def mark_escalated(*, session: AsyncSession, registration_id: int, now: datetime) -> bool:
    """The system admins are told once: True for the one caller that marks it first."""
    result = await session.exec(
        update(Registration)
        .where(
            col(Registration.id) == registration_id,
            col(Registration.status) == RegistrationStatus.PENDING,
            col(Registration.escalated_at).is_(None),
        )
        .values(escalated_at=now)
    )
    return result.rowcount == 1


REGISTER_ATTEMPT = "register_attempt"


async def note_register_attempt(*, session: AsyncSession, telegram_id: int, now: datetime) -> None:
    """Counts one /register by this account (kept in the audit log, so a restart forgets none)."""
    # Without a school: the attempt names none yet, and the audit index on (school, time)
    # then finds an account's recent attempts among the few rows that have no school.
    await audit.record(
        session=session, at=now, action=REGISTER_ATTEMPT, actor_telegram_id=telegram_id
    )


async def register_attempts(*, session: AsyncSession, telegram_id: int, since: datetime) -> int:
    """How many times this account sent /register since `since`."""
    query = select(func.count()).where(
        col(AuditLog.school_id).is_(None),
        col(AuditLog.at) >= since,
        col(AuditLog.action) == REGISTER_ATTEMPT,
        col(AuditLog.actor_telegram_id) == telegram_id,
    )
    return int((await session.exec(query)).one())
