"""The on-screen findings table: where each finding is, in words (全表 where there is no row), no codes."""
from __future__ import annotations

import pytest

from lib.findings import DISPLAY_COLUMNS, Finding, Severity, findings_display, findings_frame, where

E, W = Severity.ERROR, Severity.WARNING


@pytest.mark.parametrize("sheet, row, column, labels, expected", [
    ("指标进度", 5, "数值", None, "指标进度 第5行「数值」"),
    ("指标进度", 5, "", None, "指标进度 第5行"),
    ("指标进度", None, "数值", None, "指标进度「数值」列"),
    ("指标进度", None, "", None, "指标进度 全表"),
    ("", None, "", None, "全表"),
    ("", None, "填报单位", None, "「填报单位」列"),
    ("指标进度", 3, "数值", {("指标进度", 3): "Y03"}, "指标进度 Y03「数值」"),
    ("任务进度", 2, "", {("任务进度", 2): "T01-01"}, "任务进度 T01-01"),
    ("任务进度", 9, "进展状态", {("任务进度", 2): "T01-01"}, "任务进度 第9行「进展状态」"),   # unlabelled row
])
def test_where(sheet, row, column, labels, expected):
    assert where(Finding("x.code", E, "说明", sheet, row, column), labels) == expected


def test_display_has_no_code_and_no_none_but_the_download_keeps_codes():
    found = [Finding("wb.rows_not_filled", W, "有 2 行只有编号", "指标进度", None, "", "3、4"),
             Finding("wb.not_number", E, "“约8” 不是数字", "指标进度", 2, "数值", "约8")]
    shown = findings_display(found)
    assert list(shown.columns) == DISPLAY_COLUMNS
    assert shown.values.tolist() == [["警告", "指标进度 全表", "3、4", "有 2 行只有编号"],
                                     ["错误", "指标进度 第2行「数值」", "约8", "“约8” 不是数字"]]
    assert list(findings_frame(found)["代码"]) == ["wb.rows_not_filled", "wb.not_number"]
