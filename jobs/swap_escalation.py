"""A swap is decided, moves up, or expires with everyone told: none waits in silence.

An agreed swap waits for an arranger (the grade leader or the academic office, as the school
arranges cover). Nobody deciding it in time, or none of them reachable, moves it up: grade
leader → academic office → principal → the school's admins, the earlier ones keeping their say
(jobs/swaps.py decides when). An open swap whose first lesson has begun can no longer happen:
it expires, the two teachers (and, once they agreed, the arrangers asked) are told, and the
messages with its buttons are redrawn.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Edit, Send
from bot.request_messages import about, redraw
from bot.texts import Safe, t
from jobs.leave_escalation import reachable
from rules.approval import can_escalate, escalation_roles, may_decide
from rules.roles import GRADE_LEADER, OFFICE
from rules.states import SwapStatus
from storage import audit
from storage.cover import arrangers_for, may_arrange
from storage.models import LessonSwap, Staff
from storage.schedule import Kit
from storage.staff import school_staff
from storage.swaps import OPEN_SWAP_STATES, escalate_swap, mark_swap_told, move_swap
from storage.types import stored_id
from views.leave import language_of, people_names, swap_line
from views.swap import ask_arranger_message

Message = Send | Edit
KEPT = "swap"


def ladder_start(policy: str) -> str:
    """Where a swap's arrangers stand on the ladder: the grade leader when the school has them
    arrange cover, else the academic office."""
    return GRADE_LEADER if policy == "grade_leader" else OFFICE


def kept_about(swap: LessonSwap, lang: str) -> str:
    """A message with the swap's buttons, redrawn when it expires."""
    return about(KEPT, stored_id(swap), lang)


async def swap_arrangers(
    session: AsyncSession, kit: Kit, swap: LessonSwap, level: int | None = None
) -> list[Staff]:
    """Who is asked to approve the swap at its level (or at `level`): its arrangers and, once
    it moved up, the holders of the roles it moved up to; never one of the two teachers."""
    grade = kit.schedule.grades.get(swap.first_class_id)
    level = swap.level if level is None else level
    people = await arrangers_for(
        session=session, school_id=swap.school_id, grade=grade, policy=kit.arranger_policy
    )
    if level:
        roles = escalation_roles(ladder_start(kit.arranger_policy), level)
        known = {person.id for person in people}
        people = people + [
            person
            for person in await school_staff(session=session, school_id=swap.school_id)
            if person.id not in known
            and any(
                role in person.role_set and (role != GRADE_LEADER or person.grade == grade)
                for role in roles
            )
        ]
    return [p for p in people if p.id not in (swap.proposer_id, swap.colleague_id)]


def may_decide_swap(person: Staff | None, *, is_admin: bool, kit: Kit, swap: LessonSwap) -> bool:
    """Re-checked on every press: an arranger of the class, or, once the swap moved up, one of
    the roles it moved up to (the principal after the office)."""
    grade = kit.schedule.grades.get(swap.first_class_id)
    if may_arrange(person, grade=grade, policy=kit.arranger_policy, is_admin=is_admin):
        return True
    return (
        person is not None
        and swap.level > 0
        and may_decide(
            role=ladder_start(kit.arranger_policy),
            grade=grade,
            staff_id=stored_id(person),
            staff_roles=person.role_set,
            staff_grade=person.grade,
            requester_id=swap.proposer_id,
            level=swap.level,
        )
    )


def line(lang: str, kit: Kit, swap: LessonSwap) -> Safe:
    return Safe(swap_line(lang, kit.names, kit.schedule, swap))


# --- moving up --------------------------------------------------------------------------------


async def move_up(
    session: AsyncSession,
    kit: Kit,
    swap: LessonSwap,
    now: datetime,
    default_lang: str,
    *,
    why: str,
    minutes: int = 0,
) -> list[Message]:
    """Moves the agreed swap up to the first level with someone new and reachable (or to the
    top when nobody asked can be reached), asks the people added and tells the proposer.
    `why`: late | unreachable. Nothing when it was decided or moved meanwhile, or when it is
    late but nobody new is above (those asked may still decide it)."""
    start = ladder_start(kit.arranger_policy)
    if swap.status != SwapStatus.AGREED or not can_escalate(start, swap.level):
        return []
    before = await swap_arrangers(session, kit, swap)
    known = {person.id for person in before}
    level = swap.level
    added: list[Staff] = []
    while can_escalate(start, level):
        level += 1
        people = await swap_arrangers(session, kit, swap, level)
        added = await reachable(session, [p for p in people if p.id not in known])
        if added:
            break
        known |= {person.id for person in people}
    if not added and why == "late":
        return []
    if not await escalate_swap(session=session, swap=swap, level=level, now=now):
        return []
    await audit.record(
        session=session,
        at=now,
        action="swap_escalated",
        school_id=swap.school_id,
        subject_type="swap",
        subject_id=swap.id,
        detail={"level": swap.level, "why": why, "to": [person.id for person in added]},
    )
    # Nobody asked before (they were all one of the two teachers): say so, not "waited for ".
    reason_key = f"swap.why.{why}" if before else "swap.why.none"

    def reason(lang: str) -> Safe:
        return t(lang, reason_key, who=people_names(lang, before), minutes=minutes)

    messages: list[Message] = []
    for person in added:
        lang = language_of(person, default_lang)
        text, markup = ask_arranger_message(lang, kit, swap)
        header = t(lang, "swap.escalated_header", why=reason(lang))
        messages.append(
            Send(
                person.telegram_id or 0,
                f"{header}\n{text}",
                markup,
                about=kept_about(swap, lang),
            )
        )
    proposer = kit.names.staff.get(swap.proposer_id)
    if proposer is not None and proposer.telegram_id is not None:
        lang = language_of(proposer, default_lang)
        text = (
            t(
                lang,
                "swap.escalated",
                why=reason(lang),
                people=people_names(lang, added),
                swap=line(lang, kit, swap),
            )
            if added
            else t(lang, "swap.escalated_nobody", why=reason(lang), swap=line(lang, kit, swap))
        )
        messages.append(Send(proposer.telegram_id, text))
    return messages


async def colleague_unreachable(
    session: AsyncSession, kit: Kit, swap: LessonSwap, now: datetime, default_lang: str
) -> list[Message]:
    """Nobody but the colleague can agree to a swap: when the bot's request to them came back
    (they blocked it, or never started it), the proposer is told once, to speak to them."""
    colleague = kit.names.staff.get(swap.colleague_id)
    proposer = kit.names.staff.get(swap.proposer_id)
    if swap.status != SwapStatus.ASKED or swap.escalated_at is not None or colleague is None:
        return []
    if colleague.telegram_id is None or await reachable(session, [colleague]):
        return []  # not linked: the proposer was told so at once (swap.proposed_unlinked)
    if not await mark_swap_told(session=session, swap=swap, now=now):
        return []
    await audit.record(
        session=session,
        at=now,
        action="swap_colleague_unreachable",
        school_id=swap.school_id,
        subject_type="swap",
        subject_id=swap.id,
    )
    if proposer is None or proposer.telegram_id is None:
        return []
    lang = language_of(proposer, default_lang)
    text = t(lang, "swap.colleague_unreachable", name=colleague.name, swap=line(lang, kit, swap))
    return [Send(proposer.telegram_id, text)]


# --- expiring ---------------------------------------------------------------------------------


def first_lesson_begun(kit: Kit, swap: LessonSwap, now: datetime) -> bool:
    """Whether the earlier of the swap's two lessons has begun (or its day is over)."""
    starts = [
        kit.schedule.lesson_start(swap.first_day, swap.first_period),
        kit.schedule.lesson_start(swap.second_day, swap.second_period),
    ]
    first = min((s for s in starts if s is not None), default=None)
    today = now.astimezone(ZoneInfo(kit.school.timezone)).date()
    return (first is not None and first <= now) or min(swap.first_day, swap.second_day) < today


async def expire_if_begun(
    session: AsyncSession, kit: Kit, swap: LessonSwap, now: datetime, default_lang: str
) -> list[Message] | None:
    """An open swap whose first lesson has begun can no longer happen: it expires, and the two
    teachers (and the arrangers asked, once both agreed) are told, its buttons redrawn. None
    when it is not due, or was closed meanwhile (one winner)."""
    if swap.status not in OPEN_SWAP_STATES or not first_lesson_begun(kit, swap, now):
        return None
    was = swap.status
    arrangers = await swap_arrangers(session, kit, swap) if was == SwapStatus.AGREED else []
    won = await move_swap(
        session=session,
        swap_id=stored_id(swap),
        from_states=OPEN_SWAP_STATES,
        to_state=SwapStatus.EXPIRED,
        now=now,
    )
    await session.refresh(swap)
    if not won:
        return None
    await audit.record(
        session=session,
        at=now,
        action="swap_expired",
        school_id=swap.school_id,
        subject_type="swap",
        subject_id=swap.id,
        detail={"was": was},
    )
    messages: list[Message] = []
    teachers = [kit.names.staff.get(swap.proposer_id), kit.names.staff.get(swap.colleague_id)]
    for person in [*teachers, *arrangers]:
        if person is None or person.telegram_id is None:
            continue
        lang = language_of(person, default_lang)
        key = "swap.expired_arranger" if person in arrangers else "swap.expired_notice"
        state = t(lang, f"swap.state.{was}")
        messages.append(
            Send(person.telegram_id, t(lang, key, state=state, swap=line(lang, kit, swap)))
        )
    messages += await redraw(
        session,
        KEPT,
        stored_id(swap),
        lambda lang: t(
            lang,
            "swap.closed",
            state=t(lang, "swap.state.expired"),
            swap=line(lang, kit, swap),
        ),
        default_lang,
    )
    return messages
