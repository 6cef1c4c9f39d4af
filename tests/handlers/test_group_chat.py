"""The staff group as teachers use it: /hw posted there, /leave taken out of it, wizards moved
to private with a deep link, and /bind saying whether the bot may delete messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from jobs import homework as homework_jobs
from jobs import scheduler
from tests.conftest import SHANGHAI
from tests.harness import BOT_USERNAME, BotHarness
from tests.schools import homework as hw_school
from tests.schools import leave as leave_school

# --- /hw in the group ------------------------------------------------------------------------


async def test_homework_posted_in_the_group_is_answered_there_in_one_line_with_the_cap(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await hw_school.seed_school(engine, clock.now())
    head = harness.user(hw_school.HEAD32_ID)

    answer = await harness.send(head, "/hw 三(2) 语文 20 抄写第5课生字", hw_school.GROUP)

    in_group = [m for m in answer if m.chat_id == hw_school.GROUP]
    assert [m.plain for m in in_group] == [
        "✅ 已发布 三(2)班 语文 20 分钟。书面合计 20/45 分钟，还可布置 25 分钟"
    ]
    assert in_group[0].buttons == []
    # The posting with its own buttons (修改 / 撤回) is hers, in private.
    private = harness.last(hw_school.HEAD32_ID)
    assert "作业已发布" in private.plain and "抄写第5课生字" in private.plain
    assert any("撤回" in label for label, _ in private.buttons)


async def test_after_the_board_a_posting_from_the_group_is_one_line_there_not_two(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await hw_school.seed_school(engine, clock.now())
    harness.services.push_kinds = homework_jobs.push_kinds()
    start = clock.now()
    clock.set(datetime(2026, 11, 25, 16, 31, tzinfo=SHANGHAI))
    await scheduler.fire_due(harness.app, start, clock.now())
    before = len(harness.in_chat(hw_school.GROUP))

    await harness.send(harness.user(hw_school.HEAD32_ID), "/hw 三(2) 语文 20 抄写", hw_school.GROUP)
    new = harness.in_chat(hw_school.GROUP)[before:]
    assert [m.plain for m in new] == [
        "✅ 已发布 三(2)班 语文 20 分钟。书面合计 20/45 分钟，还可布置 25 分钟"
    ]
    # Nor is the group's notice of the addition sent to her instead.
    assert not [m for m in harness.in_chat(hw_school.HEAD32_ID) if "作业补充" in m.plain]
    # Posted in private after the board, the group still hears of the addition.
    await harness.send(harness.user(hw_school.MATHS_ID), "/hw 三(2) 数学 10 口算")
    (addition,) = harness.in_chat(hw_school.GROUP)[before + 1 :]
    assert "三(2)班" in addition.plain and "数学" in addition.plain


async def test_homework_over_the_cap_in_the_group_says_the_minutes_left_and_goes_on_privately(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await hw_school.seed_school(engine, clock.now())
    await harness.send(harness.user(hw_school.HEAD32_ID), "/hw 三(2) 语文 20 抄写", hw_school.GROUP)
    maths = harness.user(hw_school.MATHS_ID)

    await harness.send(maths, "/hw 三(2) 数学 30 练习册第12页", hw_school.GROUP)

    refusal = harness.last(hw_school.GROUP)
    assert refusal.plain == (
        "❌ 三(2)班 数学 30 分钟 没有布置：今天书面作业已有 20/45 分钟，还可布置 25 分钟。"
        "可以怎么办已私信给你。"
    )
    assert refusal.buttons == [("打开私聊", f"https://t.me/{BOT_USERNAME}")]
    # The choices (use the minutes left, ask for an exception) and her words are in private.
    private = harness.last(hw_school.MATHS_ID)
    assert "会超过每天书面作业上限 45 分钟" in private.plain
    assert "/hw 三(2) 数学 30 练习册第12页" in private.plain
    labels = [label for label, _ in private.buttons]
    assert any("25" in label for label in labels) and any("例外" in label for label in labels)


async def test_the_group_line_is_in_the_school_s_language_and_her_own_answer_in_hers(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await hw_school.seed_school(engine, clock.now())
    head = harness.user(hw_school.HEAD32_ID)
    await harness.send(head, "/lang en")

    await harness.send(head, "/hw 三(2) 语文 10 oral recite the poem", hw_school.GROUP)

    # Everyone reads the group: it is written in the school's language.
    assert harness.last(hw_school.GROUP).plain == (
        "✅ 已发布 三(2)班 语文 口头 10 分钟。书面合计 0/45 分钟，还可布置 45 分钟"
    )
    assert "Homework published" in harness.last(hw_school.HEAD32_ID).plain


async def test_a_mistyped_homework_line_in_the_group_gets_the_problem_alone(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await hw_school.seed_school(engine, clock.now())
    maths = harness.user(hw_school.MATHS_ID)

    answer = await harness.send(maths, "/hw 三(9) 数学 20 口算", hw_school.GROUP)

    assert [m.chat_id for m in answer] == [hw_school.GROUP]
    assert "三(9)" in answer[0].plain and "/hw 三(9)" not in answer[0].plain


async def test_the_homework_wizard_moves_to_private_with_a_deep_link(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await hw_school.seed_school(engine, clock.now())
    maths = harness.user(hw_school.MATHS_ID)

    pointer = (await harness.send(maths, "/hw", hw_school.GROUP))[-1]
    [(_, url)] = pointer.buttons
    assert url == f"https://t.me/{BOT_USERNAME}?start=hw"

    # Tapping the link makes Telegram send `/start hw` in private: the wizard starts there.
    first = (await harness.send(maths, "/start hw"))[-1]
    assert first.chat_id == hw_school.MATHS_ID
    assert first.plain.startswith("布置作业（1/6）")
    assert any(name == "三(2)班" for name, _ in first.buttons)


# --- /leave in the group ---------------------------------------------------------------------

LEAVE_WORDS = ("病假", "发烧", "事假")


def group_texts(harness: BotHarness) -> list[str]:
    return [m.plain for m in harness.in_chat(leave_school.GROUP)]


async def test_a_leave_typed_in_the_group_is_deleted_and_goes_on_in_private(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    teacher = harness.user(leave_school.TEACHER)

    answer = await harness.send(teacher, "/leave 病假 明天 上午 发烧", leave_school.GROUP)
    typed = harness.last_message
    assert typed is not None

    assert harness.request.deleted == [(leave_school.GROUP, typed.message_id)]
    assert group_texts(harness) == []
    private = [m.plain for m in harness.in_chat(leave_school.TEACHER)]
    assert private[0].startswith("🔒 你在群里发的请假消息已删除")
    assert "请假申请已提交" in private[1] and "发烧" in private[1]
    # The request reached the grade leader as if it had been sent privately.
    asked = [m for m in answer if m.chat_id == leave_school.LEADER]
    assert asked and "发烧" in asked[-1].plain


async def test_a_refused_leave_from_the_group_is_explained_in_private_only(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    teacher = harness.user(leave_school.TEACHER)

    await harness.send(teacher, "/leave 事假 11-20 家事", leave_school.GROUP)

    assert group_texts(harness) == []
    assert "11月20日 周五 已经过去了" in harness.last(leave_school.TEACHER).plain


async def test_without_the_right_to_delete_the_teacher_is_told_privately_how_to_avoid_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    harness.request.cannot_delete.add(leave_school.GROUP)
    teacher = harness.user(leave_school.TEACHER)

    await harness.send(teacher, "/leave 病假 明天 上午 发烧", leave_school.GROUP)

    assert harness.request.deleted == []
    assert group_texts(harness) == []
    private = [m.plain for m in harness.in_chat(leave_school.TEACHER)]
    assert "群里的人能看到" in private[0] and "以后请直接在这里发 /leave" in private[0]
    assert "删除消息" in private[0]
    assert any("请假申请已提交" in text for text in private)


async def test_a_teacher_the_bot_cannot_write_to_gets_one_neutral_line_in_the_group(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    harness.request.forbidden.add(leave_school.TEACHER)
    teacher = harness.user(leave_school.TEACHER, first_name="周雅琴")

    answer = await harness.send(teacher, "/leave 病假 明天 上午 发烧", leave_school.GROUP)

    [line] = harness.in_chat(leave_school.GROUP)
    assert line.plain.startswith("周雅琴，我还不能私信你")
    assert line.buttons == [("打开私聊", f"https://t.me/{BOT_USERNAME}")]
    assert not any(word in line.plain for word in LEAVE_WORDS)
    assert any(m.chat_id == leave_school.LEADER and "发烧" in m.plain for m in answer)


async def test_the_leave_wizard_started_in_the_group_opens_in_private(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    teacher = harness.user(leave_school.TEACHER)

    pointer = (await harness.send(teacher, "/leave", leave_school.GROUP))[-1]
    assert pointer.buttons == [("打开私聊", f"https://t.me/{BOT_USERNAME}?start=leave")]
    assert harness.request.deleted == []  # nothing private was typed

    first = (await harness.send(teacher, "/start leave"))[-1]
    assert first.chat_id == leave_school.TEACHER
    assert first.plain.startswith("请选择请假类型")
    assert any(label == "病假" for label, _ in first.buttons)


# --- /bind and the right to delete -----------------------------------------------------------


async def test_bind_says_when_the_bot_may_not_delete_messages(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    from tests.handlers.conftest import SYSADMIN_ID

    await leave_school.seed(engine, clock.now())
    group = -1_009_000_000_001
    admin = harness.user(SYSADMIN_ID)
    harness.request.cannot_delete.add(group)

    missing = (await harness.send(admin, "/bind 孟河小学", group))[-1].plain
    assert "本群已设为" in missing and "我还没有“删除消息”的权限" in missing

    harness.request.cannot_delete.discard(group)
    fine = (await harness.send(admin, "/bind 孟河小学", group))[-1].plain
    assert "我可以删除消息" in fine
    assert ("getChatMember", {"chat_id": group, "user_id": 100000}) in [
        (method, {k: params[k] for k in ("chat_id", "user_id")})
        for method, params in harness.request.calls
        if method == "getChatMember"
    ]


# --- a command the bot does not know ---------------------------------------------------------


async def test_an_unknown_command_in_private_points_to_help_and_the_nearest_one(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    teacher = harness.user(leave_school.TEACHER)

    typo = (await harness.send(teacher, "/leav 病假 明天 发烧"))[-1].plain
    assert typo == "我不认识 /leav 这个命令。你是想用 /leave 吗？发送 /help 查看你可以用的命令。"
    unknown = (await harness.send(teacher, "/xyz"))[-1].plain
    assert unknown == "我不认识 /xyz 这个命令。发送 /help 查看你可以用的命令。"


async def test_in_the_group_only_an_unknown_command_addressed_to_the_bot_is_answered(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    teacher = harness.user(leave_school.TEACHER)

    assert await harness.send(teacher, "/weather", leave_school.GROUP) == []
    assert await harness.send(teacher, "/heip@other_bot", leave_school.GROUP) == []
    answer = await harness.send(teacher, f"/heip@{BOT_USERNAME}", leave_school.GROUP)
    assert [m.plain for m in answer] == [
        "我不认识 /heip 这个命令。你是想用 /help 吗？发送 /help 查看你可以用的命令。"
    ]


# --- a file without a caption ----------------------------------------------------------------


async def test_a_file_without_a_caption_gets_the_caption_to_use(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    admin = harness.user(leave_school.HEAD)
    timetable = "班级,星期,节次,学科,教师\n三(2)班,周一,1,语文,周雅琴\n".encode()

    answer = await harness.upload(admin, "2026秋.csv", timetable, "")

    assert [m.plain for m in answer] == [
        "📄 这个文件看起来是课表。要导入，请把文件再发一次，并在文件说明里写：\n"
        "/import timetable\n发送 /import timetable 可以查看这种文件需要的列。"
    ]
    bells = (await harness.upload(admin, "作息时间.csv", b"period,start,end\n", ""))[-1]
    assert "/import bells" in bells.plain
    unknown = (await harness.upload(admin, "notes.txt", "随便写的\n".encode(), ""))[-1]
    assert "没认出这是哪种文件" in unknown.plain


async def test_a_file_from_someone_who_may_not_import_gets_a_polite_line(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await leave_school.seed(engine, clock.now())
    teacher = harness.user(leave_school.TEACHER)

    answer = await harness.upload(teacher, "病假条.csv", "班级,星期\n".encode(), "")

    assert [m.plain for m in answer] == [
        "谢谢！不过学校文件只由管理员导入，这个文件我不会处理。需要交材料的话，请直接交给相关老师。"
    ]
