"""The zh + en catalogue is complete, and values are escaped."""

from __future__ import annotations

from bot.config import LANGUAGES
from bot.simulator import ApiError
from bot.simulator.html import parse_html
from bot.texts import Safe, catalogue, placeholders, t


def test_every_key_exists_in_every_language_with_the_same_placeholders() -> None:
    problems = []
    for key, entry in catalogue().items():
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if missing:
            problems.append(f"{key}: missing {missing}")
            continue
        if placeholders(entry["zh"]) != placeholders(entry["en"]):
            problems.append(f"{key}: placeholders differ")
    assert problems == []


def test_values_from_users_are_escaped_but_safe_text_is_not() -> None:
    text = t("zh", "register.unknown", name="<b>x</b> & y")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in text
    assert "<b>x</b>" in t("zh", "register.unknown", name=Safe("<b>x</b>"))


def test_english_is_used_when_asked() -> None:
    assert t("en", "common.not_allowed") == "You are not allowed to do that."
    assert t(None, "common.not_allowed") == "你没有权限执行这个操作。"


def test_every_text_is_valid_telegram_html() -> None:
    """Telegram refuses a message whose HTML it cannot parse; a stray `<name>` is enough."""
    problems = []
    for key, entry in catalogue().items():
        for lang, template in entry.items():
            sample = template.format(**{name: "x" for name in placeholders(template)})
            try:
                parse_html(sample)
            except ApiError as exc:
                problems.append(f"{key} [{lang}]: {exc}")
    assert problems == []
