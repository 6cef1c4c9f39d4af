"""The duty, patrol and calendar texts are valid Telegram HTML in both languages."""

from __future__ import annotations

import pytest

from bot.texts import catalogue, placeholders
from simulator.html import parse_html

PREFIXES = ("duty.", "dswap.", "patrol.", "cal.", "import.kind.duty", "import.help.duty")
OWN = [
    key
    for key in catalogue()
    if key.startswith(PREFIXES)
    or key.startswith(("import.err.duty_", "import.note.duty_"))
    or key
    in {
        f"{kind}.{name}"
        for kind in ("menu", "help")
        for name in ("calendar", "duty", "dutyswap", "patrol")
    }
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_parses_as_telegram_html(lang: str) -> None:
    assert len(OWN) > 100
    for key in OWN:
        template = catalogue()[key][lang]
        # Values are escaped by t(); a stand-in shows the template's own markup is valid.
        filled = template.format(**{name: "x" for name in placeholders(template)})
        parse_html(filled)  # raises on a tag Telegram does not know, as Telegram would
