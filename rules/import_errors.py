"""What is wrong with an imported file, kept language-neutral until it is shown to someone.

An error names a text-catalogue key and its values instead of a sentence, so the same check can
answer an admin in Chinese in Telegram and in English on the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from rules.calendar import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ZH


class Bilingual(NamedTuple):
    """A value that reads differently per language (a column or weekday name)."""

    zh: str
    en: str

    def in_language(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def weekday_name(weekday: int) -> Bilingual:
    """周二 / Tue for an ISO weekday, for a notice rendered later in the reader's language."""
    return Bilingual(WEEKDAY_NAMES_ZH[weekday - 1], WEEKDAY_NAMES_EN[weekday - 1])


@dataclass(frozen=True)
class RowError:
    """One problem, located as the user sees it in Excel (the header is line 1).

    `line` is None for a problem with the file as a whole; `column` is the header as the file
    spells it, or the canonical name when the file lacks that column.
    """

    line: int | None
    column: str | Bilingual | None
    key: str
    values: Mapping[str, object] = field(default_factory=dict)


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written.

    `errors` is in line order; within a line, in the order the checks found them.
    """

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} import error(s)")
        self.errors = sorted(errors, key=lambda e: e.line or 0)

    @classmethod
    def whole_file(cls, key: str, /, **values: object) -> ImportFailed:
        return cls([RowError(None, None, key, values)])
