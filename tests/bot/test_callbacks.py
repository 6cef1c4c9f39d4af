"""Callback data: ids only, versioned, at most 64 bytes, anything else refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import callbacks
from bot.callbacks import Button, Callback, Feature, decode, encode


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


# --- declared kinds ---------------------------------------------------------------------------

KINDS = {name: kind for name, kind in vars(callbacks).items() if isinstance(kind, Button)}
FEATURES = {name: f for name, f in vars(callbacks).items() if isinstance(f, Feature)}
LARGEST = 2**31 - 1


def _example(kind: Button) -> str:
    return kind.data(*(LARGEST - i for i in range(len(kind.fields))))


def test_each_kind_is_declared_once() -> None:
    pairs = [(kind.feature, kind.action) for kind in KINDS.values()]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("name", sorted(KINDS))
def test_data_reads_back_by_name(name: str) -> None:
    kind = KINDS[name]
    ids = {field: LARGEST - i for i, field in enumerate(kind.fields)}
    data = kind.data(*ids.values())
    assert len(data.encode()) <= callbacks.MAX_BYTES
    assert kind.parse(data) == ids
    assert decode(data) == Callback(kind.feature, kind.action, tuple(ids.values()))


@pytest.mark.parametrize("name", sorted(KINDS))
def test_pattern_takes_its_own_kind_only(name: str) -> None:
    kind = KINDS[name]
    taken = [other for other, o in KINDS.items() if kind.pattern.match(_example(o))]
    assert taken == [name]
    for other in KINDS.values():
        if other is not kind:
            assert kind.parse(_example(other)) is None


def test_feature_pattern_takes_its_buttons_only() -> None:
    for feature in FEATURES.values():
        for kind in KINDS.values():
            assert bool(feature.pattern.match(_example(kind))) == (kind.feature == feature.name)


def test_data_already_sent_keeps_working() -> None:
    """Buttons in chats keep the data they were drawn with: the wire format stays put."""
    assert callbacks.COVER_ASSIGN.data(42, 7, 3) == "v1:cov:as:42:7:3"
    assert callbacks.COVER_ASSIGN.parse("v1:cov:as:42:7:3") == {
        "need": 42,
        "staff": 7,
        "version": 3,
    }
    assert callbacks.LEAVE_WIZARD_SUBMIT.data() == "v1:lvw:ok"
    assert callbacks.LEAVE_WIZARD_SUBMIT.pattern.match("v1:lvw:ok")
    assert not callbacks.LEAVE_WIZARD_SUBMIT.pattern.match("v1:lvw:ok:1")
    assert callbacks.SETTINGS_SECTION.data(2, 0) == "v1:set:sec:2:0"
    assert callbacks.DUTY_LEAVE_PICK.parse("v1:dlv:pick:3:739000:5:9") == {
        "post": 3,
        "day": 739000,
        "absent": 5,
        "staff": 9,
    }


def test_one_pattern_for_a_yes_and_a_no() -> None:
    both = callbacks.pattern_of(callbacks.SWAP_AGREE, callbacks.SWAP_DECLINE)
    assert both.match(callbacks.SWAP_AGREE.data(1))
    assert both.match(callbacks.SWAP_DECLINE.data(1))
    assert not both.match(callbacks.SWAP_APPROVE.data(1))
    with pytest.raises(ValueError):
        callbacks.pattern_of(callbacks.SWAP_AGREE, callbacks.SWAP_WIZARD_SUBMIT)


def test_data_that_would_not_fit_or_not_match_is_refused() -> None:
    wide = Button("cov", "wide", tuple(f"id{i}" for i in range(6)))
    with pytest.raises(ValueError, match="64 bytes"):
        wide.data(*[LARGEST] * 6)
    with pytest.raises(ValueError):
        callbacks.COVER_ASSIGN.data(1, 2)  # one id short
    with pytest.raises(ValueError):
        callbacks.COVER_VOLUNTEER.data(2**31)
    with pytest.raises(ValueError):
        Button("Cov", "as")
    assert callbacks.COVER_ASSIGN.parse("v1:cov:as:1:2") is None
    assert callbacks.COVER_ASSIGN.parse("v1:cov:as:1:2:3:4") is None


def test_no_callback_data_is_written_outside_this_module() -> None:
    root = Path(__file__).resolve().parents[2]
    hand_written = re.compile(r"\bv1:|callbacks\.(encode|pattern)\(")
    found = [
        f"{path.relative_to(root)}:{number}"
        for package in ("handlers", "jobs", "views", "storage", "rules")
        for path in sorted((root / package).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if hand_written.search(line)
    ]
    assert found == []


def test_a_field_is_read_by_its_name_where_the_kind_put_it() -> None:
    pressed = decode(callbacks.COVER_ASSIGN.data(42, 7, 3))
    assert pressed is not None
    assert callbacks.COVER_ASSIGN.field(pressed, "staff") == 7
    assert callbacks.COVER_ASSIGN.field(pressed, "version") == 3
    short = decode("v1:cov:as:42")
    assert short is not None and callbacks.COVER_ASSIGN.field(short, "version") is None
