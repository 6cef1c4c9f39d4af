"""Neither the bot token nor what people write reaches a log line, even at DEBUG."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.app import SIMULATOR_TOKEN
from bot.clock import ManualClock
from bot.config import Settings
from bot.logs import setup_logging
from demo.stage import ADMIN_NAME, NEWCOMER_ID, open_stage
from tests.e2e.conftest import E2E_START

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["text", "json"])
def debug_log(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """The log at DEBUG, as lines (LOG_FORMAT=text) or as JSON objects (LOG_FORMAT=json)."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    setup_logging("DEBUG", [SIMULATOR_TOKEN], stream=stream, log_format=request.param)
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)


async def test_token_is_never_logged_at_debug(db_url: str, debug_log: io.StringIO) -> None:
    async with open_stage(Settings(database_url=db_url), ManualClock(E2E_START)) as stage:
        await stage.ask(NEWCOMER_ID, "/register 李新")
        request = await stage.sim.wait_bot_message(stage.id_of(ADMIN_NAME), contains="关联申请")
        await stage.press(ADMIN_NAME, request, "批准")
        await stage.sim.wait_bot_message(NEWCOMER_ID, contains="关联成功")
        await stage.settle()
    log = debug_log.getvalue()
    assert "getUpdates" in log and "sendMessage" in log  # the requests were logged
    assert SIMULATOR_TOKEN not in log
    assert SIMULATOR_TOKEN.split(":", 1)[1] not in log


async def test_a_leave_reason_never_reaches_the_debug_log(
    db_url: str, debug_log: io.StringIO
) -> None:
    reason = "孩子发烧住院观察"
    async with open_stage(Settings(database_url=db_url), ManualClock(E2E_START)) as stage:
        since = stage.sim.seq
        submitted = await stage.ask("何玉兰", f"/leave 病假 明天 {reason}")
        assert "请假申请已提交" in submitted.plain
        # The reason travelled: in the teacher's update and in the approver's request.
        request = await stage.sim.wait_bot_message(
            stage.id_of("郭春燕"), since=since, contains="请假审批"
        )
        assert reason in request.plain
        await stage.settle()
    log = debug_log.getvalue()
    assert "Calling Bot API endpoint `sendMessage`" in log and "Processing update" in log
    assert reason not in log
    assert "病假" not in log
    # The request itself is one line: its school, chat and action, and nothing of its text.
    [line] = [line for line in log.splitlines() if "cmd_leave" in line]
    if line.startswith("{"):
        entry = json.loads(line)
        assert entry["action"] == "cmd_leave_line" and entry["outcome"] == "ok"
        assert entry["school"] == 1 and entry["chat"] == stage.id_of("何玉兰")
    else:
        assert f"school=1 chat={stage.id_of('何玉兰')}" in line and "action=cmd_leave_line" in line


async def test_every_json_line_is_one_object(db_url: str, debug_log: io.StringIO) -> None:
    async with open_stage(Settings(database_url=db_url), ManualClock(E2E_START)) as stage:
        await stage.ask("何玉兰", "/today")
        await stage.settle()
    lines = debug_log.getvalue().splitlines()
    if not lines[0].startswith("{"):
        pytest.skip("the text form")
    entries = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(e.get("action") == "cmd_today" for e in entries)
