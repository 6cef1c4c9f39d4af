"""代请假: a grade leader or the academic office records leave for a colleague who phoned in.

A teacher taken ill at six in the morning rings the grade leader instead of opening the bot.
`/leavefor 王晴晴 病假 今天 全天 发烧` stores the request as the teacher's own, with every check
of `/leave`. When the recorder may decide its first step, recording it is that decision (the
grade leader would only be asked to approve what they just typed); later steps are asked as usual.
The teacher hears of it privately and can withdraw it in /myleave. Private chat only: the line
carries the reason, and typed in the group it is deleted before it is refused.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.commands import RECORDERS
from bot.services import BotContext
from bot.texts import Safe
from handlers.core.colleagues import colleague_named
from handlers.core.outbox import tell
from handlers.core.turn import Turn, command
from handlers.cover.boards import default_lang, load_kit
from handlers.leave.approval import decide
from handlers.leave.group import delete_typed
from handlers.leave.request import (
    Refusal,
    ask_approvers,
    check_draft,
    draft_from_line,
    refusal_text,
    store,
)
from jobs import kinds
from rules.approval import may_decide
from rules.leave_dates import LeaveDateError
from rules.roles import ADMIN, GRADE_LEADER, OFFICE, PRINCIPAL
from storage.models import Staff
from storage.types import stored_id
from views.leave import (
    calendar_note,
    chain_text,
    days_text,
    kind_label,
    language_of,
    lessons_block,
    people_names,
    sick_note,
    span_label,
    step_label,
)


def may_record(recorder: Staff, colleague: Staff, *, is_admin: bool) -> bool:
    """The office, the principal and admins record anyone's leave; a grade leader their grade's."""
    roles = recorder.role_set
    if is_admin or roles & {OFFICE, PRINCIPAL, ADMIN}:
        return True
    leads_grade = GRADE_LEADER in roles and recorder.grade is not None
    return leads_grade and recorder.grade == colleague.grade


@command(where="private", roles=RECORDERS, staff=True)
async def cmd_leave_for(turn: Turn) -> None:
    """`/leavefor <name> <type> <days> [part] <reason>`."""
    me = turn.actor.staff
    if me is None or me.id is None:
        turn.reply(turn.t("common.not_linked"))
        return
    name, _, line_text = turn.arg_text.strip().partition(" ")
    if not name or not line_text.strip():
        turn.reply(turn.t("leave.for.usage"))
        return
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    try:
        colleague, close = await colleague_named(turn, me.school_id, name)
        if colleague is None:
            raise Refusal("leave.err.no_such_colleague", name=name, close=close)
        if colleague.id == me.id:
            raise Refusal("leave.for.self")
        if not may_record(me, colleague, is_admin=turn.actor.is_admin):
            await turn.audit(
                "denied", subject_type="staff", subject_id=colleague.id, command="leavefor"
            )
            raise Refusal("leave.for.not_yours", name=colleague.name)
        draft = draft_from_line(line_text, kit.today(turn.now))
        if draft.substitute is not None:
            raise Refusal("leave.for.no_substitute")
        checked = await check_draft(turn, draft, staff=colleague)
    except (LeaveDateError, Refusal) as problem:
        turn.reply(refusal_text(turn, problem, "leave.for.example"))
        return
    leave, steps = await store(turn, checked, action="leave_recorded")
    first = steps[0]
    # The teacher hears who recorded it before any decision on it.
    lang = language_of(colleague, default_lang(turn))
    tell(
        turn.out,
        colleague,
        default_lang(turn),
        "leave.for.told",
        who=me.name,
        kind=kind_label(lang, draft.kind),
        span=span_label(lang, draft.first, draft.last, draft.part.code),
        days=days_text(checked.half_days),
        reason=draft.reason,
        lessons=Safe(lessons_block(lang, kit, checked.lessons, checked.unknown_days)),
        chain=chain_text(lang, steps),
        note=Safe(
            sick_note(lang, kit, draft.kind, checked.half_days)
            + calendar_note(lang, kit, draft.first, draft.last)
        ),
    )
    mine = may_decide(
        role=first.role,
        grade=first.grade,
        staff_id=me.id,
        staff_roles=me.role_set,
        staff_grade=me.grade,
        requester_id=stored_id(colleague),
    )
    if mine:
        role = step_label(turn.lang, first)
        if len(checked.chain) > 1:
            key = "leave.for.step_approved"
        else:
            key = "leave.for.approved_cover" if checked.lessons else "leave.for.approved"
        now = turn.t(key, role=role)
    else:
        asked = await ask_approvers(turn, kit, leave, first, steps=len(steps))
        now = turn.t("leave.for.asked", approvers=people_names(turn.lang, asked))
    # Said before the decision's own messages (an arranger's cover boards follow it).
    turn.reply(
        turn.t(
            "leave.for.done",
            name=colleague.name,
            kind=kind_label(turn.lang, draft.kind),
            span=span_label(turn.lang, draft.first, draft.last, draft.part.code),
            days=days_text(checked.half_days),
            lessons=Safe(lessons_block(turn.lang, kit, checked.lessons, checked.unknown_days)),
            chain=chain_text(turn.lang, steps),
            now=now,
        )
    )
    if mine:
        await decide(turn, (first, leave, kit), approve=True)
    else:
        await turn.schedule_changed(leave.school_id, kinds.LEAVE)


async def leave_for_entry(update: Update, context: BotContext) -> None:
    """A /leavefor line typed in the group carries a colleague's reason: it leaves the group
    before the refusal points to the private chat."""
    chat = update.effective_chat
    if chat is not None and chat.type != chat.PRIVATE and context.args:
        await delete_typed(update)
    await cmd_leave_for(update, context)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("leavefor", leave_for_entry)]
