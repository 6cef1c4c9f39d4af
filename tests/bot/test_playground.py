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


async def test_a_menu_shown_in_one_session_is_the_one_pressed_in_the_next(
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    (in_tmp / "board.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(16))
    leave = ":as 何玉兰\n/leave 病假 明天 全天 发烧\n:quit\n"
    assert await play(monkeypatch, leave.encode(), fresh=True) == 0
    assert "请假申请已提交" in capsys.readouterr().out

    assert await play(monkeypatch, ":as 何玉兰\n:press 2\n:quit\n".encode()) == 0
    assert "课务交接" in capsys.readouterr().out

    # Her last sight is the handover menu from the session before: its first lesson, not 撤销.
    typed = ":as 何玉兰\n:press 1\n:photo board.png 黑板上的作业\n:history 3\n:quit\n"
    assert await play(monkeypatch, typed.encode()) == 0
    shown = capsys.readouterr().out
    assert "✍️ 交接：" in shown and "撤销了请假申请" not in shown
    assert "已收到文件（1/5）" in shown
    # Her own words from the first session are in the history with the photo she sent.
    assert "👤 何玉兰 #" in shown and "📎 photo 黑板上的作业" in shown
    assert errors_logged(caplog) == []


async def test_press_history_and_who_follow_the_chats_and_the_bot_s_table(
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    typed = ":as 郭春燕\n:group\n/leave 病假 2026-11-26 发烧\n:history 5\n:who\n:quit\n"
    assert await play(monkeypatch, typed.encode(), fresh=True) == 0
    shown = capsys.readouterr().out
    # The bot deleted her /leave in the group: the history says so and keeps its words out.
    history = re.findall(r"👤 郭春燕 #\d+:.*$", shown, re.MULTILINE)
    assert len(history) == 1 and history[0].endswith("🗑 (deleted)"), history
    # 李新 is on the staff list but has not registered: the bot does not know her yet.
    assert re.search(r"^  李新 .*\(not linked: try /register\)$", shown, re.MULTILINE)
    assert re.search(r"^  郭春燕 .*语文 班主任 三\(1\)班$", shown, re.MULTILINE)
    [request] = re.findall(r"🤖 #(\d+) \[→ 郭春燕\] \n\s+✅ 请假申请已提交", shown)

    # Numbers are per chat: the approver has no #request of her own; in 郭春燕's chat it is
    # her request, whose first button withdraws it (then 确定撤销, the first button of the
    # question last shown).
    typed = (
        f":as 景佳梅\n:press 1 {request}\n:as 郭春燕\n:press 1 {request}\n:press 1\n"
        ":as 李新\n/register 李新\n:as 张思月\n:press 1\n:who\n:quit\n"
    )
    assert await play(monkeypatch, typed.encode()) == 0
    shown = capsys.readouterr().out
    assert f"! no message #{request} from the bot in this chat" in shown
    assert "cannot see private chat" not in shown
    assert "已撤销请假申请" in shown
    # Approved, 李新 is linked in the bot's table, and :who says so.
    assert re.search(r"^  李新 +教师 +数学$", shown, re.MULTILINE)
    assert errors_logged(caplog) == []
