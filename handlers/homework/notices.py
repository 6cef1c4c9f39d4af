"""Who hears of a posting: the people who decide it, the request they get, and the staff group
once the day's board is out (additions and corrections).
"""

from __future__ import annotations

from bot.texts import t
from handlers.core.turn import Turn
from handlers.homework.posting import lang_of
from rules.homework import Kind
from rules.policies import PolicySet
from rules.states import HomeworkStatus
from storage.homework import (
    Deciders,
    board_published,
    cap_check,
    class_days,
    deciders_in,
)
from storage.homework_changes import original_of
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.schools import staff_groups
from storage.types import stored_id
from views.common import day_label
from views.homework import ask_message, describe, kept_about, total_text

# How much of a withdrawn posting's content the group's correction quotes, so two postings of
# one subject on one day can be told apart.
QUOTED = 20


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
