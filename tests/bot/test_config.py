"""Settings: every bad setting is named at once; URLs get their async driver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, async_database_url, load_settings
from bot.webhook import server_address


def test_defaults_need_no_environment() -> None:
    settings = load_settings({})
    assert settings.telegram_bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///data/staffroom.db"
    assert settings.timezone.key == "Asia/Shanghai"
    assert settings.default_language == "zh"


def test_every_bad_setting_is_reported() -> None:
    with pytest.raises(SettingsError) as failed:
        load_settings(
            {
                "TELEGRAM_BOT_TOKEN": "not a token",
                "DATABASE_URL": "mysql://x/y",
                "TIMEZONE": "Mars/Olympus",
                "DEFAULT_LANGUAGE": "fr",
                "BOOTSTRAP_ADMIN_IDS": "12,abc",
                "LOG_LEVEL": "LOUD",
                "TELEGRAM_API_BASE_URL": "ftp://x",
                "DELIVERY_LEASE_SECONDS": "soon",
            }
        )
    named = {problem.split(":", 1)[0] for problem in failed.value.problems}
    assert named == {
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "TIMEZONE",
        "DEFAULT_LANGUAGE",
        "BOOTSTRAP_ADMIN_IDS",
        "LOG_LEVEL",
        "TELEGRAM_API_BASE_URL",
        "DELIVERY_LEASE_SECONDS",
    }


def test_database_urls_get_the_async_driver() -> None:
    assert async_database_url("sqlite:///tmp/x.db") == "sqlite+aiosqlite:///tmp/x.db"
    assert (
        async_database_url("postgresql://u@127.0.0.1/db") == "postgresql+asyncpg://u@127.0.0.1/db"
    )
    assert async_database_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    with pytest.raises(ValueError):
        async_database_url("postgresql:///db")


def test_api_base_url_and_admins() -> None:
    settings = load_settings(
        {
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
            "BOOTSTRAP_ADMIN_IDS": "1, 2;9007199254740993",
        }
    )
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"
    assert settings.bootstrap_admin_ids == {1, 2, 9007199254740993}


def test_delivery_lease_is_a_positive_number_of_seconds() -> None:
    assert load_settings({}).delivery_lease.total_seconds() == 30
    assert load_settings({"DELIVERY_LEASE_SECONDS": "2.5"}).delivery_lease.total_seconds() == 2.5
    for bad in ("0", "-3", "nan", "inf", "30s"):
        with pytest.raises(SettingsError) as failed:
            load_settings({"DELIVERY_LEASE_SECONDS": bad})
        assert failed.value.problems == [
            f"DELIVERY_LEASE_SECONDS: '{bad}' is not a positive number of seconds"
        ]


def test_the_process_lease_is_a_positive_number_of_seconds() -> None:
    assert load_settings({}).lease.total_seconds() == 20
    assert load_settings({"LEASE_SECONDS": "3"}).lease.total_seconds() == 3
    with pytest.raises(SettingsError) as failed:
        load_settings({"LEASE_SECONDS": "0"})
    assert failed.value.problems == ["LEASE_SECONDS: '0' is not a positive number of seconds"]


def test_bad_settings_stop_the_program_with_exit_code_2() -> None:
    env = {"TIMEZONE": "Nowhere/Land", "LOG_LEVEL": "LOUD", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "TIMEZONE" in result.stderr and "LOG_LEVEL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:0",
        "http://127.0.0.1:port",
        "https://:8081",
        "http://bot api.example",
        "ws://127.0.0.1:8081",
    ],
)
def test_an_api_base_url_that_no_server_can_have_is_refused(url: str) -> None:
    with pytest.raises(SettingsError) as failed:
        load_settings({"TELEGRAM_API_BASE_URL": url})
    (problem,) = failed.value.problems
    assert problem.startswith("TELEGRAM_API_BASE_URL: expected http(s)://host[:port]")
    if "127.0.0.1:" in url and "ws:" not in url:
        assert "from 1 to 65535" in problem


def test_the_port_is_checked_before_anything_is_sent(tmp_path: Path) -> None:
    token = "123456:AAE-not-a-real-token-but-long-enough"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={
            "PATH": "",
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:99999",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TELEGRAM_API_BASE_URL" in result.stderr and "65535" in result.stderr
    assert "Traceback" not in result.stderr
    assert token.split(":", 1)[1] not in result.stdout + result.stderr


def test_a_proxy_from_the_env_file_is_kept_and_a_socks_one_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("HTTPS_PROXY=http://school:pa55word@10.0.0.8:3128\nHTTP_PROXY=\n")
    settings = load_settings(env_file=env_file)
    assert ("HTTPS_PROXY", "http://school:pa55word@10.0.0.8:3128") in settings.proxy_environment
    assert "pa55word" in settings.secrets
    with pytest.raises(SettingsError) as failed:
        load_settings({"HTTPS_PROXY": "socks5://10.0.0.8:1080"})
    assert failed.value.problems[0].startswith("HTTPS_PROXY: expected http://")


SECRET = "Zq3_x-9fK2mP7wLr4tY8"


def test_webhook_settings_are_read_and_checked_together() -> None:
    settings = load_settings(
        {
            "WEBHOOK_URL": "https://bot.school.example/telegram/hook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "0.0.0.0",
            "WEBHOOK_PORT": "8443",
        }
    )
    assert settings.webhook_url == "https://bot.school.example/telegram/hook"
    assert settings.webhook_path == "/telegram/hook"
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8443)
    assert settings.health_port == 8444
    assert SECRET in settings.secrets  # never written to a log
    polling = load_settings({})
    assert polling.webhook_url is None and polling.webhook_listen == "127.0.0.1"


def test_a_webhook_url_without_a_secret_is_refused() -> None:
    with pytest.raises(SettingsError) as failed:
        load_settings({"WEBHOOK_URL": "https://bot.school.example/hook"})
    (problem,) = failed.value.problems
    assert problem.startswith("WEBHOOK_SECRET: required with WEBHOOK_URL")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOK_URL", "bot.school.example/hook"),
        ("WEBHOOK_SECRET", "short"),
        ("WEBHOOK_SECRET", "has spaces in it, sixteen+"),
        ("WEBHOOK_PORT", "65535"),
        ("WEBHOOK_PORT", "eighty"),
    ],
)
def test_a_bad_webhook_setting_is_named(name: str, value: str) -> None:
    env = {"WEBHOOK_URL": "https://bot.school.example/hook", "WEBHOOK_SECRET": SECRET}
    env[name] = value
    with pytest.raises(SettingsError) as failed:
        load_settings(env)
    assert [p.split(":", 1)[0] for p in failed.value.problems] == [name]


def test_a_webhook_url_without_a_secret_stops_the_start(tmp_path: Path) -> None:
    token = "123456:AAE-not-a-real-token-but-long-enough"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        env={"PATH": "", "TELEGRAM_BOT_TOKEN": token, "WEBHOOK_URL": "https://x.example/h"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "WEBHOOK_SECRET" in result.stderr and "Traceback" not in result.stderr


def test_run_webhook_without_a_url_says_what_to_set(tmp_path: Path) -> None:
    token = "123456:AAE-not-a-real-token-but-long-enough"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        env={"PATH": "", "TELEGRAM_BOT_TOKEN": token, "DEFAULT_LANGUAGE": "en"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "WEBHOOK_URL" in result.stderr and "WEBHOOK_SECRET" in result.stderr


def test_calendar_feeds_follow_the_webhook_or_their_own_port() -> None:
    hooked = load_settings(
        {"WEBHOOK_URL": "https://bot.school.example:8443/telegram/hook", "WEBHOOK_SECRET": SECRET}
    )
    # Beside /healthz, at the webhook's public host unless FEED_URL says otherwise.
    assert hooked.http_port == 8081
    assert hooked.feed_base_url == "https://bot.school.example:8443"
    polling = load_settings({"FEED_URL": "https://school.example/staffroom/", "FEED_PORT": "8090"})
    assert polling.http_port == 8090
    assert polling.feed_base_url == "https://school.example/staffroom"
    # Nothing set: no server, no link.
    assert load_settings({}).http_port is None and load_settings({}).feed_base_url is None
    assert server_address(hooked) == ("127.0.0.1", 8081)
    assert server_address(polling) == ("127.0.0.1", 8090)
    assert server_address(load_settings({})) is None


@pytest.mark.parametrize(
    "env",
    [
        {"FEED_URL": "https://school.example"},  # served by nothing
        {"FEED_URL": "school.example/cal", "FEED_PORT": "8090"},
        {"FEED_PORT": "0"},
        {
            "FEED_PORT": "8090",
            "WEBHOOK_URL": "https://bot.school.example/hook",
            "WEBHOOK_SECRET": SECRET,
        },
    ],
)
def test_a_bad_feed_setting_is_named(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as failed:
        load_settings(env)
    [problem] = failed.value.problems
    assert problem.split(":", 1)[0] in ("FEED_URL", "FEED_PORT")


def test_how_many_schools_are_kept_is_a_whole_number_of_schools() -> None:
    assert load_settings({}).schools_kept == 512
    assert load_settings({"SCHOOLS_KEPT": "2000"}).schools_kept == 2000
    for bad in ("0", "-3", "many", "1e3", "100001", "²"):
        with pytest.raises(SettingsError) as failed:
            load_settings({"SCHOOLS_KEPT": bad})
        assert failed.value.problems == [
            f"SCHOOLS_KEPT: '{bad}' is not a number of schools from 1 to 100000"
        ]
