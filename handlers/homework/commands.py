"""/hw: posting homework (one line, or the button wizard) and looking at what was set.

`/hw 三(2) 数学 20 练习册第12页` posts at once (several classes: `三(1),三(2)`; the kind after the
minutes when it is not written: `/hw 一(1) 语文 10 口头 背诵古诗`); `/hw` alone starts the
wizard. `/hw today [class]`, `/hw week <class>`, `/hw class` (a head teacher's own class) and
`/hw mine` (today's own postings, to edit or withdraw) show what was set. Posted in the staff
group, the group gets one line and the rest goes to the teacher's private chat
(homework_group).

This module also wires the homework handlers: the wizard (homework_wizard), submitting and
refusals (homework_submit), the author's buttons (homework_author), editing (homework_edit),
the approvers' decisions (homework_decisions) and returns with a reason (homework_return).
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta

from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
)

from bot import callbacks
from bot.commands import START_HW, started_with
from bot.texts import Safe, split_message
from handlers.core.colleagues import did_you_mean
from handlers.core.dialogue import dialogue
from handlers.core.turn import Turn, command
from handlers.core.wizard import TYPED
from handlers.homework import group as in_group
from handlers.homework import wizard
from handlers.homework.author import on_author_button
from handlers.homework.decisions import on_approve
from handlers.homework.edit import EDIT, on_edit_text, start_edit
from handlers.homework.posting import END, author_markup, reply_keeping_text, school_today
from handlers.homework.returns import (
    REASON,
    ask_return_reason,
    on_return_confirm,
    on_return_reason,
)
from handlers.homework.submit import allowed_everywhere, submit
from jobs.homework import week_of
from rules.classnames import ClassNameError, ClassRef, nearest_class_names, parse_class_name
from rules.homework import (
    MAX_CONTENT,
    PostingError,
    PostingLine,
    parse_posting_line,
    written_by_subject,
)
from rules.states import HomeworkStatus
from storage.calendar import school_calendar
from storage.homework import (
    COUNTED,
    Placed,
    author_posts,
    change_ids,
    class_days,
    counted_entries,
    day_posts,
    entries_of,
    item_of,
    postable_classes,
    posts_anywhere,
    school_subjects,
)
from storage.models import HomeworkPost, SchoolClass, Subject
from storage.policies import load_policies
from storage.staff import head_class
from storage.timetable import school_classes
from storage.types import stored_id
from views.common import day_label
from views.homework import class_block, describe, describe_item, subjects_text, total_text

TODAY = ("today", "今天", "今日")
WEEK = ("week", "本周", "周")
CLASS = ("class", "本班", "班级")
MINE = ("mine", "我的")
HELP = ("help", "帮助", "?", "？")


@command(where="any", staff=True)
async def cmd_hw(turn: Turn) -> object:
    """Posts homework in one line, starts the wizard, or shows what was set."""
    if turn.actor.school is None:
        turn.reply(turn.t("common.no_school"))
        return END
    word = turn.args[0].lower() if turn.args else ""
    rest = turn.args[1:]
    if turn.in_group:
        await _in_group(turn, word)
        return END
    if word in TODAY:
        await _show_today(turn, " ".join(rest))
    elif word in WEEK:
        await _show_week(turn, " ".join(rest))
    elif word in CLASS:
        await _show_head_class(turn)
    elif word in MINE:
        await _show_mine(turn)
    elif word in HELP:
        turn.reply(turn.t("hw.usage"))
    elif turn.actor.staff is None:
        turn.reply(turn.t("hw.needs_staff"))
    elif not turn.args:
        return await wizard.start_wizard(turn, turn.actor.staff)
    else:
        await _post_one_line(turn)
    return END


async def _in_group(turn: Turn, word: str) -> None:
    """`/hw <line>` in the staff group posts as in private and answers the group in one line;
    `/hw` alone opens the wizard in private; looking at what was set is done in private."""
    if turn.actor.staff is None:
        turn.reply(turn.t("hw.needs_staff"))
    elif not turn.args:
        in_group.open_wizard_privately(turn)
    elif word in (*TODAY, *WEEK, *CLASS, *MINE, *HELP):
        turn.reply(turn.t("common.use_private"), turn.private_chat_button())
    else:
        since = in_group.mark_answers(turn)
        posted = await _post_one_line(turn)
        if posted is None:
            return  # the problem was answered in the group, in a line
        in_group.move_answers(turn, since)
        placed, subject, line = posted
        everything_passed = all(item.check.ok for item in placed)
        turn.reply(
            in_group.group_line(turn, placed, subject, line.kind, line.minutes),
            None if everything_passed else turn.private_chat_button(),
        )


async def _post_one_line(turn: Turn) -> tuple[list[Placed], Subject, PostingLine] | None:
    """`/hw 三(1),三(2) 数学 20 [口头] [拓展] 内容`; a refusal keeps the line to resend.

    Returns what was placed, or None when the line was refused before any cap was checked.
    """
    author = turn.actor.staff
    assert author is not None
    original = f"/hw {turn.arg_text}"
    # In the group the line is right above the answer: a problem with it is said alone there.
    echo = "" if turn.in_group else original
    try:
        line = parse_posting_line(turn.arg_text)
    except PostingError as exc:
        problem = turn.t(f"hw.error.{exc.code}", value=exc.value, limit=MAX_CONTENT)
        reply_keeping_text(turn, problem, echo)
        return None
    classes = await _resolve_classes(turn, line.classes, echo)
    subject = await _resolve_subject(turn, line.subject, echo) if classes else None
    if classes is None or subject is None:
        return None
    if not await allowed_everywhere(turn, author, classes, subject, echo):
        return None
    placed = await submit(
        turn,
        author,
        classes,
        subject,
        line.kind,
        line.layer,
        line.minutes,
        line.content,
        original,
    )
    return placed, subject, line


async def _resolve_classes(
    turn: Turn, refs: tuple[ClassRef, ...], original: str
) -> list[SchoolClass] | None:
    """The school's classes for the names typed; an unknown one is refused with the nearest."""
    known = await school_classes(session=turn.session, school_id=turn.actor.school_id or 0)
    by_ref = {ClassRef(c.grade, c.number): c for c in known}
    for ref in refs:
        if ref not in by_ref:
            near = nearest_class_names(ref.name, [c.name for c in known])
            problem = _with_near(turn, turn.t("hw.unknown_class", klass=ref.name), near)
            reply_keeping_text(turn, problem, original)
            return None
    return [by_ref[ref] for ref in refs]


async def _resolve_subject(turn: Turn, name: str, original: str) -> Subject | None:
    subjects = await school_subjects(session=turn.session, school_id=turn.actor.school_id or 0)
    found = next((s for s in subjects if s.name == name.strip()), None)
    if found is None:
        near = difflib.get_close_matches(name, [s.name for s in subjects], n=3, cutoff=0.3)
        problem = _with_near(turn, turn.t("hw.unknown_subject", subject=name), near)
        reply_keeping_text(turn, problem, original)
    return found


def _with_near(turn: Turn, problem: str, near: list[str]) -> Safe:
    """The problem, and the nearest names when there are any."""
    return Safe(problem + did_you_mean(turn.lang, near, "hw.near"))


# --- what was set ----------------------------------------------------------------------------


async def _one_class(turn: Turn, text: str) -> SchoolClass | None:
    """The class named in a view command; unknown names get the nearest ones."""
    known = await school_classes(session=turn.session, school_id=turn.actor.school_id or 0)
    try:
        ref: ClassRef | None = parse_class_name(text)
    except ClassNameError:
        ref = None
    found = next((c for c in known if ref and (c.grade, c.number) == (ref.grade, ref.number)), None)
    if found is None:
        near = nearest_class_names(text, [c.name for c in known])
        turn.reply(_with_near(turn, turn.t("hw.unknown_class", klass=text), near))
    return found


async def _my_classes(turn: Turn) -> list[SchoolClass]:
    """The classes a person looks at by default: all for the office, else taught or headed."""
    staff = turn.actor.staff
    if staff is None or posts_anywhere(staff):
        return await school_classes(session=turn.session, school_id=turn.actor.school_id or 0)
    return await postable_classes(session=turn.session, staff=staff, day=school_today(turn))


async def _show_today(turn: Turn, class_text: str) -> None:
    """`/hw today [class]`: each class's homework today against its cap."""
    if class_text:
        klass = await _one_class(turn, class_text)
        if klass is None:
            return
        classes = [klass]
    else:
        classes = await _my_classes(turn)
    if not classes:
        turn.reply(turn.t("hw.view.no_classes"))
        return
    day = school_today(turn)
    policies = await load_policies(session=turn.session, school_id=turn.actor.school_id or 0)
    days = await class_days(session=turn.session, classes=classes, day=day, policies=policies)
    lines: list[str] = [turn.t("hw.view.today", date=day_label(turn.lang, day))]
    for class_day in days:
        lines.append("")
        lines.extend(class_block(turn.lang, class_day))
    for chunk in split_message(lines):
        turn.reply(chunk)


async def _show_head_class(turn: Turn) -> None:
    """`/hw class`: the head teacher's class today, per subject, with the minutes left."""
    staff = turn.actor.staff
    klass = await head_class(session=turn.session, staff=staff) if staff is not None else None
    if klass is None:
        turn.reply(turn.t("hw.view.not_head"))
        return
    day = school_today(turn)
    policies = await load_policies(session=turn.session, school_id=klass.school_id)
    rows = await day_posts(
        session=turn.session,
        class_ids=[stored_id(klass)],
        start=day,
        end=day,
        statuses=(*COUNTED, HomeworkStatus.EXCEPTION),
    )
    held = [(p, s.name) for p, s in rows if p.status in COUNTED]
    entries = counted_entries(held)
    cap = policies.homework_cap(klass.grade)
    written = sum(m for _, m in written_by_subject(entries))
    lines: list[str] = [turn.t("hw.view.class", klass=klass.name, date=day_label(turn.lang, day))]
    changes = change_ids(p for p, _ in rows)
    for post, subject in rows:
        lines.append(f"• {describe(turn.lang, post, subject)}{_mark(turn, post, changes)}")
    if not rows:
        lines.append(turn.t("hw.view.nothing_yet"))
    lines.append(
        turn.t("hw.view.by_subject", subjects=subjects_text(turn.lang, written_by_subject(entries)))
    )
    lines.append(total_text(turn.lang, cap, written))
    for chunk in split_message(lines):
        turn.reply(chunk)


def _mark(turn: Turn, post: HomeworkPost, changes: set[int]) -> str:
    """How a posting that is not simply published is marked in a list (` ⏳待审核`)."""
    if post.status == HomeworkStatus.PUBLISHED:
        return ""
    key = "change" if post.id in changes else post.status
    return f" {turn.t(f'hw.mark.{key}')}"


async def _show_week(turn: Turn, class_text: str) -> None:
    """`/hw week <class>`: each day of this week, what was set and the written total."""
    staff = turn.actor.staff
    if class_text:
        klass = await _one_class(turn, class_text)
    else:
        klass = await head_class(session=turn.session, staff=staff) if staff else None
        if klass is None:
            turn.reply(turn.t("hw.view.week_usage"))
    if klass is None:
        return
    today = school_today(turn)
    monday, sunday = week_of(today)
    policies = await load_policies(session=turn.session, school_id=klass.school_id)
    calendar = await school_calendar(session=turn.session, school_id=klass.school_id)
    rows = await day_posts(
        session=turn.session,
        class_ids=[stored_id(klass)],
        start=monday,
        end=sunday,
        statuses=(HomeworkStatus.PUBLISHED,),
    )
    cap = policies.homework_cap(klass.grade)
    lines: list[str] = [
        turn.t("hw.view.week", klass=klass.name, cap=cap if cap is not None else "—")
    ]
    day = monday
    while day <= min(sunday, today):
        mine = [(p, s) for p, s in rows if p.day == day]
        if mine or calendar.status(day).is_school_day:
            lines.extend(_week_day_lines(turn, day, mine, cap))
        day += timedelta(days=1)
    for chunk in split_message(lines):
        turn.reply(chunk)


def _week_day_lines(
    turn: Turn, day: date, rows: list[tuple[HomeworkPost, Subject]], cap: int | None
) -> list[str]:
    """A day of the week: each posting on its own line (so a long week splits between them),
    then the written total."""
    label = day_label(turn.lang, day)
    if not rows:
        return [turn.t("hw.view.week_missing", date=label)]
    written = sum(m for _, m in written_by_subject(entries_of(rows)))
    return [
        turn.t("hw.view.week_day", date=label),
        *(f"• {describe_item(turn.lang, item_of(p, s))}" for p, s in rows),
        turn.t("hw.view.week_total", total=total_text(turn.lang, cap, written)),
    ]


async def _show_mine(turn: Turn) -> None:
    """`/hw mine`: today's own postings, each with 修改 / 撤回."""
    staff = turn.actor.staff
    if staff is None:
        turn.reply(turn.t("hw.needs_staff"))
        return
    posts = await author_posts(
        session=turn.session, author_id=stored_id(staff), day=school_today(turn)
    )
    if not posts:
        turn.reply(turn.t("hw.view.mine_none"))
        return
    changes = change_ids(p for p, _, _ in posts)
    for post, subject, klass in posts:
        turn.reply(
            turn.t("hw.view.mine", klass=klass.name, item=describe(turn.lang, post, subject))
            + _mark(turn, post, changes),
            author_markup(turn.lang, post, change=post.id in changes),
        )


@command(where="private", staff=True)
async def cmd_hw_from_link(turn: Turn) -> object:
    """`/start hw`, sent by the deep link of `/hw` in the group: the wizard, in private."""
    if turn.actor.school is None or turn.actor.staff is None:
        turn.reply(turn.t("hw.needs_staff"))
        return END
    return await wizard.start_wizard(turn, turn.actor.staff)


# --- wiring ----------------------------------------------------------------------------------


def handlers() -> list[BaseHandler]:
    """The /hw conversation (wizard, edit, return reason), then the plain buttons."""
    text = TYPED

    def step(kind: callbacks.Button) -> list[BaseHandler]:
        return [
            CallbackQueryHandler(wizard.on_pick, pattern=kind.pattern),
            MessageHandler(text, wizard.on_tap_please),
        ]

    conversation = dialogue(
        "homework",
        entry_points=[
            CommandHandler("hw", cmd_hw),
            CommandHandler("start", cmd_hw_from_link, filters=started_with(START_HW)),
            CallbackQueryHandler(start_edit, pattern=callbacks.HOMEWORK_EDIT.pattern),
            CallbackQueryHandler(ask_return_reason, pattern=callbacks.HOMEWORK_RETURNING.pattern),
        ],
        states={
            wizard.CLASS: step(callbacks.HOMEWORK_WIZARD_CLASS),
            wizard.SUBJECT: step(callbacks.HOMEWORK_WIZARD_SUBJECT),
            wizard.KIND: step(callbacks.HOMEWORK_WIZARD_KIND),
            wizard.LAYER: step(callbacks.HOMEWORK_WIZARD_LAYER),
            wizard.MINUTES: [
                CallbackQueryHandler(
                    wizard.on_pick, pattern=callbacks.HOMEWORK_WIZARD_MINUTES.pattern
                ),
                MessageHandler(text, wizard.on_minutes_text),
            ],
            wizard.CONTENT: [MessageHandler(text, wizard.on_content_text)],
            wizard.CONFIRM: [
                CallbackQueryHandler(
                    wizard.on_confirm, pattern=callbacks.HOMEWORK_WIZARD_PUBLISH.pattern
                ),
                MessageHandler(text, wizard.on_tap_please),
            ],
            EDIT: [MessageHandler(text, on_edit_text)],
            REASON: [
                MessageHandler(text, on_return_reason),
                CallbackQueryHandler(
                    on_return_confirm, pattern=callbacks.HOMEWORK_RETURN_CONFIRM.pattern
                ),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", wizard.on_cancel),
            CallbackQueryHandler(wizard.on_stop, pattern=callbacks.HOMEWORK_WIZARD_STOP.pattern),
        ],
    )
    return [
        conversation,
        CallbackQueryHandler(on_approve, pattern=callbacks.HOMEWORK_APPROVAL.pattern),
        CallbackQueryHandler(on_author_button, pattern=callbacks.HOMEWORK.pattern),
    ]
