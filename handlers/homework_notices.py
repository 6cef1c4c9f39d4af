"""Who hears of a posting: the people who decide it, the request they get, and the staff group
once the day's board is out (additions and corrections).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from handlers.homework_posting import describe, lang_of
from handlers.turn import Turn
from jobs.homework import date_label, subjects_text, total_text
from rules.homework import Kind
from rules.policies import PolicySet
from rules.roles import ADMIN
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

# How much of a withdrawn posting's content the group's correction quotes, so two postings of
# one subject on one day can be told apart.
QUOTED = 20


@dataclass
class Deciders:
    people: list[Staff]
    who: str  # head | office | admin | none: names them in texts (hw.who.*)


async def deciders(
    turn: Turn,
    *,
    klass: SchoolClass,
    author_id: int,
    exception: bool,
    mode: str,
    asked: str = "",
) -> Deciders:
    """Who decides a posting: the class's head teacher (an exception, or `head_teacher` mode),
    else the academic office, else the admins; once asked, the tier that was asked. Only people
    linked to Telegram count, and never the author: nobody approves their own homework."""
    session = turn.session
    order = ["head", "office", "admin"]
    first = asked or ("head" if exception or mode == "head_teacher" else "office")
    for who in order[order.index(first) if first in order else 1 :]:
        if who == "head":
            head = await head_teacher_of(session=session, klass=klass)
            people = [head] if head is not None else []
        elif who == "office":
            people = await office_staff(session=session, school_id=klass.school_id)
        else:
            everyone = await school_staff(session=session, school_id=klass.school_id)
            people = [s for s in everyone if ADMIN in s.role_set]
        usable = [p for p in people if p.telegram_id is not None and p.id != author_id]
        if usable:
            return Deciders(usable, who)
    return Deciders([], "none")


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
    if post.status == "published":
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
        date=date_label(lang, post.day),
        item=body,
        total=total_text(lang, day.cap, day.written),
    )
    for group in await staff_groups(session=turn.session, school_id=post.school_id):
        turn.out.send(group.chat_id, text)
    post.announced = post.announced or post.status == "published"
    turn.session.add(post)
    await turn.session.flush()


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
    """Sends the approval (or exception) request with its two buttons to whoever decides; a
    change of a published posting shows what it was and what it would become."""
    chosen = await deciders(
        turn,
        klass=klass,
        author_id=author.id or 0,
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
    post.asked = chosen.who
    turn.session.add(post)
    await turn.session.flush()
    ok_action, no_action = ("xok", "xno") if exception else ("ok", "no")
    key = "hw.ask.exception" if exception else "hw.ask.approve"
    if original is not None:
        key = "hw.ask.change"
    for person in chosen.people:
        lang = lang_of(turn, person)
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, "hw.button.allow" if exception else "hw.button.approve"),
                        callback_data=callbacks.encode(
                            "hwok", ok_action, post.id or 0, post.version
                        ),
                    ),
                    InlineKeyboardButton(
                        t(lang, "hw.button.return"),
                        callback_data=callbacks.encode(
                            "hwret", no_action, post.id or 0, post.version
                        ),
                    ),
                ]
            ]
        )
        turn.out.send(
            person.telegram_id or 0,
            t(
                lang,
                key,
                klass=klass.name,
                date=date_label(lang, post.day),
                author=author.name,
                item=describe(lang, post, subject),
                before=describe(lang, original, subject) if original is not None else "",
                held=subjects_text(lang, check.by_subject),
                total=check.total,
                after=check.after,
                cap=check.cap if check.cap is not None else "—",
            ),
            markup,
        )
    return chosen
