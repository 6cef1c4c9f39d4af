"""The teacher's interactive side of homework: the /hw button wizard, editing a posting, and
the buttons under a refused or accepted posting (publish the rest, fit, exception, cancel,
withdraw).

The wizard keeps its answers in the conversation until the last step; nothing is written before
the teacher confirms, and /cancel (or the 取消 button) ends it at any step.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ConversationHandler

from bot import callbacks
from bot.texts import Safe, escape, t
from handlers.homework_review import (
    RETURN_KEY,
    allowed_everywhere,
    announce_accepted,
    author_markup,
    describe,
    refusal_markup,
    refusal_reason,
    request_decision,
    school_today,
    standing,
    standing_text,
    submit,
    tell_group,
)
from handlers.turn import Turn, button, command
from jobs.homework import kind_label, layer_label, resend_block
from rules.homework import (
    MAX_CONTENT,
    EditLine,
    Kind,
    Layer,
    PostingError,
    check_content,
    parse_edit_line,
    parse_minutes,
    posting_line_text,
)
from storage.homework import (
    EDITABLE,
    OPEN,
    accepted_status,
    batch_posts,
    cap_check,
    class_of,
    confirm_drafts,
    lock_classes,
    move,
    postable_classes,
    postable_subjects,
    subject_of,
)
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.policies import load_policies

END = ConversationHandler.END
CLASS, SUBJECT, KIND, LAYER, MINUTES, CONTENT, CONFIRM = (
    "hw.class",
    "hw.subject",
    "hw.kind",
    "hw.layer",
    "hw.minutes",
    "hw.content",
    "hw.confirm",
)
EDIT = "hw.edit"
DRAFT_KEY = "hw_draft"
EDIT_KEY = "hw_edit"
KINDS = (Kind.WRITTEN, Kind.ORAL, Kind.PRACTICAL)
LAYERS = (Layer.BASIC, Layer.EXTENDED, None)
QUICK_MINUTES = (10, 15, 20, 30, 45, 60)
BUTTONS_PER_ROW = 3


def _markup(lang: str, buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """The step's buttons, three to a row, and 取消 below."""
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    stop = InlineKeyboardButton(
        t(lang, "hw.button.cancel"), callback_data=callbacks.encode("hww", "stop", 0)
    )
    return InlineKeyboardMarkup([*rows, [stop]])


def _choice(label: str, action: str, value: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode("hww", action, value))


def _text(turn: Turn) -> str:
    message = turn.update.effective_message
    return (message.text or "").strip() if message is not None else ""


def _draft(turn: Turn) -> dict[str, int | str]:
    return turn.context.user_data.setdefault(DRAFT_KEY, {})


# --- the wizard ------------------------------------------------------------------------------


async def start_wizard(turn: Turn, author: Staff) -> object:
    """Starts the wizard: offers the classes the teacher teaches or heads."""
    classes = await postable_classes(session=turn.session, staff=author, day=school_today(turn))
    if not classes:
        turn.reply(turn.t("hw.wizard.no_classes"))
        return END
    turn.context.user_data[DRAFT_KEY] = {}
    buttons = [_choice(c.name, "cls", c.id or 0) for c in classes]
    turn.reply(turn.t("hw.wizard.class"), _markup(turn.lang, buttons))
    return CLASS


async def _class(turn: Turn, class_id: object) -> SchoolClass | None:
    """The class, if the teacher may still post for it (re-checked at every step)."""
    author = turn.actor.staff
    if author is None or not isinstance(class_id, int):
        return None
    classes = await postable_classes(session=turn.session, staff=author, day=school_today(turn))
    return next((c for c in classes if c.id == class_id), None)


async def _subject(turn: Turn, klass: SchoolClass, subject_id: object) -> Subject | None:
    author = turn.actor.staff
    if author is None or not isinstance(subject_id, int):
        return None
    subjects = await postable_subjects(
        session=turn.session, staff=author, klass=klass, day=school_today(turn)
    )
    return next((s for s in subjects if s.id == subject_id), None)


async def _pick_class(turn: Turn, value: int) -> object:
    """Stores the class and asks for the subject."""
    klass = await _class(turn, value)
    author = turn.actor.staff
    if klass is None or author is None:
        return None
    subjects = await postable_subjects(
        session=turn.session, staff=author, klass=klass, day=school_today(turn)
    )
    if not subjects:
        turn.reply(turn.t("hw.wizard.no_subjects", klass=klass.name))
        return CLASS
    _draft(turn)["class_id"] = value
    buttons = [_choice(s.name, "sub", s.id or 0) for s in subjects]
    turn.reply(turn.t("hw.wizard.subject", klass=klass.name), _markup(turn.lang, buttons))
    return SUBJECT


async def _pick_subject(turn: Turn, value: int) -> object:
    """Stores the subject and asks for the kind (no 书面 for a grade without written homework)."""
    klass = await _class(turn, _draft(turn).get("class_id"))
    subject = await _subject(turn, klass, value) if klass is not None else None
    if klass is None or subject is None:
        return None
    _draft(turn)["subject_id"] = value
    policies = await load_policies(session=turn.session, school_id=klass.school_id)
    no_written = policies.homework_cap(klass.grade) == 0
    buttons = [
        _choice(kind_label(turn.lang, kind), "kind", index)
        for index, kind in enumerate(KINDS)
        if not (no_written and kind == Kind.WRITTEN)
    ]
    key = "hw.wizard.kind_no_written" if no_written else "hw.wizard.kind"
    turn.reply(turn.t(key, klass=klass.name, subject=subject.name), _markup(turn.lang, buttons))
    return KIND


async def _pick_kind(turn: Turn, value: int) -> object:
    """Stores the kind and asks for the layer."""
    klass = await _class(turn, _draft(turn).get("class_id"))
    if klass is None or value >= len(KINDS):
        return None
    policies = await load_policies(session=turn.session, school_id=klass.school_id)
    if KINDS[value] == Kind.WRITTEN and policies.homework_cap(klass.grade) == 0:
        return None
    _draft(turn)["kind"] = KINDS[value].value
    buttons = [
        _choice(layer_label(turn.lang, layer) if layer else turn.t("hw.layer.none"), "lay", i)
        for i, layer in enumerate(LAYERS)
    ]
    turn.reply(turn.t("hw.wizard.layer"), _markup(turn.lang, buttons))
    return LAYER


async def _pick_layer(turn: Turn, value: int) -> object:
    """Stores the layer and asks for the minutes, saying what the class has left today."""
    klass = await _class(turn, _draft(turn).get("class_id"))
    if klass is None or value >= len(LAYERS):
        return None
    layer = LAYERS[value]
    _draft(turn)["layer"] = layer.value if layer else ""
    policies = await load_policies(session=turn.session, school_id=klass.school_id)
    check = await cap_check(
        session=turn.session,
        klass=klass,
        day=school_today(turn),
        policies=policies,
        kind=Kind.ORAL,
        minutes=0,
    )
    buttons = [_choice(turn.t("hw.button.minutes", minutes=m), "min", m) for m in QUICK_MINUTES]
    turn.reply(
        turn.t("hw.wizard.minutes", klass=klass.name, total=standing_text(turn.lang, check)),
        _markup(turn.lang, buttons),
    )
    return MINUTES


async def _pick_minutes(turn: Turn, value: int) -> object:
    """Stores the minutes and asks for the content."""
    if value not in QUICK_MINUTES:
        return None
    return _ask_content(turn, value)


def _ask_content(turn: Turn, minutes: int) -> object:
    _draft(turn)["minutes"] = minutes
    turn.reply(turn.t("hw.wizard.content", limit=MAX_CONTENT))
    return CONTENT


PICKS = {
    "cls": _pick_class,
    "sub": _pick_subject,
    "kind": _pick_kind,
    "lay": _pick_layer,
    "min": _pick_minutes,
}


@button()
async def on_pick(turn: Turn) -> object:
    """A button of a wizard step: checks the answer again, stores it, asks the next question."""
    assert turn.callback is not None
    pick = PICKS.get(turn.callback.action)
    value = turn.callback.id()
    result = await pick(turn, value) if pick is not None and value is not None else None
    if result is None:
        await turn.audit("button_refused", reason="wizard", data=turn.callback.action)
        turn.toast(turn.t("common.button_invalid"), alert=True)
    return result


@command(where="private", staff=True)
async def on_tap_please(turn: Turn) -> object:
    """Text typed at a step that has buttons: the step stays, and says so."""
    turn.reply(turn.t("hw.wizard.use_buttons"))
    return None


@command(where="private", staff=True)
async def on_minutes_text(turn: Turn) -> object:
    """Minutes typed: a whole number from 1 to 240."""
    try:
        minutes = parse_minutes(_text(turn))
    except PostingError:
        turn.reply(turn.t("hw.error.minutes", value=_text(turn)))
        return MINUTES
    return _ask_content(turn, minutes)


async def _wizard_posting(
    turn: Turn,
) -> tuple[SchoolClass, Subject, Kind, Layer | None, int, str] | None:
    draft = _draft(turn)
    klass = await _class(turn, draft.get("class_id"))
    subject = await _subject(turn, klass, draft.get("subject_id")) if klass else None
    if klass is None or subject is None or not {"kind", "minutes", "content"} <= set(draft):
        return None
    layer = str(draft.get("layer") or "")
    return (
        klass,
        subject,
        Kind(str(draft["kind"])),
        Layer(layer) if layer else None,
        int(draft["minutes"]),
        str(draft["content"]),
    )


@command(where="private", staff=True)
async def on_content_text(turn: Turn) -> object:
    """Stores the content and shows the whole posting for confirmation."""
    try:
        _draft(turn)["content"] = check_content(_text(turn))
    except PostingError as exc:
        turn.reply(turn.t(f"hw.error.{exc.code}", value=exc.value, limit=MAX_CONTENT))
        return CONTENT
    found = await _wizard_posting(turn)
    if found is None:
        return _lost(turn)
    klass, subject, kind, layer, minutes, content = found
    preview = HomeworkPost(
        school_id=klass.school_id,
        class_id=klass.id or 0,
        subject_id=subject.id or 0,
        author_id=0,
        day=school_today(turn),
        kind=kind.value,
        layer=layer.value if layer else "",
        minutes=minutes,
        content=content,
        status="draft",
        created_at=turn.now,
        updated_at=turn.now,
    )
    publish = _choice(turn.t("hw.button.publish"), "ok", 0)
    turn.reply(
        turn.t("hw.wizard.confirm", klass=klass.name, item=describe(turn.lang, preview, subject)),
        _markup(turn.lang, [publish]),
    )
    return CONFIRM


@button()
async def on_confirm(turn: Turn) -> object:
    """Submits what the wizard put together, exactly as the one-line form would."""
    found = await _wizard_posting(turn)
    author = turn.actor.staff
    if found is None or author is None:
        return _lost(turn)
    klass, subject, kind, layer, minutes, content = found
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.edit_origin(turn.t("hw.wizard.sent"))
    line = posting_line_text(
        [klass.name],
        subject.name,
        minutes,
        kind,
        layer,
        content,
        kind_label(turn.lang, kind),
        layer_label(turn.lang, layer.value if layer else None),
    )
    if await allowed_everywhere(turn, author, [klass], subject, line):
        await submit(turn, author, [klass], subject, kind, layer, minutes, content, line)
    return END


def _forget(turn: Turn) -> None:
    for key in (DRAFT_KEY, EDIT_KEY, RETURN_KEY):
        turn.context.user_data.pop(key, None)


@button()
async def on_stop(turn: Turn) -> object:
    """The 取消 button of any step: nothing was written."""
    _forget(turn)
    turn.edit_origin(turn.t("common.cancelled"))
    return END


@command(where="any")
async def on_cancel(turn: Turn) -> object:
    """/cancel at any step: drops what was entered so far; nothing was written."""
    _forget(turn)
    turn.reply(turn.t("common.cancelled"))
    return END


def _lost(turn: Turn) -> object:
    """The wizard's answers no longer fit (a class or subject changed meanwhile)."""
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.reply(turn.t("hw.wizard.lost"))
    return END


# --- the teacher's buttons -------------------------------------------------------------------


async def own_post(turn: Turn, post_id: int | None) -> HomeworkPost | None:
    """The posting a button names, if it is the actor's own; refusals are audited."""
    post = await turn.session.get(HomeworkPost, post_id) if post_id is not None else None
    if post is None or post.school_id != turn.actor.school_id:
        await turn.audit("button_refused", reason="unknown_homework", homework=post_id)
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return None
    if turn.actor.staff is None or turn.actor.staff.id != post.author_id:
        await turn.audit("denied", subject_type="homework", subject_id=post.id, button="author")
        turn.toast(turn.t("hw.not_yours"), alert=True)
        return None
    return post


async def _refresh_origin(turn: Turn, batch: int) -> None:
    """Keeps the refusal's text (the teacher's own words stay) with the buttons still useful."""
    query = turn.update.callback_query
    if query is None or query.message is None:
        return
    rows = []
    policies = None
    for post in await batch_posts(session=turn.session, batch=batch):
        klass = await class_of(session=turn.session, post=post)
        policies = policies or await load_policies(session=turn.session, school_id=klass.school_id)
        check = await standing(turn, klass, post, policies)
        rows.append((post, klass, check.left or 0))
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
        await turn.audit("button_refused", reason="bad_action")
        turn.toast(turn.t("common.button_invalid"), alert=True)
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
            from_statuses=("draft", "over_cap"),
            now=turn.now,
            status="cancelled",
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
    await lock_classes(session=turn.session, class_ids=[klass.id or 0])
    left = (await standing(turn, klass, post, policies)).left or 0
    asked = post.minutes
    if left <= 0 or not await move(
        session=turn.session,
        post=post,
        from_statuses=("over_cap",),
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
    """Asks the head teacher to allow this posting over the cap."""
    klass = await class_of(session=turn.session, post=post)
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    if not await move(
        session=turn.session,
        post=post,
        from_statuses=("over_cap",),
        now=turn.now,
        status="exception",
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
    turn.reply(turn.t(key, klass=klass.name, who=turn.t(f"hw.who.{chosen.who}"), names=names))
    await _refresh_origin(turn, post.batch or 0)


async def _withdraw(turn: Turn, post: HomeworkPost, author: Staff) -> None:
    """Withdraws a posting; once the group has seen it, the group gets a correction."""
    klass = await class_of(session=turn.session, post=post)
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    await lock_classes(session=turn.session, class_ids=[klass.id or 0])
    before = post.status
    if not await move(
        session=turn.session, post=post, from_statuses=OPEN, now=turn.now, status="withdrawn"
    ):
        turn.toast(turn.t("hw.already_handled"), alert=True)
        return
    subject = await subject_of(session=turn.session, post=post)
    await turn.audit(
        "homework_withdrawn",
        subject_type="homework",
        subject_id=post.id,
        klass=klass.name,
        subject=subject.name,
        was=before,
    )
    await tell_group(turn, post, klass, subject, policies)
    turn.edit_origin(
        turn.t("hw.withdrawn", klass=klass.name, item=describe(turn.lang, post, subject))
    )


AUTHOR_ACTIONS = {
    "go": _publish_rest,
    "drop": _drop,
    "fit": _fit,
    "exc": _ask_exception,
    "wd": _withdraw,
}


# --- editing a posting -----------------------------------------------------------------------


@button()
async def start_edit(turn: Turn) -> object:
    """修改 under a posting: asks for the new minutes and content (author only)."""
    assert turn.callback is not None
    post = await own_post(turn, turn.callback.id())
    if post is None:
        return None
    if post.status not in EDITABLE:
        state = turn.t(f"hw.state.{post.status}")
        turn.toast(turn.t("hw.edit.too_late", state=state), alert=True)
        return None
    klass = await class_of(session=turn.session, post=post)
    subject = await subject_of(session=turn.session, post=post)
    turn.context.user_data[EDIT_KEY] = {"post": post.id, "version": post.version}
    kind = kind_label(turn.lang, post.kind) if post.kind != Kind.WRITTEN else ""
    parts = (str(post.minutes), kind, layer_label(turn.lang, post.layer), post.content)
    turn.reply(
        turn.t(
            "hw.edit.prompt",
            klass=klass.name,
            item=describe(turn.lang, post, subject),
            current=" ".join(p for p in parts if p),
        )
    )
    return EDIT


@command(where="private", staff=True)
async def on_edit_text(turn: Turn) -> object:
    """Applies the change, checked against the cap like a new posting."""
    pending = turn.context.user_data.get(EDIT_KEY)
    author = turn.actor.staff
    text = _text(turn)
    if pending is None or author is None:
        return END
    try:
        line = parse_edit_line(text)
    except PostingError as exc:
        problem = turn.t(f"hw.error.{exc.code}", value=exc.value, limit=MAX_CONTENT)
        turn.reply(problem + "\n" + resend_block(turn.lang, text))
        return EDIT
    post = await turn.session.get(HomeworkPost, pending["post"])
    if post is None or post.author_id != author.id:
        return _lost(turn)
    klass = await class_of(session=turn.session, post=post)
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    await lock_classes(session=turn.session, class_ids=[klass.id or 0])
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
    if not check.ok:
        reason = refusal_reason(turn.lang, klass.name, check, line.minutes)
        turn.reply(f"{reason}\n{turn.t('hw.edit.lower')}\n{resend_block(turn.lang, text)}")
        return EDIT
    turn.context.user_data.pop(EDIT_KEY, None)
    await _apply_edit(turn, post, klass, author, pending["version"], line, kind)
    return END


async def _apply_edit(
    turn: Turn,
    post: HomeworkPost,
    klass: SchoolClass,
    author: Staff,
    version: int,
    line: EditLine,
    kind: Kind,
) -> None:
    """Writes the change (one winner), then asks the approver again or tells the group."""
    policies = await load_policies(session=turn.session, school_id=post.school_id)
    subject = await subject_of(session=turn.session, post=post)
    before = {"minutes": post.minutes, "kind": post.kind, "content": post.content}
    if not await move(
        session=turn.session,
        post=post,
        from_statuses=EDITABLE,
        version=version,
        now=turn.now,
        minutes=line.minutes,
        kind=kind.value,
        layer=line.layer.value if line.layer else post.layer,
        content=line.content,
        status=accepted_status(policies.get("homework.publication"), author, klass),
        exception=False,
    ):
        state = turn.t(f"hw.state.{post.status}")
        turn.reply(
            f"{turn.t('hw.edit.too_late', state=state)}\n{resend_block(turn.lang, _text(turn))}"
        )
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
    )
    if post.status == "pending":
        await request_decision(turn, post, klass, subject, author, policies, exception=False)
    else:
        await tell_group(turn, post, klass, subject, policies)
    check = await standing(turn, klass, post, policies)
    turn.reply(
        turn.t(
            "hw.edit.done_pending" if post.status == "pending" else "hw.edit.done",
            klass=klass.name,
            item=describe(turn.lang, post, subject),
            total=standing_text(turn.lang, check),
        ),
        author_markup(turn.lang, post),
    )
