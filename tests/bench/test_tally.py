"""The soak's tally: the outbox's word against what the simulator received."""

from __future__ import annotations

from typing import Any

from bench.tally import Row, tally


def send(seq: int, chat: int, message_id: int, text: str) -> dict[str, Any]:
    return {"seq": seq, "kind": "send", "chat_id": chat, "message_id": message_id, "text": text}


def test_each_sent_row_is_matched_to_its_own_message_and_copies_are_duplicates() -> None:
    rows = [
        Row(1, 5, "send", "帮助", "sent", message_id=2),
        Row(2, 5, "send", "帮助", "sent", message_id=4),  # the same text asked twice
        Row(3, 6, "send", "已批准", "sent", message_id=9),
        Row(4, 7, "send", "请假审批", "gone", error="Forbidden: bot was blocked by the user"),
        Row(5, 8, "send", "代课安排", "pending"),
        Row(6, 6, "edit", "已批准（王晴晴）", "sent", message_id=9),
        Row(7, 6, "send", "收到", "sent", message_id=11),
    ]
    actions = [
        send(1, 5, 2, "帮助"),
        send(2, 5, 4, "帮助"),
        send(3, 6, 8, "已批准"),  # a process sent it and died before recording that it had
        send(4, 6, 9, "已批准"),
        {"seq": 5, "kind": "edit", "chat_id": 6, "message_id": 9, "text": "已批准（王晴晴）"},
        send(6, 1, 3, "出错了"),  # sent without a row
    ]
    result = tally(rows, actions)
    assert (result.committed, result.sends, result.edits) == (7, 6, 1)
    assert result.delivered == 4
    assert (result.duplicates, result.duplicated_rows, result.copies) == (1, [3], [[3, 4]])
    assert result.missing == [7] and result.pending == [5] and result.unexplained == []
    assert dict(result.given_up) == {"gone: Forbidden: bot was blocked by the user": 1}
    assert result.outside == 1
    assert not result.lost_nothing and not result.holds


def test_it_holds_when_every_row_arrived_once_or_was_given_up_with_a_reason() -> None:
    rows = [
        Row(1, 5, "send", "帮助", "sent", message_id=2),
        Row(2, 6, "edit", "旧", "sent", message_id=3, error="superseded"),
        Row(3, 7, "send", "x", "failed", error="Bad Request: can't parse entities"),
    ]
    assert tally(rows, [send(1, 5, 2, "帮助")]).holds
    assert not tally([Row(4, 7, "send", "x", "gone")], []).holds  # no reason given
