"""/hw in one line: the cap, several classes, who may post, edits, withdrawals and the views."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import LANGUAGES
from bot.texts import catalogue, placeholders, t, visible_length
from simulator.html import parse_html
from storage import audit
from storage.db import session_factory
from tests.harness import BotHarness, Sent
from tests.schools import factories
from tests.schools.homework import (
    ENGLISH_ID,
    HEAD11_ID,
    HEAD32_ID,
    MATHS_ID,
    OFFICE_ID,
    OUTSIDER_ID,
    seed_school,
)


def test_every_homework_text_is_telegram_html_in_both_languages() -> None:
    keys = [k for k in catalogue() if k.startswith("hw.") or k in ("help.hw", "menu.hw")]
    assert len(keys) > 100
    for key in keys:
        for lang in LANGUAGES:
            values = {name: "<x> & y" for name in placeholders(catalogue()[key][lang])}
            parse_html(t(lang, key, **values))  # raises on anything Telegram would refuse


@pytest.fixture
async def bot(engine: AsyncEngine, clock: ManualClock, harness: BotHarness) -> BotHarness:
    await seed_school(engine, clock.now())
    return harness


async def actions(engine: AsyncEngine) -> list[str]:
    async with session_factory(engine)() as session:
        return [row.action for row in await audit.entries(session=session)]


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, [s.plain for s in sent]
    return sent[0]


async def test_a_one_line_posting_is_published_with_the_class_total(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    answer = only(await bot.send(bot.user(MATHS_ID), "/hw 三(2) 数学 20 练习册第12页"))
    assert "✅ 作业已发布" in answer.plain
    assert "三(2)班 · 数学 · 书面 20 分钟：练习册第12页" in answer.plain
    assert "书面合计 20/45 分钟，还可布置 25 分钟" in answer.plain
    assert [label for label, _ in answer.buttons] == ["修改", "撤回"]
    assert "homework_posted" in await actions(engine)


async def test_class_names_in_the_forms_teachers_write(bot: BotHarness) -> None:
    for name in ["三(2)班", "三（2）班", "3(2)", "3-2", "三年级2班"]:
        answer = only(await bot.send(bot.user(MATHS_ID), f"/hw {name} 数学 5 口算"))
        assert "三(2)班 · 数学" in answer.plain, name


async def test_oral_homework_does_not_count_and_grades_1_2_take_no_written(
    bot: BotHarness,
) -> None:
    teacher = bot.user(HEAD11_ID)
    refused = only(await bot.send(teacher, "/hw 一(1) 语文 10 抄写生字"))
    assert "这个年级不布置书面作业" in refused.plain
    assert "<code>/hw 一(1) 语文 10 抄写生字</code>" in refused.text
    assert refused.buttons == []
    oral = only(await bot.send(teacher, "/hw 一(1) 语文 10 口头 背诵古诗"))
    assert "语文 · 口头 10 分钟：背诵古诗" in oral.plain
    assert "本年级不布置书面作业" in oral.plain


async def test_over_the_cap_is_refused_with_the_total_per_subject_and_the_text_kept(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 25 抄写词语")
    await bot.send(bot.user(MATHS_ID), "/hw 三(2) 数学 10 口算")
    refused = only(await bot.send(bot.user(ENGLISH_ID), "/hw 三(2) 英语 15 抄写单词 <四遍>"))
    assert "会超过每天书面作业上限 45 分钟" in refused.plain
    assert "语文 25 分钟、数学 10 分钟，合计 35 分钟；还可布置 10 分钟" in refused.plain
    assert "/hw 三(2) 英语 15 抄写单词 <四遍>" in refused.plain
    assert "&lt;四遍&gt;" in refused.text
    assert [label for label, _ in refused.buttons] == [
        "改为 10 分钟发布",
        "请班主任批准例外",
        "取消",
    ]
    assert "homework_refused" in await actions(engine)


async def test_the_teacher_can_take_the_minutes_left(bot: BotHarness) -> None:
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 40 作文")
    english = bot.user(ENGLISH_ID)
    refused = only(await bot.send(english, "/hw 三(2) 英语 15 抄写单词"))
    fit = refused.data_of("改为 5 分钟")
    sent, _ = await bot.press(english, refused, fit)
    assert any("英语 · 书面 5 分钟：抄写单词" in s.plain for s in sent)
    assert any("书面合计 45/45 分钟" in s.plain for s in sent)
    # The refusal keeps its words, without the buttons that no longer apply.
    assert bot.request.find(refused.chat_id, refused.message_id).buttons == []
    _, answer = await bot.press(english, refused, fit)  # pressed twice: nothing more happens
    assert answer["text"] == "这个班今天已经没有剩余的书面作业时间了。"


async def test_several_classes_publish_only_what_the_teacher_confirms(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 40 作文")
    maths = bot.user(MATHS_ID)
    refused = only(await bot.send(maths, "/hw 三(1),三(2) 数学 20 练习册第12页"))
    assert "不能给所有班级发布" in refused.plain
    assert "✅ 三(1)班：可以发布（书面合计将为 20/45 分钟）" in refused.plain
    assert "❌ 三(2)班：会超过" in refused.plain
    assert "/hw 三(1),三(2) 数学 20 练习册第12页" in refused.plain
    today = only(await bot.send(maths, "/hw today 三(1)"))
    assert "还没有布置作业" in today.plain  # nothing published before the confirmation
    cancel = refused.data_of("取消")
    sent, _ = await bot.press(maths, refused, refused.data_of("只发布：三(1)班"))
    published = only([s for s in sent if "作业已发布" in s.plain])
    assert "三(1)班 · 数学 · 书面 20 分钟" in published.plain
    labels = [label for label, _ in bot.request.find(maths.id, refused.message_id).buttons]
    assert labels == ["三(2)班 改为 5 分钟发布", "三(2)班 请班主任批准例外", "取消"]
    await bot.press(maths, refused, cancel)
    assert bot.request.find(maths.id, refused.message_id).buttons == []
    assert "三(1),三(2)" in bot.request.find(maths.id, refused.message_id).plain
    assert "homework_held" in await actions(engine)


async def test_several_classes_that_all_fit_are_published_at_once(bot: BotHarness) -> None:
    sent = await bot.send(bot.user(MATHS_ID), "/hw 三(1)，三(2) 数学 15 口算")
    assert [s.plain.splitlines()[1].split(" · ")[0] for s in sent] == ["三(1)班", "三(2)班"]


async def test_who_may_post_where(bot: BotHarness, engine: AsyncEngine) -> None:
    refused = only(await bot.send(bot.user(ENGLISH_ID), "/hw 三(1) 英语 10 读课文"))
    assert "你没有在三(1)班任教英语" in refused.plain
    assert "/hw 三(1) 英语 10 读课文" in refused.plain
    assert "denied" in await actions(engine)
    # The head teacher posts any subject for their class; the office for any class.
    assert "作业已发布" in only(await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 英语 10 读")).plain
    assert (
        "作业已发布" in only(await bot.send(bot.user(OFFICE_ID), "/hw 五(1) 音乐 10 口头 唱")).plain
    )
    outsider = only(await bot.send(bot.user(OUTSIDER_ID), "/hw 三(2) 数学 10 口算"))
    assert "你没有在三(2)班任教数学" in outsider.plain


LINE_PROBLEMS = [
    ("/hw 三(9) 数学 10 口算", "本校没有“三(9)班”。相近的：三(2)班"),
    ("/hw 三(2) 物理 10 口算", "本校没有“物理”这门学科"),
    ("/hw 三(2) 数学 300 口算", "请写 1–240 之间的整数分钟"),
    ("/hw 三(2) 数学 20", "缺少作业内容"),
    ("/hw 火星 数学 20 口算", "看不懂班级“火星”"),
    ("/hw 三(2) 数学 20 " + "很" * 1001, "最多 1000 字"),
]


async def test_what_is_wrong_is_said_and_the_line_kept(bot: BotHarness) -> None:
    for line, says in LINE_PROBLEMS:
        answer = only(await bot.send(bot.user(MATHS_ID), line))
        assert says in answer.plain, line
        assert line[:40] in answer.plain


async def test_an_unknown_name_without_a_near_one_offers_none(bot: BotHarness) -> None:
    answer = only(await bot.send(bot.user(MATHS_ID), "/hw 三(2) 物理 10 观察"))
    assert "本校没有“物理”这门学科。" in answer.plain
    assert "相近" not in answer.plain and "无" not in answer.plain.split("这门学科")[1][:3]


async def test_on_a_day_without_school_the_answer_says_there_is_no_board(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=clock.tz))  # a Saturday
    answer = only(await bot.send(bot.user(MATHS_ID), "/hw 三(2) 数学 20 周末练习"))
    assert "作业已发布" in answer.plain and "今天不是上课日" in answer.plain


async def test_english_speakers_get_english(bot: BotHarness) -> None:
    teacher = bot.user(MATHS_ID)
    await bot.send(teacher, "/lang en")
    answer = only(await bot.send(teacher, "/hw 三(2) 数学 20 workbook"))
    assert "Homework published" in answer.plain
    assert "Written total 20/45 min, 25 min left" in answer.plain


async def test_posting_needs_a_staff_record(bot: BotHarness) -> None:
    # Posting from the group: tests/handlers/test_group_chat.py.
    stranger = only(await bot.send(bot.user(123), "/hw 三(2) 数学 20 口算"))
    assert "/register" in stranger.plain


# --- edit and withdraw -----------------------------------------------------------------------


async def test_the_author_edits_within_the_cap(bot: BotHarness, engine: AsyncEngine) -> None:
    maths = bot.user(MATHS_ID)
    posted = only(await bot.send(maths, "/hw 三(2) 数学 20 练习册第12页"))
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 20 抄写")
    prompt = only((await bot.press(maths, posted, posted.data_of("修改")))[0])
    assert "<code>20 练习册第12页</code>" in prompt.text
    too_much = only(await bot.send(maths, "30 练习册第12–13页"))
    assert "还可布置 25 分钟" in too_much.plain and "30 练习册第12–13页" in too_much.plain
    done = only(await bot.send(maths, "25 练习册第12–13页"))
    assert "已修改" in done.plain and "数学 · 书面 25 分钟：练习册第12–13页" in done.plain
    assert "书面合计 45/45 分钟" in done.plain
    assert "homework_edited" in await actions(engine)
    # The same button data sent by someone else (forged) is refused and audited.
    english = bot.user(ENGLISH_ID)
    forged = Sent(1, english.id, "x")
    _, answer = await bot.press(english, forged, posted.data_of("修改"))
    assert answer["text"] == "这不是你布置的作业。"
    assert (await actions(engine)).count("denied") == 1


async def test_cancel_leaves_the_posting_as_it_was(bot: BotHarness) -> None:
    maths = bot.user(MATHS_ID)
    posted = only(await bot.send(maths, "/hw 三(2) 数学 20 练习册"))
    await bot.press(maths, posted, posted.data_of("修改"))
    assert "已取消" in only(await bot.send(maths, "/cancel")).plain
    today = only(await bot.send(maths, "/hw today 三(2)"))
    assert "数学 · 书面 20 分钟：练习册" in today.plain


async def test_withdrawing_frees_the_minutes(bot: BotHarness, engine: AsyncEngine) -> None:
    maths = bot.user(MATHS_ID)
    posted = only(await bot.send(maths, "/hw 三(2) 数学 40 试卷"))
    withdraw = posted.data_of("撤回")
    await bot.press(maths, posted, withdraw)
    assert "已撤回" in bot.request.find(maths.id, posted.message_id).plain
    again = only(await bot.send(maths, "/hw 三(2) 数学 45 试卷"))
    assert "作业已发布" in again.plain
    _, answer = await bot.press(maths, posted, withdraw)
    assert answer["text"] == "这条作业已经处理过了。"
    assert "homework_withdrawn" in await actions(engine)


# --- what was set ----------------------------------------------------------------------------


async def test_views_today_week_class_and_mine(bot: BotHarness, clock: ManualClock) -> None:
    maths, head = bot.user(MATHS_ID), bot.user(HEAD32_ID)
    await bot.send(maths, "/hw 三(2) 数学 20 练习册")
    await bot.send(head, "/hw 三(2) 语文 10 口头 背课文")
    today = only(await bot.send(maths, "/hw today"))
    assert "一(1)班" in today.plain and "三(1)班" in today.plain
    assert "数学 · 书面 20 分钟：练习册" in today.plain
    mine = only(await bot.send(head, "/hw class"))
    assert "三(2)班" in mine.plain and "各科书面：数学 20 分钟" in mine.plain
    assert "还可布置 25 分钟" in mine.plain and "语文 · 口头 10 分钟" in mine.plain
    assert "不是哪个班的班主任" in only(await bot.send(maths, "/hw class")).plain
    listed = only(await bot.send(maths, "/hw mine"))
    assert "三(2)班 · 数学 · 书面 20 分钟：练习册" in listed.plain
    assert [label for label, _ in listed.buttons] == ["修改", "撤回"]
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=clock.tz))
    week = only(await bot.send(head, "/hw week 3-2"))
    assert "11月25日 周三" in week.plain and "数学 · 书面 20 分钟：练习册" in week.plain
    assert "11月23日 周一：⚠️ 没有布置作业" in week.plain
    assert "11月26日 周四：⚠️ 没有布置作业" in week.plain
    assert "还没有布置作业" in only(await bot.send(maths, "/hw mine")).plain  # the 26th now


async def test_long_views_are_split_under_telegrams_limit(
    bot: BotHarness, clock: ManualClock
) -> None:
    texts = [f"第{n}项 " + "读" * 900 for n in range(1, 9)]
    for text in texts:
        await bot.send(bot.user(OFFICE_ID), f"/hw 三(2) 语文 5 口头 {text}")
    head = bot.user(HEAD32_ID)
    for command in ("/hw class", "/hw week 三(2)", "/hw today 三(2)"):
        sent = await bot.send(head, command)
        assert len(sent) >= 2, command
        assert all(visible_length(s.text) <= 4096 for s in sent), command
        joined = "\n".join(s.plain for s in sent)
        assert all(text in joined for text in texts), command


async def test_a_refusal_too_long_for_one_message_still_says_why(bot: BotHarness) -> None:
    line = "/hw 三(2) 数学 20 " + "很" * 4070  # as long as Telegram lets a teacher send
    sent = await bot.send(bot.user(MATHS_ID), line)
    assert len(sent) >= 2
    assert "作业内容太长（4070 字，最多 1000 字）" in sent[0].plain
    assert all(visible_length(s.text) <= 4096 for s in sent)
    echoed = "".join(s.plain for s in sent[1:])
    assert "/hw 三(2) 数学 20 " in echoed and echoed.count("很") == 4070


async def test_a_refusal_that_fits_stays_one_message(bot: BotHarness) -> None:
    await bot.send(bot.user(HEAD32_ID), "/hw 三(2) 语文 40 作文")
    content = "&<" * 500  # 1,000 characters, four and a half times as long once escaped
    refused = only(await bot.send(bot.user(ENGLISH_ID), f"/hw 三(2) 英语 15 {content}"))
    assert len(refused.text) > 4096 >= visible_length(refused.text)
    assert content in refused.plain and "还可布置 5 分钟" in refused.plain


async def test_junior_middle_classes_in_the_forms_teachers_write(
    engine: AsyncEngine, clock: ManualClock, harness: BotHarness
) -> None:
    async with session_factory(engine)() as session, session.begin():
        school = await factories.school(session, clock.now())
        await factories.term(session, school, date(2026, 9, 1), date(2027, 1, 22))
        klass = await factories.school_class(session, school, 7, 3)
        await factories.school_class(session, school, 8, 3)
        maths = await factories.subject(session, school, "数学")
        teacher = await factories.staff(
            session, school, "冯老师", telegram_id=MATHS_ID, subjects="数学"
        )
        await factories.lesson(session, school, klass, 3, 1, maths, teacher)
    user = harness.user(MATHS_ID)
    first = only(await harness.send(user, "/hw 初一(3)班 数学 30 试卷第一面"))
    assert "✅ 作业已发布" in first.plain and "初一(3)班 · 数学 · 书面 30 分钟" in first.plain
    assert "书面合计 30/90 分钟，还可布置 60 分钟" in first.plain
    second = only(await harness.send(user, "/hw 七(3) 数学 20 练习册"))
    assert "初一(3)班 · 数学 · 书面 20 分钟：练习册" in second.plain
    assert "书面合计 50/90 分钟" in second.plain
    other = only(await harness.send(user, "/hw 初二(3) 数学 20 练习册"))
    assert "你没有在初二(3)班任教数学" in other.plain
