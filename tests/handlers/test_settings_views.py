"""Every /settings screen fits a phone and carries only data bot/callbacks.py reads back."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.config import LANGUAGES
from bot.texts import visible_length
from rules.policies import SPECS, PolicySet, spec
from rules.policy_menu import SECTIONS, pages
from views.settings import (
    allowed,
    breach_view,
    detail_view,
    menu_view,
    outcome_text,
    section_view,
)

POLICIES = PolicySet({"homework.cap.grade3": "40"})


def buttons(markup: InlineKeyboardMarkup) -> list[str]:
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def screens(lang: str) -> list[tuple[str, InlineKeyboardMarkup]]:
    found = [menu_view(lang, "孟河小学")]
    for section in SECTIONS:
        found += [section_view(lang, POLICIES, section, i) for i in range(len(pages(section)))]
    found += [detail_view(lang, POLICIES, item) for item in SPECS]
    found.append(breach_view(lang, spec("homework.cap.grade3"), 240, "grades_3_6"))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_fits_a_phone(lang: str) -> None:
    for text, markup in screens(lang):
        data = buttons(markup)
        assert 1 <= len(data) <= 8, text
        assert all(callbacks.decode(d) is not None for d in data)
        assert visible_length(text) < 2000


def test_a_section_page_out_of_range_shows_the_last_one() -> None:
    text, _ = section_view("zh", POLICIES, SECTIONS[2], 99)
    assert "第 3/3 页" in text


def test_values_read_as_people_say_them() -> None:
    publication, switch = spec("homework.publication"), spec("duty.swap_needs_admin")
    assert allowed("zh", spec("homework.cap.grade3")) == "0–240 分钟"
    assert allowed("en", publication) == (
        "automatic / head teacher approves / academic office approves"
    )
    assert allowed("zh", switch) == "开 / 关"
    assert outcome_text("zh", publication, "auto", "office") == (
        "✅ 作业公示方式：自动 → 教导处审核，已生效。"
    )
    assert (
        outcome_text("en", switch, "off", "off")
        == "Duty swaps need an admin: already off, nothing changed."
    )
