"""The duty-roster import parser: good rows, every kind of bad row, and the demo school's file."""

from __future__ import annotations

from datetime import time

from demo.files import duty_file
from demo.roster import OFFICE, people
from rules import import_duty
from rules.import_errors import ImportFailed, RowError
from rules.rota import ROTATION, WEEKDAY
from rules.tabular import Sheet, match_columns, read_table


def sheet(text: str | bytes) -> Sheet:
    data = text.encode() if isinstance(text, str) else text
    return match_columns(read_table(data), import_duty.COLUMNS)


def where(errors: list[RowError]) -> list[tuple[int | None, object, str]]:
    return [(e.line, e.column, e.key) for e in ImportFailed(errors).errors]


def test_the_demo_schools_file_parses_without_errors() -> None:
    parsed = import_duty.parse_duty(sheet(duty_file(people())))
    assert parsed.errors == []
    patrol = [r for r in parsed.records if r.post == "巡课（上午）"]
    assert [(r.weekday, r.teacher) for r in patrol] == list(zip(range(1, 6), OFFICE, strict=True))
    gate = [r for r in parsed.records if r.post == "护学岗（早）"]
    assert [r.order for r in gate] == list(range(1, 11))
    assert {r.mode for r in gate} == {ROTATION} and {r.mode for r in patrol} == {WEEKDAY}
    assert (gate[0].start, gate[0].end) == (time(7, 20), time(7, 50))


def test_rows_as_offices_type_them() -> None:
    parsed = import_duty.parse_duty(
        sheet(
            "岗位,开始,结束,星期,顺序,教师\n"
            "巡课,8：00,11:30,星期一,,景佳梅\n"
            "护学岗,07:20,07:50,,第2位,雷琴华\n"
            "护学岗,07:20,07:50,,1,王晴晴\n"
            "护学岗,11:20,11:55,,1,王晴晴\n"
        )
    )
    assert parsed.errors == []
    patrol, second, first, noon = parsed.records
    assert (patrol.start, patrol.weekday) == (time(8, 0), 1)
    assert (second.order, first.order) == (2, 1)
    # The same name with another window is another post.
    assert first.post_key != noon.post_key


def test_english_headers() -> None:
    parsed = import_duty.parse_duty(
        sheet("Post,Start,End,Weekday,Teacher\nGate,07:20,07:50,Mon,Wang\n")
    )
    assert parsed.errors == [] and parsed.records[0].weekday == 1


def test_bad_rows_are_located_by_line_and_column() -> None:
    parsed = import_duty.parse_duty(
        sheet(
            "岗位,开始,结束,星期,顺序,教师\n"
            "巡课,08:00,11:30,周一,1,景佳梅\n"  # 2: both
            "巡课,08:00,11:30,,,景佳梅\n"  # 3: neither
            "巡课,08:00,11:30,周六,,景佳梅\n"  # 4: a weekend
            "护学岗,07:20,07:50,,零,王晴晴\n"  # 5: not an order
            "护学岗,07:50,07:20,,1,王晴晴\n"  # 6: ends before it starts
            "巡课,08:00,11:30,周二,,雷琴华\n"  # 7: good
            "巡课,08:00,11:30,周二,,王晴晴\n"  # 8: Tuesday taken (line 7)
            "巡课,08:00,12:00,周三,,王晴晴\n"  # 9: another end for the same post
            "巡课,08:00,11:30,,3,王晴晴\n"  # 10: weekday post given an order
            ",08:00,11:30,周四,,\n"  # 11: no post, no teacher
            "护学岗,07:20,07:50,,2,周雅琴\n"  # 12: good
            "护学岗,07:20,07:50,,2,吴晓梅\n"  # 13: place 2 taken (line 12)
        )
    )
    assert where(parsed.errors) == [
        (2, "顺序", "import.err.duty_both"),
        (3, None, "import.err.duty_neither"),
        (4, "星期", "import.err.duty_weekend"),
        (5, "顺序", "import.err.bad_order"),
        (6, "结束", "import.err.start_after_end"),
        (8, "星期", "import.err.duty_weekday_taken"),
        (9, "结束", "import.err.duty_window"),
        (10, None, "import.err.duty_mixed"),
        (11, "岗位", "import.err.required"),
        (11, "教师", "import.err.required"),
        (13, "顺序", "import.err.duty_order_taken"),
    ]
    taken = next(e for e in parsed.errors if e.key == "import.err.duty_weekday_taken")
    assert taken.values["other_line"] == 7


def test_unknown_people_get_the_nearest_names() -> None:
    table = sheet("岗位,开始,结束,星期,教师\n巡课,08:00,11:30,周一,景佳眉\n")
    parsed = import_duty.parse_duty(table)
    errors = import_duty.unknown_people(table, parsed.records, ["景佳梅", "雷琴华"])
    assert [(e.line, e.key, e.values["suggestions"]) for e in errors] == [
        (2, "import.err.unknown_teacher_close", ["景佳梅"])
    ]
