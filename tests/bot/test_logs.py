"""The log's two forms: a readable line or a JSON object per event, never the token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import SettingsError, load_settings
from bot.logs import event, setup_logging

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)


def logged(log_format: str) -> str:
    stream = io.StringIO()
    setup_logging("INFO", [TOKEN, TOKEN.split(":")[1]], stream=stream, log_format=log_format)
    log = logging.getLogger("staffroom.test")
    log.info("handled", extra=event("cmd_leave_line", school=3, chat=-1001, user=42, ms=4.2))
    log.warning("calling https://api.telegram.org/bot%s/getMe failed", TOKEN)
    try:
        raise RuntimeError(f"refused for {TOKEN}\nsecond line")
    except RuntimeError:
        log.exception("stopped")
    return stream.getvalue()


def test_json_lines_carry_the_event_and_never_the_token(restore_root: None) -> None:
    output = logged("json")
    lines = output.splitlines()
    assert len(lines) == 3  # a traceback stays inside its line
    handled, calling, stopped = (json.loads(line) for line in lines)
    assert handled["message"] == "handled" and handled["action"] == "cmd_leave_line"
    assert (handled["school"], handled["chat"], handled["user"]) == (3, -1001, 42)
    assert handled["level"] == "INFO" and handled["time"].endswith("+00:00")
    assert calling["message"] == "calling https://api.telegram.org/bot[token]/getMe failed"
    assert "RuntimeError: refused for [token]" in stopped["error"]
    assert TOKEN.split(":")[1] not in output


def test_text_lines_name_the_event_and_never_the_token(restore_root: None) -> None:
    output = logged("text")
    handled = output.splitlines()[0]
    assert handled.endswith(
        "staffroom.test: handled school=3 chat=-1001 user=42 action=cmd_leave_line ms=4.2"
    )
    assert "bot[token]/getMe" in output and TOKEN.split(":")[1] not in output


def test_log_format_is_text_or_json() -> None:
    assert load_settings({}).log_format == "text"
    assert load_settings({"LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError) as refused:
        load_settings({"LOG_FORMAT": "xml"})
    assert refused.value.problems == ["LOG_FORMAT: 'xml' is not one of text, json"]
