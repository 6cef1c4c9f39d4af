"""/dutyswap: a colleague takes over my duty on a day, after they accept with a button.

`/dutyswap <date> <colleague> [<their date>]`: with a second date it is an exchange (I take
theirs that day). Where the school's policy `duty.swap_needs_admin` is on, an admin approves
after the colleague accepted. The first decision wins; a press by anyone else, or after the
decision, is refused and audited.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.texts import Safe, t
from handlers.core.turn import Turn, button, command
from jobs import kinds
from rules.importing import CellError
from rules.roles import ADMIN
from rules.states import DutySwapStatus
from storage.duty_swaps import (
    OPEN,
    SwapPlan,
    apply_swap,
    create_swap,
    move_swap,
    open_swap_for,
    open_swaps_in,
    plan_swap,
)
from storage.models import DutySwap, School, Staff
from storage.policies import load_policies
from storage.schools import school_by_id
from storage.staff import admin_recipients, staff_by_name, staff_for_telegram
from storage.types import stored_id
from views.common import day_label
from views.duty import hhmm, school_today, take_day


def _summary(lang: str, swap: DutySwap, plan: SwapPlan, giver: Staff, taker: Staff) -> Safe:
    """Who takes which post on which day, one line each."""
    lines = []
    for shifts, old, new in ((plan.given, giver, taker), (plan.taken, taker, giver)):
        for shift in shifts:
            lines.append(
                t(
                    lang,
                    "dswap.shift",
                    day=day_label(lang, shift.day),
                    start=hhmm(shift.starts_at),
                    end=hhmm(shift.ends_at),
                    post=shift.post,
                    old=old.name,
                    new=new.name,
                )
            )
    if not lines:
        lines.append(
            t(
                lang,
                "dswap.shift_day",
                day=day_label(lang, swap.day),
                old=giver.name,
                new=taker.name,
            )
        )
    return Safe("\n".join(lines))


def _buttons(
    lang: str, swap_id: int, pairs: tuple[tuple[callbacks.Button, str], ...]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, label), callback_data=kind.data(swap_id))
                for kind, label in pairs
            ]
        ]
    )


def _asking(
    lang: str, swap: DutySwap, plan: SwapPlan, giver: Staff, taker: Staff
) -> tuple[str, InlineKeyboardMarkup]:
    """The request to the colleague asked, with its 同意 / 不同意 buttons."""
    key = "dswap.ask" if swap.back_day is None else "dswap.ask_exchange"
    pairs = (
        (callbacks.DUTY_SWAP_ACCEPT, "dswap.accept"),
        (callbacks.DUTY_SWAP_DECLINE, "dswap.decline"),
    )
    summary = _summary(lang, swap, plan, giver, taker)
    return t(lang, key, name=giver.name, summary=summary), _buttons(lang, stored_id(swap), pairs)


def _approving(
    lang: str, swap: DutySwap, plan: SwapPlan, giver: Staff, taker: Staff
) -> tuple[str, InlineKeyboardMarkup]:
    """The request to an admin once both agreed, with its 批准 / 不批准 buttons."""
    pairs = (
        (callbacks.DUTY_SWAP_APPROVE, "dswap.approve"),
        (callbacks.DUTY_SWAP_REJECT, "dswap.reject"),
    )
    summary = _summary(lang, swap, plan, giver, taker)
    return t(lang, "dswap.ask_admin", summary=summary), _buttons(lang, stored_id(swap), pairs)


def _lang(turn: Turn, person: Staff) -> str:
    return person.language or turn.svc.settings.default_language


@command(where="private", staff=True)
async def cmd_dutyswap(turn: Turn) -> None:
    """Asks a colleague to take over my duties on a day (optionally taking theirs on another)."""
    school, me = turn.actor.school, turn.actor.staff
    if school is None or school.id is None:
        turn.reply(turn.t("common.no_school"))
        return
    if me is None:
        turn.reply(turn.t("common.not_linked"))
        return
    today = school_today(school, turn.now)
    words = turn.args
    if len(words) < 2:
        turn.reply(turn.t("dswap.usage"))
        await _list_open(turn, school.id, me, today)
        return
    try:
        day, used = take_day(words, today)
        name, rest = words[used] if used < len(words) else "", words[used + 1 :]
        back_day = take_day(rest, today)[0] if rest else None
    except CellError as exc:
        turn.reply(turn.t(exc.key, **exc.values))
        return
    if not name:
        turn.reply(turn.t("dswap.usage"))
        return
    past = next((d for d in (day, back_day) if d is not None and d < today), None)
    if past is not None:
        turn.reply(turn.t("dswap.err.past_day", day=day_label(turn.lang, past)))
        return
    colleague = await staff_by_name(session=turn.session, school_id=school.id, name=name)
    if colleague is None or not colleague.active:
        turn.reply(turn.t("dswap.err.no_staff", name=name[:50]))
        return
    if colleague.id == me.id:
        turn.reply(turn.t("dswap.err.self"))
        return
    if colleague.telegram_id is None:
        turn.reply(turn.t("dswap.err.not_linked", name=colleague.name))
        return
    if await open_swap_for(
        session=turn.session, school_id=school.id, from_staff_id=stored_id(me), day=day
    ):
        turn.reply(turn.t("dswap.err.open", day=day_label(turn.lang, day)))
        return
    plan = await plan_swap(
        session=turn.session,
        school_id=school.id,
        day=day,
        from_staff_id=stored_id(me),
        to_staff_id=stored_id(colleague),
        back_day=back_day,
    )
    if plan.problem is not None:
        turn.reply(turn.t(plan.problem, day=day_label(turn.lang, day), name=colleague.name))
        return
    swap = await create_swap(
        session=turn.session,
        school_id=school.id,
        day=day,
        from_staff_id=stored_id(me),
        to_staff_id=stored_id(colleague),
        back_day=back_day,
        now=turn.now,
    )
    await turn.audit(
        "duty_swap_requested", subject_type="duty_swap", subject_id=swap.id, to=colleague.id
    )
    turn.out.send(
        colleague.telegram_id, *_asking(_lang(turn, colleague), swap, plan, me, colleague)
    )
    needs_admin = (await load_policies(session=turn.session, school_id=school.id)).get(
        "duty.swap_needs_admin"
    )
    turn.reply(
        turn.t(
            "dswap.sent",
            name=colleague.name,
            summary=_summary(turn.lang, swap, plan, me, colleague),
            admin=turn.t("dswap.sent_admin_note") if needs_admin else "",
        ),
        _buttons(turn.lang, stored_id(swap), ((callbacks.DUTY_SWAP_CANCEL, "dswap.cancel"),)),
    )


async def _list_open(turn: Turn, school_id: int, me: Staff, today: date) -> None:
    for swap in await open_swaps_in(
        session=turn.session, school_id=school_id, staff_id=stored_id(me), today=today
    ):
        other = await turn.session.get(
            Staff, swap.to_staff_id if swap.from_staff_id == me.id else swap.from_staff_id
        )
        key = "dswap.open_mine" if swap.from_staff_id == me.id else "dswap.open_theirs"
        markup = (
            _buttons(turn.lang, stored_id(swap), ((callbacks.DUTY_SWAP_CANCEL, "dswap.cancel"),))
            if swap.from_staff_id == me.id
            else None
        )
        turn.reply(
            turn.t(
                key,
                day=day_label(turn.lang, swap.day),
                name=other.name if other else "?",
                state=turn.t(f"dswap.state.{swap.status}"),
            ),
            markup,
        )


async def _staff_in(turn: Turn, school_id: int) -> Staff | None:
    records = await staff_for_telegram(session=turn.session, telegram_id=turn.actor.telegram_id)
    return next((s for s in records if s.school_id == school_id), None)


async def _refuse(turn: Turn, swap: DutySwap | None, reason: str, key: str) -> None:
    await turn.audit(
        "button_refused",
        school_id=swap.school_id if swap is not None else None,
        subject_type="duty_swap",
        subject_id=swap.id if swap is not None else None,
        reason=reason,
        button=turn.callback.action if turn.callback else "",
    )
    turn.toast(turn.t(key), alert=True)


@button()
async def on_swap_button(turn: Turn) -> None:
    """Accept/decline (the colleague), approve/reject (an admin), or withdraw (the asker)."""
    assert turn.callback is not None
    action, swap_id = turn.callback.action, turn.callback.id()
    swap = await turn.session.get(DutySwap, swap_id) if swap_id is not None else None
    if swap is None or action not in ("ok", "no", "aok", "ano", "del"):
        await _refuse(turn, swap, "unknown", "common.button_invalid")
        return
    presser = await _staff_in(turn, swap.school_id)
    if action in ("ok", "no"):
        allowed = presser is not None and presser.id == swap.to_staff_id
    elif action == "del":
        allowed = presser is not None and presser.id == swap.from_staff_id
    else:
        allowed = turn.actor.is_sysadmin or (presser is not None and ADMIN in presser.role_set)
    if not allowed:
        await _refuse(turn, swap, "wrong_person", "common.not_allowed")
        return
    school = await school_by_id(session=turn.session, school_id=swap.school_id)
    giver = await turn.session.get(Staff, swap.from_staff_id)
    taker = await turn.session.get(Staff, swap.to_staff_id)
    assert school is not None and giver is not None and taker is not None
    deciding = {
        "ok": (DutySwapStatus.PENDING,),
        "no": (DutySwapStatus.PENDING,),
        "aok": (DutySwapStatus.ACCEPTED,),
        "ano": (DutySwapStatus.ACCEPTED,),
        "del": OPEN,
    }
    if swap.status not in deciding[action]:
        await _already(turn, swap)
        return
    parties = _Parties(turn, school, swap, giver, taker)
    if action in ("ok", "aok"):
        await parties.go_ahead(admin=action == "aok")
    elif action == "no":
        await parties.close(
            DutySwapStatus.DECLINED,
            (DutySwapStatus.PENDING,),
            "dswap.declined",
            to_giver=True,
            to_taker=False,
        )
    elif action == "ano":
        await parties.close(
            DutySwapStatus.REJECTED,
            (DutySwapStatus.ACCEPTED,),
            "dswap.rejected",
            to_giver=True,
            to_taker=True,
        )
    else:
        await parties.close(
            DutySwapStatus.CANCELLED, OPEN, "dswap.cancelled", to_giver=False, to_taker=True
        )


async def _already(turn: Turn, swap: DutySwap) -> None:
    """A second press, or one after someone else decided: refused, audited, buttons removed."""
    await turn.session.refresh(swap)
    state = turn.t(f"dswap.state.{swap.status}")
    await _refuse(turn, swap, "already_decided", "dswap.already")
    turn.edit_origin(turn.t("dswap.closed", state=state))


async def pending_duty_swaps(turn: Turn) -> int:
    """For /pending: the duty swaps waiting for this person, the colleague asked or an admin
    to approve, each with its buttons again; returns how many."""
    school, me = turn.actor.school, turn.actor.staff
    if school is None or school.id is None or me is None:
        return 0
    is_admin = turn.actor.is_sysadmin or ADMIN in me.role_set
    shown = 0
    today = school_today(school, turn.now)
    for swap in await open_swaps_in(session=turn.session, school_id=school.id, today=today):
        asked = swap.status == DutySwapStatus.PENDING and swap.to_staff_id == me.id
        approving = swap.status == DutySwapStatus.ACCEPTED and is_admin
        if not asked and not approving:
            continue
        giver = await turn.session.get(Staff, swap.from_staff_id)
        taker = await turn.session.get(Staff, swap.to_staff_id)
        if giver is None or taker is None:
            continue
        plan = await _Parties(turn, school, swap, giver, taker).plan()
        if plan.problem is not None:
            continue  # no longer possible: the press would say so, the list leaves it out
        compose = _asking if asked else _approving
        turn.reply(*compose(turn.lang, swap, plan, giver, taker))
        shown += 1
    return shown


class _Parties:
    """The people a swap concerns, and the notices a decision sends them."""

    def __init__(
        self, turn: Turn, school: School, swap: DutySwap, giver: Staff, taker: Staff
    ) -> None:
        self.turn, self.school, self.swap, self.giver, self.taker = turn, school, swap, giver, taker

    def summary(self, lang: str, plan: SwapPlan) -> Safe:
        return _summary(lang, self.swap, plan, self.giver, self.taker)

    def tell(self, person: Staff, key: str, plan: SwapPlan, **values: object) -> None:
        if person.telegram_id is None or person.telegram_id == self.turn.actor.telegram_id:
            return
        lang = _lang(self.turn, person)
        self.turn.out.send(
            person.telegram_id, t(lang, key, summary=self.summary(lang, plan), **values)
        )

    async def admins(self) -> list[tuple[int, str]]:
        settings = self.turn.svc.settings
        return await admin_recipients(
            session=self.turn.session,
            school_id=stored_id(self.school),
            system_admins=settings.bootstrap_admin_ids,
            default_language=settings.default_language,
        )

    async def plan(self) -> SwapPlan:
        turn, swap = self.turn, self.swap
        today = school_today(self.school, turn.now)
        if swap.day < today or (swap.back_day is not None and swap.back_day < today):
            return SwapPlan("dswap.err.past")
        return await plan_swap(
            session=turn.session,
            school_id=swap.school_id,
            day=swap.day,
            from_staff_id=swap.from_staff_id,
            to_staff_id=swap.to_staff_id,
            back_day=swap.back_day,
        )

    async def close(
        self,
        state: DutySwapStatus,
        allowed: tuple[DutySwapStatus, ...],
        key: str,
        *,
        to_giver: bool,
        to_taker: bool,
    ) -> None:
        turn, swap = self.turn, self.swap
        if not await move_swap(
            session=turn.session,
            swap_id=stored_id(swap),
            from_states=allowed,
            to_state=state,
            by=turn.actor.telegram_id,
            now=turn.now,
        ):
            await _already(turn, swap)
            return
        await turn.audit(
            f"duty_swap_{state}",
            school_id=swap.school_id,
            subject_type="duty_swap",
            subject_id=swap.id,
        )
        plan = await self.plan()
        values = {"name": self.taker.name, "by": self.giver.name}
        if to_giver:
            self.tell(self.giver, key, plan, **values)
        if to_taker:
            self.tell(self.taker, key, plan, **values)
        turn.edit_origin(turn.t(key, summary=self.summary(turn.lang, plan), **values))

    async def go_ahead(self, *, admin: bool) -> None:
        """The colleague accepted, or an admin approved: in effect now, or on to the admins."""
        turn, swap = self.turn, self.swap
        plan = await self.plan()
        if plan.problem is not None:
            await self.expire(plan)
            return
        policies = await load_policies(session=turn.session, school_id=swap.school_id)
        needs_admin = not admin and policies.get("duty.swap_needs_admin")
        allowed = (DutySwapStatus.ACCEPTED,) if admin else (DutySwapStatus.PENDING,)
        target = DutySwapStatus.ACCEPTED if needs_admin else DutySwapStatus.APPROVED
        if not await move_swap(
            session=turn.session,
            swap_id=stored_id(swap),
            from_states=allowed,
            to_state=target,
            by=turn.actor.telegram_id,
            now=turn.now,
        ):
            await _already(turn, swap)
            return
        await turn.audit(
            f"duty_swap_{target}",
            school_id=swap.school_id,
            subject_type="duty_swap",
            subject_id=swap.id,
        )
        if needs_admin:
            for admin_id, lang in await self.admins():
                turn.out.send(admin_id, *_approving(lang, swap, plan, self.giver, self.taker))
            self.tell(self.giver, "dswap.waiting_admin", plan, name=self.taker.name)
            turn.edit_origin(
                turn.t(
                    "dswap.waiting_admin",
                    summary=self.summary(turn.lang, plan),
                    name=self.taker.name,
                )
            )
            return
        await apply_swap(
            session=turn.session, swap=swap, plan=plan, by=turn.actor.telegram_id, now=turn.now
        )
        await turn.schedule_changed(swap.school_id, kinds.DUTY)
        self.tell(self.giver, "dswap.done", plan)
        self.tell(self.taker, "dswap.done", plan)
        for admin_id, lang in await self.admins():
            if admin_id not in (
                turn.actor.telegram_id,
                self.giver.telegram_id,
                self.taker.telegram_id,
            ):
                turn.out.send(admin_id, t(lang, "dswap.done", summary=self.summary(lang, plan)))
        turn.edit_origin(turn.t("dswap.done", summary=self.summary(turn.lang, plan)))

    async def expire(self, plan: SwapPlan) -> None:
        """The day passed or the duties changed since the request: it cannot take effect."""
        turn, swap = self.turn, self.swap
        if not await move_swap(
            session=turn.session,
            swap_id=stored_id(swap),
            from_states=OPEN,
            to_state=DutySwapStatus.EXPIRED,
            by=turn.actor.telegram_id,
            now=turn.now,
        ):
            await _already(turn, swap)
            return
        await turn.audit(
            "duty_swap_expired",
            school_id=swap.school_id,
            subject_type="duty_swap",
            subject_id=swap.id,
            problem=plan.problem,
        )
        assert plan.problem is not None
        values = {"day": day_label(turn.lang, swap.day), "name": self.taker.name}
        reason = turn.t(plan.problem, **values)
        for person in (self.giver, self.taker):
            lang = _lang(turn, person)
            self.tell(
                person,
                "dswap.expired",
                plan,
                reason=t(lang, plan.problem, day=day_label(lang, swap.day), name=self.taker.name),
            )
        turn.edit_origin(
            turn.t("dswap.expired", summary=self.summary(turn.lang, plan), reason=reason)
        )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("dutyswap", cmd_dutyswap),
        CallbackQueryHandler(on_swap_button, pattern=callbacks.DUTY_SWAP.pattern),
    ]
