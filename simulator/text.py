"""Text helpers: formatted-text parsing dispatch and entity detection."""

from __future__ import annotations

import re
from typing import Any

from .errors import EntityParseError, bad_request
from .html import parse_html, utf16_len
from .markdown import parse_markdown, parse_markdown_v2

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# A command is "/" + up to 32 word characters, optionally addressed "@botname",
# and must start the text or follow whitespace (Telegram's own detection rule).
_COMMAND_RE = re.compile(r"(?<!\S)/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,32}))?(?![\w@/])")
_MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{4,32})(?!\w)")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"]+", re.IGNORECASE)


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Turn text as sent by a bot into ``(plain_text, entities)``.

    Raises the Bot API's ``can't parse entities`` error for malformed markup.
    """
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return parse_html(text)
        if mode == "markdownv2":
            return parse_markdown_v2(text)
        if mode == "markdown":
            return parse_markdown(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    if mode:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return text, list(entities or [])


def check_text_length(plain: str, *, caption: bool = False) -> None:
    """Enforce Telegram's size limits on the text a user would see."""
    if caption:
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return
    if not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram derives itself from a user's plain text.

    Bot commands, @mentions and URLs, with offsets in UTF-16 code units so that
    python-telegram-bot's ``parse_entity`` slices correctly around emoji.
    """
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND_RE.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        if not any(s <= match.start() < e for s, e, _ in found):
            found.append((match.start(), match.end(), "mention"))
    for match in _URL_RE.finditer(text):
        if not any(s <= match.start() < e for s, e, _ in found):
            found.append((match.start(), match.end(), "url"))
    found.sort()
    entities = []
    for start, end, kind in found:
        offset = utf16_len(text[:start])
        entities.append({"type": kind, "offset": offset, "length": utf16_len(text[start:end])})
    return entities


def leading_command(text: str) -> tuple[str, str | None] | None:
    """``("cmd", "botname" | None)`` if the text starts with a bot command."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return None
    return match.group(1), match.group(2)


def mentions(text: str) -> set[str]:
    """Lower-cased usernames mentioned with ``@name`` in the text."""
    return {m.group(1).lower() for m in _MENTION_RE.finditer(text)}
