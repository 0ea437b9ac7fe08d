"""The indicator rows that pass every rule are found a column at a time (lib.plainrows); every other row is
checked one by one (lib.sheetcheck). Both must give exactly the findings, in the order, and the rows of the
row-by-row check: a table of rows → exact findings, read once as it is and once with the column-at-a-time
path switched off."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib import sheetcheck
from lib.findings import MAX_PER_CODE, FindingCap, Severity
from lib.workbook import WorkbookResult, read_workbook
from lib.xlsx import workbook_bytes, write_progress_workbook

U = "区发改局"


def row(iid: str = "Y01", name: object = "地区生产总值年均增速", year: object = 2023, quarter: object = 1,
        value: object = 8.5, target: object = None, unit: object = U, note: object = "") -> dict[str, object]:
    return dict(indicator_id=iid, indicator_name=name, year=year, quarter=quarter, value=value, annual_target=target,
                unit=unit, note=note)


# Plain rows (2, 3, 4, 5, 12) each with the warnings they may carry, between rows a rule takes out of the plain
# path, one rule each: row → its exact findings (code, row, column, value).
ROWS = [
    (row(), []),                                                                        # 2 plain
    (row(quarter=2, name="GDP增速"), [("wb.name_mismatch", 3, "指标名称", "GDP增速")]),   # 3 plain, warning
    (row(quarter=3, target=9), [("wb.target_not_quota", 4, "年度目标值", "9")]),         # 4 plain, warning
    (row(quarter=4, value=25, target=9, name="x"), [                                    # 5 plain, three warnings
        ("wb.name_mismatch", 5, "指标名称", "x"), ("wb.target_not_quota", 5, "年度目标值", "9"),
        ("wb.value_implausible", 5, "数值", "25")]),
    (row("Y99", year=2024), [("wb.unknown_indicator", 6, "指标编号", "Y99")]),
    (row(year=2019), [("wb.year_outside_plan", 7, "年份", "2019")]),
    (row(year=2024, quarter="Q5"), [("wb.quarter_invalid", 8, "季度", "Q5")]),
    (row(year=2024, unit="区财政局"), [("wb.unit_mismatch", 9, "填报单位", "区财政局")]),
    (row("Y03", name="常住人口城镇化率", value=0.9), [("wb.percent_as_fraction", 10, "数值", "0.9")]),
    (row(year=2024, quarter=2, value="12%"), []),                                       # 11: a % sign on a % indicator
    (row(year=2024, quarter=3, value=None, target=5), [("wb.target_not_quota", 12, "年度目标值", "5")]),
    (row("B01", name="单位生产总值能源消耗降低", value=1.2), [("wb.quota_without_target", 13, "年度目标值", "2023")]),
    (row(year=2023, quarter=1, value=7), [("wb.duplicate_period", 14, "指标编号", "Y01 2023年第1季度")]),
    (row(year=2025, note="备" * 5001), [("wb.text_too_long", 15, "备注", "5001")]),
    (row(year=2025, quarter=2, value=-200), [("wb.value_out_of_bounds", 16, "数值", "-200")]),
    (row(year=2025, quarter=3, value="约8"), [("wb.not_number", 17, "数值", "约8")]),
]


def read(plan, rows: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch | None = None) -> WorkbookResult:
    if monkeypatch is not None:   # every row through check_row
        monkeypatch.setattr(sheetcheck._IndicatorChecker, "plain_rows", lambda self, columns, candidate: None)
    return read_workbook(workbook_bytes(write_progress_workbook(pd.DataFrame(rows), None)), plan, unit=U)


def found(result: WorkbookResult) -> list[tuple[str, int | None, str, str]]:
    return [(f.code, f.row, f.column, f.value) for f in result.findings]


def test_plain_rows_and_the_others_give_the_exact_findings(plan):
    result = read(plan, [r for r, _ in ROWS])
    assert found(result) == sorted((f for _, fs in ROWS for f in fs), key=lambda f: f[1])
    stored = result.indicator_rows
    assert stored["row"].tolist() == [2, 3, 4, 5, 11, 12, 13]   # the rows without an error
    assert math.isnan(stored.loc[stored["row"] == 12, "value"].iloc[0])
    assert stored.loc[stored["row"] == 11, "value"].iloc[0] == 12.0


def test_both_paths_agree_finding_for_finding_and_row_for_row(plan, monkeypatch):
    rows = [r for r, _ in ROWS]
    fast = read(plan, rows)
    slow = read(plan, rows, monkeypatch)
    assert [f.__dict__ for f in fast.findings] == [f.__dict__ for f in slow.findings]
    pd.testing.assert_frame_equal(fast.indicator_rows, slow.indicator_rows)


def test_the_cap_lists_the_first_rows_in_row_order_across_both_paths(plan, monkeypatch):
    """Every row carries a target warning; rows 100 and 150 are checked one by one (a repeated period), the
    others are plain: the capped code lists rows 2…201 in row order and counts the rest, on both paths."""
    owners = [(r.indicator_id, (*r.lead_units, *r.responsible_units)[0]) for r in plan.indicators.itertuples()
              if r.kind != "quota"]
    periods = [(year, q) for year in range(plan.base_year + 1, plan.target_year + 1) for q in range(1, 5)]
    rows = [row(iid, name="", year=year, quarter=q, value=2, target=2, unit=unit)
            for iid, unit in owners for year, q in periods][:260]
    rows[148] = dict(rows[98])   # Excel rows 100 and 150: the same period
    fast = read_workbook(workbook_bytes(write_progress_workbook(pd.DataFrame(rows), None)), plan)
    codes = found(fast)
    listed = [r for code, r, _, _ in codes if code == "wb.target_not_quota"]
    assert listed == list(range(2, 2 + MAX_PER_CODE))
    assert [c for c in codes if c[0] not in ("wb.target_not_quota", "wb.value_implausible")] == [
        ("wb.duplicate_period", 150, "指标编号", f"{rows[98]['indicator_id']} {rows[98]['year']}年第{rows[98]['quarter']}季度"),
        ("wb.more_findings", None, "", "60")]
    monkeypatch.setattr(sheetcheck._IndicatorChecker, "plain_rows", lambda self, columns, candidate: None)
    slow = read_workbook(workbook_bytes(write_progress_workbook(pd.DataFrame(rows), None)), plan)
    assert [f.__dict__ for f in fast.findings] == [f.__dict__ for f in slow.findings]
    pd.testing.assert_frame_equal(fast.indicator_rows, slow.indicator_rows)


@pytest.mark.parametrize("ok, stretches", [
    ([], {}), ([False], {}), ([True], {0: 1}), ([True, True, False, True], {0: 2, 3: 4}),
    ([False, True, True, True, False, False, True, True], {1: 4, 6: 8}),
])
def test_plain_stretches_are_the_runs_of_plain_rows(ok, stretches):
    assert sheetcheck._plain_stretches(np.array(ok, dtype=bool)) == stretches


@pytest.mark.parametrize("before, n, listed, total", [(0, 5, 5, 5), (198, 5, 2, 203), (200, 5, 0, 205), (0, 0, 0, 0)])
def test_a_bulk_admission_lists_what_one_by_one_would(before, n, listed, total):
    bulk, single = FindingCap(), FindingCap()
    for cap in (bulk, single):
        for _ in range(before):
            cap.admit("wb.target_not_quota", Severity.WARNING, "指标进度")
    assert bulk.admit_many("wb.target_not_quota", Severity.WARNING, "指标进度", n) == listed
    assert sum(single.admit("wb.target_not_quota", Severity.WARNING, "指标进度") for _ in range(n)) == listed
    assert bulk.counts == single.counts and bulk.counts[("指标进度", "wb.target_not_quota")] == total


def test_plan_records_are_to_dicts_values_and_types(plan):
    for frame in (plan.indicators, plan.tasks):
        ours, theirs = sheetcheck._records(frame), frame.to_dict("records")
        assert repr(ours) == repr(theirs)
        assert [[type(v) for v in r.values()] for r in ours] == [[type(v) for v in r.values()] for r in theirs]
