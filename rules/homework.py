"""Homework postings under 双减: the one-line form, and the daily cap on written minutes.

Only written (书面) minutes count against a grade's cap; oral (口头) and practical (实践) homework
does not. A grade whose cap is 0 (grades 1–2 by default) takes no written homework at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from rules.classnames import ClassNameError, ClassRef, parse_class_name

MIN_MINUTES = 1
MAX_MINUTES = 240
MAX_CONTENT = 1000
MAX_CLASSES = 10


class Kind(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"
    PRACTICAL = "practical"


class Layer(StrEnum):
    BASIC = "basic"
    EXTENDED = "extended"


KIND_WORDS: dict[str, Kind] = {
    "书面": Kind.WRITTEN,
    "笔头": Kind.WRITTEN,
    "written": Kind.WRITTEN,
    "口头": Kind.ORAL,
    "oral": Kind.ORAL,
    "实践": Kind.PRACTICAL,
    "practical": Kind.PRACTICAL,
}
LAYER_WORDS: dict[str, Layer] = {
    "基础": Layer.BASIC,
    "basic": Layer.BASIC,
    "拓展": Layer.EXTENDED,
    "提高": Layer.EXTENDED,
    "extended": Layer.EXTENDED,
}

_CLASS_SEPARATORS = ",，、;；"
MINUTE_UNITS = ("分钟", "分", "min", "mins", "minutes")
_MINUTES = re.compile(rf"^(\d{{1,6}})(?:{'|'.join(MINUTE_UNITS)})?$", re.IGNORECASE)


class PostingError(ValueError):
    """Why a typed posting was not understood; `code` names the text, `value` the culprit."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(f"{code}: {value}")
        self.code = code
        self.value = value


@dataclass(frozen=True)
class PostingLine:
    """A posting as typed: `三(1),三(2) 数学 20 [口头] [拓展] 练习册第12页`."""

    classes: tuple[ClassRef, ...]
    subject: str
    minutes: int
    kind: Kind
    layer: Layer | None
    content: str


@dataclass(frozen=True)
class EditLine:
    """A changed posting as typed: `25 [口头] [拓展] 练习册第12–13页`."""

    minutes: int
    kind: Kind | None
    layer: Layer | None
    content: str


def parse_minutes(text: str) -> int:
    """A whole number of minutes from 1 to 240 (`20`, `20分钟`), or PostingError."""
    match = _MINUTES.match(text.strip())
    if not match or not MIN_MINUTES <= int(match[1]) <= MAX_MINUTES:
        raise PostingError("minutes", text.strip())
    return int(match[1])


def check_content(text: str) -> str:
    content = text.strip()
    if not content:
        raise PostingError("content_missing")
    if len(content) > MAX_CONTENT:
        raise PostingError("content_too_long", str(len(content)))
    return content


def parse_class_list(text: str) -> tuple[ClassRef, ...]:
    """`三(1),三(2)、3-3` → the classes, in the order typed, each once."""
    parts = [p for p in re.split(f"[{_CLASS_SEPARATORS}]", text) if p.strip()]
    if not parts:
        raise PostingError("usage")
    refs: list[ClassRef] = []
    for part in parts:
        try:
            ref = parse_class_name(part)
        except ClassNameError:
            raise PostingError("bad_class", part.strip()) from None
        if ref not in refs:
            refs.append(ref)
    if len(refs) > MAX_CLASSES:
        raise PostingError("too_many_classes", str(len(refs)))
    return tuple(refs)


def _is_class_list(token: str) -> bool:
    try:
        parse_class_list(token)
    except PostingError:
        return False
    return True


def _take_class_token(text: str) -> tuple[str, str]:
    """Splits off the leading class list, which may hold spaces after its separators."""
    tokens = text.split(maxsplit=1)
    head, rest = tokens[0], tokens[1] if len(tokens) > 1 else ""
    while rest and (head[-1] in _CLASS_SEPARATORS or rest[0] in _CLASS_SEPARATORS):
        more = rest.split(maxsplit=1)
        head, rest = head + more[0], more[1] if len(more) > 1 else ""
    return head, rest


def _take_classes(text: str) -> tuple[list[str], str]:
    """The class lists at the start of `text`, also when only spaces separate them
    (`三(1) 三(2)`): no subject reads as a class name, so this is never ambiguous."""
    lists: list[str] = []
    rest = text
    while rest.strip():
        head, after = _take_class_token(rest)
        if not _is_class_list(head):
            break
        lists.append(head)
        rest = after
    return lists, rest


def _split_word(text: str) -> tuple[str, str]:
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


def _take_minutes(text: str) -> tuple[int, str]:
    """The minutes and what follows; a unit written apart (`20 分钟`) belongs to the minutes."""
    word, rest = _split_word(text)
    minutes = parse_minutes(word)
    unit, after = _split_word(rest)
    if word.isdigit() and unit.lower() in MINUTE_UNITS:
        rest = after
    return minutes, rest


def _kind_and_layer(text: str) -> tuple[Kind | None, Layer | None, str]:
    """Reads the optional kind and layer words that may follow the minutes, in any order.

    English words count only in lower case, as the help writes them: content that begins
    with "Oral practice…" or "Basic words…" is the homework itself. A kind or layer word with
    nothing after it leaves the content missing, which is said rather than guessed.
    """
    kind: Kind | None = None
    layer: Layer | None = None
    rest = text.strip()
    while rest:
        word, after = _split_word(rest)
        if not after and (word in KIND_WORDS or word in LAYER_WORDS):
            raise PostingError("content_missing")
        if kind is None and word in KIND_WORDS:
            kind = KIND_WORDS[word]
        elif layer is None and word in LAYER_WORDS:
            layer = LAYER_WORDS[word]
        else:
            break
        rest = after
    return kind, layer, rest


def parse_posting_line(text: str) -> PostingLine:
    """Reads the one-line form; raises PostingError saying what is missing or wrong."""
    text = text.strip()
    if not text:
        raise PostingError("usage")
    lists, rest = _take_classes(text)
    if lists:
        subject, rest = _split_word(rest)
    else:
        head, after = _take_class_token(text)
        lists, rest = _take_classes(after)
        if not lists or any(sep in head for sep in _CLASS_SEPARATORS):
            parse_class_list(head)  # raises, naming the part that is not a class
            raise PostingError("bad_class", head)
        subject = head  # `数学 三(2) 20 …`: the subject was written first
    if not subject:
        raise PostingError("usage")
    classes = parse_class_list(",".join(lists))
    if not rest.strip():
        raise PostingError("minutes_missing")
    minutes, rest = _take_minutes(rest)
    kind, layer, content = _kind_and_layer(rest)
    return PostingLine(
        classes, subject, minutes, kind or Kind.WRITTEN, layer, check_content(content)
    )


def parse_edit_line(text: str) -> EditLine:
    """Reads a changed posting: minutes, optional kind and layer, content."""
    if not text.strip():
        raise PostingError("minutes_missing")
    minutes, rest = _take_minutes(text)
    kind, layer, content = _kind_and_layer(rest)
    return EditLine(minutes, kind, layer, check_content(content))


def posting_line_text(
    class_names: Iterable[str],
    subject: str,
    minutes: int,
    kind: Kind,
    layer: Layer | None,
    content: str,
    kind_word: str = "",
    layer_word: str = "",
) -> str:
    """The one-line command that posts this again, for the teacher to copy and resend."""
    words = ["/hw", ",".join(class_names), subject, str(minutes)]
    if kind != Kind.WRITTEN:
        words.append(kind_word or kind.value)
    if layer is not None:
        words.append(layer_word or layer.value)
    words.append(content)
    return " ".join(words)


# --- the cap ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One posting that holds minutes in a class's day."""

    subject: str
    kind: Kind
    minutes: int


def written_total(entries: Iterable[Entry]) -> int:
    return sum(e.minutes for e in entries if e.kind == Kind.WRITTEN)


def written_by_subject(entries: Iterable[Entry]) -> list[tuple[str, int]]:
    """Written minutes per subject, in the order the subjects first appear."""
    totals: dict[str, int] = {}
    for entry in entries:
        if entry.kind == Kind.WRITTEN:
            totals[entry.subject] = totals.get(entry.subject, 0) + entry.minutes
    return list(totals.items())


class CapVerdict(StrEnum):
    OK = "ok"
    OVER = "over"  # the written total would pass the cap
    NO_WRITTEN = "no_written"  # the grade takes no written homework at all


@dataclass(frozen=True)
class CapCheck:
    verdict: CapVerdict
    cap: int | None  # None: the grade has no cap (outside the compulsory grades)
    total: int  # written minutes already held by the class that day
    after: int  # written minutes if this posting went through
    by_subject: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict == CapVerdict.OK

    @property
    def left(self) -> int | None:
        """Written minutes the class can still take today (never negative)."""
        return None if self.cap is None else max(self.cap - self.total, 0)


def check_cap(cap: int | None, entries: Iterable[Entry], kind: Kind, minutes: int) -> CapCheck:
    """Whether a posting keeps the class's daily written total within the grade's cap."""
    held = list(entries)
    total = written_total(held)
    by_subject = written_by_subject(held)
    if kind != Kind.WRITTEN:
        return CapCheck(CapVerdict.OK, cap, total, total, by_subject)
    after = total + minutes
    if cap is None:
        return CapCheck(CapVerdict.OK, cap, total, after, by_subject)
    if cap == 0:
        return CapCheck(CapVerdict.NO_WRITTEN, cap, total, after, by_subject)
    verdict = CapVerdict.OK if after <= cap else CapVerdict.OVER
    return CapCheck(verdict, cap, total, after, by_subject)


@dataclass(frozen=True)
class ClassRequest:
    """One class of a posting, with what it holds already."""

    name: str
    cap: int | None
    entries: tuple[Entry, ...]


def check_classes(
    requests: Iterable[ClassRequest], kind: Kind, minutes: int
) -> list[tuple[str, CapCheck]]:
    """The cap check of each class a posting names; the caller says which ones failed."""
    return [(r.name, check_cap(r.cap, r.entries, kind, minutes)) for r in requests]


def needs_approval(mode: str, *, heads_class: bool, is_office: bool) -> bool:
    """Whether an accepted posting waits for an approver before it is published.

    Nobody approves their own posting: the head teacher's own, in `head_teacher` mode, and the
    academic office's own, in `office` mode, publish at once.
    """
    if mode == "head_teacher":
        return not heads_class
    if mode == "office":
        return not is_office
    return False
