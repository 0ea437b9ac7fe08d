"""Reading and validating progress workbooks: each named fixture yields exactly its (code, sheet, row, column)
tuples; leniency, the submitting unit, known targets, attacker-style cells and the message catalogue."""
from __future__ import annotations

import ast
import datetime as dt
import math
import string
from pathlib import Path

import pandas as pd
import pytest

from lib.messages import MESSAGES
from lib.workbook import (INDICATOR_COLUMNS, TASK_COLUMNS, WorkbookResult, parse_number, parse_quarter, parse_year,
                          read_workbook)
from lib.xlsx import workbook_bytes, write_progress_workbook
from scripts.make_bad_fixtures import BAD, GOOD_INDICATORS, GOOD_TASKS, minimal_xls
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
IND, TASK = "指标进度", "任务进度"

# fixture → every finding it must give, exactly: (code, sheet, row, column)
EXPECTED: dict[str, list[tuple[str, str, int | None, str]]] = {
    "unknown-id": [("wb.unknown_indicator", IND, 4, "指标编号")],
    "unknown-unit": [("wb.unknown_unit", IND, 3, "填报单位")],
    "unit-is-group": [("wb.unit_is_group", IND, 3, "填报单位")],
    "not-responsible": [("wb.not_responsible", IND, 4, "填报单位")],
    "year-outside-plan": [("wb.year_outside_plan", IND, 3, "年份")],
    "year-not-number": [("wb.year_invalid", IND, 3, "年份")],
    "bad-quarter": [("wb.quarter_invalid", IND, 3, "季度")],
    "value-not-number": [("wb.not_number", IND, 3, "数值")],
    "value-boolean": [("wb.not_number", IND, 3, "数值")],
    "value-empty": [("wb.value_empty", IND, 4, "数值")],
    "date-in-number-cell": [("wb.date_not_number", IND, 4, "数值")],
    "share-above-100": [("wb.value_out_of_bounds", IND, 8, "数值")],
    "negative-count": [("wb.value_out_of_bounds", IND, 7, "数值")],
    "percent-as-fraction": [("wb.percent_as_fraction", IND, 8, "数值")],
    "percent-formatted-value": [("wb.percent_formatted_value", IND, 3, "数值")],
    "duplicate-period": [("wb.duplicate_period", IND, 3, "指标编号")],
    "target-conflict": [("wb.target_conflict", IND, 6, "年度目标值")],
    "text-too-long": [("wb.text_too_long", IND, 2, "备注")],
    "missing-sheet": [("wb.sheet_missing", "", None, "")],
    "missing-column": [("wb.column_missing", IND, 1, "填报单位")],
    "duplicate-column": [("wb.column_duplicate", IND, 1, "数值")],
    "header-not-first-row": [("wb.header_not_first_row", IND, 1, "")],
    "no-rows": [("wb.no_rows", IND, None, "")],
    "sheet-too-large": [("wb.sheet_too_large", IND, None, "")],
    "formula-without-cached-value": [("wb.formula_no_value", IND, 4, "数值")],
    "error-cell": [("wb.cell_error", IND, 4, "数值")],
    "merged-cells": [("wb.merged_cells", IND, 2, "填报单位")],
    "unknown-task": [("wb.unknown_task", TASK, 3, "任务编号")],
    "unknown-task-state": [("wb.unknown_state", TASK, 3, "进展状态")],
    "percent-complete-above-100": [("wb.percent_out_of_range", TASK, 4, "完成进度")],
    "percent-complete-not-number": [("wb.not_number", TASK, 4, "完成进度")],
    "task-duplicate-period": [("wb.duplicate_period", TASK, 3, "任务编号")],
    # warnings: the file may still be committed
    "implausible-value": [("wb.value_implausible", IND, 3, "数值")],
    "name-mismatch": [("wb.name_mismatch", IND, 4, "指标名称")],
    "quota-without-target": [("wb.quota_without_target", IND, 5, "年度目标值")],
    "target-not-quota": [("wb.target_not_quota", IND, 2, "年度目标值")],
    "extra-column": [("wb.column_extra", IND, 1, "联系人")],
    "percent-formatted-progress": [("wb.percent_converted", TASK, 4, "完成进度")],
}
WARNING_FIXTURES = {"implausible-value", "name-mismatch", "quota-without-target", "target-not-quota", "extra-column",
                    "percent-formatted-progress"}


def tuples(result: WorkbookResult) -> list[tuple[str, str, int | None, str]]:
    return [(f.code, f.sheet, f.row, f.column) for f in result.findings]


def read_rows(plan, indicators: pd.DataFrame | None = None, tasks: pd.DataFrame | None = None, **kw) -> WorkbookResult:
    return read_workbook(workbook_bytes(write_progress_workbook(indicators, tasks)), plan, **kw)


def test_every_bad_fixture_is_listed_and_there_are_enough():
    on_disk = {p.stem for p in (FIXTURES / "bad").glob("*.xlsx")}
    assert on_disk == set(BAD) == set(EXPECTED)
    assert len(on_disk) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture(plan, name):
    result = read_workbook(FIXTURES / "bad" / f"{name}.xlsx", plan)
    assert result.readable
    assert tuples(result) == EXPECTED[name]
    assert result.ok is (name in WARNING_FIXTURES)


def test_good_fixture_reads_cleanly(plan):
    result = read_workbook(FIXTURES / "good" / "progress-good.xlsx", plan, unit="区发改局")
    assert result.findings == [] and result.ok and result.readable
    ind, tasks = result.indicator_rows, result.task_rows
    assert list(ind.columns) == INDICATOR_COLUMNS and list(tasks.columns) == TASK_COLUMNS
    assert ind["row"].tolist() == list(range(2, 2 + len(GOOD_INDICATORS)))
    assert ind["value"].tolist() == GOOD_INDICATORS["value"].tolist()
    assert ind.loc[ind["indicator_id"] == "B01", "annual_target"].iloc[0] == 3.0
    assert str(ind["year"].dtype) == "int64" and str(ind["value"].dtype) == "float64"
    assert tasks["percent"].tolist() == [40.0, 55.0, 60.0]
    assert tasks["next_steps"].iloc[0] == "征求意见"


def test_fixture_messages_name_what_to_do(plan):
    result = read_workbook(FIXTURES / "bad" / "value-not-number.xlsx", plan)
    assert result.findings[0].text == "指标进度 第3行「数值」: “约8.7” 不是数字,请只填写数字,如 8.5"


def test_old_format_xls_is_read_like_xlsx(plan):
    result = read_workbook(minimal_xls(), plan, file_name="old.xls")
    assert result.readable and result.findings == []
    assert result.indicator_rows.drop(columns="row").equals(
        read_workbook(FIXTURES / "good" / "progress-good.xlsx", plan).indicator_rows.drop(columns="row"))


def test_xls_with_errors_reports_them(plan):
    bad = GOOD_INDICATORS.copy().astype(object)
    bad.loc[1, "indicator_id"] = "Y77"
    result = read_workbook(minimal_xls(bad), plan, file_name="old.xls")
    assert tuples(result) == [("wb.unknown_indicator", IND, 3, "指标编号")]


# --- leniency ---------------------------------------------------------------------------------------

def test_clerk_spellings_are_forgiven(plan):
    messy = pd.DataFrame([
        dict(indicator_id=" y01 ", year="２０２３", quarter="Q1", value="８.５", unit="区发展和改革局"),
        dict(indicator_id="Y01", year=2023.0, quarter="二季度", value=" 8.7 ", unit=" 区发改局 "),
        dict(indicator_id="y02", year="2023年", quarter="第三季度", value="9.1%", unit="区发改局"),
        dict(indicator_id="Y02", year=2023, quarter=4.0, value=9, unit="区发改局"),
        dict(indicator_id="K02", year=2023, quarter="1", value="6,00", unit="区发改局"),
    ])
    messy.loc[4, "value"] = "  ６００ "
    result = read_rows(plan, messy, unit="区发展和改革局")
    assert result.findings == []
    ind = result.indicator_rows
    assert ind["indicator_id"].tolist() == ["Y01", "Y01", "Y02", "Y02", "K02"]
    assert ind["quarter"].tolist() == [1, 2, 3, 4, 1]
    assert ind["value"].tolist() == [8.5, 8.7, 9.1, 9.0, 600.0]
    assert set(ind["unit"]) == {"区发改局"}


def test_header_spaces_blank_rows_and_positions(plan):
    data = workbook_bytes(write_progress_workbook(GOOD_INDICATORS.iloc[:2], None))
    from openpyxl import load_workbook
    import io
    wb = load_workbook(io.BytesIO(data))
    ws = wb[IND]
    ws.cell(1, 1, " 指标 编号 ")
    ws.insert_rows(3, amount=2)           # two blank rows between the data rows
    ws.cell(6, 1, "Y77")                  # a bad row below them keeps its own Excel row number
    out = io.BytesIO()
    wb.save(out)
    result = read_workbook(out.getvalue(), plan)
    assert [(f.code, f.row, f.column) for f in result.findings] == [
        ("wb.unknown_indicator", 6, "指标编号"), ("wb.required_empty", 6, "年份"), ("wb.required_empty", 6, "季度"),
        ("wb.required_empty", 6, "填报单位"), ("wb.value_empty", 6, "数值")]
    assert result.indicator_rows["row"].tolist() == [2, 5]


def test_thousands_separators(plan):
    rows = pd.DataFrame([dict(indicator_id="K06", year=2023, quarter=1, value="1,234", unit="区人社局")])
    result = read_rows(plan, rows)
    assert result.findings == [] and result.indicator_rows["value"].tolist() == [1234.0]


def test_target_only_row_carries_no_value(plan):
    rows = pd.DataFrame([dict(indicator_id="B01", year=2024, quarter=1, annual_target=3.2, unit="区发改局")])
    result = read_rows(plan, rows)
    assert result.findings == []
    assert math.isnan(result.indicator_rows["value"].iloc[0]) and result.indicator_rows["annual_target"].iloc[0] == 3.2


# --- every problem in one pass ------------------------------------------------------------------------

def test_all_problems_in_one_pass(plan):
    rows = pd.DataFrame([
        dict(indicator_id="Y99", year=2019, quarter=7, value="x", unit="无名局"),
        dict(indicator_id="Y03", year=2023, quarter=1, value=0.9, unit="区发改局"),
        dict(indicator_id="Y03", year=2023, quarter=1, value=150, unit="区发改局"),
    ])
    tasks = pd.DataFrame([dict(task_id="T01-01", year=2023, quarter=1, state="搞定", percent=-5, unit="区发改局")])
    result = read_rows(plan, rows, tasks)
    assert [(f.code, f.row) for f in result.findings] == [
        ("wb.unknown_indicator", 2), ("wb.year_outside_plan", 2), ("wb.quarter_invalid", 2), ("wb.unknown_unit", 2),
        ("wb.not_number", 2), ("wb.percent_as_fraction", 3), ("wb.value_out_of_bounds", 4), ("wb.duplicate_period", 4),
        ("wb.unknown_state", 2), ("wb.percent_out_of_range", 2)]
    assert result.indicator_rows.empty and not result.ok


# --- the submitting unit and targets on record ----------------------------------------------------------

def test_rows_of_another_unit_are_errors(plan):
    result = read_workbook(FIXTURES / "good" / "progress-good.xlsx", plan, unit="区财政局")
    assert {f.code for f in result.findings} == {"wb.unit_mismatch"}
    assert len(result.findings) == len(GOOD_INDICATORS) + len(GOOD_TASKS)


def test_submitter_must_answer_for_the_item(plan):
    rows = pd.DataFrame([dict(indicator_id="Y08", year=2023, quarter=1, value=5.1, unit="区发改局")])
    assert tuples(read_rows(plan, rows, unit="区发改局")) == [("wb.not_responsible", IND, 2, "填报单位")]


def test_group_membership_counts_as_responsible(plan):
    rows = pd.DataFrame([dict(indicator_id="K07", year=2023, quarter=1, value=4, unit="锣场镇")])
    assert read_rows(plan, rows, unit="锣场镇").findings == []


def test_unknown_submitter(plan):
    result = read_workbook(FIXTURES / "good" / "progress-good.xlsx", plan, unit="区发该局")
    assert tuples(result) == [("wb.submitter_unknown", "", None, "")]


def test_known_target_silences_quota_warning_and_changes_are_shown(plan):
    path = FIXTURES / "bad" / "quota-without-target.xlsx"
    known = pd.DataFrame([dict(indicator_id="B01", year=2023, annual_target=2.8)])
    assert read_workbook(path, plan, known_targets=known).findings == []
    good = FIXTURES / "good" / "progress-good.xlsx"
    assert tuples(read_workbook(good, plan, known_targets=known)) == [("wb.target_changed", IND, 5, "年度目标值")]


# --- attacker-style cells ----------------------------------------------------------------------------------

def test_formula_like_text_is_kept_as_text_and_control_characters_dropped(plan, tmp_path):
    """Text cells (not formulas) that start with = + - @ are stored verbatim, never evaluated."""
    import xlsxwriter
    path = tmp_path / "text.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(IND)
    ws.write_row(0, 0, ["指标编号", "年份", "季度", "数值", "填报单位", "备注"])
    ws.write_row(1, 0, ["Y01", 2023, 1, 8.5, "区发改局"])
    ws.write_string(1, 5, '=HYPERLINK("http://x")\x07 @SUM(1)')
    ws.write_string(2, 0, "=Y01")
    ws.write_row(2, 1, [2023, 2, 8.6, "区发改局"])
    book.close()
    result = read_workbook(path, plan)
    assert tuples(result) == [("wb.unknown_indicator", IND, 3, "指标编号")]
    assert result.indicator_rows["note"].tolist() == ['=HYPERLINK("http://x") @SUM(1)']


@pytest.mark.parametrize("value", ["+8.5+1", "@8", "nan", "inf", "-inf", "1e999", "8,5", "8.5.1", "TRUE"])
def test_strings_that_are_not_plain_numbers(plan, value):
    rows = GOOD_INDICATORS.iloc[:1].astype(object).copy()
    rows.loc[0, "value"] = value
    assert tuples(read_rows(plan, rows)) == [("wb.not_number", IND, 2, "数值")]


def test_percent_sign_only_for_percent_indicators(plan):
    rows = pd.DataFrame([dict(indicator_id="K02", year=2023, quarter=1, value="600%", unit="区发改局")])
    assert tuples(read_rows(plan, rows)) == [("wb.not_number", IND, 2, "数值")]


@pytest.mark.parametrize("text, expected", [
    (1, 1), (4.0, 4), ("1.0", 1), ("Q3", 3), ("q2", 2), ("三季度", 3), ("第四季度", 4), ("第1季度", 1), ("Ｑ１", 1),
    (0, None), (5, None), (2.5, None), ("Q5", None), ("2023Q1", None), (True, None), ("", None), ("上半年", None),
])
def test_parse_quarter(text, expected):
    assert parse_quarter(text) == expected


@pytest.mark.parametrize("text, expected", [
    (2023, 2023), (2023.0, 2023), ("2023", 2023), ("2023年", 2023), ("２０２３", 2023),
    (2023.5, None), ("23", None), (True, None), (dt.datetime(2023, 1, 1), None), ("二〇二三", None),
])
def test_parse_year(text, expected):
    assert parse_year(text) == expected


@pytest.mark.parametrize("value, expected", [
    (8.5, (8.5, "ok", False)), (8, (8.0, "ok", False)), (" 8.5 ", (8.5, "ok", False)), ("９.５", (9.5, "ok", False)),
    ("−3", (-3.0, "ok", False)), ("9.5%", (9.5, "ok", True)), ("1,234.5", (1234.5, "ok", False)),
    ("", (None, "empty", False)), (float("nan"), (None, "empty", False)), (float("inf"), (None, "bad", False)),
    (False, (None, "bad", False)), (dt.datetime(2023, 5, 1), (None, "date", False)), ("约8.5", (None, "bad", False)),
])
def test_parse_number(value, expected):
    assert parse_number(value) == expected


# --- the message catalogue: wording tested once ------------------------------------------------------------

def _codes_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and n.value.startswith(("wb.", "file.")) and n.value.count(".") == 1 and " " not in n.value}


WORKBOOK_MODULES = ("workbook.py", "bookscan.py", "cells.py", "sheetcheck.py", "sheetxml.py", "filecheck.py",
                    "findings.py", "readworker.py")


def _workbook_codes() -> set[str]:
    return set().union(*(_codes_used(ROOT / "lib" / name) for name in WORKBOOK_MODULES))


def test_every_code_used_has_a_template_that_renders():
    used = _workbook_codes()
    assert len(used) > 40
    assert sorted(used - set(MESSAGES)) == []
    for code in used:
        fields = {f for _, f, _, _ in string.Formatter().parse(MESSAGES[code]) if f}
        text = MESSAGES[code].format(**{f: "样例" for f in fields})
        assert "样例" in text or not fields
        assert "{" not in text


def test_catalogue_has_no_unused_workbook_codes():
    used = _workbook_codes()
    mine = {c for c in MESSAGES if c.startswith(("wb.", "file."))}
    assert sorted(mine - used) == []


# --- stored rows checked without a file (lib.workbook.check_rows: the re-check of rows-only submissions) ------

ROW_CASES = {
    "clean": (pd.DataFrame([dict(indicator_id="Y03", year=2023, quarter=1, value=85.5, unit="区发改局")]), None, None),
    "every problem": (
        pd.DataFrame([dict(indicator_id="Y99", year=2019, quarter=7, value="x", unit="无名局"),
                      dict(indicator_id="Y03", year=2023, quarter=1, value=0.9, unit="区发改局"),
                      dict(indicator_id="Y03", year=2023, quarter=1, value=150, unit="区发改局")]),
        pd.DataFrame([dict(task_id="T01-01", year=2023, quarter=1, state="搞定", percent=-5, unit="区发改局")]), None),
    "not responsible": (pd.DataFrame([dict(indicator_id="Y08", year=2023, quarter=1, value=5.1, unit="区发改局")]),
                        None, "区发改局"),
    "tasks only": (None, pd.DataFrame([dict(task_id="T01-01", year=2023, quarter=2, state="推进中", percent=40.0,
                                            unit="区发改局")]), None),
}


@pytest.mark.parametrize("case", list(ROW_CASES))
def test_stored_rows_get_the_findings_their_workbook_gets(plan, case):
    from lib.workbook import check_rows
    indicators, tasks, unit = ROW_CASES[case]
    direct = check_rows(indicators, tasks, plan, unit=unit)
    via_file = read_rows(plan, indicators if indicators is not None else pd.DataFrame(columns=["indicator_id"]), tasks,
                         unit=unit)
    assert tuples(direct) == tuples(via_file)
    if case == "clean":
        assert direct.findings == [] and direct.indicator_rows["value"].tolist() == [85.5]
