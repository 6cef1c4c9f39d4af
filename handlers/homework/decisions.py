"""The approver's decisions: 通过 on an approval or exception request, and what a decision
(approved, or returned with a reason) sets off for the teacher, the next approver and the group.

Every press is re-authorised: the posting must belong to the actor's school, the presser must be
someone who decides it now, and the button must have been made for the posting's current
version. An approved change of a published posting is copied into it (a correction once the
group has seen it); a returned one leaves the published version as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.texts import t
from handlers.core.turn import Turn, button
from handlers.homework.notices import deciders, request_decision, tell_group
from handlers.homework.posting import author_markup, lang_of, resend_line
from rules.states import HomeworkStatus
from storage.homework import class_of, is_office, lock_classes, move, subject_of
from storage.homework_changes import apply_change, original_of
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.policies import load_policies
from storage.types import stored_id
from views.homework import describe, resend_block

MAX_REASON = 500


@dataclass
class Decision:
    post: HomeworkPost
    klass: SchoolClass
    subject: Subject
    author: Staff
    exception: bool
    version: int


async def find_decision(turn: Turn, action: str, ids: tuple[int, ...]) -> Decision | None:
    """The posting an approver's button names, re-authorised; None (told, audited) if not."""
    exception = action in ("xok", "xno")
    post_id = ids[0] if ids else None
    version = ids[1] if len(ids) > 1 else None
    post = await turn.session.get(HomeworkPost, post_id) if post_id is not None else None
    if post is None or version is None or post.school_id != turn.actor.school_id:
        await turn.refuse_press(reason="unknown_homework", homework=post_id)
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
        level=post.level,
    )
    staff = turn.actor.staff
    if staff is None or staff.id not in {p.id for p in chosen.people}:
        await turn.deny_press(
            "hw.not_decider", subject_type="homework", subject_id=post.id, button=action
        )
        return None
    if (
        post.status != (HomeworkStatus.EXCEPTION if exception else HomeworkStatus.PENDING)
        or post.version != version
    ):
        await already_decided(turn, post, klass, subject)
        return None
    return Decision(post, klass, subject, author, exception, version)


async def already_decided(
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
        await turn.refuse_press(reason="bad_action")
        return
    found = await find_decision(turn, turn.callback.action, turn.callback.ids)
    if found is not None:
        await apply_decision(turn, found, approve=True)


async def _still_published(
    turn: Turn, found: Decision, original: HomeworkPost
) -> HomeworkPost | None:
    """The published posting a change would change; a change whose posting is gone is dropped.

    Withdrawing or changing a posting drops its waiting changes, so this is only a safeguard.
    """
    if original.status == HomeworkStatus.PUBLISHED:
        return original
    await move(
        session=turn.session,
        post=found.post,
        from_statuses=(HomeworkStatus.PENDING,),
        now=turn.now,
        status=HomeworkStatus.CANCELLED,
    )
    await already_decided(turn, found.post, found.klass, found.subject)
    return None


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
    await lock_classes(session=turn.session, class_ids=[stored_id(klass)])
    original = await original_of(session=turn.session, post=post)
    if original is not None:
        original = await _still_published(turn, found, original)
        if original is None:
            return False
    if not approve:
        status = HomeworkStatus.RETURNED
    elif original is not None:
        status = HomeworkStatus.APPLIED
    elif (
        found.exception
        and policies.get("homework.publication") == "office"
        and not (is_office(staff) or is_office(author))
    ):
        status = (
            HomeworkStatus.PENDING
        )  # the exception is granted; the office still approves publication
    else:
        status = HomeworkStatus.PUBLISHED
    won = await move(
        session=turn.session,
        post=post,
        from_statuses=(HomeworkStatus.EXCEPTION if found.exception else HomeworkStatus.PENDING,),
        version=found.version,
        now=turn.now,
        status=status,
        decided_by=staff.id,
        decided_at=turn.now,
        return_reason=reason[:MAX_REASON],
        exception=post.exception or (found.exception and approve),
    )
    if not won:
        await already_decided(turn, post, klass, subject)
        return False
    if original is not None and status == HomeworkStatus.APPLIED:
        await apply_change(session=turn.session, change=post, original=original, now=turn.now)
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
        changes=original.id if original is not None else None,
    )
    await _tell_author(turn, found, staff, status, reason, original)
    if status == HomeworkStatus.PENDING:
        await request_decision(turn, post, klass, subject, author, policies, exception=False)
    elif status == HomeworkStatus.PUBLISHED:
        await tell_group(turn, post, klass, subject, policies)
    elif original is not None and status == HomeworkStatus.APPLIED:
        await tell_group(turn, original, klass, subject, policies)
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
    turn: Turn,
    found: Decision,
    decider: Staff,
    status: str,
    reason: str,
    original: HomeworkPost | None,
) -> None:
    author, post = found.author, found.post
    if author.telegram_id is None:
        return
    lang = lang_of(turn, author)
    item = describe(lang, post, found.subject)
    klass = found.klass.name
    if original is not None:
        # A change: the published posting is what the teacher can edit or withdraw next.
        kept = describe(lang, original, found.subject)
        text = (
            t(lang, "hw.told.change_approved", who=decider.name, klass=klass, item=kept)
            if status == HomeworkStatus.APPLIED
            else t(
                lang,
                "hw.told.change_returned",
                who=decider.name,
                klass=klass,
                item=item,
                reason=reason,
                kept=kept,
            )
        )
        turn.out.send(author.telegram_id, text, author_markup(lang, original))
        return
    if status == HomeworkStatus.RETURNED:
        line = resend_line(lang, post, [klass], found.subject.name)
        turn.out.send(
            author.telegram_id,
            t(
                lang,
                "hw.told.returned",
                who=decider.name,
                klass=klass,
                item=item,
                reason=reason,
                resend=resend_block(lang, line),
            ),
        )
        return
    key = "hw.told.exception_approved" if found.exception else "hw.told.approved"
    follow = (
        t(lang, "hw.told.waits_office")
        if status == HomeworkStatus.PENDING
        else t(lang, "hw.told.published")
    )
    turn.out.send(
        author.telegram_id,
        t(lang, key, who=decider.name, klass=klass, item=item, follow=follow),
        author_markup(lang, post),
    )
