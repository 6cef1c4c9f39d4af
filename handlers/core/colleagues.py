"""Finding a colleague by the name someone typed, with the nearest names when it is not there."""

from __future__ import annotations

from bot.texts import t
from handlers.core.turn import Turn
from rules.importing import nearest_names
from storage.models import Staff
from storage.staff import school_staff, staff_by_name


def did_you_mean(lang: str | None, names: list[str], key: str = "common.did_you_mean") -> str:
    """The names close to what was typed, as "是不是：王晴晴、王琴？" (or as `key` words it,
    with `{names}`); "" when none is, so that a refusal never ends in an empty "是不是：—"."""
    if not names:
        return ""
    return t(lang, key, names=t(lang, "common.list_sep").join(names))


async def colleague_named(turn: Turn, school_id: int, name: str) -> tuple[Staff | None, str]:
    """The active colleague of that name, or None and a "did you mean" for the closest names
    on the staff list ("" when nothing is close)."""
    name = name.strip()
    colleague = await staff_by_name(session=turn.session, school_id=school_id, name=name)
    if colleague is not None and colleague.active:
        return colleague, ""
    everyone = [s.name for s in await school_staff(session=turn.session, school_id=school_id)]
    return None, did_you_mean(turn.lang, nearest_names(name, everyone))
