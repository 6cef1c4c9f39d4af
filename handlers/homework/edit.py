"""修改: the author changes a posting's minutes, kind, layer or content.

The change is checked against the cap like a new posting, except that a posting allowed over
the cap as an exception may be corrected as long as its written minutes do not go up. Where an
approver decides (`head_teacher` or `office` mode) the change is approved like a new posting;
a change of a published posting then waits beside it, and the group keeps seeing the published
version until the change is approved.
"""

from __future__ import annotations

from handlers.core.turn import Turn, button, command
from handlers.core.wizard import typed_text
from handlers.homework.author import own_post
from handlers.homework.notices import request_decision, tell_group
from handlers.homework.posting import (
    EDIT_KEY,
    END,
    author_markup,
    reply_keeping_text,
    standing,
    standing_text,
)
from handlers.homework.submit import refusal_reason
from rules.homework import (
    MAX_CONTENT,
    CapCheck,
    CapVerdict,
    EditLine,
    Kind,
    Layer,
    PostingError,
    parse_edit_line,
)
from rules.states import HomeworkStatus
from storage.homework import (
    EDITABLE,
    accepted_status,
    cap_check,
    class_of,
    lock_classes,
    move,
    subject_of,
)
from storage.homework_changes import cancel_changes, original_of, propose_change
from storage.models import HomeworkPost, SchoolClass, Staff
from storage.policies import load_policies
from storage.types import stored_id
from views.homework import deciders_label, describe, kind_label, layer_label

EDIT = "hw.edit"


def _written(kind: Kind | str, minutes: int) -> int:
    return minutes if kind == Kind.WRITTEN else 0


def allowed_by_exception(post: HomeworkPost, check: CapCheck, kind: Kind, minutes: int) -> bool:
    """A posting allowed over the cap may still be corrected, as long as it asks for no more
    written minutes than the exception allowed."""
    return (
        post.exception
        and check.verdict == CapVerdict.OVER
        and _written(kind, minutes) <= _written(post.kind, post.minutes)
    )


@button()
async def start_edit(turn: Turn) -> object:
    """修改 under a posting: asks for the new minutes and content (author only).

    Under a change, it edits the published posting again (starting from the change while it
    still waits): the new change takes the place of the waiting one.
    """
    assert turn.callback is not None
    pressed = await own_post(turn, turn.callback.id())
    if pressed is None:
        return None
    original = await original_of(session=turn.session, post=pressed)
    post = original or pressed
    if post.status not in EDITABLE:
        state = turn.t(f"hw.state.{post.status}")
        turn.toast(turn.t("hw.edit.too_late", state=state), alert=True)
        return None
    shown = pressed if original is not None and pressed.status == HomeworkStatus.PENDING else post
    klass = await class_of(session=turn.session, post=post)
    subject = await subject_of(session=turn.session, post=post)
    turn.context.user_data[EDIT_KEY] = {"post": post.id, "version": post.version}
    kind = kind_label(turn.lang, shown.kind) if shown.kind != Kind.WRITTEN else ""
    parts = (str(shown.minutes), kind, layer_label(turn.lang, shown.layer), shown.content)
    turn.reply(
        turn.t(
            "hw.edit.prompt",
            klass=klass.name,
            item=describe(turn.lang, shown, subject),
            current=" ".join(p for p in parts if p),
        )
    )
    return EDIT


@command(where="private", staff=True)
async def on_edit_text(turn: Turn) -> object:
    """Applies the change, checked against the cap like a new posting."""
    pending = turn.context.user_data.get(EDIT_KEY)
    author = turn.actor.staff
    text = typed_text(turn)
    if pending is None or author is None:
        return END
    try:
        line = parse_edit_line(text)
    except PostingError as exc:
        problem = turn.t(f"hw.error.{exc.code}", value=exc.value, limit=MAX_CONTENT)
        reply_keeping_text(turn, problem, text)
        return EDIT
    post = await turn.session.get(HomeworkPost, pending["post"])
    if post is None or post.author_id != author.id:
        turn.context.user_data.pop(EDIT_KEY, None)
        turn.reply(turn.t("hw.wizard.lost"))
        return END
    klass = await class_of(session=turn.session, post=post)
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    await lock_classes(session=turn.session, class_ids=[stored_id(klass)])
    await turn.session.refresh(post)
    kind = line.kind or Kind(post.kind)
    check = await cap_check(
        session=turn.session,
        klass=klass,
        day=post.day,
        policies=policies,
        kind=kind,
        minutes=line.minutes,
        exclude=post.id,
    )
    over_allowed = allowed_by_exception(post, check, kind, line.minutes)
    if not check.ok and not over_allowed:
        reason = refusal_reason(turn.lang, klass.name, check, line.minutes)
        reply_keeping_text(turn, f"{reason}\n{turn.t('hw.edit.lower')}", text)
        return EDIT
    turn.context.user_data.pop(EDIT_KEY, None)
    await _apply_edit(turn, post, klass, author, pending["version"], line, kind, over_allowed)
    return END


async def _apply_edit(
    turn: Turn,
    post: HomeworkPost,
    klass: SchoolClass,
    author: Staff,
    version: int,
    line: EditLine,
    kind: Kind,
    exception: bool,
) -> None:
    """Writes the change (one winner), then asks the approver again or tells the group."""
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    subject = await subject_of(session=turn.session, post=post)
    before = {"minutes": post.minutes, "kind": post.kind, "content": post.content}
    status = accepted_status(policies.get("homework.publication"), author, klass)
    if post.version != version or post.status not in EDITABLE:
        state = turn.t(f"hw.state.{post.status}")
        reply_keeping_text(turn, turn.t("hw.edit.too_late", state=state), typed_text(turn))
        return
    # A newer change takes the place of one still waiting; its request goes stale.
    dropped = await cancel_changes(session=turn.session, post=post, now=turn.now)
    layer = line.layer.value if line.layer else post.layer
    if post.status == HomeworkStatus.PUBLISHED and status == HomeworkStatus.PENDING:
        await _propose(turn, post, klass, author, line, kind, exception, before, dropped)
        return
    if not await move(
        session=turn.session,
        post=post,
        from_statuses=EDITABLE,
        version=version,
        now=turn.now,
        minutes=line.minutes,
        kind=kind.value,
        layer=layer,
        content=line.content,
        status=status,
        exception=exception,
    ):
        state = turn.t(f"hw.state.{post.status}")
        reply_keeping_text(turn, turn.t("hw.edit.too_late", state=state), typed_text(turn))
        return
    await turn.audit(
        "homework_edited",
        subject_type="homework",
        subject_id=post.id,
        klass=klass.name,
        subject=subject.name,
        before=before,
        minutes=post.minutes,
        kind=post.kind,
        status=post.status,
        dropped=dropped or None,
    )
    if post.status == HomeworkStatus.PENDING:
        await request_decision(turn, post, klass, subject, author, policies, exception=False)
    else:
        await tell_group(turn, post, klass, subject, policies)
    check = await standing(turn, klass, post, policies)
    turn.reply(
        turn.t(
            "hw.edit.done_pending" if post.status == HomeworkStatus.PENDING else "hw.edit.done",
            klass=klass.name,
            item=describe(turn.lang, post, subject),
            total=standing_text(turn.lang, check),
        ),
        author_markup(turn.lang, post),
    )


async def _propose(
    turn: Turn,
    post: HomeworkPost,
    klass: SchoolClass,
    author: Staff,
    line: EditLine,
    kind: Kind,
    exception: bool,
    before: dict[str, object],
    dropped: list[int],
) -> None:
    """A published posting changed where an approver decides: the change waits beside it."""
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    subject = await subject_of(session=turn.session, post=post)
    change = await propose_change(
        session=turn.session,
        post=post,
        kind=kind,
        layer=line.layer or (Layer(post.layer) if post.layer else None),
        minutes=line.minutes,
        content=line.content,
        exception=exception,
        now=turn.now,
    )
    await turn.audit(
        "homework_edited",
        subject_type="homework",
        subject_id=post.id,
        klass=klass.name,
        subject=subject.name,
        before=before,
        minutes=change.minutes,
        kind=change.kind,
        status=change.status,
        change=change.id,
        dropped=dropped or None,
    )
    chosen = await request_decision(turn, change, klass, subject, author, policies, exception=False)
    key = "hw.accepted_pending" if chosen.people else "hw.accepted_no_approver"
    note = turn.t(key, who=deciders_label(turn.lang, chosen))
    turn.reply(
        turn.t(
            "hw.edit.change_sent",
            note=note,
            klass=klass.name,
            item=describe(turn.lang, change, subject),
            kept=describe(turn.lang, post, subject),
        ),
        author_markup(turn.lang, change, change=True),
    )
