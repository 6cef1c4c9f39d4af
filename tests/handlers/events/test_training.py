"""/hours: my ledger, self-reports the academic office approves or returns, the pace report."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Chat, Message, Update, User

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from tests.harness import BOT_ID, BOT_USERNAME, BotHarness, Sent
from tests.schools import factories

OFFICE_ID = 7_200_000_001  # 景佳梅
DIRECTOR_ID = 7_200_000_002  # 张思月: office and admin
TEACHER_ID = 7_200_000_003  # 王晴晴
MATHS_ID = 7_200_000_004  # 许志强


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now() - timedelta(days=90))
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        await factories.staff(s, school, "景佳梅", roles="teacher,office", telegram_id=OFFICE_ID)
        await factories.staff(
            s, school, "张思月", roles="teacher,office,admin", telegram_id=DIRECTOR_ID
        )
        await factories.staff(s, school, "王晴晴", subjects="语文", telegram_id=TEACHER_ID)
        await factories.staff(s, school, "许志强", subjects="数学", telegram_id=MATHS_ID)


async def ask(harness: BotHarness, user: User, text: str) -> Sent:
    """The bot's one answer to `text` in the user's private chat."""
    answers = [m for m in await harness.send(user, text) if m.chat_id == user.id]
    assert len(answers) == 1, [m.plain for m in answers]
    return answers[0]


async def reply_to(harness: BotHarness, user: User, prompt: Sent, text: str) -> list[Sent]:
    """The user answers a bot message with Telegram's reply."""
    origin = Message(
        prompt.message_id,
        harness.clock.now(),
        Chat(user.id, Chat.PRIVATE),
        from_user=User(BOT_ID, "Staffroom", True, username=BOT_USERNAME),
        text=prompt.plain,
    )
    message = Message(
        prompt.message_id + 1,
        harness.clock.now(),
        Chat(user.id, Chat.PRIVATE),
        from_user=user,
        text=text,
        reply_to_message=origin,
    )
    message.set_bot(harness.app.bot)
    return await harness.feed(Update(prompt.message_id + 10_000, message=message))


async def actions(engine: AsyncEngine, action: str) -> int:
    async with session_factory(engine)() as s:
        return len(await audit.entries(session=s, action=action))


async def test_self_report_approved_by_the_office_first_decision_wins(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    sent = await ask(harness, teacher, "/hours add 3 区级培训 新课标解读")
    assert "等待教导处审核" in sent.plain and "#1 王晴晴 3 学时 · 区级培训（培训" in sent.plain
    office_copy, director_copy = harness.last(OFFICE_ID), harness.last(DIRECTOR_ID)
    assert "学时申报" in office_copy.plain and "备注：新课标解读" in office_copy.plain
    assert [label for label, _ in office_copy.buttons] == ["通过", "退回"]

    await harness.press(harness.user(OFFICE_ID), office_copy, office_copy.data_of("通过"))
    assert "已通过（景佳梅）" in harness.request.find(OFFICE_ID, office_copy.message_id).plain
    assert "你申报的学时已通过（景佳梅）" in harness.last(TEACHER_ID).plain

    director = harness.user(DIRECTOR_ID)
    approve, give_back = director_copy.data_of("通过"), director_copy.data_of("退回")
    _, late = await harness.press(director, director_copy, approve)
    assert "已由 景佳梅 通过" in late["text"]
    assert "已通过（景佳梅）" in harness.request.find(DIRECTOR_ID, director_copy.message_id).plain
    _, late_return = await harness.press(director, director_copy, give_back)
    assert "已由 景佳梅 通过" in late_return["text"]

    mine = await ask(harness, teacher, "/hours")
    assert "已认定 3 / 90 学时" in mine.plain and "培训：3" in mine.plain
    assert await actions(engine, "hours_reported") == 1
    assert await actions(engine, "hours_approved") == 1


async def test_return_asks_for_the_reason_and_tells_the_teacher(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    await ask(harness, teacher, "/hours add 2 校外讲座")
    office = harness.user(OFFICE_ID)
    request = harness.last(OFFICE_ID)
    await harness.press(office, request, request.data_of("退回"))
    prompt = harness.last(OFFICE_ID)
    assert "学时申报 #1" in prompt.plain and prompt.markup == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": "退回原因",
    }
    assert "待审核" in (await ask(harness, teacher, "/hours")).plain  # nothing decided yet

    answers = await reply_to(harness, office, prompt, "请附上培训证明")
    assert "已退回，并通知了本人" in answers[-1].plain
    told = harness.last(TEACHER_ID).plain
    assert "被退回（景佳梅）" in told and "原因：请附上培训证明" in told

    director = harness.user(DIRECTOR_ID)
    copy = harness.last(DIRECTOR_ID)
    _, late = await harness.press(director, copy, copy.data_of("通过"))
    assert "已由 景佳梅 退回" in late["text"]
    mine = await ask(harness, teacher, "/hours")
    assert "已认定 0 / 90" in mine.plain and "原因：请附上培训证明" in mine.plain
    assert await actions(engine, "hours_returned") == 1


async def test_return_by_command_and_refusals(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    await ask(harness, teacher, "/hours add 1.5 读书会")
    request = harness.last(OFFICE_ID)
    director = harness.user(DIRECTOR_ID)
    assert "写明退回原因" in (await ask(harness, director, "/hours return 1")).plain
    returned = await ask(harness, director, "/hours return 1 与本校活动重复")
    assert "已退回" in returned.plain
    again = await ask(harness, harness.user(OFFICE_ID), "/hours return 1 再退一次")
    assert "已由 张思月 退回" in again.plain
    assert "没有权限" in (await ask(harness, teacher, "/hours return 1 自己退")).plain
    # A teacher pressing the office's button (a forwarded copy) is refused.
    _, refused = await harness.press(harness.user(MATHS_ID), request, request.data_of("通过"))
    assert "没有权限" in refused["text"]


async def test_office_members_never_approve_their_own_hours(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    office = harness.user(OFFICE_ID)
    before = len(harness.in_chat(OFFICE_ID))
    await ask(harness, office, "/hours add 4 市级培训")
    assert len(harness.in_chat(OFFICE_ID)) == before + 1  # only the confirmation
    request = harness.last(DIRECTOR_ID)
    assert "景佳梅 4 学时" in request.plain
    _, refused = await harness.press(office, request, request.data_of("通过"))
    assert "没有权限" in refused["text"]


async def test_bad_hours_are_refused_with_the_reason(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    assert "最多保留一位小数" in (await ask(harness, teacher, "/hours add 1.25 讲座")).plain
    assert "0.5 到 12 之间" in (await ask(harness, teacher, "/hours add 13 讲座")).plain
    assert "不是学时数" in (await ask(harness, teacher, "/hours add 讲座 3")).plain
    assert "格式" in (await ask(harness, teacher, "/hours add 3")).plain
    assert await actions(engine, "hours_reported") == 0


async def test_report_lists_who_is_behind_pace(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    director = harness.user(DIRECTOR_ID)
    for hours in ("12", "10.5"):
        await ask(harness, teacher, f"/hours add {hours} 暑期集中培训")
        request = harness.last(DIRECTOR_ID)
        await harness.press(director, request, request.data_of("通过"))
    report = await ask(harness, director, "/hours report")
    # 25 Nov is day 86 of 365: on pace is 90 × 86 / 365 = 21.2 hours.
    assert "按进度此时应达 21.2 学时" in report.plain
    assert "落后于进度的有 3 人（共 4 人）" in report.plain
    assert "• 景佳梅：0" in report.plain and "• 许志强：0" in report.plain
    assert "王晴晴" not in report.plain  # 22.5 hours
    assert "没有权限" in (await ask(harness, teacher, "/hours report")).plain
