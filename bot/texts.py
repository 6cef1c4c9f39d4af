"""The zh + en text catalogue.

Texts live in `bot/locales/*.toml`, one file per feature, each key with a `zh` and an `en` line.
`t()` escapes every value for Telegram HTML unless the caller marks it `Safe` (already rendered).
"""

from __future__ import annotations

import html
import re
import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from bot.config import LANGUAGES

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "zh"


class Safe(str):
    """Text that is already valid Telegram HTML (built from the catalogue and escaped values)."""


class CatalogueError(Exception):
    pass


def _flatten(
    prefix: str, table: dict[str, Any], out: dict[str, dict[str, str]], origin: str
) -> None:
    if set(table) & set(LANGUAGES) and all(isinstance(v, str) for v in table.values()):
        if prefix in out:
            raise CatalogueError(f"text key {prefix!r} defined twice ({origin})")
        out[prefix] = dict(table)
        return
    for key, value in table.items():
        if not isinstance(value, dict):
            raise CatalogueError(f"{origin}: {prefix}.{key} is not a text table")
        _flatten(f"{prefix}.{key}" if prefix else key, value, out, origin)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All texts by key, then language; loaded on first use, not at import."""
    texts: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES.glob("*.toml")):
        with path.open("rb") as handle:
            _flatten("", tomllib.load(handle), texts, path.name)
    return texts


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def escape(value: object) -> str:
    if isinstance(value, Safe):
        return value
    return html.escape(str(value), quote=False)


def t(lang: str | None, key: str, /, **values: object) -> Safe:
    """The text for `key` in `lang` (falling back to Chinese), values HTML-escaped."""
    entry = catalogue()[key]
    template = entry.get(lang or DEFAULT_LANGUAGE) or entry[DEFAULT_LANGUAGE]
    return Safe(template.format(**{name: escape(value) for name, value in values.items()}))


def normalise_language(code: str | None) -> str | None:
    """Maps a Telegram language_code (zh-hans, en-US…) to one of ours, or None."""
    if not code:
        return None
    base = code.lower().split("-")[0].split("_")[0]
    return base if base in LANGUAGES else None


_TAG = re.compile(r"<[^>]*>")


def visible_length(text: str) -> int:
    """How long Telegram counts an HTML message: after entity parsing, in UTF-16 code units
    (never less than the characters, so a message measured here is never too long there)."""
    plain = html.unescape(_TAG.sub("", text))
    return len(plain.encode("utf-16-le")) // 2


def split_message(lines: list[str], limit: int = 3500) -> list[Safe]:
    """Joins lines into messages under Telegram's 4,096 characters, never splitting a line."""
    chunks: list[Safe] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > limit:
            chunks.append(Safe("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        chunks.append(Safe("\n".join(current)))
    return chunks
