"""What kind of slot a bell period is: a regular lesson (正课), morning reading (早读), noon
supervision (午管) or evening study (晚自习). Schools pay cover in the last three at their own
rates, so the cover statement tells them apart."""

from __future__ import annotations

import unicodedata

LESSON = "lesson"
SLOT_KINDS = (LESSON, "morning", "noon", "evening")

# How a bell file names each kind, in Chinese and English (compared without case or spaces).
_WORDS = {
    LESSON: ("正课", "课", "上课", "lesson", "regular", "regularlesson", "class"),
    "morning": ("早读", "早自习", "晨读", "morning", "morningreading"),
    "noon": ("午管", "午休", "午间管理", "午自习", "noon", "noonsupervision", "lunch"),
    "evening": ("晚自习", "晚修", "晚自修", "evening", "eveningstudy"),
}
_KIND_OF_WORD = {word: kind for kind, words in _WORDS.items() for word in words}


def slot_kind(text: str) -> str | None:
    """The slot kind a cell names (正课, 早读, 午管, 晚自习 or their English names), or None."""
    word = "".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return _KIND_OF_WORD.get(word.replace("_", "").replace("-", ""))
