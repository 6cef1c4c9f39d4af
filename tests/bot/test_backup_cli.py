"""`staffroom backup` and `staffroom restore` as an IT person types them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def in_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    return tmp_path


def test_backup_then_restore_into_a_new_database_and_never_over_one_with_data(
    in_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{in_folder}/school.db")
    assert main(["school", "add", "青松路小学"]) == 0
    assert main(["backup", "nightly.backup"]) == 0
    out = capsys.readouterr().out
    assert "Backup written to nightly.backup" in out and "2 rows" in out

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{in_folder}/new.db")
    assert main(["restore", "nightly.backup"]) == 0
    out = capsys.readouterr().out
    assert "schools\t1" in out and "every table's row count as in the backup" in out
    assert main(["school", "list"]) == 0
    assert "青松路小学" in capsys.readouterr().out

    assert main(["restore", "nightly.backup"]) == 1
    assert "not empty" in capsys.readouterr().err


def test_restoring_what_is_not_a_backup_says_so(
    in_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{in_folder}/new.db")
    (in_folder / "notes.txt").write_text("staff list")
    assert main(["restore", "notes.txt"]) == 1
    assert main(["restore", "missing.backup"]) == 1
    err = capsys.readouterr().err
    assert "notes.txt is not a Staffroom backup" in err
    assert "Backup file not found: missing.backup" in err


def test_backing_up_a_database_file_that_is_not_there_makes_neither_it_nor_a_copy(
    in_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped DATABASE_URL must not end in "Backup written" of an empty database."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/stafroom.db")
    assert main(["backup", "nightly.backup"]) == 1
    assert "There is no database file data/stafroom.db" in capsys.readouterr().err
    assert not (in_folder / "data" / "stafroom.db").exists()
    assert not (in_folder / "nightly.backup").exists()


def test_an_sqlite_backup_under_a_gzip_or_dump_name_is_refused_and_nothing_written(
    in_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{in_folder}/school.db")
    assert main(["school", "add", "青松路小学"]) == 0
    capsys.readouterr()
    for name in ("x.jsonl.gz", "x.gz", "x.JSONL"):
        assert main(["backup", name]) == 1
        assert "would mislead" in capsys.readouterr().err
        assert not (in_folder / name).exists()
    # A database file's name works, and restores.
    assert main(["backup", "x.db"]) == 0
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{in_folder}/new.db")
    assert main(["restore", "x.db"]) == 0


def test_the_refusal_in_chinese(
    in_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEFAULT_LANGUAGE", "zh")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{in_folder}/school.db")
    assert main(["school", "add", "青松路小学"]) == 0
    assert main(["backup", "x.jsonl.gz"]) == 1
    assert "SQLite 数据库的备份是一个数据库文件" in capsys.readouterr().err
