"""The command line: schools, imports and policies from a terminal, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from storage import audit
from storage.db import session_factory
from storage.policies import load_policies
from storage.schools import school_by_name
from tests.conftest import engine_for


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env, and data/ lands in the temporary folder
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return db_url


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    for command in ("run", "migrate", "playground", "demo", "school", "import", "settings"):
        assert command in out


async def test_school_import_and_settings_round_trip(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = tmp_path / "名册.csv"
    staff.write_bytes("姓名,角色,学科\n周雅琴,教师、管理员,语文\n".encode("gbk"))
    bad = tmp_path / "bells.csv"
    bad.write_text("节次,开始,结束\n1,08:40,08:00\n", encoding="utf-8")

    # The CLI runs its own event loop, as it does from a terminal: give it a thread.
    def run(*argv: str) -> int:
        return main(list(argv))

    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, run, "school", "add", "青松路小学") == 0
    assert await loop.run_in_executor(None, run, "school", "add", "青松路小学") == 1
    assert (
        await loop.run_in_executor(
            None, run, "import", "staff", str(staff), "--school", "青松路小学"
        )
        == 0
    )
    assert (
        await loop.run_in_executor(None, run, "import", "bells", str(bad), "--school", "青松路小学")
        == 1
    )
    assert (
        await loop.run_in_executor(
            None, run, "settings", "set", "homework.cap.grade3", "40", "--school", "青松路小学"
        )
        == 0
    )
    assert (
        await loop.run_in_executor(
            None, run, "settings", "set", "homework.cap.grade3", "400", "--school", "青松路小学"
        )
        == 1
    )
    assert await loop.run_in_executor(None, run, "settings", "show", "--school", "青松路小学") == 0
    assert (
        await loop.run_in_executor(
            None, run, "settings", "set", "duty.announce_time", "7:10", "--school", "青松路小学"
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert "已创建学校“青松路小学”" in out and "已有名为“青松路小学”的学校" in err
    assert "第 2 行" in err  # the bad bells row, named
    assert "45 → 40" in out and "0–240" in err
    assert "homework.cap.grade3 = 40 *" in out

    engine = engine_for(cli_env)
    try:
        async with session_factory(engine)() as session:
            school = await school_by_name(session=session, name="青松路小学")
            assert school is not None
            assert (await load_policies(session=session, school_id=school.id)).homework_cap(3) == 40
            # Each value stored moves the version: a running bot reads the new values at its
            # next action and plans the school's pushes again.
            assert school.schedule_version == 2
            actions = [e.action for e in await audit.entries(session=session, school_id=school.id)]
    finally:
        await engine.dispose()
    assert (
        actions[0] == "school_created" and "import_staff" in actions and "policy_changed" in actions
    )


def test_run_without_a_token_points_to_the_playground(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"PATH": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "staffroom playground" in result.stderr


@pytest.mark.parametrize("argv", [("school", "list"), ("migrate",), ("run",)])
def test_an_unreachable_database_is_one_readable_line(
    argv: tuple[str, ...], tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        env={
            "PATH": "",
            "DATABASE_URL": "postgresql://postgres:secret@127.0.0.1:9/nope",
            "TELEGRAM_BOT_TOKEN": "123456:not-a-real-token",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("无法连接数据库 postgresql+asyncpg://postgres:***@127.0.0.1:9/nope")
    assert "secret" not in line and "请检查 DATABASE_URL" in line


@pytest.mark.parametrize("argv", [("migrate",), ("school", "list"), ("run",)])
@pytest.mark.parametrize("where", ["under-a-file", "a-folder"])
def test_an_sqlite_file_that_cannot_be_made_is_one_readable_line(
    argv: tuple[str, ...], where: str, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    path = tmp_path / "notes.txt" / "data" / "x.db" if where == "under-a-file" else tmp_path
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        env={
            "PATH": "",
            "DATABASE_URL": f"sqlite:///{path}",
            "TELEGRAM_BOT_TOKEN": "123456:not-a-real-token",
            "DEFAULT_LANGUAGE": "en",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Cannot create or open the SQLite database file {path}: ")
    assert "Point DATABASE_URL at a file in a folder that can be written" in line


def test_settings_set_refuses_a_month_day_the_calendar_lacks(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["school", "add", "青松路小学"]) == 0
    setting = ("settings", "set", "training.year_start")
    assert main([*setting, "04-31", "--school", "青松路小学"]) == 1
    assert main([*setting, "02-29", "--school", "青松路小学"]) == 1
    assert main([*setting, "03-01", "--school", "青松路小学"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "“04-31”不是日历上的日子：training.year_start 要写成 月-日（MM-DD），例如 09-01。",
        "training.year_start 不能设为 02-29：大多数年份没有这一天。请改用 02-28 或 03-01。",
    ]
    assert "09-01 → 03-01" in out


def test_settings_set_to_the_same_value_says_nothing_changed(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["school", "add", "青松路小学"]) == 0
    assert main(["settings", "set", "cover.slip_today", "07:20", "--school", "青松路小学"]) == 0
    out, _ = capsys.readouterr()
    assert "cover.slip_today 已经是 07:20，没有变化。" in out
    assert "07:20 → 07:20" not in out


def test_import_hints_name_the_command_to_run_again(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["school", "add", "青松路小学"]) == 0
    staff = tmp_path / "名册.csv"
    staff.write_text("姓名,角色,学科,爱好\n周雅琴,教师,语文,书法\n", encoding="utf-8")
    timetable = tmp_path / "课表.csv"
    timetable.write_text("班级,星期,节次,学科,教师\n三(2)班,周一,1,语文,周雅琴\n", encoding="utf-8")
    assert main(["import", "staff", str(staff), "--school", "青松路小学"]) == 1
    _, err = capsys.readouterr()
    assert f"请改正文件后重新运行：staffroom import staff {staff} --school 青松路小学" in err
    assert "可用的列：姓名*" in err  # the columns listed, not "send /import"
    assert "/import" not in err and "重新发送" not in err
    staff.write_text("姓名,角色,学科\n周雅琴,教师,语文\n", encoding="utf-8")
    assert main(["import", "staff", str(staff), "--school", "青松路小学"]) == 0
    assert main(["import", "timetable", str(timetable), "--school", "青松路小学"]) == 0
    out, _ = capsys.readouterr()
    assert "请用 staffroom import bells 作息时间文件 --school 青松路小学 导入" in out
    assert "/import" not in out


async def test_report_writes_the_schools_workbook_for_the_dates_given(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from openpyxl import load_workbook

    from tests.schools import reports as report_school

    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, main, ["migrate"]) == 0
    engine = engine_for(cli_env)
    try:
        async with session_factory(engine)() as session, session.begin():
            await report_school.seed(session, datetime(2026, 9, 1, tzinfo=UTC))
    finally:
        await engine.dispose()
    target = tmp_path / "11月代课.xlsx"
    argv = ["report", "cover", "--school", "孟河小学", "--from", "2026-11-01", "--to", "2026-11-30"]
    chart = tmp_path / "chart.png"
    assert (
        await loop.run_in_executor(None, main, [*argv, "-o", str(target), "--chart", str(chart)])
        == 0
    )
    assert "代课统计 · 2026-11-01 至 2026-11-30" in capsys.readouterr().out
    assert chart.read_bytes()[:4] == b"\x89PNG"
    totals = load_workbook(target)["汇总"]
    assert [cell.value for cell in totals[6]][:8] == ["合计", 2, 1, 0, 3, 3, 0, 80]
    # The leave summary and the homework ledger come with their charts too.
    for kind in ("leave", "homework"):
        picture = tmp_path / f"{kind}.png"
        output = ["-o", str(tmp_path / f"{kind}.xlsx"), "--chart", str(picture)]
        kind_argv = [argv[0], kind, *argv[2:], *output]
        assert await loop.run_in_executor(None, main, kind_argv) == 0
        assert picture.read_bytes()[:4] == b"\x89PNG"

    backwards = [
        "report",
        "leave",
        "--school",
        "孟河小学",
        "--from",
        "2026-11-30",
        "--to",
        "2026-11-01",
    ]
    assert await loop.run_in_executor(None, main, backwards) == 1
    assert "结束日期早于开始日期" in capsys.readouterr().err


def test_report_help_lists_the_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    for kind in ("cover", "leave", "homework", "duty", "training"):
        assert kind in out
