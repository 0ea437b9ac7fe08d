"""催报 (lib/reminders.py): hand-made 报送情况 rows → the exact list and notice text."""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.periods import Period
from lib.reminders import COLUMNS, MAX_ITEMS_IN_TEXT, reminder_list, reminder_text
from lib.reporting import STATE_LATE, STATE_MISSING, STATE_NOT_DUE, STATE_ON_TIME


def status(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "item_type", "item_id", "name", "state", "days_late"])


STATUS = status(
    ("区人社局", "指标", "Y08", "城镇调查失业率", STATE_MISSING, 17),
    ("区人社局", "任务", "T05-02", "促进就业", STATE_MISSING, 17),
    ("区人社局", "指标", "Y10", "基本养老保险参保率", STATE_LATE, 3),        # arrived late: not chased
    ("观音垱镇", "任务", "T01-03", "全面推进乡村振兴", STATE_MISSING, 17),
    ("区发改局", "指标", "Y01", "地区生产总值年均增速", STATE_ON_TIME, None),
    ("区财政局", "指标", "Y04", "地方一般公共预算收入年均增速", STATE_NOT_DUE, None),   # not yet due
)


def test_list_has_one_row_per_unit_with_missing_reports():
    owed = reminder_list(STATUS)
    assert list(owed.columns) == COLUMNS
    assert owed.values.tolist() == [
        ["区人社局", 2, "Y08 城镇调查失业率", "T05-02 促进就业", 17],
        ["观音垱镇", 1, "", "T01-03 全面推进乡村振兴", 17],
    ]


def test_nothing_missing_gives_an_empty_list_and_a_plain_sentence():
    owed = reminder_list(STATUS[STATUS["state"] != STATE_MISSING])
    assert owed.empty and list(owed.columns) == COLUMNS
    assert reminder_text(owed, Period(2025, 3), date(2025, 10, 15), date(2025, 11, 1)) == \
        "截至2025年11月1日,各单位2025年第3季度规划实施进度均已报送,无需催报。"


def test_notice_text():
    text = reminder_text(reminder_list(STATUS), Period(2025, 3), date(2025, 10, 15), date(2025, 11, 1))
    lines = text.split("\n")
    assert lines[0] == "关于催报2025年第3季度规划实施进度的通知"
    assert lines[2] == "区人社局、观音垱镇:"
    assert lines[4] == "2025年第3季度规划实施进度报送截止日期为2025年10月15日。截至2025年11月1日,以下单位仍有事项未报送:"
    assert lines[6:8] == ["1. 区人社局(逾期 17 天,2 项)——指标:Y08 城镇调查失业率;任务:T05-02 促进就业",
                          "2. 观音垱镇(逾期 17 天,1 项)——任务:T01-03 全面推进乡村振兴"]
    assert "「数据填报」" in text and lines[-2:] == ["区发改局", "2025年11月1日"]


def test_a_long_list_is_shortened_in_the_notice_but_not_in_the_download():
    many = status(*[("锣场镇", "任务", f"T01-{n:02d}", f"任务{n}", STATE_MISSING, 5) for n in range(1, 13)])
    owed = reminder_list(many)
    assert owed.at[0, "缺报任务"].count("、") == 11
    line = reminder_text(owed, Period(2025, 3), date(2025, 10, 15), date(2025, 10, 20)).split("\n")[6]
    assert line.endswith(f"T01-{MAX_ITEMS_IN_TEXT:02d} 任务{MAX_ITEMS_IN_TEXT}等 12 项")
