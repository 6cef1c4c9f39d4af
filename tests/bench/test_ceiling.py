"""The bare bot the throughput is compared with makes as many calls per update as the bot, on
average: a fraction too (2.33 is two calls on two updates in three and three on the third)."""

from __future__ import annotations

from bench.ceiling import _Calls


def test_a_fraction_of_calls_per_update_is_kept_on_average() -> None:
    calls = _Calls(2.33)
    made = [calls.next() for _ in range(300)]
    assert set(made) == {2, 3}
    assert sum(made) == 699


def test_every_update_is_answered_with_at_least_one_call() -> None:
    calls = _Calls(0.4)
    assert [calls.next() for _ in range(5)] == [1, 1, 1, 1, 1]
