"""The approver's side of homework, and what every change of a posting sets off.

Who decides (head teacher, academic office, admins), the 通过 / 退回 buttons (a return asks
for a reason), exception requests over the cap, and the additions and corrections the staff
group gets once the day's board is out. Every press is re-authorised: the posting must belong
to the actor's school, the presser must be someone who decides it now, and the button must
have been made for the posting's current version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ConversationHandler

from bot import callbacks
from bot.texts import Safe, t
from handlers.turn import Turn, button, command
from jobs.homework import (
    date_label,
    describe_item,
    kind_label,
    layer_label,
    resend_block,
    subjects_text,
    total_text,
)
from rules.homework import CapCheck, CapVerdict, Kind, Layer, posting_line_text
from rules.policies import PolicySet
from rules.roles import ADMIN
from storage.calendar import school_calendar
from storage.homework import (
    EDITABLE,
    Draft,
    Placed,
    board_published,
    cap_check,
    class_days,
    class_of,
    head_teacher_of,
    is_office,
    item_of,
    lock_classes,
    may_post,
    move,
    office_staff,
    place_postings,
    subject_of,
)
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.policies import load_policies
from storage.schools import staff_groups
from storage.staff import school_staff

REASON = "hw.reason"
RETURN_KEY = "hw_return"
MAX_REASON = 500
END = ConversationHandler.END


def describe(lang: str, post: HomeworkPost, subject: Subject) -> Safe:
    return describe_item(lang, item_of(post, subject))


def resend_line(lang: str, post: HomeworkPost, class_names: list[str], subject: str) -> str:
    """The /hw line that posts this again, in the teacher's words."""
    return posting_line_text(
        class_names,
        subject,
        post.minutes,
        Kind(post.kind),
        Layer(post.layer) if post.layer else None,
        post.content,
        kind_label(lang, post.kind),
        layer_label(lang, post.layer),
    )


def standing_text(lang: str, check: CapCheck) -> Safe:
    """The class's written total as it stands, against the cap."""
    return total_text(lang, check.cap, check.total)


async def standing(
    turn: Turn, klass: SchoolClass, post: HomeworkPost, policies: PolicySet
) -> CapCheck:
    """The class's day as it stands: a check for nothing more reads the total and what is left."""
    return await cap_check(
        session=turn.session,
        klass=klass,
        day=post.day,
        policies=policies,
        kind=Kind.ORAL,
        minutes=0,
    )


def author_markup(lang: str, post: HomeworkPost) -> InlineKeyboardMarkup:
    """修改 / 撤回 under a posting, for its author."""
    row = []
    if post.status in EDITABLE:
        row.append(
            InlineKeyboardButton(
                t(lang, "hw.button.edit"),
                callback_data=callbacks.encode("hwed", "ed", post.id or 0),
            )
        )
    row.append(
        InlineKeyboardButton(
            t(lang, "hw.button.withdraw"),
            callback_data=callbacks.encode("hw", "wd", post.id or 0),
        )
    )
    return InlineKeyboardMarkup([row])


def school_today(turn: Turn) -> date:
    """The day postings are for: today in the school's own time zone."""
    school = turn.actor.school
    tz = ZoneInfo(school.timezone) if school is not None else turn.svc.clock.tz
    return turn.now.astimezone(tz).date()


def lang_of(turn: Turn, staff: Staff) -> str:
    return staff.language or turn.svc.settings.default_language


# --- who decides -----------------------------------------------------------------------------


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


# --- what a change sets off ------------------------------------------------------------------


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
        key, body = "hw.group.correction", t(lang, "hw.group.withdrawn", subject=subject.name)
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
    """Sends the approval (or exception) request with its two buttons to whoever decides."""
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
    post.asked = chosen.who
    turn.session.add(post)
    await turn.session.flush()
    ok_action, no_action = ("xok", "xno") if exception else ("ok", "no")
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
                "hw.ask.exception" if exception else "hw.ask.approve",
                klass=klass.name,
                date=date_label(lang, post.day),
                author=author.name,
                item=describe(lang, post, subject),
                held=subjects_text(lang, check.by_subject),
                total=check.total,
                after=check.after,
                cap=check.cap if check.cap is not None else "—",
            ),
            markup,
        )
    return chosen


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
    if post.status == "pending":
        chosen = await request_decision(
            turn, post, klass, subject, author, policies, exception=False
        )
        key = "hw.accepted_pending" if chosen.people else "hw.accepted_no_approver"
        note = turn.t(key, who=turn.t(f"hw.who.{chosen.who}"))
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


# --- submitting: the cap verdict and its reply -----------------------------------------------


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
            turn.reply(
                turn.t("hw.not_your_class", klass=klass.name, subject=subject.name)
                + "\n"
                + resend_block(turn.lang, original)
            )
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


def refusal_markup(
    lang: str, rows: list[tuple[HomeworkPost, SchoolClass, int]]
) -> InlineKeyboardMarkup | None:
    """The buttons a refused posting offers, from the state of its rows: publish the passing
    classes, use the minutes left, ask the head teacher for an exception, or cancel."""
    buttons: list[list[InlineKeyboardButton]] = []
    drafts = [(p, c) for p, c, _ in rows if p.status == "draft"]
    if drafts:
        names = t(lang, "common.list_sep").join(c.name for _, c in drafts)
        buttons.append(
            [
                InlineKeyboardButton(
                    t(lang, "hw.button.confirm_rest", classes=names),
                    callback_data=callbacks.encode("hw", "go", drafts[0][0].batch or 0),
                )
            ]
        )
    several = len(rows) > 1
    for post, klass, left in rows:
        if post.status != "over_cap":
            continue
        prefix = f"{klass.name} " if several else ""
        row = []
        if left > 0:
            row.append(
                InlineKeyboardButton(
                    prefix + t(lang, "hw.button.fit", left=left),
                    callback_data=callbacks.encode("hw", "fit", post.id or 0),
                )
            )
        row.append(
            InlineKeyboardButton(
                prefix + t(lang, "hw.button.exception"),
                callback_data=callbacks.encode("hw", "exc", post.id or 0),
            )
        )
        buttons.append(row)
    if not buttons:
        return None
    buttons.append(
        [
            InlineKeyboardButton(
                t(lang, "hw.button.cancel"),
                callback_data=callbacks.encode("hw", "drop", rows[0][0].batch or 0),
            )
        ]
    )
    return InlineKeyboardMarkup(buttons)


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
) -> None:
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
        return
    lines = [turn.t("hw.refused.title" if len(placed) == 1 else "hw.refused.title_several")]
    for item in placed:
        if item.check.ok:
            cap = item.check.cap if item.check.cap is not None else "—"
            lines.append(
                turn.t("hw.refused.passes", klass=item.klass.name, after=item.check.after, cap=cap)
            )
        else:
            lines.append(refusal_reason(turn.lang, item.klass.name, item.check, minutes))
    if any(item.check.ok for item in placed):
        lines.append(turn.t("hw.refused.confirm_hint"))
    elif any(item.post is not None for item in placed):
        lines.append(turn.t("hw.refused.next_steps"))
    else:
        lines.append(turn.t("hw.refused.no_written_hint"))
    lines.append(resend_block(turn.lang, original) + footnote)
    rows = [(i.post, i.klass, i.check.left or 0) for i in placed if i.post is not None]
    turn.reply("\n".join(lines), refusal_markup(turn.lang, rows) if rows else None)


async def _audit_placed(turn: Turn, placed: list[Placed], subject: Subject) -> None:
    for item in placed:
        post = item.post
        action = "homework_posted" if item.check.ok else "homework_refused"
        if post is not None and post.status == "draft":
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


# --- decisions -------------------------------------------------------------------------------


@dataclass
class Decision:
    post: HomeworkPost
    klass: SchoolClass
    subject: Subject
    author: Staff
    exception: bool
    version: int


async def _decision(turn: Turn, action: str, ids: tuple[int, ...]) -> Decision | None:
    """The posting an approver's button names, re-authorised; None (told, audited) if not."""
    exception = action in ("xok", "xno")
    post_id = ids[0] if ids else None
    version = ids[1] if len(ids) > 1 else None
    post = await turn.session.get(HomeworkPost, post_id) if post_id is not None else None
    if post is None or version is None or post.school_id != turn.actor.school_id:
        await turn.audit("button_refused", reason="unknown_homework", homework=post_id)
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return None
    klass = await class_of(session=turn.session, post=post)
    subject = await subject_of(session=turn.session, post=post)
    author = await turn.session.get(Staff, post.author_id)
    assert author is not None
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    chosen = await deciders(
        turn,
        klass=klass,
        author_id=post.author_id,
        exception=exception,
        mode=policies.get("homework.publication"),
        asked=post.asked,
    )
    staff = turn.actor.staff
    if staff is None or staff.id not in {p.id for p in chosen.people}:
        await turn.audit("denied", subject_type="homework", subject_id=post.id, button=action)
        turn.toast(turn.t("hw.not_decider"), alert=True)
        return None
    if post.status != ("exception" if exception else "pending") or post.version != version:
        await _already_decided(turn, post, klass, subject)
        return None
    return Decision(post, klass, subject, author, exception, version)


async def _already_decided(
    turn: Turn, post: HomeworkPost, klass: SchoolClass, subject: Subject
) -> None:
    """A second press, or a press on a request the posting has moved past."""
    await turn.audit(
        "button_refused", reason="already_decided", homework=post.id, state=post.status
    )
    state = turn.t(f"hw.state.{post.status}")
    turn.toast(turn.t("hw.already_decided", state=state), alert=True)
    turn.edit_origin(
        turn.t(
            "hw.closed.other",
            klass=klass.name,
            item=describe(turn.lang, post, subject),
            state=state,
        )
    )


@button()
async def on_approve(turn: Turn) -> None:
    """通过 on an approval or an exception request; only the first decision counts."""
    assert turn.callback is not None
    if turn.callback.action not in ("ok", "xok"):
        await turn.audit("button_refused", reason="bad_action")
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return
    found = await _decision(turn, turn.callback.action, turn.callback.ids)
    if found is not None:
        await apply_decision(turn, found, approve=True)


async def apply_decision(
    turn: Turn,
    found: Decision,
    *,
    approve: bool,
    reason: str = "",
    origin: tuple[int, int] | None = None,
) -> bool:
    """Moves the posting (one winner), audits, tells the teacher and whoever comes next."""
    post, klass, subject, author = found.post, found.klass, found.subject, found.author
    staff = turn.actor.staff
    assert staff is not None
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    await lock_classes(session=turn.session, class_ids=[klass.id or 0])
    if not approve:
        status = "returned"
    elif (
        found.exception
        and policies.get("homework.publication") == "office"
        and not (is_office(staff) or is_office(author))
    ):
        status = "pending"  # the exception is granted; the office still approves publication
    else:
        status = "published"
    won = await move(
        session=turn.session,
        post=post,
        from_statuses=("exception" if found.exception else "pending",),
        version=found.version,
        now=turn.now,
        status=status,
        decided_by=staff.id,
        decided_at=turn.now,
        return_reason=reason[:MAX_REASON],
        exception=post.exception or (found.exception and approve),
    )
    if not won:
        await _already_decided(turn, post, klass, subject)
        return False
    action = {
        (True, True): "homework_exception_approved",
        (True, False): "homework_exception_returned",
        (False, True): "homework_approved",
        (False, False): "homework_returned",
    }[(found.exception, approve)]
    await turn.audit(
        action,
        subject_type="homework",
        subject_id=post.id,
        klass=klass.name,
        subject=subject.name,
        author=author.id,
        status=status,
        reason=reason or None,
    )
    await _tell_author(turn, found, staff, status, reason)
    if status == "pending":
        await request_decision(turn, post, klass, subject, author, policies, exception=False)
    elif status == "published":
        await tell_group(turn, post, klass, subject, policies)
    closed = turn.t(
        "hw.closed.approved" if approve else "hw.closed.returned",
        klass=klass.name,
        item=describe(turn.lang, post, subject),
        reason=reason,
    )
    if origin is not None:
        turn.out.edit(origin[0], origin[1], closed)
    else:
        turn.edit_origin(closed)
    return True


async def _tell_author(
    turn: Turn, found: Decision, decider: Staff, status: str, reason: str
) -> None:
    author, post = found.author, found.post
    if author.telegram_id is None:
        return
    lang = lang_of(turn, author)
    item = describe(lang, post, found.subject)
    if status == "returned":
        line = resend_line(lang, post, [found.klass.name], found.subject.name)
        turn.out.send(
            author.telegram_id,
            t(
                lang,
                "hw.told.returned",
                who=decider.name,
                klass=found.klass.name,
                item=item,
                reason=reason,
                resend=resend_block(lang, line),
            ),
        )
        return
    key = "hw.told.exception_approved" if found.exception else "hw.told.approved"
    follow = (
        t(lang, "hw.told.waits_office") if status == "pending" else t(lang, "hw.told.published")
    )
    turn.out.send(
        author.telegram_id,
        t(lang, key, who=decider.name, klass=found.klass.name, item=item, follow=follow),
        author_markup(lang, post),
    )


# --- a return asks for a reason --------------------------------------------------------------


@button()
async def ask_return_reason(turn: Turn) -> str | None:
    """An approver pressed 退回: checks the press, then asks why (the teacher will be told)."""
    assert turn.callback is not None
    if turn.callback.action not in ("no", "xno"):
        await turn.audit("button_refused", reason="bad_action")
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return None
    found = await _decision(turn, turn.callback.action, turn.callback.ids)
    if found is None:
        return None
    query = turn.update.callback_query
    assert query is not None and query.message is not None
    turn.context.user_data[RETURN_KEY] = {
        "action": turn.callback.action,
        "ids": list(turn.callback.ids),
        "origin": [query.message.chat.id, query.message.message_id],
    }
    turn.reply(turn.t("hw.ask_reason", klass=found.klass.name, subject=found.subject.name))
    return REASON


@command(where="private", staff=True)
async def on_return_reason(turn: Turn) -> object:
    """Takes the reason, returns the posting, and tells the teacher why."""
    pending = turn.context.user_data.get(RETURN_KEY)
    if pending is None:
        return END
    message = turn.update.effective_message
    reason = (message.text or "").strip() if message is not None else ""
    if len(reason) > MAX_REASON:
        turn.reply(turn.t("common.too_long", limit=MAX_REASON))
        return REASON
    turn.context.user_data.pop(RETURN_KEY, None)
    found = await _decision(turn, pending["action"], tuple(pending["ids"]))
    if found is None:
        turn.reply(turn.t("hw.return_too_late"))
        return END
    chat_id, message_id = pending["origin"]
    if await apply_decision(
        turn, found, approve=False, reason=reason, origin=(chat_id, message_id)
    ):
        turn.reply(turn.t("hw.returned_done", klass=found.klass.name))
    return END
