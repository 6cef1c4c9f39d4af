"""The zh + en catalogue is complete, and values are escaped."""

from __future__ import annotations

from bot.config import LANGUAGES
from bot.texts import (
    MESSAGE_LIMIT,
    QUOTE_LIMIT,
    Safe,
    catalogue,
    fill,
    fit_message,
    placeholders,
    t,
    visible_length,
)
from simulator import ApiError
from simulator.html import parse_html


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
            sample = fill(template, {name: "x" for name in placeholders(template)})
            try:
                parse_html(sample)
            except ApiError as exc:
                problems.append(f"{key} [{lang}]: {exc}")
    assert problems == []


def test_a_quoted_value_is_shortened_and_other_values_are_not() -> None:
    pasted = "长" * 5000
    error = t("zh", "leave.err.day", value=pasted, example="/leave 病假 明天 发烧")
    assert "“" + "长" * (QUOTE_LIMIT - 1) + "…”" in error
    assert visible_length(error) < 200
    # Already rendered text is never cut (it may hold tags); unquoted values are content.
    assert pasted in t("zh", "leave.err.day", value=Safe(pasted), example="")
    assert pasted in t("zh", "register.ask_admin", who=pasted, telegram_id=1, name="x", school="")


def test_fit_message_cuts_at_telegrams_limit_and_keeps_the_html_valid() -> None:
    short = "<b>请假</b> &amp; 代课"
    assert fit_message(short) == short

    long = "<b>标题</b>\n<i>" + "&lt;课&gt;" * 3000 + "</i>" + "😀" * 10
    cut = fit_message(long)
    assert visible_length(cut) <= MESSAGE_LIMIT
    assert cut.endswith("…</i>") and cut.startswith("<b>标题</b>")
    parse_html(cut)  # raises when Telegram would refuse it

    emoji = fit_message("<a href='https://example.org'>" + "😀" * 3000 + "</a>")
    assert visible_length(emoji) <= MESSAGE_LIMIT and emoji.endswith("…</a>")
    assert "\ufffd" not in emoji.encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def test_an_english_count_of_one_takes_the_singular() -> None:
    assert t("en", "leave.pending.count", count=1) == "1 item above waits for you."
    assert t("en", "leave.pending.count", count=3) == "3 items above wait for you."
    assert fill("{n} {n:lesson|lessons}", {"n": "2"}) == "2 lessons"


def test_english_counts_of_one_on_the_plan_board_and_in_my_day() -> None:
    assert t("en", "plan.open", count=1) == "not set (1 lesson)"
    assert t("en", "plan.set_toast", name="蔡文博", count=1, kept=0) == (
        "蔡文博 takes 1 lesson (0 already arranged stay as they are)"
    )
    assert t("en", "day.waiting.approvals", count=1) == "· 1 leave request to decide (/pending)"
    assert "(press “Got it” on the cover notice)" in t(
        "en", "day.waiting.cover", day="Fri", period=3, klass="三(1)班", subject="数学"
    )
    # Chinese keeps its one form.
    assert t("zh", "plan.open", count=1) == "未定（1 节）"


def test_no_english_text_names_a_button_in_chinese() -> None:
    for key in ("day.lesson.unconfirmed", "day.waiting.cover"):
        assert "收到" not in catalogue()[key]["en"]
