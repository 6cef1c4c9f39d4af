"""The /hw button wizard: class, subject, kind, layer, minutes, content, confirm.

The wizard keeps its answers in the conversation until the last step; nothing is written before
the teacher confirms, and /cancel (or the 取消 button) ends it at any step. What it puts
together is submitted exactly as the one-line form would be.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import t
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import typed_text
from handlers.homework.posting import DRAFT_KEY, END, forget, school_today, standing_text
from handlers.homework.submit import allowed_everywhere, submit
from rules.homework import (
    MAX_CONTENT,
    Kind,
    Layer,
    PostingError,
    check_content,
    parse_minutes,
    posting_line_text,
)
from rules.states import HomeworkStatus
from storage.homework import cap_check, postable_classes, postable_subjects
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.policies import load_policies
from storage.types import stored_id
from views.homework import describe, kind_label, layer_label

CLASS, SUBJECT, KIND, LAYER, MINUTES, CONTENT, CONFIRM = (
    "hw.class",
    "hw.subject",
    "hw.kind",
    "hw.layer",
    "hw.minutes",
    "hw.content",
    "hw.confirm",
)
KINDS = (Kind.WRITTEN, Kind.ORAL, Kind.PRACTICAL)
LAYERS = (Layer.BASIC, Layer.EXTENDED, None)
QUICK_MINUTES = (10, 15, 20, 30, 45, 60)
BUTTONS_PER_ROW = 3


def _markup(lang: str, buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """The step's buttons, three to a row, and 取消 below."""
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    stop = InlineKeyboardButton(
        t(lang, "hw.button.cancel"), callback_data=callbacks.HOMEWORK_WIZARD_STOP.data(0)
    )
    return InlineKeyboardMarkup([*rows, [stop]])


def _choice(label: str, kind: callbacks.Button, value: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=kind.data(value))


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
    buttons = [_choice(c.name, callbacks.HOMEWORK_WIZARD_CLASS, stored_id(c)) for c in classes]
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
    buttons = [_choice(s.name, callbacks.HOMEWORK_WIZARD_SUBJECT, stored_id(s)) for s in subjects]
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
        _choice(kind_label(turn.lang, kind), callbacks.HOMEWORK_WIZARD_KIND, index)
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
        _choice(
            layer_label(turn.lang, layer) if layer else turn.t("hw.layer.none"),
            callbacks.HOMEWORK_WIZARD_LAYER,
            i,
        )
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
    buttons = [
        _choice(turn.t("hw.button.minutes", minutes=m), callbacks.HOMEWORK_WIZARD_MINUTES, m)
        for m in QUICK_MINUTES
    ]
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
        await turn.refuse_press(reason="wizard", data=turn.callback.action)
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
        minutes = parse_minutes(typed_text(turn))
    except PostingError:
        turn.reply(turn.t("hw.error.minutes", value=typed_text(turn)))
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
        _draft(turn)["content"] = check_content(typed_text(turn))
    except PostingError as exc:
        turn.reply(turn.t(f"hw.error.{exc.code}", value=exc.value, limit=MAX_CONTENT))
        return CONTENT
    found = await _wizard_posting(turn)
    if found is None:
        return lost(turn)
    klass, subject, kind, layer, minutes, content = found
    preview = HomeworkPost(
        school_id=klass.school_id,
        class_id=stored_id(klass),
        subject_id=stored_id(subject),
        author_id=0,
        day=school_today(turn),
        kind=kind.value,
        layer=layer.value if layer else "",
        minutes=minutes,
        content=content,
        status=HomeworkStatus.DRAFT,
        created_at=turn.now,
        updated_at=turn.now,
    )
    publish = _choice(turn.t("hw.button.publish"), callbacks.HOMEWORK_WIZARD_PUBLISH, 0)
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
        return lost(turn)
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


@button()
async def on_stop(turn: Turn) -> object:
    """The 取消 button of any step: nothing was written."""
    forget(turn)
    turn.edit_origin(turn.t("common.cancelled"))
    return END


@command(where="any")
async def on_cancel(turn: Turn) -> object:
    """/cancel at any step: drops what was entered so far; nothing was written."""
    forget(turn)
    turn.reply(turn.t("common.cancelled"))
    return END


def lost(turn: Turn) -> object:
    """The wizard's answers no longer fit (a class or subject changed meanwhile)."""
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.reply(turn.t("hw.wizard.lost"))
    return END
