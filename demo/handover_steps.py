"""Demo steps for lesson handover: 吴晓梅 leaves what to teach for her whole leave, and whoever
is asked to cover one of her lessons gets it with the request, in private."""

from __future__ import annotations

from demo.leave_steps import TEACHER
from demo.stage import Stage
from simulator import SimMessage

NOTE = "讲第8课《雨点儿》，生字卡在讲台抽屉里；作业：读课文三遍"


async def leave_a_handover(stage: Stage) -> list[SimMessage]:
    teacher = stage.id_of(TEACHER)
    notice = await stage.sim.wait_bot_message(teacher, contains="请假申请已提交")
    since = stage.sim.seq
    await stage.press(TEACHER, notice, "添加交接")
    menu = await stage.sim.wait_bot_message(teacher, since=since, contains="课务交接")
    since = stage.sim.seq
    await stage.press(TEACHER, menu, "整个假期")
    await stage.sim.wait_bot_message(teacher, since=since, contains="✍️")
    noted = await stage.ask(TEACHER, NOTE, contains="已记下")
    since = stage.sim.seq
    await stage.press(TEACHER, noted, "完成")
    saved = await stage.sim.wait_bot_message(teacher, since=since, contains="交接已保存")
    return [menu, saved]


async def handover_reaches_the_substitute(stage: Stage) -> list[SimMessage]:
    """The handover in the private chat of whoever was asked to cover (never in the group)."""
    for name, telegram_id in stage.ids.items():
        if name == TEACHER:
            continue
        found = [m for m in stage.sim.bot_messages(telegram_id) if f"{TEACHER} 的交接" in m.plain]
        if found:
            return found[-1:]
    return []
