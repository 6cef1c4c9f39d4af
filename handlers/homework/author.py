"""The author's buttons under a posting: publish the classes that passed, take the minutes
left, ask for an exception, cancel what still waits, withdraw.

Each press is checked again: the posting must be the actor's own, and in a state the button
still applies to (a second press is told it was already dealt with).
"""

from __future__ import annotations

from bot.texts import Safe, escape
from handlers.core.turn import Turn, button
from handlers.homework.notices import request_decision, tell_group
from handlers.homework.posting import standing
from handlers.homework.submit import (
    announce_accepted,
    refusal_markup,
    refusal_reason,
    refused_rows,
)
from rules.states import HomeworkStatus
from storage.homework import (
    OPEN,
    accepted_status,
    batch_posts,
    class_of,
    confirm_drafts,
    lock_classes,
    move,
    subject_of,
)
from storage.homework_changes import cancel_changes, original_of
from storage.models import HomeworkPost, Staff
from storage.policies import load_policies
from storage.types import stored_id
from views.homework import deciders_tier, describe


async def own_post(turn: Turn, post_id: int | None) -> HomeworkPost | None:
    """The posting a button names, if it is the actor's own; refusals are audited."""
    post = await turn.session.get(HomeworkPost, post_id) if post_id is not None else None
    if post is None or post.school_id != turn.actor.school_id:
        await turn.refuse_press(reason="unknown_homework", homework=post_id)
        return None
    if turn.actor.staff is None or turn.actor.staff.id != post.author_id:
        await turn.deny_press(
            "hw.not_yours", subject_type="homework", subject_id=post.id, button="author"
        )
        return None
    return post


async def _refresh_origin(turn: Turn, batch: int) -> None:
    """Keeps the refusal's text (the teacher's own words stay) with the buttons still useful."""
    query = turn.update.callback_query
    if query is None or query.message is None:
        return
    rows = await refused_rows(turn, await batch_posts(session=turn.session, batch=batch))
    message = query.message
    text = getattr(message, "text_html", None) or escape(getattr(message, "text", "") or "")
    turn.edit_origin(Safe(text), refusal_markup(turn.lang, rows))


@button()
async def on_author_button(turn: Turn) -> None:
    """The teacher's buttons: publish the passing classes, fit, exception, cancel, withdraw."""
    assert turn.callback is not None
    action, target = turn.callback.action, turn.callback.id()
    handler = AUTHOR_ACTIONS.get(action)
    if handler is None or target is None:
        await turn.refuse_press(reason="bad_action")
        return
    if action in ("go", "drop"):
        posts = await batch_posts(session=turn.session, batch=target)
        post = await own_post(turn, posts[0].id if posts else None)
    else:
        post = await own_post(turn, target)
    author = turn.actor.staff
    if post is None or author is None:
        return
    await handler(turn, post, author)


async def _publish_rest(turn: Turn, post: HomeworkPost, author: Staff) -> None:
    """Publishes the classes of a several-class posting that passed, checking each again."""
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    placed = await confirm_drafts(
        session=turn.session, batch=post.batch or 0, author=author, policies=policies, now=turn.now
    )
    if not placed:
        turn.toast(turn.t("hw.already_handled"), alert=True)
    for item in placed:
        assert item.post is not None
        subject = await subject_of(session=turn.session, post=item.post)
        await turn.audit(
            "homework_posted" if item.check.ok else "homework_refused",
            subject_type="homework",
            subject_id=item.post.id,
            klass=item.klass.name,
            subject=subject.name,
            minutes=item.post.minutes,
            status=item.post.status,
            confirmed=True,
        )
        if item.check.ok:
            await announce_accepted(turn, item.post, item.klass, subject, author, policies)
        else:
            turn.reply(refusal_reason(turn.lang, item.klass.name, item.check, item.post.minutes))
    await _refresh_origin(turn, post.batch or 0)


async def _drop(turn: Turn, post: HomeworkPost, author: Staff) -> None:
    """Cancels whatever of the posting is still waiting: nothing of it is published."""
    dropped = []
    for row in await batch_posts(session=turn.session, batch=post.batch or 0):
        if await move(
            session=turn.session,
            post=row,
            from_statuses=(HomeworkStatus.DRAFT, HomeworkStatus.OVER_CAP),
            now=turn.now,
            status=HomeworkStatus.CANCELLED,
        ):
            dropped.append(row.id)
    if dropped:
        await turn.audit("homework_cancelled", subject_type="homework", posts=dropped)
    else:
        turn.toast(turn.t("hw.already_handled"))
    await _refresh_origin(turn, post.batch or 0)
    turn.reply(turn.t("common.cancelled"))


async def _fit(turn: Turn, post: HomeworkPost, author: Staff) -> None:
    """Publishes the refused homework with the minutes the class has left."""
    klass = await class_of(session=turn.session, post=post)
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    await lock_classes(session=turn.session, class_ids=[stored_id(klass)])
    left = (await standing(turn, klass, post, policies)).left or 0
    asked = post.minutes
    if left <= 0 or not await move(
        session=turn.session,
        post=post,
        from_statuses=(HomeworkStatus.OVER_CAP,),
        now=turn.now,
        minutes=left,
        status=accepted_status(policies.get("homework.publication"), author, klass),
    ):
        turn.toast(turn.t("hw.no_minutes_left" if left <= 0 else "hw.already_handled"), alert=True)
        await _refresh_origin(turn, post.batch or 0)
        return
    subject = await subject_of(session=turn.session, post=post)
    await turn.audit(
        "homework_posted",
        subject_type="homework",
        subject_id=post.id,
        klass=klass.name,
        subject=subject.name,
        minutes=left,
        asked=asked,
        status=post.status,
    )
    await announce_accepted(turn, post, klass, subject, author, policies)
    await _refresh_origin(turn, post.batch or 0)


async def _ask_exception(turn: Turn, post: HomeworkPost, author: Staff) -> None:
    """Asks whoever decides exceptions for the class (its head teacher, unless that is the
    author) to allow this posting over the cap."""
    klass = await class_of(session=turn.session, post=post)
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    if not await move(
        session=turn.session,
        post=post,
        from_statuses=(HomeworkStatus.OVER_CAP,),
        now=turn.now,
        status=HomeworkStatus.EXCEPTION,
    ):
        turn.toast(turn.t("hw.already_handled"), alert=True)
        await _refresh_origin(turn, post.batch or 0)
        return
    subject = await subject_of(session=turn.session, post=post)
    chosen = await request_decision(turn, post, klass, subject, author, policies, exception=True)
    await turn.audit(
        "homework_exception_requested",
        subject_type="homework",
        subject_id=post.id,
        klass=klass.name,
        subject=subject.name,
        to=[p.id for p in chosen.people],
    )
    names = turn.t("common.list_sep").join(p.name for p in chosen.people)
    key = "hw.exception_sent" if chosen.people else "hw.accepted_no_approver"
    turn.reply(turn.t(key, klass=klass.name, who=deciders_tier(turn.lang, chosen), names=names))
    await _refresh_origin(turn, post.batch or 0)


async def _withdraw(turn: Turn, post: HomeworkPost, author: Staff) -> None:
    """Withdraws a posting (and any change of it still waiting); once the group has seen it, the
    group gets a correction. Withdrawing a waiting change leaves the published posting as it is."""
    klass = await class_of(session=turn.session, post=post)
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    await lock_classes(session=turn.session, class_ids=[stored_id(klass)])
    before = post.status
    if not await move(
        session=turn.session,
        post=post,
        from_statuses=OPEN,
        now=turn.now,
        status=HomeworkStatus.WITHDRAWN,
    ):
        turn.toast(turn.t("hw.already_handled"), alert=True)
        return
    dropped = await cancel_changes(session=turn.session, post=post, now=turn.now)
    original = await original_of(session=turn.session, post=post)
    subject = await subject_of(session=turn.session, post=post)
    await turn.audit(
        "homework_withdrawn",
        subject_type="homework",
        subject_id=post.id,
        klass=klass.name,
        subject=subject.name,
        was=before,
        changes=original.id if original is not None else None,
        dropped=dropped or None,
    )
    item = describe(turn.lang, post, subject)
    if original is not None:
        turn.edit_origin(turn.t("hw.withdrawn_change", klass=klass.name, item=item))
        return
    await tell_group(turn, post, klass, subject, policies)
    turn.edit_origin(turn.t("hw.withdrawn", klass=klass.name, item=item))


AUTHOR_ACTIONS = {
    "go": _publish_rest,
    "drop": _drop,
    "fit": _fit,
    "exc": _ask_exception,
    "wd": _withdraw,
}
