"""The per-unit template (lib/template.py): structure, Excel conveniences, and the round trip through the
upload validator (lib.workbook.read_workbook) after a clerk fills it in with openpyxl."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from lib.schema import INDICATOR_SHEET, TASK_SHEET, TASK_STATES
from lib.template import INSTRUCTIONS_SHEET, report_deadline, template_file_name, unit_template
from lib.workbook import read_workbook
from tests.conftest import ROOT

YEAR, QUARTER = 2023, 2
UNITS = ["区人社局", "胜利街道", "区生态环境分局", "区人大常委会办公室"]
LAST_VALUES = pd.DataFrame({
    "indicator_id": ["Y08", "Y08", "Y08", "K06", "B03"],
    "year": [2022, 2023, 2023, 2022, 2021],
    "quarter": [4, 1, 2, 4, 4],          # 2023Q2 is the template's own quarter: not "上期"
    "value": [5.3, 5.1, 4.9, 8500.0, 91.2],
})


def open_book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def header(ws: Worksheet) -> list[str]:
    return [c.value for c in ws[1]]


def column(ws: Worksheet, table, name: str) -> list:
    idx = table.names.index(name) + 1
    return [ws.cell(row=r, column=idx).value for r in range(2, ws.max_row + 1)]


def cell(ws: Worksheet, table, name: str, row: int):
    return ws.cell(row=row, column=table.names.index(name) + 1)


@pytest.fixture(scope="module")
def templates(plan) -> dict[str, bytes]:
    return {unit: unit_template(plan, unit, YEAR, QUARTER, LAST_VALUES) for unit in UNITS}


def items(plan, unit: str, item_type: str) -> list[tuple[str, str]]:
    resp = plan.responsibilities(unit)
    resp = resp[resp["item_type"] == item_type]
    return list(zip(resp["item_id"], resp["name"]))


# --- structure -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", UNITS)
def test_sheets_headers_and_rows(plan, templates, unit):
    wb = open_book(templates[unit])
    assert wb.sheetnames == [INDICATOR_SHEET.label, TASK_SHEET.label, INSTRUCTIONS_SHEET]
    ind, task = wb[INDICATOR_SHEET.label], wb[TASK_SHEET.label]
    assert header(ind) == INDICATOR_SHEET.labels
    assert header(task) == TASK_SHEET.labels
    assert list(zip(column(ind, INDICATOR_SHEET, "indicator_id"), column(ind, INDICATOR_SHEET, "indicator_name"))) \
        == items(plan, unit, "指标")
    assert list(zip(column(task, TASK_SHEET, "task_id"), column(task, TASK_SHEET, "task_name"))) == items(plan, unit, "任务")
    for ws, table in ((ind, INDICATOR_SHEET), (task, TASK_SHEET)):
        n = ws.max_row - 1
        assert column(ws, table, "year") == [YEAR] * n
        assert column(ws, table, "quarter") == [QUARTER] * n
        assert column(ws, table, "unit") == [unit] * n
    for name in ("value", "annual_target", "note"):
        assert set(column(ind, INDICATOR_SHEET, name)) <= {None}
    for name in ("state", "percent", "progress", "problems", "next_steps"):
        assert set(column(task, TASK_SHEET, name)) <= {None}


def test_row_counts(templates):
    counts = {u: (open_book(d)[INDICATOR_SHEET.label].max_row - 1, open_book(d)[TASK_SHEET.label].max_row - 1)
              for u, d in templates.items()}
    assert counts == {"区人社局": (6, 14), "胜利街道": (8, 36), "区生态环境分局": (5, 13), "区人大常委会办公室": (0, 1)}


def test_alias_gives_the_canonical_unit(plan):
    wb = open_book(unit_template(plan, "区人力资源和社会保障局", YEAR, QUARTER))
    assert set(column(wb[TASK_SHEET.label], TASK_SHEET, "unit")) == {"区人社局"}


@pytest.mark.parametrize("unit, year, quarter", [
    ("区宇宙局", 2023, 1), ("各镇、街道", 2023, 1), ("区人社局", 2020, 4), ("区人社局", 2026, 1), ("区人社局", 2023, 5),
])
def test_bad_requests(plan, unit, year, quarter):
    with pytest.raises(ValueError):
        unit_template(plan, unit, year, quarter)


def test_file_name_and_deadline():
    assert template_file_name("区人社局", 2023, 2) == "进度填报_区人社局_2023Q2.xlsx"
    assert report_deadline(2023, 2, 15) == dt.date(2023, 7, 15)
    assert report_deadline(2023, 4, 15) == dt.date(2024, 1, 15)
    assert report_deadline(2024, 1, 0) == dt.date(2024, 3, 31)


# --- Excel conveniences ------------------------------------------------------------------------------------

def validations(ws: Worksheet) -> list[tuple[str, str | None, str | None, set[str]]]:
    out = []
    for dv in ws.data_validations.dataValidation:
        cells = {c.coordinate for rng in dv.sqref.ranges for row in ws.iter_rows(
            min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col) for c in row}
        out.append((dv.type, dv.formula1, dv.formula2, cells))
    return out


def coords(ws: Worksheet, table, name: str) -> set[str]:
    return {cell(ws, table, name, r).coordinate for r in range(2, ws.max_row + 1)}


def test_data_validation(templates):
    wb = open_book(templates["区生态环境分局"])
    ind, task = wb[INDICATOR_SHEET.label], wb[TASK_SHEET.label]
    ind_rules, task_rules = validations(ind), validations(task)
    assert ("list", '"1,2,3,4"', None, coords(ind, INDICATOR_SHEET, "quarter")) in ind_rules
    assert ("list", '"1,2,3,4"', None, coords(task, TASK_SHEET, "quarter")) in task_rules
    assert ("whole", "2021", "2025", coords(task, TASK_SHEET, "year")) in task_rules
    assert ("list", '"' + ",".join(TASK_STATES) + '"', None, coords(task, TASK_SHEET, "state")) in task_rules
    assert ("decimal", "0", "100", coords(task, TASK_SHEET, "percent")) in task_rules
    decimal_cells = set().union(*(c for kind, _, _, c in ind_rules if kind == "decimal"))
    quota_rows = [r for r in range(2, ind.max_row + 1) if cell(ind, INDICATOR_SHEET, "indicator_id", r).value in ("B02", "B03", "B04")]
    assert decimal_cells == coords(ind, INDICATOR_SHEET, "value") | {cell(ind, INDICATOR_SHEET, "annual_target", r).coordinate for r in quota_rows}
    shares = next(c for kind, f1, f2, c in ind_rules if (kind, f1, f2) == ("decimal", "0", "100"))
    assert cell(ind, INDICATOR_SHEET, "value", quota_rows[1]).coordinate in shares   # B03 is a share: 0–100


def test_locking_frozen_panes_and_formats(templates):
    wb = open_book(templates["区生态环境分局"])
    for ws, table, editable in ((wb[INDICATOR_SHEET.label], INDICATOR_SHEET, {"value", "note"}),
                                (wb[TASK_SHEET.label], TASK_SHEET, {"state", "percent", "progress", "problems", "next_steps"})):
        assert ws.protection.sheet is True and ws.protection.password is None
        assert ws.freeze_panes == "C2"
        for r in range(2, ws.max_row + 1):
            for name in table.names:
                c = cell(ws, table, name, r)
                if name == "annual_target":
                    continue
                assert c.protection.locked is (name not in editable), (ws.title, name, r)
                assert "%" not in c.number_format
        for idx in range(1, len(table.names) + 1):
            assert ws.column_dimensions[chr(64 + idx)].width >= 7
    ind = wb[INDICATOR_SHEET.label]
    target_locked = {cell(ind, INDICATOR_SHEET, "indicator_id", r).value: cell(ind, INDICATOR_SHEET, "annual_target", r).protection.locked
                     for r in range(2, ind.max_row + 1)}
    assert target_locked == {"B02": False, "B03": False, "B04": False, "K07": True, "K08": True}
    assert wb[INSTRUCTIONS_SHEET].protection.sheet is True


def test_reference_information_stays_out_of_the_data_columns(templates):
    wb = open_book(templates["区人社局"])
    ind = wb[INDICATOR_SHEET.label]
    assert ind.max_column == len(INDICATOR_SHEET.labels)
    comments = {cell(ind, INDICATOR_SHEET, "indicator_id", r).value: cell(ind, INDICATOR_SHEET, "value", r).comment.text
                for r in range(2, ind.max_row + 1)}
    assert "计量单位:%" in comments["Y08"] and "控制在 5.5% 以内" in comments["Y08"]
    assert "上期数值:5.1%(2023年第1季度)" in comments["Y08"]           # latest before 2023Q2, not 2023Q2 itself
    assert "上期数值:8,500人(2022年第4季度)" in comments["K06"]
    assert "上期数值:无" in comments["Y10"]
    notes = "\n".join(str(c.value) for row in wb[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value is not None)
    for text in ("区人社局", "2023年第2季度", "2023年7月15日", "9.5", "0.095", "年初至本季度末", *TASK_STATES,
                 "城镇调查失业率", "2023年第1季度", "五年累计 4万人"):
        assert text in notes, text



def test_instructions_name_only_pages_the_dashboard_has(templates):
    """The 填报说明 once sent clerks to a 「上传进度」 page that does not exist (the page is 数据填报)."""
    import re
    pages = set(re.findall(r'title="([^"]+)"', (ROOT / "dashboard.py").read_text(encoding="utf-8")))
    wb = open_book(templates["区人社局"])
    notes = "\n".join(str(c.value) for row in wb[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value is not None)
    named = re.findall(r"「([^」]+)」页", notes)
    assert named == ["数据填报"] and set(named) <= pages
    assert "网页填报" in notes

# --- round trip: fill like a clerk, upload, validate ---------------------------------------------------------

def fill(data: bytes, plan, rows: set[int] | None = None) -> tuple[bytes, dict[str, float], dict[str, tuple]]:
    """Type a plausible number in 数值 (and 年度目标值 on quota rows), pick a 进展状态, type 完成进度 and some
    text, then save — as a clerk would. `rows`: only these Excel rows (default: all)."""
    wb = open_book(data)
    ind, task = wb[INDICATOR_SHEET.label], wb[TASK_SHEET.label]
    info = plan.indicators.set_index("indicator_id")
    typed_values: dict[str, float] = {}
    typed_tasks: dict[str, tuple] = {}
    for r in range(2, ind.max_row + 1):
        if rows is not None and r not in rows:
            continue
        iid = cell(ind, INDICATOR_SHEET, "indicator_id", r).value
        low, high = info.at[iid, "plausible_min"], info.at[iid, "plausible_max"]
        value = round((low + high) / 2, 1)
        cell(ind, INDICATOR_SHEET, "value", r).value = value
        if info.at[iid, "kind"] == "quota":
            cell(ind, INDICATOR_SHEET, "annual_target", r).value = value
        cell(ind, INDICATOR_SHEET, "note", r).value = "统计局快报"
        typed_values[iid] = value
    for k, r in enumerate(range(2, task.max_row + 1)):
        if rows is not None and r not in rows:
            continue
        tid = cell(task, TASK_SHEET, "task_id", r).value
        state, percent = TASK_STATES[k % len(TASK_STATES)], float(10 * (k % 11))
        cell(task, TASK_SHEET, "state", r).value = state
        cell(task, TASK_SHEET, "percent", r).value = percent
        cell(task, TASK_SHEET, "progress", r).value = "完成年度工作计划的一半"
        typed_tasks[tid] = (state, percent)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), typed_values, typed_tasks


@pytest.mark.parametrize("unit", UNITS)
def test_filled_template_passes_the_validator(plan, templates, unit):
    data, typed_values, typed_tasks = fill(templates[unit], plan)
    result = read_workbook(data, plan, unit=unit, file_name=template_file_name(unit, YEAR, QUARTER))
    assert [(f.code, f.sheet, f.row, f.column) for f in result.findings] == []
    assert result.ok
    assert dict(zip(result.indicator_rows["indicator_id"], result.indicator_rows["value"])) == typed_values
    assert dict(zip(result.task_rows["task_id"], zip(result.task_rows["state"], result.task_rows["percent"]))) == typed_tasks
    assert set(result.indicator_rows["unit"]) | set(result.task_rows["unit"]) == {unit}
    assert set(result.task_rows["year"]) <= {YEAR} and set(result.task_rows["quarter"]) <= {QUARTER}


def test_filled_template_of_another_unit_is_refused(plan, templates):
    data, _, _ = fill(templates["胜利街道"], plan)
    result = read_workbook(data, plan, unit="区人社局")
    assert not result.ok
    assert {f.code for f in result.errors} >= {"wb.unit_mismatch"}


def test_untouched_template_is_refused(plan, templates):
    """Nothing typed: whatever the validator makes of untouched rows, the upload must not be accepted as data."""
    result = read_workbook(templates["区人社局"], plan, unit="区人社局")
    assert result.readable and not result.ok
    assert "wb.no_rows" in {f.code for f in result.errors}


def test_partly_filled_template_reports_only_the_filled_rows(plan, templates):
    data, typed_values, typed_tasks = fill(templates["区人社局"], plan, rows={2, 3})
    result = read_workbook(data, plan, unit="区人社局")
    # the rows left empty are "not reported this quarter": one warning per sheet, no error
    assert [(f.code, f.sheet, f.severity.value) for f in result.findings] == [
        ("wb.rows_not_filled", "指标进度", "warning"), ("wb.rows_not_filled", "任务进度", "warning")]
    assert result.ok
    assert list(result.indicator_rows["indicator_id"]) == list(typed_values)
    assert list(result.task_rows["task_id"]) == list(typed_tasks)
