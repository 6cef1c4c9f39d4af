"""The zh + en text catalogue.

Texts live in `bot/locales/*.toml`, one file per feature, each key with a `zh` and an `en` line.
`t()` escapes every value for Telegram HTML unless the caller marks it `Safe` (already rendered).
A count's noun in English takes its number from the count: `{count} {count:lesson|lessons}`.
A placeholder written between quotation marks (“{value}”, "{name}", 「{column}」) quotes what
someone typed or a file held; `t()` shortens such a value with `quote`, so an error that quotes
a pasted essay still fits in a message. `fit_message` is the last resort for a whole message.
"""

from __future__ import annotations

import html
import re
import string
import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from bot.config import LANGUAGES

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "zh"
# Telegram refuses a longer message (counted after entity parsing, in UTF-16 code units).
MESSAGE_LIMIT = 4096
# Enough to recognise what was typed; an error message need not repeat all of it.
QUOTE_LIMIT = 60
ELLIPSIS = "…"
# A placeholder in quotation marks, but not an HTML attribute's value (href="{link}").
_QUOTED = re.compile(r'(?<!=)[“"「‘]\{(\w+)\}[”"」’]')
# A word that follows a count: `{count:lesson|lessons}` is "lesson" when count is 1, "lessons"
# otherwise (English needs it; Chinese has no plural and writes `{count}` alone).
_PLURAL = re.compile(r"\{(\w+):([^{}|]*)\|([^{}|]*)\}")


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


def quote(text: object, limit: int = QUOTE_LIMIT) -> str:
    """Someone's words as a message quotes them back: at most `limit` characters, the cut
    marked with an ellipsis."""
    words = str(text)
    return words if len(words) <= limit else words[: limit - 1] + ELLIPSIS


@cache
def _quoted(template: str) -> frozenset[str]:
    """The placeholders of a template that stand between quotation marks."""
    return frozenset(_QUOTED.findall(template))


def t(lang: str | None, key: str, /, **values: object) -> Safe:
    """The text for `key` in `lang` (falling back to Chinese), values HTML-escaped and quoted
    values shortened."""
    entry = catalogue()[key]
    template = entry.get(lang or DEFAULT_LANGUAGE) or entry[DEFAULT_LANGUAGE]
    quoted = _quoted(template)
    return Safe(
        fill(
            template,
            {
                name: escape(
                    quote(value) if name in quoted and not isinstance(value, Safe) else value
                )
                for name, value in values.items()
            },
            values,
        )
    )


def fill(template: str, values: dict[str, object], counts: dict[str, object] | None = None) -> str:
    """The template with its values, each `{n:one|many}` first chosen by the count `n` (taken
    from `counts`, the values as given, before they were escaped)."""
    given = values if counts is None else counts

    def word(match: re.Match[str]) -> str:
        return match[2] if str(given.get(match[1])) == "1" else match[3]

    return _PLURAL.sub(word, template).format(**values)


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


# A tag, a character reference, or a run of text without either.
_HTML_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([\w-]+)")


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """The message cut to what Telegram accepts, as a last resort: a longer one is refused and
    the person hears nothing. The cut keeps the HTML valid (tags still open are closed after
    an ellipsis) and never splits a character reference or a character."""
    if visible_length(text) <= limit:
        return text
    budget = limit - _units(ELLIPSIS)
    kept: list[str] = []
    open_tags: list[str] = []
    used = 0
    for token in _HTML_TOKEN.findall(text):
        if len(token) > 1 and token[0] == "<" and token[-1] == ">":
            name = _TAG_NAME.match(token)
            if name is not None and token.startswith("</"):
                if name[1] in open_tags:
                    del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name[1])]
            elif name is not None and not token.endswith("/>"):
                open_tags.append(name[1])
            kept.append(token)
            continue
        visible = html.unescape(token) if token[0] == "&" else token
        if used + _units(visible) <= budget:
            kept.append(token)
            used += _units(visible)
            continue
        if token[0] != "&":
            for char in token:
                if used + _units(char) > budget:
                    break
                kept.append(char)
                used += _units(char)
        break
    kept.append(ELLIPSIS)
    kept.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(kept)


def split_message(lines: Sequence[str], limit: int = 3500) -> list[Safe]:
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
