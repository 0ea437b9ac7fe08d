"""Frame → typed frame by the schema (lib/coerce.py): types, and every finding with its row and column."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from lib.coerce import coerce
from lib.schema import INDICATOR_SHEET, TASK_SHEET


def frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


GOOD_TASKS = "task_id,year,quarter,state,percent,unit,row\nT01-01,2023,2,推进中,40,区发改局,2\n"


def test_types_follow_the_schema_and_missing_optional_columns_are_empty():
    out = coerce(frame(GOOD_TASKS), TASK_SHEET, keep=("row",))
    assert out.findings == []
    assert dict(out.frame.dtypes.astype(str)) == {
        "task_id": "object", "year": "int64", "quarter": "int64", "state": "object", "percent": "float64",
        "progress": "object", "problems": "object", "next_steps": "object", "unit": "object", "row": "int64"}
    assert out.records() == [{"task_id": "T01-01", "year": 2023, "quarter": 2, "state": "推进中", "percent": 40.0,
                              "progress": "", "problems": "", "next_steps": "", "unit": "区发改局", "row": 2}]


@pytest.mark.parametrize("cells, expected", [
    ("T01-01,2023,5,推进中,40,区发改局", [("coerce.out_of_range", 3, "季度", "5")]),
    ("T01-01,2023,2,推进中,101,区发改局", [("coerce.out_of_range", 3, "完成进度", "101")]),
    ("T01-01,2023,2,停滞,40,区发改局", [("coerce.bad_choice", 3, "进展状态", "停滞")]),
    ("T01-01,二〇二三,2,推进中,40,区发改局", [("coerce.not_number", 3, "年份", "二〇二三")]),
    ("T01-01,2023.5,2,推进中,40,区发改局", [("coerce.not_number", 3, "年份", "2023.5")]),
    (" ,2023,2,推进中,abc,区发改局", [("coerce.required_empty", 3, "任务编号", ""),
                                    ("coerce.not_number", 3, "完成进度", "abc")]),
])
def test_every_bad_cell_is_a_finding_at_its_row_and_column(cells, expected):
    out = coerce(frame(GOOD_TASKS + cells + ",3\n"), TASK_SHEET, keep=("row",))
    assert [(f.code, f.row, f.column, f.value) for f in out.findings] == expected
    assert len(out.frame) == 2   # nothing dropped: the caller decides


def test_required_column_missing_is_named_and_empty_cells_of_it_are_none():
    out = coerce(frame("indicator_id,year,quarter,unit\nY01,2023,4,区统计局\n"), INDICATOR_SHEET)
    assert out.missing_columns == ["value"]
    assert [(f.code, f.column) for f in out.findings] == [("coerce.column_missing", "数值"), ("coerce.required_empty", "数值")]
    assert out.frame["annual_target"].isna().all() and out.frame.at[0, "note"] == ""


def test_int_column_with_an_empty_cell_stays_nullable():
    out = coerce(frame("indicator_id,year,quarter,value,unit\nY01,2023,,5,区统计局\n"), INDICATOR_SHEET)
    assert str(out.frame["quarter"].dtype) == "Int64"
    assert [(f.code, f.column) for f in out.findings] == [("coerce.required_empty", "季度")]


MIXED_TASKS = pd.DataFrame({
    "task_id": ["T01-01", "T01-01", " ", "T01-02"],
    "year": [2023, "x", None, 2024.0],
    "quarter": [5, 9, "2.5", 0],
    "state": ["推进中", "停滞", "", "已完成"],
    "percent": [40.0, 101.5, float("nan"), -2],
    "unit": ["区发改局", None, "区发改局", "  区发改局 "],
    "row": [2, 3, 4, 5]}, dtype=object)


@pytest.mark.parametrize("row_column, rows", [(True, {0: 2, 1: 3, 2: 4, 3: 5}), (False, {i: None for i in range(4)})])
def test_findings_of_many_rows_come_column_by_column_with_bad_numbers_first(row_column, rows):
    """A table of rows with several bad cells each → the exact findings, in their order: column by column
    (schema order); in a column, the cells that are not numbers first, then the rest in row order."""
    frame = MIXED_TASKS if row_column else MIXED_TASKS.drop(columns="row")
    out = coerce(frame, TASK_SHEET, keep=("row",))
    assert [(f.code, f.row, f.column, f.value) for f in out.findings] == [
        ("coerce.required_empty", rows[2], "任务编号", ""),
        ("coerce.not_number", rows[1], "年份", "x"),
        ("coerce.required_empty", rows[2], "年份", ""),
        ("coerce.not_number", rows[2], "季度", "2.5"),
        ("coerce.out_of_range", rows[0], "季度", "5"),
        ("coerce.out_of_range", rows[1], "季度", "9"),
        ("coerce.out_of_range", rows[3], "季度", "0"),
        ("coerce.bad_choice", rows[1], "进展状态", "停滞"),
        ("coerce.required_empty", rows[2], "进展状态", ""),
        ("coerce.out_of_range", rows[1], "完成进度", "101.5"),
        ("coerce.required_empty", rows[2], "完成进度", ""),
        ("coerce.out_of_range", rows[3], "完成进度", "-2"),
        ("coerce.required_empty", rows[1], "填报单位", "")]
    assert out.frame["task_id"].tolist() == ["T01-01", "T01-01", None, "T01-02"]
    assert out.frame["unit"].tolist() == ["区发改局", None, "区发改局", "区发改局"]
    assert out.frame["progress"].tolist() == ["", "", "", ""]
    assert str(out.frame["year"].dtype) == "Int64" and out.frame["year"].tolist()[::3] == [2023, 2024]
