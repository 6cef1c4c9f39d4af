"""/settings: admins go through a menu of sections on a phone, change a setting by a button or
by typing it, or in one line by its Chinese name or English key; a homework cap that breaks the
双减 rules is set only when confirmed; every change is audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.texts import catalogue
from rules.policies import SPECS
from storage import audit
from storage.db import session_factory
from storage.policies import load_policies
from storage.schools import school_by_name
from tests.harness import BotHarness, Sent
from tests.schools import factories

TEACHER_ID = 7_200_000_001
ADMIN_ID = 7_200_000_002
SECTIONS = ["请假", "代课", "作业", "值日", "活动", "学时"]


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now(), "孟河小学")
        await factories.staff(s, school, "王晴晴", telegram_id=TEACHER_ID)
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)


async def raw(engine: AsyncEngine, key: str) -> str:
    async with session_factory(engine)() as s:
        school = await school_by_name(session=s, name="孟河小学")
        assert school is not None
        return (await load_policies(session=s, school_id=school.id)).raw(key)


async def changes(engine: AsyncEngine) -> list[str]:
    async with session_factory(engine)() as s:
        return [e.detail for e in await audit.entries(session=s, action="policy_changed")]


async def open_section(harness: BotHarness, section: str, page: int = 1) -> Sent:
    admin = harness.user(ADMIN_ID)
    menu = (await harness.send(admin, "/settings"))[-1]
    await harness.press(admin, menu, menu.data_of(section))
    for _ in range(page - 1):
        await harness.press(admin, menu, menu.data_of("下一页"))
    return menu  # edited in place into the section's page


def fits_a_phone(message: Sent) -> bool:
    return len(message.buttons) <= 8


async def test_the_menu_shows_the_sections(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    menu = (await harness.send(harness.user(ADMIN_ID), "/settings"))[-1]
    labels = [label for label, _ in menu.buttons]
    assert "孟河小学 · 设置" in menu.plain
    assert all(section in labels for section in SECTIONS)
    assert fits_a_phone(menu)


async def test_a_section_lists_its_settings_with_names_values_and_ranges(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    page = await open_section(harness, "作业")
    assert "作业（第 1/3 页）" in page.plain
    assert "作业公示方式：自动" in page.plain
    assert "范围 自动 / 班主任审核 / 教导处审核" in page.plain
    assert fits_a_phone(page)
    assert "« 全部设置" in [label for label, _ in page.buttons]

    await harness.press(admin, page, page.data_of("下一页"))
    assert "作业（第 2/3 页）" in page.plain
    assert "一年级作业上限：0 分钟" in page.plain
    assert "三年级作业上限：45 分钟" in page.plain
    assert "三年级每日书面作业上限" in page.plain and "范围 0–240 分钟" in page.plain
    assert page.data_of("上一页") and fits_a_phone(page)
    await harness.press(admin, page, page.data_of("下一页"))
    assert "作业（第 3/3 页）" in page.plain and "九年级作业上限：90 分钟" in page.plain

    await harness.press(harness.user(ADMIN_ID), page, page.data_of("全部设置"))
    assert "孟河小学 · 设置" in page.plain


async def test_a_choice_is_changed_by_a_button(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    screen = (await harness.send(admin, "/settings 作业公示方式"))[-1]
    assert [label for label, _ in screen.buttons] == [
        "✓ 自动",
        "班主任审核",
        "教导处审核",
        "« 返回作业",
    ]

    await harness.press(admin, screen, screen.data_of("班主任审核"))
    assert "✅ 作业公示方式：自动 → 班主任审核，已生效。" in screen.plain
    assert "✓ 班主任审核" in [label for label, _ in screen.buttons]
    assert await raw(engine, "homework.publication") == "head_teacher"
    assert '"new": "head_teacher"' in (await changes(engine))[-1]

    await harness.press(admin, screen, screen.data_of("班主任审核"))
    assert "作业公示方式 已经是 班主任审核，没有变化。" in screen.plain
    assert "→" not in screen.plain
    assert len(await changes(engine)) == 1

    await harness.press(admin, screen, screen.data_of("返回作业"))
    assert "作业（第 1/3 页）" in screen.plain


async def test_on_and_off_are_buttons(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    page = await open_section(harness, "值日")
    await harness.press(admin, page, page.data_of("换班需管理员批准"))
    assert [label for label, _ in page.buttons][:2] == ["开", "✓ 关"]
    await harness.press(admin, page, page.data_of("开"))
    assert "换班需管理员批准：关 → 开，已生效。" in page.plain
    assert await raw(engine, "duty.swap_needs_admin") == "on"


async def test_a_number_is_typed_when_asked_and_a_bad_one_is_refused(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    page = await open_section(harness, "作业", page=2)
    await harness.press(admin, page, page.data_of("三年级作业上限"))
    assert "请直接发送新的值（0–240 分钟），或按“取消”。" in page.plain
    assert [label for label, _ in page.buttons] == ["取消"]

    refused = await harness.send(admin, "四十")
    assert refused[-1].plain.startswith("“四十”不是 三年级作业上限 的有效值。允许：0–240 分钟")
    assert "请重新发送" in refused[-1].plain and refused[-1].data_of("取消")
    too_big = await harness.send(admin, "300")
    assert "允许：0–240 分钟" in too_big[-1].plain
    assert await raw(engine, "homework.cap.grade3") == "45"

    done = await harness.send(admin, "40")
    assert done[-1].plain == "✅ 三年级作业上限：45 → 40 分钟，已生效。"
    assert done[-1].data_of("返回作业")
    assert await raw(engine, "homework.cap.grade3") == "40"
    # The question above now shows the value in force, and its 取消 button is gone.
    assert "当前：40 分钟 ✎" in page.plain and page.buttons == []

    # The question was answered: more numbers are not taken as a new value.
    await harness.send(admin, "30")
    assert await raw(engine, "homework.cap.grade3") == "40"


async def test_cancel_leaves_the_value_as_it_was(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    page = await open_section(harness, "代课")
    await harness.press(admin, page, page.data_of("每日代课上限"))
    await harness.press(admin, page, page.data_of("取消"))
    assert "代课" in page.plain and "每日代课上限：2 节" in page.plain
    await harness.send(admin, "5")
    assert await raw(engine, "cover.daily_cap") == "2"


async def test_a_chinese_name_and_a_value_in_one_line(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    changed = await harness.send(admin, "/settings 三年级作业上限 40")
    again = await harness.send(admin, "/settings 三年级作业上限 40")
    chosen = await harness.send(admin, "/settings 作业公示方式 教导处审核")
    same_time = await harness.send(admin, "/settings 当天代课公示时间 07:20")

    assert changed[-1].plain == "✅ 三年级作业上限：45 → 40 分钟，已生效。"
    assert again[-1].plain == "三年级作业上限 已经是 40 分钟，没有变化。"
    assert "自动 → 教导处审核" in chosen[-1].plain
    assert same_time[-1].plain == "当天代课公示时间 已经是 07:20，没有变化。"
    assert await raw(engine, "homework.cap.grade3") == "40"
    assert await raw(engine, "homework.publication") == "office"
    assert len(await changes(engine)) == 2
    assert '"new": "40"' in (await changes(engine))[0]


async def test_a_name_several_settings_share_is_not_set_and_they_are_offered(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    answer = await harness.send(harness.user(ADMIN_ID), "/settings 作业上限 40")

    hint = answer[0].plain
    assert hint.startswith("“作业上限 40”没有设置")
    assert "三年级作业上限" in hint and "例如 /settings 一年级作业上限 40" in hint
    assert await raw(engine, "homework.cap.grade3") != "40"
    assert await changes(engine) == []


async def test_english_keys_keep_working(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    cap = await harness.send(admin, "/settings homework.cap.grade3 40")
    mode = await harness.send(admin, "/settings homework.publication head_teacher")
    switch = await harness.send(admin, "/settings duty.swap_needs_admin on")

    assert "45 → 40" in cap[-1].plain
    assert "自动 → 班主任审核" in mode[-1].plain
    assert "关 → 开" in switch[-1].plain
    assert await raw(engine, "homework.cap.grade3") == "40"
    assert await raw(engine, "homework.publication") == "head_teacher"
    async with session_factory(engine)() as s:
        change = (await audit.entries(session=s, action="policy_changed"))[0]
    assert '"new": "40"' in change.detail and change.actor_telegram_id == ADMIN_ID


async def test_a_cap_over_the_double_reduction_rules_asks_first(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    asked = (await harness.send(admin, "/settings 三年级作业上限 70"))[-1]
    assert "把 三年级作业上限 设为 70 分钟 不符合“双减”规定" in asked.plain
    assert "小学三至六年级每天书面作业平均不超过 60 分钟" in asked.plain
    assert [label for label, _ in asked.buttons] == ["仍然设置", "取消"]
    assert await raw(engine, "homework.cap.grade3") == "45"

    await harness.press(admin, asked, asked.data_of("仍然设置"))
    assert asked.plain == "✅ 三年级作业上限：45 → 70 分钟，已生效。"
    assert await raw(engine, "homework.cap.grade3") == "70"
    assert '"breaks": "grades_3_6"' in (await changes(engine))[-1]
    page = await open_section(harness, "作业", page=2)
    assert "三年级作业上限：70 分钟 ✎ ⚠️" in page.plain
    assert "四年级作业上限：45 分钟\n" in page.plain


async def test_cancelling_the_double_reduction_question_changes_nothing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    first = (await harness.send(admin, "/settings 一年级作业上限 10"))[-1]
    junior = (await harness.send(admin, "/settings homework.cap.grade8 95"))[-1]
    within = (await harness.send(admin, "/settings 八年级作业上限 90"))[-1]

    assert "一、二年级不布置家庭书面作业" in first.plain
    assert "初中每天书面作业平均不超过 90 分钟" in junior.plain
    assert within.plain == "八年级作业上限 已经是 90 分钟，没有变化。"
    await harness.press(admin, first, first.data_of("取消"))
    assert first.plain == "没有修改：一年级作业上限 仍是 0 分钟。"
    assert await raw(engine, "homework.cap.grade1") == "0"
    assert await changes(engine) == []


async def test_a_typed_cap_over_the_rules_asks_too(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    page = await open_section(harness, "作业", page=2)
    await harness.press(admin, page, page.data_of("二年级作业上限"))
    asked = (await harness.send(admin, "15"))[-1]
    assert "一、二年级不布置家庭书面作业" in asked.plain
    await harness.press(admin, asked, asked.data_of("仍然设置"))
    assert await raw(engine, "homework.cap.grade2") == "15"


async def test_a_teacher_can_neither_open_nor_press(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    teacher = harness.user(TEACHER_ID)
    refused = await harness.send(teacher, "/settings 三年级作业上限 10")
    assert refused[-1].plain == "你没有权限执行这个操作。"

    asked = (await harness.send(harness.user(ADMIN_ID), "/settings 三年级作业上限 70"))[-1]
    page = await open_section(harness, "作业", page=2)
    _, toast = await harness.press(teacher, asked, asked.data_of("仍然设置"))
    _, opened = await harness.press(teacher, page, page.data_of("三年级作业上限"))
    assert toast["text"] == "你没有权限执行这个操作。" and toast.get("show_alert")
    assert opened["text"] == "你没有权限执行这个操作。"
    assert "请直接发送新的值" not in page.plain
    await harness.send(teacher, "10")
    assert await raw(engine, "homework.cap.grade3") == "45"


async def test_bad_values_are_refused_with_the_allowed_range(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    too_big = await harness.send(admin, "/settings homework.cap.grade3 500")
    bad_time = await harness.send(admin, "/settings duty.announce_time 25:00")
    bad_choice = await harness.send(admin, "/settings homework.publication everyone")
    unknown = await harness.send(admin, "/settings homework.cap.grade33 40")
    unknown_zh = await harness.send(admin, "/settings 三年级作业 40")

    assert "允许：0–240 分钟" in too_big[-1].plain
    assert "允许：HH:MM，00:00–23:59" in bad_time[-1].plain
    assert "允许：自动 / 班主任审核 / 教导处审核" in bad_choice[-1].plain
    assert "homework.cap.grade3" in unknown[-1].plain
    assert "三年级作业上限" in unknown_zh[-1].plain
    section = await harness.send(admin, "/settings 作业 40")
    assert "作业（第 1/3 页）" in section[-1].plain and "作业公示方式：自动" in section[-1].plain
    assert await raw(engine, "homework.cap.grade3") == "45"


async def test_english_speaker_gets_english_texts(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    switched = await harness.send(admin, "/lang en")
    menu = (await harness.send(admin, "/settings"))[-1]
    await harness.press(admin, menu, menu.data_of("Homework"))
    await harness.press(admin, menu, menu.data_of("Next"))
    changed = await harness.send(admin, "/settings grade 3 homework cap 40")
    assert switched[-1].plain == "OK, I will speak English with you from now on."
    assert "Grade 3 homework cap: 45 minutes" in menu.plain
    assert changed[-1].plain == "✅ Grade 3 homework cap: 45 → 40 minutes, in effect now."


async def test_a_training_year_cannot_start_on_a_day_the_calendar_lacks(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    no_day = await harness.send(admin, "/settings training.year_start 02-30")
    no_month = await harness.send(admin, "/settings 培训学年起始日 13-01")
    leap = await harness.send(admin, "/settings training.year_start 02-29")
    await harness.send(admin, "/lang en")
    english = await harness.send(admin, "/settings training.year_start 04-31")

    assert no_day[-1].plain == (
        "“02-30”不是日历上的日子：培训学年起始日 要写成 月-日（MM-DD），例如 09-01。"
    )
    assert "“13-01”不是日历上的日子" in no_month[-1].plain
    assert leap[-1].plain == (
        "培训学年起始日 不能设为 02-29：大多数年份没有这一天。请改用 02-28 或 03-01。"
    )
    assert english[-1].plain == (
        '"04-31" is not a day of the calendar: Training year start takes month-day (MM-DD),'
        " e.g. 09-01."
    )
    assert await raw(engine, "training.year_start") == "09-01"
    changed = await harness.send(admin, "/settings training.year_start 08-31")
    assert "09-01 → 08-31" in changed[-1].plain


def test_every_setting_has_a_name_in_every_language() -> None:
    texts = catalogue()
    names = [texts[f"policy_name.{item.key}"]["zh"] for item in SPECS]
    assert len(set(names)) == len(names)
    assert all(texts[f"policy_name.{item.key}"]["en"] for item in SPECS)
