"""Who works at the demo school 青松路小学: names, roles, subjects and classes.

The academic office staff and their patrol weekdays follow seed 000 (周一 景佳梅, 周二 雷琴华,
周三 王晴晴, 周四 雷红霞, 周五 张思月). Telegram ids are made up and start at DEMO_ID_BASE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHOOL_NAME = "青松路小学"
DEMO_ID_BASE = 880_000_000
CLASSES_PER_GRADE = {1: 3, 2: 3, 3: 3, 4: 2, 5: 2, 6: 2}
PERIODS_PER_DAY = {1: 6, 2: 6, 3: 7, 4: 7, 5: 7, 6: 7}

# Weekly lessons per subject (primary curriculum); the free periods are self-study and clubs.
WEEKLY_LESSONS: dict[int, dict[str, int]] = {
    1: {
        "语文": 8,
        "数学": 4,
        "道德与法治": 2,
        "音乐": 2,
        "美术": 2,
        "体育": 4,
        "科学": 1,
        "劳动": 1,
        "书法": 1,
        "班会": 1,
        "阅读": 1,
    },
    3: {
        "语文": 6,
        "数学": 5,
        "英语": 3,
        "科学": 2,
        "道德与法治": 2,
        "音乐": 2,
        "美术": 2,
        "体育": 3,
        "信息科技": 1,
        "劳动": 1,
        "书法": 1,
        "班会": 1,
        "综合实践": 1,
        "阅读": 1,
    },
    5: {
        "语文": 6,
        "数学": 5,
        "英语": 4,
        "科学": 2,
        "道德与法治": 2,
        "音乐": 2,
        "美术": 2,
        "体育": 3,
        "信息科技": 1,
        "劳动": 1,
        "班会": 1,
        "综合实践": 1,
        "阅读": 1,
    },
}
WEEKLY_LESSONS[2] = WEEKLY_LESSONS[1]
WEEKLY_LESSONS[4] = WEEKLY_LESSONS[3]
WEEKLY_LESSONS[6] = WEEKLY_LESSONS[5]

# Subjects the head teacher (who teaches 语文) also takes in their own class.
HEAD_TEACHER_SUBJECTS = ("语文", "书法", "班会", "阅读", "道德与法治", "劳动")


@dataclass
class Person:
    name: str
    roles: list[str]
    subjects: list[str]
    grade: int | None = None
    head_of: str = ""
    classes: list[str] = field(default_factory=list)  # "3-2" keys of the classes taught
    telegram: bool = True


def class_key(grade: int, number: int) -> str:
    return f"{grade}-{number}"


HEAD_TEACHERS = [
    "周雅琴",
    "吴晓梅",
    "郑丽娟",
    "孙婷婷",
    "朱慧敏",
    "胡静怡",
    "郭春燕",
    "何玉兰",
    "高美玲",
    "林秀英",
    "罗晓燕",
    "梁文静",
    "宋佳琪",
    "唐雪梅",
    "韩冬梅",
]
MATHS = ["许志强", "邓建华", "冯海燕", "曹明", "彭丽萍", "曾国平", "萧红", "田志刚"]
ENGLISH = ["潘雨欣", "袁欣怡", "蒋晓丽"]
SCIENCE = ["蔡文博", "余思远"]
MUSIC = ["杜雨桐", "叶思琪"]
ART = ["程书瑶", "魏晨"]
PE = ["吕浩然", "丁伟", "沈刚"]
IT = ["任子轩"]
PRACTICE = ["姚佳怡"]
OFFICE = ["景佳梅", "雷琴华", "王晴晴", "雷红霞", "张思月"]
PRINCIPAL = "陆建国"
NEWCOMER = "李新"  # not linked yet: the playground shows /register with this name


# Extra names for larger staff rooms (benchmarks): family and given names combined.
_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = (
    "建华",
    "秀兰",
    "志明",
    "海燕",
    "丽华",
    "文杰",
    "春梅",
    "国强",
    "晓静",
    "子涵",
    "雨萱",
    "思远",
)


def extra_names(count: int, taken: set[str]) -> list[str]:
    names = [f + g for g in _GIVEN for f in _FAMILY if f + g not in taken]
    return names[:count]


def people(classes_per_grade: dict[int, int] | None = None, extra: int = 0) -> list[Person]:
    """Every staff member with the classes they teach; the timetable is built from this.

    `classes_per_grade` gives another school's shape (at most 15 classes); `extra` adds teachers
    without lessons of their own, who are the first to cover.
    """
    shape = classes_per_grade or CLASSES_PER_GRADE
    staff: list[Person] = []
    classes = [(g, n) for g, count in shape.items() for n in range(1, count + 1)]
    for index, (grade, number) in enumerate(classes):
        name = HEAD_TEACHERS[index]
        # The first head teacher of each grade leads the grade group.
        roles = ["teacher", "head_teacher"] + (["grade_leader"] if number == 1 else [])
        staff.append(
            Person(
                name, roles, ["语文"], grade, class_key(grade, number), [class_key(grade, number)]
            )
        )
    maths_classes = [class_key(g, n) for g, n in classes]
    for index, name in enumerate(MATHS):
        taught = maths_classes[index * 2 : index * 2 + 2]
        maths_grade = int(taught[0].split("-")[0]) if taught else None
        staff.append(Person(name, ["teacher"], ["数学"], maths_grade, classes=taught))
    upper = [class_key(g, n) for g, n in classes if g >= 3]
    _spread(staff, ENGLISH, "英语", upper)
    _spread(staff, SCIENCE, "科学", maths_classes)
    _spread(staff, MUSIC, "音乐", maths_classes)
    _spread(staff, ART, "美术", maths_classes)
    _spread(staff, PE, "体育", maths_classes)
    _spread(staff, IT, "信息科技", upper)
    _spread(staff, PRACTICE, "综合实践", upper)
    for name in OFFICE:
        staff.append(Person(name, ["teacher", "office"], [], None))
    staff.append(Person(PRINCIPAL, ["principal", "admin"], [], None))
    staff.append(Person(NEWCOMER, ["teacher"], ["数学"], 1, telegram=False))
    # The office director runs the bot for the school.
    next(p for p in staff if p.name == "张思月").roles.append("admin")
    for name in extra_names(extra, {p.name for p in staff}):
        staff.append(Person(name, ["teacher"], ["语文"], 1 + len(staff) % 6))
    return staff


def _spread(staff: list[Person], names: list[str], subject: str, classes: list[str]) -> None:
    per_person = -(-len(classes) // len(names))
    for index, name in enumerate(names):
        taught = classes[index * per_person : (index + 1) * per_person]
        staff.append(Person(name, ["teacher"], [subject], None, classes=taught))
