"""The handover goes to whoever covers the lesson, privately: after the assignment message, and
to the substitutes already arranged when the teacher adds to it later. Never to the group."""

from __future__ import annotations

from handlers.core import follow_ups
from handlers.core.outbox import Attachment, Outbox
from handlers.core.turn import Turn
from rules.states import CoverStatus
from storage.cover import needs_by_id
from storage.handover import notes_for_need
from storage.models import CoverNeed, HandoverNote, School
from storage.schedule import Kit, build_kit
from views.handover import for_substitute
from views.leave import language_of, need_label

COVERED = (CoverStatus.ASSIGNED, CoverStatus.MERGED)


async def kit_of(turn: Turn, school_id: int) -> Kit | None:
    if school_id in turn.kits:
        kit: Kit = turn.kits[school_id]
        return kit
    school = await turn.session.get(School, school_id)
    if school is None:
        return None
    turn.kits[school_id] = built = await build_kit(turn.session, school)
    return built


def queue_handover(
    out: Outbox,
    kit: Kit,
    need: CoverNeed,
    notes: list[HandoverNote],
    default_lang: str,
    *,
    updated: bool = False,
) -> bool:
    """The handover of `need` to its substitute: a message, then each file by its file id.
    False when there is nothing to give or nobody to give it to."""
    person = kit.names.staff.get(need.substitute_id or 0)
    if person is None or person.telegram_id is None or need.status not in COVERED:
        return False
    lang = language_of(person, default_lang)
    lesson = need_label(lang, kit.names, kit.schedule, need)
    handover = for_substitute(
        lang, kit.names.person(need.absent_id), lesson, notes, updated=updated
    )
    if handover is None:
        return False
    out.send(person.telegram_id, handover.text)
    for kind, file_id, name in handover.files:
        out.send(
            person.telegram_id,
            handover.caption,
            attachment=Attachment(name, b"", kind, file_id),
        )
    return True


def give_after(turn: Turn, needs: list[CoverNeed], *, updated: bool = False) -> None:
    """After the action (the assignment's own message first), each lesson's handover."""
    ids = [need.id for need in needs if need.id is not None]
    if ids:
        turn.then(give_handovers, need_ids=ids, updated=updated)


@follow_ups.named("handover_give")
async def give_handovers(later: Turn, *, need_ids: list[int], updated: bool = False) -> None:
    for need in await needs_by_id(session=later.session, ids=need_ids, states=COVERED):
        kit = await kit_of(later, need.school_id)
        if kit is None:
            continue
        notes = await notes_for_need(session=later.session, need=need)
        queue_handover(
            later.out, kit, need, notes, later.svc.settings.default_language, updated=updated
        )
