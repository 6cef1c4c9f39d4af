"""The cover slip (代课/调课公示) as the staff group reads it: who is away, each lesson and its
cover, the swaps, and after a change, what changed in words."""

from __future__ import annotations

from datetime import date, datetime

from bot.texts import Safe, t
from rules.states import CoverStatus
from storage.cover import SlipData
from storage.models import CoverNeed
from storage.schedule import Names, Schedule
from views.common import day_label
from views.leave import cover_state, need_label, part_label, swap_line

# A lesson someone covers: a change of who is said in words.
COVERED = (CoverStatus.ASSIGNED, CoverStatus.MERGED)


def slip_lines(lang: str, data: SlipData, names: Names, schedule: Schedule) -> list[str]:
    """The body lines of a day's slip: who is away, each lesson and its cover, the swaps."""
    lines: list[str] = []
    if data.away:
        away = sorted(data.away.items(), key=lambda item: names.person(item[0]))
        people = t(lang, "common.list_sep").join(
            t(
                lang,
                "cover.slip.away_person",
                name=names.person(staff_id),
                part=part_label(lang, part),
            )
            for staff_id, part in away
        )
        lines.append(t(lang, "cover.slip.away", people=Safe(people)))
    for need in data.needs:
        lines.append(
            t(
                lang,
                "cover.slip.cover",
                lesson=Safe(need_label(lang, names, schedule, need, with_day=False)),
                teacher=names.person(need.absent_id),
                state=Safe(cover_state(lang, names, need)),
            )
        )
    lines.extend(swap_lines(lang, data, names, schedule))
    return lines


def swap_lines(lang: str, data: SlipData, names: Names, schedule: Schedule) -> list[str]:
    return [
        t(lang, "cover.slip.swap", swap=Safe(swap_line(lang, names, schedule, swap)))
        for swap in data.swaps
    ]


def slip_message(lang: str, day: date, lines: list[str]) -> list[str]:
    return [t(lang, "cover.slip.title", day=day_label(lang, day)), *lines]


def updated_message(
    lang: str, day: date, lines: list[str], notes: list[str], at: datetime
) -> list[str]:
    """The whole slip as it is now, then when it changed and what changed."""
    return [
        *slip_message(lang, day, lines),
        "",
        t(lang, "cover.slip.updated", time=f"{at:%H:%M}"),
        *notes,
    ]


def changed_line(
    lang: str, names: Names, need: CoverNeed, old: tuple[str, int | None], lesson: Safe
) -> str:
    old_status, old_substitute = old
    if old_status in COVERED and old_substitute is not None:
        if need.status in COVERED and need.substitute_id != old_substitute:
            return t(
                lang,
                "cover.slip.note.substitute",
                lesson=lesson,
                old=names.person(old_substitute),
                new=Safe(cover_state(lang, names, need)),
            )
        if need.status in (CoverStatus.OPEN, CoverStatus.ASKING):
            return t(
                lang, "cover.slip.note.unassigned", lesson=lesson, old=names.person(old_substitute)
            )
    return t(lang, "cover.slip.note.now", lesson=lesson, state=Safe(cover_state(lang, names, need)))


def swap_mark(lang: str) -> str:
    """How a swap's line on the slip begins."""
    return t(lang, "cover.slip.swap", swap="")
