"""Callback data: ids only, versioned, at most 64 bytes, anything else refused."""

from __future__ import annotations

import pytest

from bot.callbacks import Callback, decode, encode


def test_round_trip() -> None:
    data = encode("reg", "ok", 42, 2**31 - 1)
    assert data == f"v1:reg:ok:42:{2**31 - 1}"
    assert decode(data) == Callback("reg", "ok", (42, 2**31 - 1))


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "reg:ok:1",
        "v2:reg:ok:1",
        "v1:reg",
        "v1:REG:ok:1",
        "v1:reg:ok:-1",
        "v1:reg:ok:01",
        "v1:reg:ok:1x",
        "v1:reg:ok:" + "9" * 70,
    ],
)
def test_junk_is_refused(data: str | None) -> None:
    assert decode(data) is None


def test_encoding_refuses_what_telegram_would() -> None:
    with pytest.raises(ValueError):
        encode("reg", "ok", *range(10**5, 10**5 + 12))
    with pytest.raises(ValueError):
        encode("Reg", "ok", 1)
