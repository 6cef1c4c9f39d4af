"""Admins change the standing duty roster in chat: the posts, who stands on a weekday post, and a
rotation's list.

`/duty weekday <post> <周X> <name>` changes one weekday from now on. `/duty rotation <post>
<name1>,<name2>,…` replaces a rotation's list, which starts again from today with its first name;
`/duty rotation <post> add|remove <name>` changes one person and the rotation goes on where it
was. `/duty post add <name> <07:20-07:50> [轮值]` and `/duty post remove <post>` add and remove
posts. A post is named by its number in `/duty roster` or by (part of) its name. Every change is
audited and moves the duty pushes.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

from bot.texts import Safe, escape, t
from handlers.core.colleagues import did_you_mean
from handlers.core.turn import Turn
from jobs import kinds
from rules.import_duty import MAX_ORDER, MAX_POST, parse_school_weekday
from rules.importing import CellError, nearest_names, parse_time
from rules.rota import ROTATION, WEEKDAY, due_turn, edited_rotation, match_posts
from storage.calendar import school_calendar
from storage.duty import (
    add_post,
    remove_post,
    roster,
    rotation_of,
    school_posts,
    set_rotation,
    set_weekday_person,
)
from storage.models import DutyPost, Staff
from storage.staff import school_staff, staff_by_name
from storage.types import stored_id
from views.common import day_label, weekday_name
from views.duty import hhmm

ADD_WORDS = frozenset({"add", "添加", "增加", "加"})
REMOVE_WORDS = frozenset({"remove", "delete", "删除", "去掉", "移除"})
ROTATION_WORDS = frozenset({"rotation", "轮值", "轮换"})
WEEKDAY_WORDS = frozenset({"weekday", "按星期", "星期"})
_NAME_SEPARATORS = re.compile(r"[,，、;；\s]+")
_WINDOW = re.compile(r"^(\d{1,2}[:：]\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2}[:：]\d{2})$")


class Refused(Exception):
    """A change that cannot be made; `key` names the catalogue text that says why."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


async def find_post(turn: Turn, school_id: int, ref: str) -> DutyPost:
    posts = await school_posts(session=turn.session, school_id=school_id)
    found = match_posts([p.name for p in posts], ref)
    listing = Safe(
        "\n".join(
            f"{i + 1}. {hhmm(p.starts_at)}–{hhmm(p.ends_at)} {escape(p.name)}"
            for i, p in enumerate(posts)
            if not found or i in found
        )
    )
    if not found:
        raise Refused("duty.err.no_post", ref=ref, posts=listing)
    if len(found) > 1:
        raise Refused("duty.err.ambiguous_post", ref=ref, posts=listing)
    return posts[found[0]]


async def find_person(turn: Turn, school_id: int, name: str) -> Staff:
    person = await staff_by_name(session=turn.session, school_id=school_id, name=name)
    if person is None or not person.active:
        known = [s.name for s in await school_staff(session=turn.session, school_id=school_id)]
        close = did_you_mean(turn.lang, nearest_names(name, known))
        raise Refused("duty.err.no_staff", name=name, close=close)
    return person


def _window(post: DutyPost) -> dict[str, str]:
    return {"start": hhmm(post.starts_at), "end": hhmm(post.ends_at), "post": post.name}


def _tell(turn: Turn, person: Staff | None, key: str, **values: object) -> None:
    """A private notice, in their language, to someone whose standing duty changed."""
    if person is None or person.telegram_id is None or not person.active:
        return
    if person.telegram_id == turn.actor.telegram_id:
        return
    lang = person.language or turn.svc.settings.default_language
    turn.out.send(person.telegram_id, t(lang, key, **values))


async def change_weekday(turn: Turn, school_id: int, words: list[str]) -> None:
    """`/duty weekday <post> <周X> <name>`: who stands on a weekday post from now on."""
    if len(words) < 3:
        raise Refused("duty.usage")
    post = await find_post(turn, school_id, " ".join(words[:-2]))
    if post.mode != WEEKDAY:
        raise Refused("duty.err.rotation_post", post=post.name)
    weekday = parse_school_weekday(words[-2])
    person = await find_person(turn, school_id, words[-1])
    before_id = await set_weekday_person(
        session=turn.session, post=post, weekday=weekday, staff_id=stored_id(person)
    )
    if before_id == person.id:
        raise Refused("duty.err.already_weekday", name=person.name, post=post.name)
    await turn.audit(
        "duty_weekday",
        subject_type="duty_post",
        subject_id=post.id,
        weekday=weekday,
        staff=person.id,
        before=before_id,
    )
    await turn.schedule_changed(school_id, kinds.DUTY)
    before = await turn.session.get(Staff, before_id) if before_id else None
    window = _window(post)
    for who, key in ((person, "duty.told_weekday_on"), (before, "duty.told_weekday_off")):
        if who is not None:
            lang = who.language or turn.svc.settings.default_language
            _tell(turn, who, key, weekday=weekday_name(lang, weekday), **window)
    turn.reply(
        turn.t(
            "duty.weekday_done",
            weekday=weekday_name(turn.lang, weekday),
            name=person.name,
            before=before.name if before is not None else turn.t("common.none"),
            **window,
        )
    )


async def change_rotation(turn: Turn, school_id: int, words: list[str], today: date) -> None:
    """`/duty rotation <post> <name1>,<name2>,…` or `/duty rotation <post> add|remove <name>`."""
    if len(words) < 2:
        raise Refused("duty.rotation_usage")
    post = await find_post(turn, school_id, words[0])
    if post.mode != ROTATION:
        raise Refused("duty.err.weekday_post", post=post.name)
    before = await rotation_of(session=turn.session, post=post)
    action = unicodedata.normalize("NFKC", words[1]).casefold()
    if action in ADD_WORDS | REMOVE_WORDS:
        if len(words) != 3:
            raise Refused("duty.rotation_usage")
        person = await find_person(turn, school_id, words[2])
        calendar = await school_calendar(session=turn.session, school_id=school_id)
        current = next(
            p
            for p in await roster(session=turn.session, school_id=school_id)
            if p.post_id == post.id
        )
        due = due_turn(current, calendar, today)
        if action in ADD_WORDS:
            if person.id in before:
                raise Refused("duty.err.in_rotation", name=person.name, post=post.name)
            after = edited_rotation(before, due, add=person.id)
        else:
            if person.id not in before:
                raise Refused("duty.err.not_in_rotation", name=person.name, post=post.name)
            after = edited_rotation(before, due, remove=person.id)
    else:
        names = [n for n in _NAME_SEPARATORS.split(" ".join(words[1:])) if n]
        if len(names) > MAX_ORDER:
            raise Refused("duty.err.rotation_long", limit=MAX_ORDER)
        after = [stored_id(await find_person(turn, school_id, name)) for name in names]
    if not after:
        raise Refused("duty.err.rotation_empty", post=post.name)
    await set_rotation(session=turn.session, post=post, staff_ids=after, start=today)
    await turn.audit(
        "duty_rotation",
        subject_type="duty_post",
        subject_id=post.id,
        before=before,
        after=after,
        start=today.isoformat(),
    )
    await turn.schedule_changed(school_id, kinds.DUTY)
    people = {s.id: s for s in await school_staff(session=turn.session, school_id=school_id)}
    order = " → ".join(people[i].name if i in people else "?" for i in after)
    window = _window(post)
    for staff_id in dict.fromkeys([*after, *before]):
        if (staff_id in after) != (staff_id in before):
            key = "duty.told_rotation_on" if staff_id in after else "duty.told_rotation_off"
            _tell(turn, people.get(staff_id), key, order=order, **window)
    turn.reply(turn.t("duty.rotation_done", day=day_label(turn.lang, today), order=order, **window))


def _is_window(word: str) -> bool:
    return _WINDOW.match(unicodedata.normalize("NFKC", word).strip()) is not None


def read_window(text: str) -> tuple[time, time]:
    """A duty window typed as 07:20-07:50 (also with –, ~ or 至)."""
    match = _WINDOW.match(unicodedata.normalize("NFKC", text).strip())
    try:
        if match is None:
            raise CellError("duty.err.bad_window")
        start, end = parse_time(match[1]), parse_time(match[2])
    except CellError as exc:
        raise Refused("duty.err.bad_window", value=text) from exc
    if not start < end:
        raise Refused("duty.err.bad_window", value=text)
    return start, end


async def change_posts(turn: Turn, school_id: int, words: list[str], today: date) -> None:
    """`/duty post add <name> <07:20-07:50> [轮值]` or `/duty post remove <post>`."""
    action = unicodedata.normalize("NFKC", words[0]).casefold() if words else ""
    if action in ADD_WORDS:
        await _add_post(turn, school_id, words[1:], today)
    elif action in REMOVE_WORDS and len(words) > 1:
        await _remove_post(turn, school_id, " ".join(words[1:]))
    else:
        raise Refused("duty.post_usage")


async def _add_post(turn: Turn, school_id: int, words: list[str], today: date) -> None:
    at = next((i for i, word in enumerate(words) if _is_window(word)), None)
    if at is None or at == 0 or len(words) > at + 2:
        raise Refused("duty.post_usage")
    name = " ".join(words[:at])
    if len(name) > MAX_POST:
        raise Refused("common.too_long", limit=MAX_POST)
    start, end = read_window(words[at])
    mode = WEEKDAY
    if len(words) == at + 2:
        word = unicodedata.normalize("NFKC", words[at + 1]).casefold()
        if word not in ROTATION_WORDS | WEEKDAY_WORDS:
            raise Refused("duty.post_usage")
        mode = ROTATION if word in ROTATION_WORDS else WEEKDAY
    post = await add_post(
        session=turn.session,
        school_id=school_id,
        name=name,
        starts_at=start,
        ends_at=end,
        mode=mode,
        start=today,
    )
    if post is None:
        raise Refused("duty.err.post_exists", post=name, start=hhmm(start))
    await turn.audit(
        "duty_post_added",
        subject_type="duty_post",
        subject_id=post.id,
        name=name,
        start=hhmm(start),
        end=hhmm(end),
        mode=mode,
    )
    await turn.schedule_changed(school_id, kinds.DUTY)
    posts = await school_posts(session=turn.session, school_id=school_id)
    number = next(i for i, p in enumerate(posts, start=1) if p.id == post.id)
    turn.reply(
        turn.t(
            "duty.post_added",
            number=number,
            how=turn.t(f"duty.post_mode.{mode}"),
            next=turn.t(f"duty.post_next.{mode}", number=number),
            **_window(post),
        )
    )


async def _remove_post(turn: Turn, school_id: int, ref: str) -> None:
    post = await find_post(turn, school_id, ref)
    window = _window(post)
    people = [
        (p.by_weekday, p.rotation)
        for p in await roster(session=turn.session, school_id=school_id)
        if p.post_id == post.id
    ]
    by_weekday, rotation = people[0] if people else ({}, ())
    post_id, mode = post.id, post.mode
    await remove_post(session=turn.session, post=post)
    # What the post was, so that it can be set up again from the audit log.
    await turn.audit(
        "duty_post_removed",
        subject_type="duty_post",
        subject_id=post_id,
        name=window["post"],
        start=window["start"],
        end=window["end"],
        mode=mode,
        by_weekday={str(day): staff for day, staff in by_weekday.items()},
        rotation=list(rotation),
    )
    await turn.schedule_changed(school_id, kinds.DUTY)
    turn.reply(turn.t("duty.post_removed", **window))
