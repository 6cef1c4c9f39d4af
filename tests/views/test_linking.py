"""A link request's buttons as the admins see them (views/linking.py)."""

from __future__ import annotations

from bot.callbacks import Callback
from storage.models import Registration
from tests.views.plain import labels, presses
from views.linking import decision_markup


def test_an_admin_approves_or_rejects_the_request_it_names() -> None:
    request = Registration(id=9, school_id=1, staff_id=4, telegram_id=7_000_000_001)

    assert presses(decision_markup("zh", request)) == {
        "✅ 批准": Callback("reg", "ok", (9,)),
        "❌ 拒绝": Callback("reg", "no", (9,)),
    }
    assert labels(decision_markup("en", request)) == [["✅ Approve", "❌ Reject"]]
