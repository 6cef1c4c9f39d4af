"""A homework posting waiting for a decision is decided, moves up, or closes with the teacher
told: none waits in silence.

A posting waiting for its head teacher (an exception over the cap) or its approver moves up a
tier (head teacher → academic office → admins; those asked before keep their say) when it waited
`homework.escalate_minutes`, or until the day's board when that comes first, and at once when
nobody who may decide it can be reached. Moving up only widens who may decide it: nothing is
published but by a decision of someone entitled to make it (双减). A posting whose day ended
undecided expires: it is never published, holds no minutes, and the teacher is told.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Edit, Send
from bot.request_messages import redraw
from bot.texts import Safe, t
from jobs.leave_escalation import reachable
from rules.homework import Kind
from rules.states import HomeworkStatus
from storage import audit
from storage.homework import (
    EXPIRED,
    TIERS,
    WAITING,
    Deciders,
    cap_check,
    class_of,
    deciders_in,
    escalate_post,
    first_tier,
    move,
    subject_of,
)
from storage.homework_changes import original_of
from storage.models import HomeworkPost, Staff
from storage.policies import load_policies
from storage.types import stored_id
from views.common import day_label
from views.homework import KEPT, ask_message, describe, kept_about
from views.leave import people_names

Message = Send | Edit


def _lang(person: Staff, default_lang: str) -> str:
    return person.language or default_lang


async def deciders_now(
    session: AsyncSession, post: HomeworkPost, level: int | None = None
) -> Deciders:
    """Who may decide the posting at its level (or at `level`)."""
    klass = await class_of(session=session, post=post)
    policies = await load_policies(session=session, school_id=post.school_id)
    return await deciders_in(
        session,
        klass=klass,
        author_id=post.author_id,
        exception=post.status == HomeworkStatus.EXCEPTION,
        mode=policies.get("homework.publication"),
        asked=post.asked,
        level=post.level if level is None else level,
    )


async def tiers_above(session: AsyncSession, post: HomeworkPost) -> int:
    """How many tiers are left above the posting's deciders."""
    policies = await load_policies(session=session, school_id=post.school_id)
    start = first_tier(
        asked=post.asked,
        exception=post.status == HomeworkStatus.EXCEPTION,
        mode=policies.get("homework.publication"),
    )
    return max(len(TIERS) - (start + post.level + 1), 0)


async def move_up(
    session: AsyncSession,
    post: HomeworkPost,
    now: datetime,
    default_lang: str,
    *,
    why: str,
    minutes: int = 0,
) -> list[Message]:
    """Lets the next tier with someone new and reachable decide the posting too (the top, when
    nobody asked can be reached), asks them and tells the teacher. `why`: late | unreachable.
    Nothing when it was decided or changed meanwhile, or when it is late but nobody new is
    above (those asked may still decide it)."""
    above = await tiers_above(session, post) if post.status in WAITING else 0
    if not above:
        return []
    before = (await deciders_now(session, post)).people
    known = {person.id for person in before}
    level = post.level
    added: list[Staff] = []
    for _ in range(above):
        level += 1
        people = (await deciders_now(session, post, level)).people
        added = await reachable(session, [p for p in people if p.id not in known])
        if added:
            break
        known |= {person.id for person in people}
    if not added and why == "late":
        return []
    if not await escalate_post(session=session, post=post, level=level, now=now):
        return []
    klass = await class_of(session=session, post=post)
    subject = await subject_of(session=session, post=post)
    author = await session.get(Staff, post.author_id)
    assert author is not None
    await audit.record(
        session=session,
        at=now,
        action="homework_escalated",
        school_id=post.school_id,
        subject_type="homework",
        subject_id=post.id,
        detail={"level": level, "why": why, "to": [person.id for person in added]},
    )
    reason_key = f"hw.why.{why}" if before else "hw.why.none"

    def reason(lang: str) -> Safe:
        return t(lang, reason_key, who=people_names(lang, before), minutes=minutes)

    policies = await load_policies(session=session, school_id=post.school_id)
    check = await cap_check(
        session=session,
        klass=klass,
        day=post.day,
        policies=policies,
        kind=Kind(post.kind),
        minutes=post.minutes,
        exclude=post.id,
    )
    original = await original_of(session=session, post=post)
    exception = post.status == HomeworkStatus.EXCEPTION
    messages: list[Message] = []
    for person in added:
        lang = _lang(person, default_lang)
        text, markup = ask_message(
            lang, post, klass, subject, author, check, original, exception=exception
        )
        header = t(lang, "hw.escalated_header", why=reason(lang))
        messages.append(
            Send(person.telegram_id or 0, f"{header}\n{text}", markup, about=kept_about(post, lang))
        )
    if author.telegram_id is not None:
        lang = _lang(author, default_lang)
        item = describe(lang, post, subject)
        text = (
            t(
                lang,
                "hw.escalated",
                why=reason(lang),
                people=people_names(lang, added),
                klass=klass.name,
                item=item,
            )
            if added
            else t(lang, "hw.escalated_nobody", why=reason(lang), klass=klass.name, item=item)
        )
        messages.append(Send(author.telegram_id, text))
    return messages


async def expire(
    session: AsyncSession, post: HomeworkPost, now: datetime, default_lang: str
) -> list[Message] | None:
    """The posting's day ended with nobody having decided it: it expires (never published,
    holding no minutes), the teacher is told, and the requests' buttons are redrawn. None when
    it was decided meanwhile (one winner)."""
    if post.status not in WAITING:
        return None
    was = post.status
    original = await original_of(session=session, post=post)
    if not await move(session=session, post=post, from_statuses=WAITING, now=now, status=EXPIRED):
        return None
    klass = await class_of(session=session, post=post)
    subject = await subject_of(session=session, post=post)
    await audit.record(
        session=session,
        at=now,
        action="homework_expired",
        school_id=post.school_id,
        subject_type="homework",
        subject_id=post.id,
        detail={"was": was, "changes": original.id if original is not None else None},
    )
    messages: list[Message] = []
    author = await session.get(Staff, post.author_id)
    if author is not None and author.telegram_id is not None:
        lang = _lang(author, default_lang)
        key = "hw.expired_change" if original is not None else f"hw.expired.{was}"
        messages.append(
            Send(
                author.telegram_id,
                t(
                    lang,
                    key,
                    klass=klass.name,
                    date=day_label(lang, post.day),
                    item=describe(lang, post, subject),
                    kept=describe(lang, original, subject) if original is not None else "",
                ),
            )
        )
    messages += await redraw(
        session,
        KEPT,
        stored_id(post),
        lambda lang: t(
            lang,
            "hw.closed.other",
            klass=klass.name,
            item=describe(lang, post, subject),
            state=t(lang, "hw.state.expired"),
        ),
        default_lang,
    )
    return messages
