"""Submitting a posting: who may post where, the cap verdict for every class, and the reply.

An accepted posting is published or sent to whoever approves it; a refused one says why per
class, keeps the teacher's words, and offers what can be done: publish the classes that pass,
take the minutes left, or ask for an exception, naming who will decide it.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from handlers.core.turn import Turn
from handlers.homework.notices import deciders, request_decision, tell_group
from handlers.homework.posting import (
    author_markup,
    reply_keeping_text,
    school_today,
    standing,
    standing_text,
)
from rules.homework import CapCheck, CapVerdict, Kind, Layer
from rules.policies import PolicySet
from rules.states import HomeworkStatus
from storage.calendar import school_calendar
from storage.homework import Deciders, Draft, Placed, class_of, may_post, place_postings
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.policies import load_policies
from storage.types import stored_id
from views.homework import (
    deciders_key,
    deciders_label,
    deciders_tier,
    describe,
    subjects_text,
)


@dataclass
class Refused:
    """One class of a refused posting, as its buttons need it."""

    post: HomeworkPost
    klass: SchoolClass
    left: int  # written minutes the class has left
    who: str  # who would decide an exception (hw.who.*)


async def exception_deciders(
    turn: Turn, klass: SchoolClass, author_id: int, policies: PolicySet
) -> Deciders:
    """Who would decide an exception for this class: its head teacher, unless the head
    teacher is the author; then the next tier."""
    return await deciders(
        turn,
        klass=klass,
        author_id=author_id,
        exception=True,
        mode=policies.get("homework.publication"),
    )


async def refused_rows(turn: Turn, posts: list[HomeworkPost]) -> list[Refused]:
    """The rows of a posting as its refusal's buttons show them now."""
    rows = []
    policies = None
    for post in posts:
        klass = await class_of(session=turn.session, post=post)
        policies = policies or await load_policies(session=turn.session, school_id=klass.school_id)
        left = (await standing(turn, klass, post, policies)).left or 0
        who = "head"
        if post.status == HomeworkStatus.OVER_CAP:
            who = deciders_key(await exception_deciders(turn, klass, post.author_id, policies))
        rows.append(Refused(post, klass, left, who))
    return rows


async def allowed_everywhere(
    turn: Turn, author: Staff, classes: list[SchoolClass], subject: Subject, original: str
) -> bool:
    """A teacher posts only where they teach that subject or head the class (audited if not)."""
    day = school_today(turn)
    for klass in classes:
        if not await may_post(
            session=turn.session, staff=author, klass=klass, subject=subject, day=day
        ):
            await turn.audit(
                "denied", subject_type="homework", klass=klass.name, subject=subject.name
            )
            problem = turn.t("hw.not_your_class", klass=klass.name, subject=subject.name)
            reply_keeping_text(turn, problem, original)
            return False
    return True


def refusal_reason(lang: str, name: str, check: CapCheck, minutes: int) -> Safe:
    """Why one class refused: no written homework in the grade, or the cap with what it holds."""
    if check.verdict == CapVerdict.NO_WRITTEN:
        return t(lang, "hw.refused.no_written", klass=name)
    return t(
        lang,
        "hw.refused.over",
        klass=name,
        cap=check.cap,
        held=subjects_text(lang, check.by_subject),
        total=check.total,
        left=check.left,
        minutes=minutes,
    )


def refusal_markup(lang: str, rows: list[Refused]) -> InlineKeyboardMarkup | None:
    """The buttons a refused posting offers, from the state of its rows: publish the passing
    classes, use the minutes left, ask for an exception, or cancel."""
    buttons: list[list[InlineKeyboardButton]] = []
    drafts = [row for row in rows if row.post.status == HomeworkStatus.DRAFT]
    if drafts:
        names = t(lang, "common.list_sep").join(row.klass.name for row in drafts)
        buttons.append(
            [
                InlineKeyboardButton(
                    t(lang, "hw.button.confirm_rest", classes=names),
                    callback_data=callbacks.HOMEWORK_SEND_ALL.data(drafts[0].post.batch or 0),
                )
            ]
        )
    several = len(rows) > 1
    for row in rows:
        if row.post.status != HomeworkStatus.OVER_CAP:
            continue
        prefix = f"{row.klass.name} " if several else ""
        line = []
        if row.left > 0:
            line.append(
                InlineKeyboardButton(
                    prefix + t(lang, "hw.button.fit", left=row.left),
                    callback_data=callbacks.HOMEWORK_FIT.data(stored_id(row.post)),
                )
            )
        who = t(lang, f"hw.who.{row.who}")
        line.append(
            InlineKeyboardButton(
                prefix + t(lang, "hw.button.exception", who=who),
                callback_data=callbacks.HOMEWORK_EXCEPTION.data(stored_id(row.post)),
            )
        )
        buttons.append(line)
    if not buttons:
        return None
    buttons.append(
        [
            InlineKeyboardButton(
                t(lang, "hw.button.cancel"),
                callback_data=callbacks.HOMEWORK_DROP.data(rows[0].post.batch or 0),
            )
        ]
    )
    return InlineKeyboardMarkup(buttons)


async def announce_accepted(
    turn: Turn,
    post: HomeworkPost,
    klass: SchoolClass,
    subject: Subject,
    author: Staff,
    policies: PolicySet,
    *,
    footnote: str = "",
) -> None:
    """Tells the teacher the posting went through, and the approvers or the group what follows."""
    if post.status == HomeworkStatus.PENDING:
        chosen = await request_decision(
            turn, post, klass, subject, author, policies, exception=False
        )
        key = "hw.accepted_pending" if chosen.people else "hw.accepted_no_approver"
        note = turn.t(key, who=deciders_tier(turn.lang, chosen))
    else:
        await tell_group(turn, post, klass, subject, policies)
        note = turn.t("hw.accepted_published")
    check = await standing(turn, klass, post, policies)
    turn.reply(
        turn.t(
            "hw.accepted",
            note=note,
            klass=klass.name,
            item=describe(turn.lang, post, subject),
            total=standing_text(turn.lang, check),
        )
        + footnote,
        author_markup(turn.lang, post),
    )


async def submit(
    turn: Turn,
    author: Staff,
    classes: list[SchoolClass],
    subject: Subject,
    kind: Kind,
    layer: Layer | None,
    minutes: int,
    content: str,
    original: str,
) -> list[Placed]:
    """Checks the cap for every class and writes the postings, then replies with the outcome."""
    day = school_today(turn)
    policies = await load_policies(session=turn.session, school_id=author.school_id)
    drafts = [Draft(k, subject, kind, layer, minutes, content) for k in classes]
    placed = await place_postings(
        session=turn.session,
        author=author,
        day=day,
        drafts=drafts,
        policies=policies,
        now=turn.now,
    )
    await _audit_placed(turn, placed, subject)
    calendar = await school_calendar(session=turn.session, school_id=author.school_id)
    # Said inside the answer, not apart from it: the answer stays one message.
    footnote = "" if calendar.status(day).is_school_day else f"\n{turn.t('hw.not_school_day')}"
    if all(item.check.ok for item in placed):
        for item in placed:
            assert item.post is not None
            await announce_accepted(
                turn, item.post, item.klass, subject, author, policies, footnote=footnote
            )
        return placed
    lines = [turn.t("hw.refused.title" if len(placed) == 1 else "hw.refused.title_several")]
    for item in placed:
        if item.check.ok:
            cap = item.check.cap if item.check.cap is not None else "—"
            lines.append(
                turn.t("hw.refused.passes", klass=item.klass.name, after=item.check.after, cap=cap)
            )
        else:
            lines.append(refusal_reason(turn.lang, item.klass.name, item.check, minutes))
    rows: list[Refused] = []
    asked: list[str] = []  # who would decide the exceptions, each named once
    for item in placed:
        if item.post is None:
            continue
        who = "head"
        if item.post.status == HomeworkStatus.OVER_CAP:
            chosen = await exception_deciders(turn, item.klass, stored_id(author), policies)
            label = deciders_label(turn.lang, chosen)
            asked += [label] if label not in asked else []
            who = deciders_key(chosen)
        rows.append(Refused(item.post, item.klass, item.check.left or 0, who))
    who_text = Safe(turn.t("common.list_sep").join(asked)) if asked else turn.t("hw.who.head")
    if any(item.check.ok for item in placed):
        lines.append(turn.t("hw.refused.confirm_hint", who=who_text))
    elif rows:
        lines.append(turn.t("hw.refused.next_steps", who=who_text))
    else:
        lines.append(turn.t("hw.refused.no_written_hint"))
    markup = refusal_markup(turn.lang, rows) if rows else None
    reply_keeping_text(turn, "\n".join(lines) + footnote, original, markup)
    return placed


async def _audit_placed(turn: Turn, placed: list[Placed], subject: Subject) -> None:
    for item in placed:
        post = item.post
        action = "homework_posted" if item.check.ok else "homework_refused"
        if post is not None and post.status == HomeworkStatus.DRAFT:
            action = "homework_held"  # passes the cap; waits for the teacher to confirm
        await turn.audit(
            action,
            subject_type="homework",
            subject_id=post.id if post is not None else None,
            klass=item.klass.name,
            subject=subject.name,
            minutes=post.minutes if post is not None else None,
            kind=post.kind if post is not None else None,
            status=post.status if post is not None else None,
            verdict=item.check.verdict.value,
            total=item.check.total,
            cap=item.check.cap,
        )
