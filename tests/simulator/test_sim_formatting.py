"""Telegram HTML / MarkdownV2 parsing and entity detection."""

from __future__ import annotations

import pytest

from simulator.errors import EntityParseError
from simulator.html import html_to_plain, parse_html
from simulator.markdown import parse_markdown, parse_markdown_v2
from simulator.text import detect_entities


def test_html_entities_and_utf16_offsets() -> None:
    plain, entities = parse_html(
        '😀 <b>粗体</b> &lt;x&gt; <a href="https://e.com?a=1&amp;b=2">l</a>'
    )
    assert plain == "😀 粗体 <x> l"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},  # the emoji counts as two units
        {"type": "text_link", "offset": 10, "length": 1, "url": "https://e.com?a=1&b=2"},
    ]


def test_html_nested_and_pre_language() -> None:
    plain, entities = parse_html(
        '<b>a<i>b</i></b><pre><code class="language-python">x</code></pre>'
        "<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>"
    )
    assert plain == "abxqs"
    assert {"type": "pre", "offset": 2, "length": 1, "language": "python"} in entities
    assert {"type": "italic", "offset": 1, "length": 1} in entities
    assert {"type": "expandable_blockquote", "offset": 3, "length": 1} in entities
    assert {"type": "spoiler", "offset": 4, "length": 1} in entities


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>s</span>", 'must have class "tg-spoiler"'),
        ("中 < 文", 'Unsupported start tag "" at byte offset 4'),
        ('<a href="x>y</a>', "Unclosed start tag"),
    ],
)
def test_html_errors(text: str, error: str) -> None:
    with pytest.raises(EntityParseError) as excinfo:
        parse_html(text)
    assert error in str(excinfo.value)


def test_html_to_plain_is_lenient() -> None:
    assert html_to_plain("<b>ok</b> &amp; &unknown; &#20013;") == "ok & &unknown; 中"
    assert html_to_plain("<broken") == "<broken"


def test_markdown_v2() -> None:
    plain, entities = parse_markdown_v2(
        "*bold* _it_ __u__ ~s~ ||sp|| `c\\`` 1\\.5 [l](https://x/\\))"
    )
    assert plain == "bold it u s sp c` 1.5 l"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    assert entities[-1]["url"] == "https://x/)"
    plain, entities = parse_markdown_v2(">quote\n>more\nafter\n```py\nprint(1)\n```")
    assert plain == "quote\nmore\nafter\nprint(1)\n"
    assert entities[0] == {"type": "blockquote", "offset": 0, "length": 10}
    assert entities[1]["language"] == "py"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Hello!", "Character '!' is reserved"),
        ("a-b", "Character '-' is reserved"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("`code", "Can't find end of Code entity"),
    ],
)
def test_markdown_v2_errors(text: str, error: str) -> None:
    with pytest.raises(EntityParseError) as excinfo:
        parse_markdown_v2(text)
    assert error in str(excinfo.value)


def test_legacy_markdown() -> None:
    plain, entities = parse_markdown("*b* _i_ `c` [t](https://u) 1.5!")
    assert plain == "b i c t 1.5!"
    assert [e["type"] for e in entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match=r"Can't find end of the entity"):
        parse_markdown("snake_case")


def test_detect_entities() -> None:
    entities = detect_entities("/leave@staffroom_bot 3 days cc @bob_li https://x.cn 🙂 /help")
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bot_command", 0, 20),
        ("mention", 31, 7),
        ("url", 39, 12),
        ("bot_command", 55, 5),
    ]
    assert detect_entities("a/b and path/x") == []
