"""`staffroom playground` driven through its own input loop: lines as bytes on stdin, the
transcript on stdout, as someone at a terminal would type and read them."""

from __future__ import annotations

import io
import logging
import re
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import OffsetClock
from bot.config import Settings
from bot.playground import as_text, playground
from bot.texts import t
from handlers.leave.request import MAX_REASON
from tests.conftest import SHANGHAI

# Wednesday 25 November 2026, 07:30: a school day of the demo school's autumn term.
START = datetime(2026, 11, 25, 7, 30, tzinfo=SHANGHAI)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The playground keeps its database and demo files under ./data, as from a checkout.
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def play(monkeypatch: pytest.MonkeyPatch, typed: bytes, *, fresh: bool = False) -> int:
    # Strict, as a terminal under an en_US.UTF-8 locale hands its bytes to Python.
    stdin = io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8", errors="strict")
    monkeypatch.setattr(sys, "stdin", stdin)
    return await playground(Settings(), fresh=fresh, clock=OffsetClock(SHANGHAI, start=START))


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_long_paste_cut_mid_character_is_answered_as_too_long(
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # About 1,400 Chinese characters; the terminal cut the last one after its first two bytes.
    pasted = ("发烧咳嗽需要休息" * 175).encode()[:-1]
    typed = "/leave 病假 2026-11-26 ".encode() + pasted + b"\n:quit\n"

    assert await play(monkeypatch, typed, fresh=True) == 0

    shown = capsys.readouterr()
    assert t("zh", "common.too_long", limit=MAX_REASON) in shown.out
    assert "Bye." in shown.out
    assert "Traceback" not in shown.out + shown.err
    assert errors_logged(caplog) == []


def test_stray_bytes_and_lone_surrogates_become_replacement_characters() -> None:
    cut = "请假".encode()[:-1].decode("utf-8", "surrogateescape")
    assert as_text("病假" + cut) == "病假请\ufffd"
    assert as_text("a\ud83db") == "a\ufffd\ufffd\ufffdb"
    assert as_text("请假 ok") == "请假 ok"


def bot_message_ids(transcript: str) -> dict[str, set[int]]:
    """The ids of the bot's messages shown, by chat."""
    shown: dict[str, set[int]] = {}
    for number, chat in re.findall(r"🤖 #(\d+) \[(.+?)\]", transcript):
        shown.setdefault(chat, set()).add(int(number))
    return shown


async def test_a_resumed_playground_carries_on_with_its_chats(
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An approval puts the lessons on the cover boards, which the database keeps by message id;
    # the second request is left waiting in the grade leader's chat.
    first = (
        ":as 吴晓梅\n/leave 病假 2026-11-26 发烧\n:as 周雅琴\n:press 1\n"
        ":as 吴晓梅\n/leave 病假 2026-11-27 发烧\n:quit\n"
    )
    assert await play(monkeypatch, first.encode(), fresh=True) == 0
    before = capsys.readouterr().out
    assert "代课安排" in before

    # Started again without --fresh, she approves the waiting request with its button.
    assert await play(monkeypatch, ":as 周雅琴\n:press 1\n:quit\n".encode()) == 0
    after = capsys.readouterr()

    assert "已批准" in after.out and "代课安排" in after.out
    earlier, later = bot_message_ids(before), bot_message_ids(after.out)
    # Her waiting request was redrawn in place; everything new came after the old messages.
    waiting = max(earlier["→ 吴晓梅"])
    assert waiting in later["→ 吴晓梅"]
    assert min(later["→ 吴晓梅"] - {waiting}) > waiting
    for arranger in ("→ 景佳梅", "→ 雷琴华"):
        assert min(later[arranger]) > max(earlier[arranger])
    assert "UNIQUE" not in after.out + after.err
    assert errors_logged(caplog) == []


async def test_a_resumed_playground_goes_on_from_the_time_it_reached(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await play(monkeypatch, b":clock +1d\n:quit\n", fresh=True) == 0
    capsys.readouterr()

    assert await play(monkeypatch, b":quit\n") == 0
    assert re.search(r"\[11-26 07:3\d\] 张思月", capsys.readouterr().out)

    assert await play(monkeypatch, b":quit\n", fresh=True) == 0
    assert re.search(r"\[11-25 07:3\d\] 张思月", capsys.readouterr().out)


async def test_a_report_the_bot_sends_is_saved_where_it_can_be_opened(
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await play(monkeypatch, "/report 考勤 本月\n:quit\n".encode(), fresh=True) == 0

    shown = capsys.readouterr().out
    saved = in_tmp / "data" / "received" / "青松路小学-考勤汇总-2026-11.xlsx"
    assert f"📎 {saved.relative_to(in_tmp)}" in shown
    assert saved.read_bytes()[:2] == b"PK"  # a workbook is a zip
    assert errors_logged(caplog) == []
