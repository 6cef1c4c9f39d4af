"""Linking Telegram accounts to staff records: /invite deep links and /register requests."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.commands import ADMINS
from bot.texts import Safe, t
from handlers.core.actor import language_of
from handlers.core.turn import Turn, button, command
from rules.roles import ADMIN
from rules.states import RegistrationStatus
from storage.invites import (
    InviteProblem,
    create_invite,
    create_registration,
    decide_registration,
    note_register_attempt,
    pending_registration,
    redeem_invite,
    register_attempts,
)
from storage.locks import hold
from storage.models import Registration, Staff
from storage.schools import school_by_id
from storage.staff import admin_recipients, staff_by_name, staff_for_telegram, staff_named_anywhere
from storage.types import stored_id
from views.common import moment_label
from views.linking import decision_markup, kept_about

INVITE_PREFIX = "inv_"
MAX_NAME = 50
# Each /register may reach the admins of several schools: a stranger gets a few a day, enough
# for a real teacher's typo or two.
REGISTER_LIMIT = 3
REGISTER_WINDOW = timedelta(days=1)


async def _link(turn: Turn, staff: Staff, telegram_id: int) -> str | None:
    """Links the account; returns a text key explaining why not, or None when it worked."""
    current = [s for s in await staff_for_telegram(session=turn.session, telegram_id=telegram_id)]
    if any(s.school_id == staff.school_id and s.id != staff.id for s in current):
        return "link.account_taken"
    staff.telegram_id = telegram_id
    turn.session.add(staff)
    await turn.session.flush()
    return None


async def redeem_start_payload(turn: Turn, payload: str) -> bool:
    """Handles `/start inv_<code>`; False when the payload is not an invitation."""
    if not payload.startswith(INVITE_PREFIX):
        return False
    code = payload[len(INVITE_PREFIX) :]
    result = await redeem_invite(
        session=turn.session, code=code, telegram_id=turn.actor.telegram_id, now=turn.now
    )
    if isinstance(result, InviteProblem):
        await turn.audit("invite_refused", reason=result.value)
        turn.reply(turn.t(f"invite.{result.value}"))
        return True
    staff = await turn.session.get(Staff, result.staff_id)
    school = await school_by_id(session=turn.session, school_id=result.school_id)
    if staff is None or school is None or not staff.active:
        turn.reply(turn.t("invite.unknown"))
        return True
    previous = staff.telegram_id
    problem = await _link(turn, staff, turn.actor.telegram_id)
    if problem is not None:
        # The invitation stays usable for the right person: undo the claim.
        result.used_at, result.used_by = None, None
        turn.session.add(result)
        turn.reply(turn.t(problem))
        return True
    replaced = previous if previous is not None and previous != turn.actor.telegram_id else None
    await turn.audit(
        "staff_linked",
        school_id=school.id,
        subject_type="staff",
        subject_id=staff.id,
        via="invite",
        replaced=replaced,
    )
    if replaced is not None:
        # Whoever held the record loses it without having done anything: they must hear of it.
        await turn.audit(
            "staff_unlinked",
            school_id=school.id,
            subject_type="staff",
            subject_id=staff.id,
            telegram_id=replaced,
            via="invite",
        )
        old_lang = staff.language or await language_of(
            session=turn.session, settings=turn.svc.settings, telegram_id=replaced
        )
        turn.out.send(replaced, t(old_lang, "link.replaced", name=staff.name, school=school.name))
    lang = staff.language or turn.lang
    turn.reply(t(lang, "link.done", name=staff.name, school=school.name))
    return True


@command(where="private", roles=ADMINS)
async def cmd_invite(turn: Turn) -> None:
    """`/invite <name>`: a single-use deep link, valid 7 days, that links whoever opens it."""
    name = turn.arg_text
    if not name:
        turn.reply(turn.t("invite.usage"))
        return
    if turn.actor.school is None:
        turn.reply(turn.t("common.no_school"))
        return
    staff = await staff_by_name(
        session=turn.session, school_id=stored_id(turn.actor.school), name=name
    )
    if staff is None or not staff.active:
        turn.reply(
            turn.t("link.no_such_staff", name=name[:MAX_NAME], school=turn.actor.school.name)
        )
        return
    invite = await create_invite(
        session=turn.session,
        school_id=staff.school_id,
        staff_id=stored_id(staff),
        by=turn.actor.telegram_id,
        now=turn.now,
    )
    await turn.audit(
        "invite_created",
        subject_type="staff",
        subject_id=staff.id,
        linked=staff.telegram_id is not None,
    )
    link = f"https://t.me/{turn.context.bot.username}?start={INVITE_PREFIX}{invite.code}"
    expires = moment_label(turn.lang, invite.expires_at.astimezone(turn.svc.clock.tz))
    text = turn.t("invite.created", name=staff.name, link=link, expires=expires)
    if staff.telegram_id is not None:
        text = Safe(text + "\n\n" + turn.t("invite.relinks", name=staff.name))
    turn.reply(text)


@command(where="any", unbound_ok=False)
async def cmd_register(turn: Turn) -> None:
    """`/register <name>`: asks the school's admins to link this account to that staff record.

    In the staff group the school is known and its members may learn who is on its list. In
    private the sender may be anyone: the answer is the same whether or not the name is on any
    school's list, and the request goes to the admins of each school that has that name.
    """
    name = turn.arg_text
    if not name:
        turn.reply(turn.t("register.usage"))
        return
    if len(name) > MAX_NAME:
        turn.reply(turn.t("common.too_long", limit=MAX_NAME))
        return
    if turn.actor.staff is not None:
        turn.reply(turn.t("register.already", name=turn.actor.staff.name))
        return
    telegram_id = turn.actor.telegram_id
    # One request at a time per account, also across bot processes: the count below and the
    # check for a pending request must see the request sent a moment before.
    await hold(session=turn.session, topic="register", ident=telegram_id)
    since = turn.now - REGISTER_WINDOW
    if await register_attempts(session=turn.session, telegram_id=telegram_id, since=since) >= (
        REGISTER_LIMIT
    ):
        await turn.audit("register_limited")
        turn.reply(turn.t("register.limited", limit=REGISTER_LIMIT))
        return
    await note_register_attempt(session=turn.session, telegram_id=telegram_id, now=turn.now)
    if turn.actor.group is not None:
        await _register_in_group(turn, turn.actor.group.school_id, name)
        return
    turn.reply(turn.t("register.received", name=name))
    for staff in await staff_named_anywhere(session=turn.session, name=name):
        if staff.telegram_id is not None:
            _tell_linked(turn, staff, await _recipients(turn, staff.school_id))
        elif not await pending_registration(
            session=turn.session, telegram_id=telegram_id, staff_id=stored_id(staff)
        ):
            await _ask_admins(turn, staff)


async def _register_in_group(turn: Turn, school_id: int, name: str) -> None:
    """The staff group's own school: the answer may say what became of the request."""
    staff = await staff_by_name(session=turn.session, school_id=school_id, name=name)
    if staff is None or not staff.active:
        turn.reply(turn.t("register.unknown", name=name))
        return
    if staff.telegram_id is not None:
        turn.reply(turn.t("register.taken", name=staff.name))
        return
    if await pending_registration(
        session=turn.session, telegram_id=turn.actor.telegram_id, staff_id=stored_id(staff)
    ):
        turn.reply(turn.t("register.pending"))
        return
    asked = await _ask_admins(turn, staff)
    turn.reply(turn.t("register.sent" if asked else "register.no_admin", name=staff.name))


async def _recipients(turn: Turn, school_id: int) -> list[tuple[int, str]]:
    return await admin_recipients(
        session=turn.session,
        school_id=school_id,
        system_admins=turn.svc.settings.bootstrap_admin_ids,
        default_language=turn.svc.settings.default_language,
    )


def _tell_linked(turn: Turn, staff: Staff, recipients: list[tuple[int, str]]) -> None:
    """Someone asks for a record already linked: perhaps its owner on a new phone. Only an
    admin can tell, and relinking takes an invitation, never a button press."""
    for admin_id, lang in recipients:
        turn.out.send(
            admin_id,
            t(
                lang,
                "register.ask_linked",
                who=turn.actor.display_name,
                telegram_id=turn.actor.telegram_id,
                name=staff.name,
            ),
        )


async def _ask_admins(turn: Turn, staff: Staff) -> bool:
    """Stores the request and sends it to the school's admins; False when it has none."""
    registration = await create_registration(
        session=turn.session,
        school_id=staff.school_id,
        staff_id=stored_id(staff),
        telegram_id=turn.actor.telegram_id,
        telegram_name=turn.actor.display_name,
        now=turn.now,
    )
    await turn.audit(
        "registration_requested",
        school_id=staff.school_id,
        subject_type="registration",
        subject_id=registration.id,
    )
    school = await school_by_id(session=turn.session, school_id=staff.school_id)
    recipients = await _recipients(turn, staff.school_id)
    for admin_id, lang in recipients:
        turn.out.send(
            admin_id,
            t(
                lang,
                "register.ask_admin",
                who=turn.actor.display_name,
                telegram_id=turn.actor.telegram_id,
                name=staff.name,
                school=school.name if school else "",
            ),
            decision_markup(lang, registration),
            # Kept once sent: redrawn if the request expires undecided.
            about=kept_about(registration, lang),
        )
    return bool(recipients)


@button()
async def on_registration_button(turn: Turn) -> None:
    """An admin approves or rejects a registration; only the first decision counts."""
    assert turn.callback is not None
    registration_id = turn.callback.id()
    if turn.callback.action not in ("ok", "no") or registration_id is None:
        await turn.refuse_press(reason="bad_action")
        return
    registration = await turn.session.get(Registration, registration_id)
    if registration is None:
        await turn.refuse_press(reason="unknown_registration", registration=registration_id)
        return
    if not await _is_admin_of(turn, registration.school_id):
        await turn.deny_press(
            school_id=registration.school_id,
            subject_type="registration",
            subject_id=registration.id,
        )
        return
    approve = turn.callback.action == "ok"
    if not await decide_registration(
        session=turn.session,
        registration_id=registration_id,
        approve=approve,
        by=turn.actor.telegram_id,
        now=turn.now,
    ):
        await turn.session.refresh(registration)
        turn.toast(
            turn.t(
                "register.already_decided", state=turn.t(f"register.state_{registration.status}")
            ),
            alert=True,
        )
        turn.edit_origin(
            turn.t(f"register.closed_{registration.status}", name=registration.telegram_name)
        )
        return
    staff = await turn.session.get(Staff, registration.staff_id)
    school = await school_by_id(session=turn.session, school_id=registration.school_id)
    assert staff is not None and school is not None
    if approve:
        problem = None if staff.telegram_id is None else "register.taken"
        problem = problem or await _link(turn, staff, registration.telegram_id)
        if problem is not None:
            registration.status = RegistrationStatus.REJECTED
            turn.session.add(registration)
            turn.edit_origin(turn.t(problem, name=staff.name))
            return
    await turn.audit(
        "registration_approved" if approve else "registration_rejected",
        school_id=registration.school_id,
        subject_type="registration",
        subject_id=registration.id,
        staff=staff.id,
    )
    state = "approved" if approve else "rejected"
    turn.edit_origin(
        turn.t(f"register.closed_{state}", name=f"{registration.telegram_name} → {staff.name}")
    )
    lang = staff.language or turn.svc.settings.default_language
    key = "link.done" if approve else "register.rejected_user"
    turn.out.send(registration.telegram_id, t(lang, key, name=staff.name, school=school.name))


async def _is_admin_of(turn: Turn, school_id: int) -> bool:
    if turn.actor.is_sysadmin:
        return True
    records = await staff_for_telegram(session=turn.session, telegram_id=turn.actor.telegram_id)
    return any(s.school_id == school_id and ADMIN in s.role_set for s in records)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("invite", cmd_invite),
        CommandHandler("register", cmd_register),
        CallbackQueryHandler(on_registration_button, pattern=callbacks.REGISTRATION.pattern),
    ]
