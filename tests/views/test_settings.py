"""What /settings looks like (views/settings.py): every screen fits a phone and carries only
data bot/callbacks.py reads back; values read as people say them."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.callbacks import Callback
from bot.config import LANGUAGES
from bot.texts import visible_length
from rules.policies import SPECS, PolicySet, spec
from rules.policy_menu import SECTIONS, pages
from tests.views.plain import labels, presses
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


def test_the_menu_offers_the_sections_two_to_a_row() -> None:
    text, markup = menu_view("zh", "孟河小学")

    assert text.startswith("<b>孟河小学 · 设置</b>\n选择一类，查看和修改。")
    assert labels(markup) == [["请假", "代课"], ["作业", "值日"], ["活动", "学时"], ["其他"]]
    assert presses(markup)["作业"] == Callback("set", "sec", (3, 0))
    assert labels(menu_view("en", "Menghe")[1])[0] == ["Leave", "Cover"]


def test_a_middle_page_shows_its_values_marks_and_both_page_turns() -> None:
    policies = PolicySet({"homework.cap.grade3": "240"})

    text, markup = section_view("zh", policies, SECTIONS[2], 1)

    assert text.startswith("<b>作业</b>（第 2/3 页）")
    # Changed (✎) and over the 双减 rules (⚠️): both stay visible on the page.
    assert "<b>三年级作业上限</b>：240 分钟 ✎ ⚠️" in text
    assert "<b>四年级作业上限</b>：45 分钟\n" in text
    assert labels(markup)[2:] == [
        ["三年级作业上限 · 240 分钟"],
        ["四年级作业上限 · 45 分钟"],
        ["‹ 上一页", "下一页 ›"],
        ["« 全部设置"],
    ]
    sent = presses(markup)
    assert sent["三年级作业上限 · 240 分钟"] == Callback("set", "open", (15,))
    assert sent["‹ 上一页"] == Callback("set", "sec", (3, 0))
    assert sent["下一页 ›"] == Callback("set", "sec", (3, 2))
    assert sent["« 全部设置"] == Callback("set", "menu", ())


def test_a_setting_of_few_choices_is_picked_with_the_current_one_ticked() -> None:
    text, markup = detail_view("zh", PolicySet(), spec("cover.arranger"))

    assert "当前：<b>教导处</b>\n默认：教导处\n范围：教导处 / 年级组长" in text
    assert text.endswith("点按新的值：")
    assert labels(markup) == [["✓ 教导处"], ["年级组长"], ["« 返回代课"]]
    assert presses(markup)["年级组长"] == Callback("set", "pick", (9, 1))
    assert presses(markup)["« 返回代课"] == Callback("set", "sec", (2, 0))


def test_a_number_is_typed_with_a_way_to_cancel() -> None:
    text, markup = detail_view("en", POLICIES, spec("homework.cap.grade3"))

    assert "Now: <b>40 minutes</b> ✎\nDefault: 45 minutes\nRange: 0–240 minutes" in text
    assert text.endswith("Send the new value (0–240 minutes), or tap Cancel.")
    assert presses(markup) == {"Cancel": Callback("set", "stop", (15,))}


def test_a_cap_over_the_double_reduction_rules_asks_first() -> None:
    text, markup = breach_view("zh", spec("homework.cap.grade3"), 90, "grades_3_6")

    assert text == (
        "⚠️ 把 三年级作业上限 设为 90 分钟 不符合“双减”规定："
        "小学三至六年级每天书面作业平均不超过 60 分钟。\n仍要这样设置吗？"
    )
    assert presses(markup) == {
        "仍然设置": Callback("set", "force", (15, 90)),
        "取消": Callback("set", "keep", (15,)),
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_double_reduction_legend_shows_only_where_a_cap_can_show_it(lang: str) -> None:
    leave = section_view(lang, POLICIES, SECTIONS[0], 0)[0]
    caps = section_view(lang, POLICIES, SECTIONS[2], 1)[0]
    assert "⚠️" not in leave and "✎" in leave
    assert "⚠️" in caps
    warned = {"zh": "⚠️ 表示超出“双减”规定", "en": "⚠️ one over the Double Reduction rules"}
    assert warned[lang] in caps
