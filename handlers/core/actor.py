"""Who is acting: the Telegram account, its staff record in the school concerned, and its roles.

Authorisation always comes from here (our own role table), never from what a button says.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Chat, User

from bot.config import Settings
from rules.roles import ADMIN
from storage.models import GroupChat, School, Staff, UserPref
from storage.schools import group_with_school, list_schools, school_by_id
from storage.staff import account, staff_for_telegram, user_pref

GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)


@dataclass
class Actor:
    telegram_id: int
    display_name: str
    lang: str
    is_sysadmin: bool
    school: School | None
    staff: Staff | None
    group: GroupChat | None  # the bound staff group the update came from, if any
    pref: UserPref | None

    @property
    def roles(self) -> frozenset[str]:
        return self.staff.role_set if self.staff is not None else frozenset()

    @property
    def is_admin(self) -> bool:
        return self.is_sysadmin or ADMIN in self.roles

    def has_any(self, roles: frozenset[str] | set[str]) -> bool:
        if ADMIN in roles and self.is_sysadmin:
            return True
        return bool(self.roles & roles)

    @property
    def school_id(self) -> int | None:
        return self.school.id if self.school is not None else None


async def load_actor(
    *, session: AsyncSession, settings: Settings, user: User, chat: Chat | None
) -> Actor:
    pairs, pref = await account(session=session, telegram_id=user.id)
    linked = [staff for staff, _ in pairs]
    # Held here: the session's identity map keeps a school only while something refers to it.
    known_schools = {school.id: school for _, school in pairs}
    is_sysadmin = user.id in settings.bootstrap_admin_ids

    group = None
    school_id: int | None = None
    if chat is not None and chat.type in GROUP_TYPES:
        found = await group_with_school(session=session, chat_id=chat.id)
        group = found[0] if found is not None else None
        if found is not None:
            known_schools[found[1].id] = found[1]
        school_id = group.school_id if group is not None else None
    else:
        # In private chat: the school the person chose last, else the one they work at; a
        # system admin with no staff record gets the only school when there is just one.
        linked_ids = [s.school_id for s in linked]
        if (
            pref is not None
            and pref.school_id is not None
            and (pref.school_id in linked_ids or is_sysadmin)
        ):
            school_id = pref.school_id
        elif linked_ids:
            school_id = linked_ids[0]
        elif is_sysadmin:
            schools = await list_schools(session=session)
            school_id = schools[0].id if len(schools) == 1 else None

    staff = next((s for s in linked if s.school_id == school_id), None)
    school = known_schools.get(school_id) if school_id else None
    if school is None and school_id:
        school = await school_by_id(session=session, school_id=school_id)
    lang = (
        (staff.language if staff is not None else None)
        or (pref.language if pref is not None else None)
        or settings.default_language
    )
    return Actor(
        telegram_id=user.id,
        display_name=user.full_name,
        lang=lang,
        is_sysadmin=is_sysadmin,
        school=school,
        staff=staff,
        group=group,
        pref=pref,
    )


async def language_of(*, session: AsyncSession, settings: Settings, telegram_id: int) -> str:
    """The language a person chose (staff record first), or the default."""
    for staff in await staff_for_telegram(session=session, telegram_id=telegram_id):
        if staff.language:
            return staff.language
    pref = await user_pref(session=session, telegram_id=telegram_id)
    return (pref.language if pref is not None else None) or settings.default_language
