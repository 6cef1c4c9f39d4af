"""A link request (/register) is decided, brought to the system admins, or expires with the
requester told: nobody waits for an answer that never comes.

The school's admins (and the system admins) are asked when the request is made. When none of
the school's admins can be reached (no Telegram account, or the bot's messages to them came
back), or nobody decided it within `ESCALATE_AFTER`, the system admins are told once that it
waits on them. Undecided after `EXPIRES_AFTER`, it expires: the requester hears so in their
language, without being told which school has that name (they may be anyone), and the system
admins hear of it too when the school's admins could not be reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.messages import Edit, Send
from bot.request_messages import redraw
from bot.texts import t
from jobs.leave_escalation import reachable
from rules.states import RegistrationStatus
from storage import audit
from storage.invites import expire_registration, mark_escalated
from storage.models import Registration, School, Staff
from storage.staff import school_admins, user_pref
from storage.types import stored_id
from views.linking import KEPT, decision_markup, kept_about

Message = Send | Edit

ESCALATE_AFTER = timedelta(days=1)
EXPIRES_AFTER = timedelta(days=3)


async def _system_admins(session: AsyncSession, settings: Settings) -> list[tuple[int, str]]:
    """(telegram id, language) of the system admins."""
    found = []
    for telegram_id in sorted(settings.bootstrap_admin_ids):
        pref = await user_pref(session=session, telegram_id=telegram_id)
        found.append((telegram_id, (pref.language if pref else None) or settings.default_language))
    return found


async def admins_reachable(session: AsyncSession, school_id: int) -> bool:
    return bool(await reachable(session, await school_admins(session=session, school_id=school_id)))


async def escalate(
    session: AsyncSession,
    settings: Settings,
    registration: Registration,
    school: School,
    now: datetime,
) -> list[Message]:
    """Tells the system admins, once, that the request waits on them: none of the school's
    admins can be reached, or it waited `ESCALATE_AFTER`. Nothing when neither holds."""
    if registration.status != RegistrationStatus.PENDING or registration.escalated_at is not None:
        return []
    if await admins_reachable(session, stored_id(school)):
        if now - registration.created_at < ESCALATE_AFTER:
            return []
        why = "late"
    else:
        why = "unreachable"
    if not await mark_escalated(session=session, registration_id=stored_id(registration), now=now):
        return []
    await audit.record(
        session=session,
        at=now,
        action="registration_escalated",
        school_id=school.id,
        subject_type="registration",
        subject_id=registration.id,
        detail={"why": why},
    )
    staff = await session.get(Staff, registration.staff_id)
    days = EXPIRES_AFTER.days
    return [
        Send(
            admin_id,
            t(
                lang,
                "register.escalated",
                why=t(lang, f"register.why.{why}", school=school.name),
                who=registration.telegram_name,
                telegram_id=registration.telegram_id,
                name=staff.name if staff is not None else "?",
                days=days,
            ),
            decision_markup(lang, registration),
            about=kept_about(registration, lang),
        )
        for admin_id, lang in await _system_admins(session, settings)
    ]


async def expire(
    session: AsyncSession,
    settings: Settings,
    registration: Registration,
    school: School,
    now: datetime,
) -> list[Message] | None:
    """Nobody decided it in `EXPIRES_AFTER`: it expires, the requester is told, the admins'
    buttons are redrawn, and the system admins hear of it when the school's admins could not
    be reached. None when it is not due or was decided meanwhile."""
    if (
        registration.status != RegistrationStatus.PENDING
        or now - registration.created_at < EXPIRES_AFTER
    ):
        return None
    if not await expire_registration(
        session=session, registration_id=stored_id(registration), now=now
    ):
        return None
    await audit.record(
        session=session,
        at=now,
        action="registration_expired",
        school_id=school.id,
        subject_type="registration",
        subject_id=registration.id,
    )
    staff = await session.get(Staff, registration.staff_id)
    name = staff.name if staff is not None else "?"
    # Not staff yet: the language they chose, else the one of the record they asked for.
    pref = await user_pref(session=session, telegram_id=registration.telegram_id)
    lang = (
        (pref.language if pref else None)
        or (staff.language if staff is not None else None)
        or settings.default_language
    )
    days = EXPIRES_AFTER.days
    messages: list[Message] = [
        Send(registration.telegram_id, t(lang, "register.expired_user", name=name, days=days))
    ]
    if not await admins_reachable(session, stored_id(school)):
        messages += [
            Send(
                admin_id,
                t(
                    admin_lang,
                    "register.expired_sysadmin",
                    school=school.name,
                    who=registration.telegram_name,
                    telegram_id=registration.telegram_id,
                    name=name,
                    days=days,
                ),
            )
            for admin_id, admin_lang in await _system_admins(session, settings)
        ]
    messages += await redraw(
        session,
        KEPT,
        stored_id(registration),
        lambda lang: t(
            lang, "register.closed_expired", name=f"{registration.telegram_name} → {name}"
        ),
        settings.default_language,
    )
    return messages
