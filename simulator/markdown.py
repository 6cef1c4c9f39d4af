"""Telegram MarkdownV2 and legacy Markdown parsing (plain text + entities).

The rules are those documented under "Formatting options" in the Bot API; the
error texts follow the official server so that a test failing here fails the
same way it would in production (an unescaped "." is the classic bug).
"""

from __future__ import annotations

from typing import Any

from .errors import EntityParseError
from .html import utf16_len

_RESERVED_V2 = frozenset("_*[]()~`>#+-=|{}.!")
_ENTITY_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    """Accumulates output characters while tracking the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos16 = 0
        self.entities: list[dict[str, Any]] = []

    def emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos16 += utf16_len(chunk)

    def add(self, kind: str, start16: int, **extra: Any) -> None:
        if self.pos16 > start16:
            self.entities.append(
                {"type": kind, "offset": start16, "length": self.pos16 - start16, **extra}
            )

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


class _Open:
    __slots__ = ("index", "kind", "lang", "start16")

    def __init__(self, kind: str, start16: int, index: int, lang: str = ""):
        self.kind = kind
        self.start16 = start16
        self.index = index
        self.lang = lang


def _read_url(text: str, i: int) -> tuple[str, int]:
    """Read ``(url)`` starting at ``text[i] == "("``; returns (url, index after ")")."""
    chars: list[str] = []
    i += 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
            continue
        if c == ")":
            return "".join(chars), i + 1
        chars.append(c)
        i += 1
    raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[_Open] = []
    quote_start: int | None = None
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        top = stack[-1] if stack else None
        if top is not None and top.kind in ("code", "pre"):
            if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                out.emit(text[i + 1])
                i += 2
            elif top.kind == "pre" and text.startswith("```", i):
                stack.pop()
                out.add("pre", top.start16, **({"language": top.lang} if top.lang else {}))
                i += 3
            elif top.kind == "code" and c == "`":
                stack.pop()
                out.add("code", top.start16)
                i += 1
            else:
                out.emit(c)
                i += 1
            continue
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.emit(text[i + 1])
            i += 2
            continue
        at_line_start = i == 0 or text[i - 1] == "\n"
        if c == ">" and at_line_start:
            if quote_start is None:
                quote_start = out.pos16
            i += 1
            continue
        if c == "\n" and quote_start is not None and not text.startswith(">", i + 1):
            out.add("blockquote", quote_start)
            quote_start = None
        if c not in _RESERVED_V2:
            out.emit(c)
            i += 1
            continue
        i = _markdown_v2_marker(text, i, out, stack)
    if stack:
        top = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_ENTITY_NAMES[top.kind]} entity at byte offset "
            f"{_byte_offset(text, top.index)}"
        )
    if quote_start is not None:
        out.add("blockquote", quote_start)
    return out.result()


def _markdown_v2_marker(text: str, i: int, out: _Builder, stack: list[_Open]) -> int:
    """Handle a reserved character at ``text[i]``; return the next index."""
    c = text[i]
    kind: str | None = None
    width = 1
    if c == "*":
        kind = "bold"
    elif c == "_":
        kind, width = ("underline", 2) if text.startswith("__", i) else ("italic", 1)
    elif c == "~":
        kind = "strikethrough"
    elif c == "|" and text.startswith("||", i):
        kind, width = "spoiler", 2
    if kind is not None:
        if stack and stack[-1].kind == kind:
            out.add(kind, stack.pop().start16)
        else:
            stack.append(_Open(kind, out.pos16, i))
        return i + width
    if c == "`":
        if text.startswith("```", i):
            begin = i
            i += 3
            lang = ""
            newline = text.find("\n", i)
            first_line = text[i:newline] if newline >= 0 else None
            # An optional language name fills the rest of the opening line.
            if (
                first_line is not None
                and "`" not in first_line
                and (not any(ch.isspace() for ch in first_line))
            ):
                lang = first_line
                i = newline + 1
            stack.append(_Open("pre", out.pos16, begin, lang))
            return i
        stack.append(_Open("code", out.pos16, i))
        return i + 1
    if c == "[" or (c == "!" and text.startswith("![", i)):
        kind = "custom_emoji" if c == "!" else "text_link"
        stack.append(_Open(kind, out.pos16, i))
        return i + (2 if c == "!" else 1)
    if c == "]" and stack and stack[-1].kind in ("text_link", "custom_emoji"):
        entry = stack.pop()
        if not text.startswith("(", i + 1):
            raise EntityParseError(
                f"Can't find end of {_ENTITY_NAMES[entry.kind]} entity at byte offset "
                f"{_byte_offset(text, entry.index)}"
            )
        url, after = _read_url(text, i + 1)
        if entry.kind == "custom_emoji":
            emoji_id = url.removeprefix("tg://emoji?id=")
            out.add("custom_emoji", entry.start16, custom_emoji_id=emoji_id)
        else:
            out.add("text_link", entry.start16, url=url)
        return after
    raise EntityParseError(
        f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
    )


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy ``Markdown`` mode: no nesting, only ``_ * ` [`` are special."""
    out = _Builder()
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.emit(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.emit(c)
            i += 1
            continue
        begin = i
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise _unclosed(text, begin)
            body = text[i + 3 : end]
            lang = ""
            first, sep, rest = body.partition("\n")
            if sep and first and not any(ch.isspace() for ch in first):
                lang, body = first, rest
            start16 = out.pos16
            out.emit(body)
            out.add("pre", start16, **({"language": lang} if lang else {}))
            i = end + 3
            continue
        closing = "]" if c == "[" else c
        end = text.find(closing, i + 1)
        if end < 0:
            raise _unclosed(text, begin)
        start16 = out.pos16
        out.emit(text[i + 1 : end])
        i = end + 1
        if c == "[":
            if text.startswith("(", i):
                close = text.find(")", i)
                if close < 0:
                    raise _unclosed(text, begin)
                out.add("text_link", start16, url=text[i + 1 : close])
                i = close + 1
            continue
        out.add({"_": "italic", "*": "bold", "`": "code"}[c], start16)
    return out.result()


def _unclosed(text: str, index: int) -> EntityParseError:
    return EntityParseError(
        f"Can't find end of the entity starting at byte offset {_byte_offset(text, index)}"
    )
