"""What a swap's decision requests look like (views/swap.py)."""

from __future__ import annotations

from bot.callbacks import Callback
from tests.views.plain import kit, labels, presses, swap
from views.swap import ask_arranger_message, ask_colleague_message


def test_the_colleague_is_asked_to_agree() -> None:
    text, markup = ask_colleague_message("zh", kit(), swap(5))

    assert text == (
        "🔁 周雅琴 想和你调课：\n"
        "11月26日 周四 第3节（10:00–10:40）三(2)班 语文（周雅琴）"
        "⇄ 11月27日 周五 第2节（08:50–09:30）三(2)班 数学（许志强）\n"
        "同意吗？同意后还要经过批准才生效。"
    )
    assert labels(markup) == [["同意", "拒绝"]]
    assert presses(markup) == {
        "同意": Callback("sw", "yes", (5,)),
        "拒绝": Callback("sw", "no", (5,)),
    }


def test_the_arranger_is_asked_to_approve() -> None:
    text, markup = ask_arranger_message("en", kit(), swap(6))

    assert text.splitlines() == [
        "🔁 Swap (both teachers agree):",
        "Thu 26 Nov period 3 (10:00–10:40) 三(2)班 语文 (周雅琴)"
        " ⇄ Fri 27 Nov period 2 (08:50–09:30) 三(2)班 数学 (许志强)",
        "Once approved it takes effect and goes on the slip.",
    ]
    assert presses(markup) == {
        "Approve": Callback("sw", "ok", (6,)),
        "Reject": Callback("sw", "rej", (6,)),
    }


def test_the_colleague_reads_english_when_that_is_their_language() -> None:
    text, markup = ask_colleague_message("en", kit(), swap())

    assert text.startswith("🔁 周雅琴 would like to swap lessons with you:\n")
    assert labels(markup) == [["Agree", "Decline"]]
