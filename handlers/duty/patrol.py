"""/patrol: the day's lesson-patrol report (巡课通报), posted to the staff group (seed 000).

Only the person on a patrol post today (a post whose name contains 巡课) or the academic office
may post it. Morning or afternoon comes from a leading 上午/下午 (am/pm), else from the
reporter's only patrol post that day, else from the time of day.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from telegram.ext import BaseHandler, CommandHandler

from bot.texts import t
from handlers.core.turn import Turn, command
from handlers.school.topics import topic_of
from rules.roles import OFFICE
from rules.rota import AFTERNOON, MORNING, half_of, is_patrol
from storage.calendar import school_calendar
from storage.duty import duty_on
from storage.patrol import record_report
from storage.schools import lost_groups, staff_groups
from views.common import day_label
from views.duty import school_today

MAX_FINDINGS = 1000
HALF_WORDS = {
    "上午": MORNING, "早上": MORNING, "am": MORNING, "morning": MORNING,
    "下午": AFTERNOON, "pm": AFTERNOON, "afternoon": AFTERNOON,
}  # fmt: skip


def split_half(text: str) -> tuple[str | None, str]:
    """A leading 上午/下午 (am/pm) word, and the findings after it."""
    for word, half in HALF_WORDS.items():
        if text.casefold().startswith(word):
            rest = text[len(word) :].lstrip(" ：:，,\n")
            # Chinese runs on without a space (下午巡课正常); "am" must stand alone ("amazing").
            if rest != text[len(word) :] or not rest or not word.isascii():
                return half, rest
    return None, text


@command(where="any", staff=True)
async def cmd_patrol(turn: Turn) -> None:
    """`/patrol <findings>`: records today's patrol report and posts it to the staff group."""
    school, me = turn.actor.school, turn.actor.staff
    if school is None or school.id is None:
        turn.reply(turn.t("common.no_school"))
        return
    if me is None:
        turn.reply(turn.t("common.not_linked"))
        return
    half, findings = split_half(turn.arg_text)
    findings = findings.strip()
    if not findings:
        turn.reply(turn.t("patrol.usage"))
        return
    if len(findings) > MAX_FINDINGS:
        turn.reply(turn.t("patrol.too_long", limit=MAX_FINDINGS, length=len(findings)))
        return
    today = school_today(school, turn.now)
    calendar = await school_calendar(session=turn.session, school_id=school.id)
    if not calendar.is_school_day(today):
        turn.reply(turn.t("patrol.not_school_day"))
        return
    shifts = await duty_on(session=turn.session, school_id=school.id, day=today, calendar=calendar)
    mine = [s for s in shifts if is_patrol(s.post) and s.staff_id == me.id]
    if not mine and OFFICE not in me.role_set:
        await turn.audit("denied", command="/patrol", reason="not_on_patrol")
        patrollers = turn.t("common.list_sep").join(
            sorted({s.name for s in shifts if is_patrol(s.post) and s.name})
        )
        turn.reply(turn.t("patrol.not_yours", patrollers=patrollers or turn.t("common.none")))
        return
    if half is None:
        local = turn.now.astimezone(ZoneInfo(school.timezone))
        half = half_of(mine[0].starts_at) if len(mine) == 1 else half_of(local.time())
    report = await record_report(
        session=turn.session,
        school_id=school.id,
        day=today,
        half=half,
        staff_id=me.id,
        findings=findings,
        now=turn.now,
        by=turn.actor.telegram_id,
    )
    await turn.audit(
        "patrol_reported", subject_type="patrol_report", subject_id=report.id, half=half
    )
    groups = await staff_groups(session=turn.session, school_id=school.id)
    lang = turn.svc.settings.default_language
    text = render_report(lang, day=today, half=half, name=me.name, findings=findings)
    thread = await topic_of(turn, school.id, "duty")
    for group in groups:
        turn.out.send(group.chat_id, text, thread_id=thread)
    if not groups:
        lost = await lost_groups(session=turn.session, school_id=school.id)
        if lost:
            turn.reply(turn.t("patrol.group_removed", title=lost[-1].title or lost[-1].chat_id))
        else:
            turn.reply(turn.t("patrol.no_group"))
    elif not turn.in_group:
        turn.reply(turn.t("patrol.posted", half=turn.t(f"patrol.half.{half}")))


def render_report(lang: str, *, day: date, half: str, name: str, findings: str) -> str:
    return t(
        lang,
        "patrol.report",
        day=day_label(lang, day),
        half=t(lang, f"patrol.half.{half}"),
        name=name,
        findings=findings,
    )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("patrol", cmd_patrol)]
