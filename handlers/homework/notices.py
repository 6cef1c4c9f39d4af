"""Who hears of a posting: the people who decide it, the request they get, and the staff group
once the day's board is out (additions and corrections).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from handlers.core.request_messages import about
from handlers.core.turn import Turn
from handlers.homework.posting import describe, lang_of
from jobs.homework import subjects_text, total_text
from rules.homework import CapCheck, Kind
from rules.policies import PolicySet
from rules.roles import ADMIN
from rules.states import HomeworkStatus
from storage.homework import (
    board_published,
    cap_check,
    class_days,
    head_teacher_of,
    office_staff,
)
from storage.homework_changes import original_of
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.schools import staff_groups
from storage.staff import school_staff
from storage.types import stored_id
from views.common import day_label

# How much of a withdrawn posting's content the group's correction quotes, so two postings of
# one subject on one day can be told apart.
QUOTED = 20
KEPT = "homework"


@dataclass
class Deciders:
    people: list[Staff]
    who: str  # head | office | admin | none: names them in texts (hw.who.*)


# Who decides a posting, in the order it moves up: the class's head teacher, the academic
# office (with the principal), the school's admins.
TIERS = ("head", "office", "admin")


def first_tier(*, asked: str, exception: bool, mode: str) -> int:
    """Where a posting's deciders start: the tier it was asked of, else the head teacher for
    an exception or in `head_teacher` mode, else the office."""
    first = asked or ("head" if exception or mode == "head_teacher" else "office")
    return TIERS.index(first) if first in TIERS else 1


async def _tier(session: AsyncSession, klass: SchoolClass, who: str) -> list[Staff]:
    if who == "head":
        head = await head_teacher_of(session=session, klass=klass)
        return [head] if head is not None else []
    if who == "office":
        return await office_staff(session=session, school_id=klass.school_id)
    everyone = await school_staff(session=session, school_id=klass.school_id)
    return [s for s in everyone if ADMIN in s.role_set]


async def deciders_in(
    session: AsyncSession,
    *,
    klass: SchoolClass,
    author_id: int,
    exception: bool,
    mode: str,
    asked: str = "",
    level: int = 0,
) -> Deciders:
    """Who decides a posting: the class's head teacher (an exception, or `head_teacher` mode),
    else the academic office, else the admins; once asked, the tier that was asked, and the
    `level` tiers above it once it moved up (handlers/homework/escalation.py). Only people
    linked to Telegram count, and never the author: nobody approves their own homework."""
    start = first_tier(asked=asked, exception=exception, mode=mode)
    people: list[Staff] = []
    who = "none"
    for index in range(start, len(TIERS)):
        taken = {p.id for p in people}
        usable = [
            p
            for p in await _tier(session, klass, TIERS[index])
            if p.telegram_id is not None and p.id != author_id and p.id not in taken
        ]
        if usable:
            people += usable
            who = TIERS[index]
        if people and index >= start + level:
            break
    return Deciders(people, who)


async def deciders(
    turn: Turn,
    *,
    klass: SchoolClass,
    author_id: int,
    exception: bool,
    mode: str,
    asked: str = "",
    level: int = 0,
) -> Deciders:
    return await deciders_in(
        turn.session,
        klass=klass,
        author_id=author_id,
        exception=exception,
        mode=mode,
        asked=asked,
        level=level,
    )


def deciders_label(lang: str, chosen: Deciders) -> Safe:
    """`教导处（孙主任、周校长）`: the tier, and the people in it by name."""
    who = t(lang, f"hw.who.{chosen.who}")
    if not chosen.people:
        return who
    names = t(lang, "common.list_sep").join(p.name for p in chosen.people)
    return t(lang, "hw.who_named", who=who, names=names)


async def tell_group(
    turn: Turn, post: HomeworkPost, klass: SchoolClass, subject: Subject, policies: PolicySet
) -> None:
    """After the day's board: a posting published now is an addition; a change to one the
    group has seen is a correction. Before the board, the board itself will show it."""
    if not await board_published(session=turn.session, school_id=post.school_id, day=post.day):
        return
    lang = turn.svc.settings.default_language
    if post.status == HomeworkStatus.PUBLISHED:
        key = "hw.group.correction" if post.announced else "hw.group.addition"
        body = describe(lang, post, subject)
    elif post.announced:
        content = " ".join(post.content.split())
        if len(content) > QUOTED:
            content = content[:QUOTED] + "…"
        key = "hw.group.correction"
        body = t(lang, "hw.group.withdrawn", subject=subject.name, content=content)
    else:
        return
    [day] = await class_days(session=turn.session, classes=[klass], day=post.day, policies=policies)
    text = t(
        lang,
        key,
        klass=klass.name,
        date=day_label(lang, post.day),
        item=body,
        total=total_text(lang, day.cap, day.written),
    )
    thread = policies.topic("homework")
    for group in await staff_groups(session=turn.session, school_id=post.school_id):
        if turn.in_group and group.chat_id == turn.chat_id and turn.thread_id == thread:
            continue  # posted right there: the group has just read the one-line answer
        turn.out.send(group.chat_id, text, thread_id=thread)
    post.announced = post.announced or post.status == HomeworkStatus.PUBLISHED
    turn.session.add(post)
    await turn.session.flush()


def ask_message(
    lang: str,
    post: HomeworkPost,
    klass: SchoolClass,
    subject: Subject,
    author: Staff,
    check: CapCheck,
    original: HomeworkPost | None,
    *,
    exception: bool,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """The approval (or exception) request with its two buttons, made for the posting's
    version; a change of a published posting shows what it was and what it would become."""
    ok_action, no_action = ("xok", "xno") if exception else ("ok", "no")
    key = "hw.ask.exception" if exception else "hw.ask.approve"
    if original is not None:
        key = "hw.ask.change"
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "hw.button.allow" if exception else "hw.button.approve"),
                    callback_data=callbacks.encode(
                        "hwok", ok_action, stored_id(post), post.version
                    ),
                ),
                InlineKeyboardButton(
                    t(lang, "hw.button.return"),
                    callback_data=callbacks.encode(
                        "hwret", no_action, stored_id(post), post.version
                    ),
                ),
            ]
        ]
    )
    text = t(
        lang,
        key,
        klass=klass.name,
        date=day_label(lang, post.day),
        author=author.name,
        item=describe(lang, post, subject),
        before=describe(lang, original, subject) if original is not None else "",
        held=subjects_text(lang, check.by_subject),
        total=check.total,
        after=check.after,
        cap=check.cap if check.cap is not None else "—",
    )
    return text, markup


def kept_about(post: HomeworkPost, lang: str) -> str:
    """A request with the posting's buttons, redrawn if the posting expires undecided."""
    return about(KEPT, stored_id(post), lang)


async def request_decision(
    turn: Turn,
    post: HomeworkPost,
    klass: SchoolClass,
    subject: Subject,
    author: Staff,
    policies: PolicySet,
    *,
    exception: bool,
) -> Deciders:
    """Sends the approval (or exception) request with its two buttons to whoever decides."""
    chosen = await deciders(
        turn,
        klass=klass,
        author_id=stored_id(author),
        exception=exception,
        mode=policies.get("homework.publication"),
    )
    check = await cap_check(
        session=turn.session,
        klass=klass,
        day=post.day,
        policies=policies,
        kind=Kind(post.kind),
        minutes=post.minutes,
        exclude=post.id,
    )
    original = await original_of(session=turn.session, post=post)
    # Asked afresh: whoever it had moved up to before, it starts again at the bottom.
    post.asked, post.level, post.escalated_at = chosen.who, 0, None
    turn.session.add(post)
    await turn.session.flush()
    for person in chosen.people:
        lang = lang_of(turn, person)
        text, markup = ask_message(
            lang, post, klass, subject, author, check, original, exception=exception
        )
        turn.out.send(person.telegram_id or 0, text, markup, about=kept_about(post, lang))
    return chosen
