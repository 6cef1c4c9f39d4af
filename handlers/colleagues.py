"""Finding a colleague by the name someone typed, with the nearest names when it is not there."""

from __future__ import annotations

from bot.texts import t
from handlers.turn import Turn
from rules.importing import nearest_names
from storage.models import Staff
from storage.staff import school_staff, staff_by_name


async def colleague_named(turn: Turn, school_id: int, name: str) -> tuple[Staff | None, str]:
    """The active colleague of that name, or None and the closest names on the staff list
    (joined for the user's language, "—" when nothing is close)."""
    name = name.strip()
    colleague = await staff_by_name(session=turn.session, school_id=school_id, name=name)
    if colleague is not None and colleague.active:
        return colleague, ""
    everyone = [s.name for s in await school_staff(session=turn.session, school_id=school_id)]
    return None, t(turn.lang, "common.list_sep").join(nearest_names(name, everyone)) or "—"
