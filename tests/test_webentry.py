"""网页填报: the editor's tables hold the template's rows; the workbook built from them reads back through the
one validator to exactly the rows typed, untouched rows left out."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from lib.template import unit_template
from lib.webentry import INDICATOR_COLUMNS, TASK_COLUMNS, entry_file_name, entry_tables, entry_workbook
from lib.workbook import read_workbook


@pytest.mark.parametrize("unit", ["区发改局", "观音垱镇", "区妇联"])
def test_tables_hold_the_templates_rows(plan, unit):
    import io

    from openpyxl import load_workbook
    indicators, tasks = entry_tables(plan, unit, 2025, 3)
    wb = load_workbook(io.BytesIO(unit_template(plan, unit, 2025, 3)))
    template_ids = {name: [r[0] for r in wb[name].iter_rows(min_row=2, values_only=True)] for name in ("指标进度", "任务进度")}
    assert list(indicators.columns) == INDICATOR_COLUMNS and list(tasks.columns) == TASK_COLUMNS
    assert indicators["指标编号"].tolist() == template_ids["指标进度"]
    assert tasks["任务编号"].tolist() == template_ids["任务进度"]
    assert indicators["数值"].isna().all() and tasks["进展状态"].isna().all()     # nothing pre-filled to report


def test_last_value_is_the_latest_before_the_quarter(plan):
    last = pd.DataFrame({"indicator_id": ["Y01", "Y01", "Y01"], "year": [2025, 2025, 2025], "quarter": [1, 2, 3],
                         "value": [7.0, 7.5, 9.9]})
    indicators, _ = entry_tables(plan, "区发改局", 2025, 3, last_values=last)
    assert indicators.set_index("指标编号").at["Y01", "上期数值"] == "7.5%"
    assert indicators.set_index("指标编号").at["Y02", "上期数值"] == "—"


def test_workbook_reads_back_to_the_rows_typed(plan):
    indicators, tasks = entry_tables(plan, "区发改局", 2025, 3)
    indicators.loc[0, ["数值", "备注"]] = [8.5, "  快报 "]
    tasks.loc[1, ["进展状态", "完成进度", "存在问题"]] = ["滞后", 40.0, "资金未到位"]
    entry = entry_workbook(plan, "区发改局", 2025, 3, indicators, tasks)
    assert (entry.indicator_rows, entry.task_rows, entry.skipped) == (1, 1, len(indicators) + len(tasks) - 2)
    assert entry.row_labels == {("指标进度", 2): "Y01", ("任务进度", 2): tasks.loc[1, "任务编号"]}
    result = read_workbook(entry.data, plan, unit="区发改局", file_name=entry_file_name(2025, 3))
    assert result.findings == []
    assert result.indicator_rows[["indicator_id", "year", "quarter", "value", "note", "unit"]].values.tolist() == \
        [["Y01", 2025, 3, 8.5, "快报", "区发改局"]]
    t = result.task_rows.iloc[0]
    assert (t["task_id"], t["state"], t["percent"], t["problems"]) == (tasks.loc[1, "任务编号"], "滞后", 40.0, "资金未到位")
    assert math.isnan(indicators.loc[1, "数值"])            # the input is not changed


def test_nothing_typed_gives_headers_only(plan):
    indicators, tasks = entry_tables(plan, "观音垱镇", 2025, 3)
    entry = entry_workbook(plan, "观音垱镇", 2025, 3, indicators, tasks)
    result = read_workbook(entry.data, plan, unit="观音垱镇")
    assert (entry.indicator_rows, entry.task_rows) == (0, 0)
    assert [(f.code, f.sheet) for f in result.findings] == [("wb.no_rows", "指标进度")]   # the page says so first


@pytest.mark.parametrize("year, quarter, name", [(2026, 3, "网页填报_2026Q3.xlsx"), (2021, 1, "网页填报_2021Q1.xlsx")])
def test_file_name(year, quarter, name):
    assert entry_file_name(year, quarter) == name
