"""The meetings and training texts are valid Telegram HTML in both languages.

A stray `<title>` in an English help line makes Telegram refuse the whole /help message.
"""

from __future__ import annotations

import tomllib

import pytest

from bot.config import LANGUAGES
from bot.texts import LOCALES, catalogue, placeholders, t
from simulator.html import parse_html


def keys_of(filename: str) -> list[str]:
    def walk(prefix: str, table: dict[str, object]) -> list[str]:
        if set(table) & set(LANGUAGES):
            return [prefix]
        return [
            k for key, value in table.items() for k in walk(f"{prefix}.{key}".lstrip("."), value)
        ]  # type: ignore[arg-type]

    with (LOCALES / filename).open("rb") as handle:
        return walk("", tomllib.load(handle))


@pytest.mark.parametrize("filename", ["events.toml", "training.toml"])
def test_every_text_parses_as_telegram_html(filename: str) -> None:
    problems = []
    for key in keys_of(filename):
        for lang in LANGUAGES:
            values = {name: "x" for name in placeholders(catalogue()[key][lang])}
            try:
                parse_html(t(lang, key, **values))
            except Exception as exc:  # the parser's own error names the offset
                problems.append(f"{key} [{lang}]: {exc}")
    assert problems == []
