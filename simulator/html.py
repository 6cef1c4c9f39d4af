"""Telegram-flavoured HTML: validation, conversion to plain text and entities.

Telegram only understands a small fixed set of tags and refuses anything else
with ``can't parse entities``. Python's ``html.parser`` is far too lenient for
that, so this module implements a small strict tokenizer that follows the rules
of the Bot API (and mimics the error texts of the official server), because the
whole point of the simulator is to surface formatting bugs before production.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import EntityParseError

# Tag name -> MessageEntity type.
TAG_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

# Only these named character references are decoded; others stay literal.
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAR_REF_RE = re.compile(r"&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[a-zA-Z]{2,8});")
_SPECIAL_RE = re.compile(r"[<&]")
_ATTR_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t\r\n"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of MessageEntity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    # Only computed when reporting an error, so the O(n) cost does not matter.
    return len(text[:index].encode("utf-8"))


def decode_char_refs(text: str) -> str:
    """Decode character references the way Telegram does (unknown ones stay literal)."""
    if "&" not in text:
        return text
    return _CHAR_REF_RE.sub(_decode_ref, text)


def _decode_ref(match: re.Match[str]) -> str:
    body = match.group(1)
    if body[0] != "#":
        return _NAMED_REFS.get(body.lower(), match.group(0))
    try:
        code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    except ValueError:
        return match.group(0)
    if code <= 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


class _OpenTag:
    __slots__ = ("attrs", "name", "offset")

    def __init__(self, name: str, offset: int, attrs: dict[str, str]):
        self.name = name
        self.offset = offset
        self.attrs = attrs


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(plain_text, entities)`` or raise :class:`EntityParseError`."""
    out: list[str] = []
    pos16 = 0  # current length of the output in UTF-16 units
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        match = _SPECIAL_RE.search(text, i)
        stop = match.start() if match else n
        if stop > i:
            chunk = text[i:stop]
            out.append(chunk)
            pos16 += utf16_len(chunk)
            i = stop
            if i >= n:
                break
        if text[i] == "&":
            ref = _CHAR_REF_RE.match(text, i)
            decoded = _decode_ref(ref) if ref else "&"
            if ref is None or decoded == ref.group(0):
                out.append("&")
                pos16 += 1
                i += 1
            else:
                out.append(decoded)
                pos16 += utf16_len(decoded)
                i = ref.end()
            continue
        # text[i] == "<"
        if i + 1 < n and text[i + 1] == "/":
            i = _close_tag(text, i, stack, entities, pos16)
        else:
            i, tag = _open_tag(text, i)
            tag.offset = pos16
            stack.append(tag)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _open_tag(text: str, start: int) -> tuple[int, _OpenTag]:
    n = len(text)
    i = start + 1
    while i < n and text[i] not in _SPACE and text[i] not in ">/":
        i += 1
    name = text[start + 1 : i].lower()
    if name not in TAG_ENTITY_TYPES:
        raise EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, start)}'
        )
    attrs: dict[str, str] = {}
    while True:
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, start)}")
        if text[i] == ">":
            i += 1
            break
        attr = _ATTR_NAME_RE.match(text, i)
        if attr is None:
            raise EntityParseError(
                f'Empty attribute name in the tag "{name}" at byte offset '
                f"{_byte_offset(text, start)}"
            )
        attr_name = attr.group(0).lower()
        i = attr.end()
        value = ""
        if i < n and text[i] == "=":
            i += 1
            if i < n and text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end < 0:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, start)}"
                    )
                value = text[i + 1 : end]
                i = end + 1
            else:
                begin = i
                while i < n and text[i] not in _SPACE and text[i] != ">":
                    i += 1
                value = text[begin:i]
        attrs[attr_name] = decode_char_refs(value)
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, start)}'
        )
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise EntityParseError(
            f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
            f"{_byte_offset(text, start)}"
        )
    return i, _OpenTag(name, 0, attrs)


def _close_tag(
    text: str, start: int, stack: list[_OpenTag], entities: list[dict[str, Any]], pos16: int
) -> int:
    end = text.find(">", start + 2)
    if end < 0:
        raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, start)}")
    name = text[start + 2 : end].strip().lower()
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, start)}")
    top = stack[-1]
    if name != top.name:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(text, start)}, "
            f'expected "</{top.name}>", found "</{name}>"'
        )
    stack.pop()
    entity = _make_entity(top, pos16, stack, entities)
    if entity is not None:
        entities.append(entity)
    return end + 1


def _make_entity(
    tag: _OpenTag, pos16: int, stack: list[_OpenTag], entities: list[dict[str, Any]]
) -> dict[str, Any] | None:
    length = pos16 - tag.offset
    if length <= 0:
        return None
    kind = TAG_ENTITY_TYPES[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "code":
        language = tag.attrs.get("class", "")
        if stack and stack[-1].name == "pre" and language.startswith("language-"):
            # <pre><code class="language-x"> is a single pre entity with a language;
            # remember it on the enclosing tag and emit nothing for the code tag.
            stack[-1].attrs["language"] = language[len("language-") :]
            return None
    elif kind == "pre" and tag.attrs.get("language"):
        entity["language"] = tag.attrs["language"]
    return entity


def html_to_plain(text: str) -> str:
    """Best-effort plain text of a Telegram-HTML string (never raises)."""
    try:
        return parse_html(text)[0]
    except EntityParseError:
        return text


def escape(text: str) -> str:
    """Escape text for inclusion in Telegram HTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
