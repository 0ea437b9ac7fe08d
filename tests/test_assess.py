"""Distance-to-target arithmetic: hand-computed cases per kind, edges included (docs/methodology.md).

Cases run against a small plan written into a temporary folder (one indicator per edge), so each case
names exactly the target, baseline, direction and annual flag it needs. Progress is written compactly:
"2021Q4 11, 2022Q4 5" (values of the case's indicator), "G1:2021Q4 11" (another indicator),
"2022Q4 3.1/3.0" (value / assigned annual target), "2023Q1 -/3.0" (a row carrying only a target).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.assess import (CONTRIBUTION_COLUMNS, INDICATOR_RESULT_COLUMNS, Tolerance, assess_indicators, assess_tasks,
                        explain, latest_period, task_contributions)
from lib.periods import Period
from lib.plan import Plan, load_plan

CASE_INDICATORS = """\
indicator_id,category,name,target_text,kind,target_value,unit,direction,ref_indicator,annual,baseline_value,baseline_source,responsible_units
G1,预期性,增速,年均增长9%,growth_rate,9,%,up,,false,,,区发改局
L1,预期性,水平,达到90%,level_up,90,%,up,,false,85,示例值,区发改局
L2,预期性,目标低于基期,达到80%,level_up,80,%,up,,false,85,示例值,区发改局
L3,预期性,无基期,达到90%,level_up,90,%,up,,false,,,区发改局
L4,任务指标,年度总量,突破400亿元,level_up,400,亿元,up,,true,250,示例值,区发改局
C1,预期性,上限,控制在5.5%以内,ceiling,5.5,%,down,,false,,,区发改局
F1,预期性,下限,不低于95%,ceiling,95,%,up,,false,,,区发改局
S1,任务指标,累计,五年累计4万人,cumulative,40000,人,up,,false,,,区发改局
I1,预期性,同步,与增速同步,in_step,,%,up,G1,false,,,区发改局
Q1,约束性,下达(越高越好),完成上级下达指标,quota,,%,up,,false,,,区发改局
Q2,约束性,下达(越低越好),完成上级下达指标,quota,,%,down,,false,,,区发改局
"""
CASE_TASKS = """\
task_id,section_no,section_title,title,description,lead_units,responsible_units
T01-01,1,第一篇,任务一,内容,区发改局,
"""
CASE_UNITS = """\
unit,kind,aliases,members
区发改局,区直部门,区发展和改革局,
"""


def write_plan(folder: Path, base_year: int, target_year: int, indicators: str = CASE_INDICATORS,
               tasks: str = CASE_TASKS, units: str = CASE_UNITS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.toml").write_text(f'name = "测试规划"\nbase_year = {base_year}\ntarget_year = {target_year}\n', encoding="utf-8")
    (folder / "indicators.csv").write_text(indicators, encoding="utf-8")
    (folder / "tasks.csv").write_text(tasks, encoding="utf-8")
    (folder / "units.csv").write_text(units, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def case_plan(tmp_path_factory) -> Plan:
    return load_plan(write_plan(tmp_path_factory.mktemp("plan14"), 2020, 2025))


@pytest.fixture(scope="module")
def plan15(tmp_path_factory) -> Plan:
    return load_plan(write_plan(tmp_path_factory.mktemp("plan15"), 2025, 2030))


def progress_rows(spec: str, default_id: str) -> pd.DataFrame:
    """"2021Q4 11, G1:2022Q4 5, 2022Q4 3.1/3.0, 2023Q1 -/3.0" → a progress frame (contract columns)."""
    rows = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        iid, _, rest = item.rpartition(":")
        period, value = rest.split()
        value, _, target = value.partition("/")
        p = Period.parse(period)
        rows.append({"indicator_id": iid or default_id, "year": p.year, "quarter": p.quarter,
                     "value": np.nan if value == "-" else float(value),
                     "annual_target": float(target) if target else np.nan, "unit": "区发改局", "note": ""})
    return pd.DataFrame(rows, columns=["indicator_id", "year", "quarter", "value", "annual_target", "unit", "note"])


def assess_one(plan: Plan, iid: str, spec: str, as_of: str, **kwargs) -> pd.Series:
    result = assess_indicators(plan, progress_rows(spec, iid), Period.parse(as_of), **kwargs)
    return result.set_index("indicator_id").loc[iid]


def g(share_of_path: float, target: float = 9.0) -> float:
    """The single-year growth rate (in %) whose Λ is `share_of_path` of the five-year path at target %."""
    return ((1 + target / 100) ** (5 * share_of_path) - 1) * 100


NAN = float("nan")

# (indicator, progress, as_of, status, achievement P, latest_period, τ(L))
CASES = [
    # growth_rate, G = 9 %: P = Λ / (5·ln 1.09)
    ("G1", "2021Q4 11, 2022Q4 5, 2023Q2 6.5", "2023Q2", "behind", 0.428504, "2023Q2", 0.5),
    ("G1", "2021Q4 9", "2021Q4", "on_track", 0.2, "2021Q4", 0.2),
    ("G1", f"2021Q4 {g(0.25)}", "2021Q4", "ahead", 0.25, "2021Q4", 0.2),          # P = τ + δ exactly → better status
    ("G1", f"2021Q4 {g(0.15)}", "2021Q4", "on_track", 0.15, "2021Q4", 0.2),       # P = τ − δ exactly
    ("G1", f"2021Q4 {g(0.148)}", "2021Q4", "behind", 0.148, "2021Q4", 0.2),
    ("G1", "2021Q4 -2", "2021Q4", "behind", math.log(0.98) / (5 * math.log(1.09)), "2021Q4", 0.2),  # negative growth
    ("G1", "2021Q4 30, 2022Q4 30, 2023Q4 30", "2023Q4", "achieved", 3 * math.log(1.3) / (5 * math.log(1.09)), "2023Q4", 0.6),
    ("G1", "2021Q1 8", "2021Q1", "on_track", 0.25 * math.log(1.08) / (5 * math.log(1.09)), "2021Q1", 0.05),
    ("G1", "2021Q4 11, 2022Q4 5, 2023Q2 6.5, 2023Q4 20", "2023Q2", "behind", 0.428504, "2023Q2", 0.5),  # later row ignored
    ("G1", "2021Q4 9", "2022Q2", "on_track", 0.2, "2021Q4", 0.2),                 # judged at its own L
    ("G1", "2020Q4 50, 2021Q4 9", "2021Q4", "on_track", 0.2, "2021Q4", 0.2),      # base year row ignored
    ("G1", "2021Q4 11, 2023Q2 6.5", "2023Q2", "no_data", NAN, "2023Q2", 0.5),      # 2022Q4 missing
    ("G1", "", "2023Q2", "no_data", NAN, "", NAN),
    ("G1", "2021Q4 -100", "2021Q4", "no_data", NAN, "2021Q4", 0.2),
    # level_up, X0 = 85, X* = 90: P = (Xt − X0) / 5
    ("L1", "2022Q4 87.5", "2023Q2", "ahead", 0.5, "2022Q4", 0.4),
    ("L1", "2023Q2 87.25", "2023Q2", "on_track", 0.45, "2023Q2", 0.5),            # on the lower boundary
    ("L1", "2023Q2 87.2", "2023Q2", "behind", 0.44, "2023Q2", 0.5),
    ("L1", "2023Q2 88.5", "2023Q2", "ahead", 0.7, "2023Q2", 0.5),
    ("L1", "2023Q2 90", "2023Q2", "achieved", 1.0, "2023Q2", 0.5),                # exactly on target
    ("L1", "2021Q4 84", "2021Q4", "behind", -0.2, "2021Q4", 0.2),
    ("L1", "2021Q4 86, 2023Q2 87.5, 2024Q1 90", "2023Q2", "on_track", 0.5, "2023Q2", 0.5),
    ("L2", "2022Q4 79", "2023Q2", "behind", NAN, "2022Q4", 0.4),                   # target ≤ baseline, not reached
    ("L2", "2022Q4 80", "2023Q2", "achieved", NAN, "2022Q4", 0.4),                 # target already met at baseline
    ("L2", "2022Q4 86", "2023Q2", "achieved", NAN, "2022Q4", 0.4),
    ("L3", "2022Q4 87", "2023Q2", "no_data", NAN, "2022Q4", 0.4),                  # no baseline
    ("L4", "2022Q4 330, 2023Q2 180", "2023Q2", "ahead", 80 / 150, "2022Q4", 0.4),  # annual: Q2 shown, not judged
    ("L4", "2023Q1 100, 2023Q2 180", "2023Q2", "no_data", NAN, "", NAN),           # annual with Q1–Q3 only
    ("L4", "2025Q4 400", "2025Q4", "achieved", 1.0, "2025Q4", 1.0),
    # ceiling: X* = 5.5 (down); floor F1: X* = 95 (direction up)
    ("C1", "2023Q2 5.2", "2023Q2", "on_track", NAN, "2023Q2", 0.5),
    ("C1", "2023Q2 5.5", "2023Q2", "on_track", NAN, "2023Q2", 0.5),
    ("C1", "2023Q2 5.6", "2023Q2", "behind", NAN, "2023Q2", 0.5),
    ("C1", "2025Q4 5.0", "2025Q4", "achieved", NAN, "2025Q4", 1.0),
    ("C1", "2025Q4 6.0", "2025Q4", "behind", NAN, "2025Q4", 1.0),
    ("C1", "2024Q4 5.0", "2025Q4", "on_track", NAN, "2024Q4", 0.8),               # stale: judged at τ(L) < 1
    ("F1", "2023Q2 96", "2023Q2", "on_track", NAN, "2023Q2", 0.5),
    ("F1", "2023Q2 94", "2023Q2", "behind", NAN, "2023Q2", 0.5),
    # cumulative, X* = 40000: C = Σ full-year Q4 + YTD at L
    ("S1", "2021Q4 9000, 2022Q4 8500, 2023Q2 3900", "2023Q2", "on_track", 0.535, "2023Q2", 0.5),
    ("S1", "2021Q2 4000, 2021Q4 9000, 2022Q2 4000", "2022Q2", "on_track", 0.325, "2022Q2", 0.3),
    ("S1", "2021Q4 10000", "2021Q4", "ahead", 0.25, "2021Q4", 0.2),
    ("S1", "2021Q4 5000", "2021Q4", "behind", 0.125, "2021Q4", 0.2),
    ("S1", "2021Q4 20000, 2022Q4 20000", "2022Q4", "achieved", 1.0, "2022Q4", 0.4),
    ("S1", "2021Q4 9000, 2023Q2 3900", "2023Q2", "no_data", NAN, "2023Q2", 0.5),
    # in_step against G1: d = avg(I1) − avg(G1) in pp, δpp = 0.5
    ("I1", "2021Q4 9.8, 2022Q4 6, 2023Q2 6, G1:2021Q4 11, G1:2022Q4 5, G1:2023Q2 6.5", "2023Q2", "on_track", NAN, "2023Q2", 0.5),
    ("I1", "2021Q4 12, G1:2021Q4 11", "2021Q4", "ahead", NAN, "2021Q4", 0.2),
    ("I1", "2021Q4 11.5, G1:2021Q4 11", "2021Q4", "ahead", NAN, "2021Q4", 0.2),   # d = +0.5 exactly
    ("I1", "2021Q4 10.5, G1:2021Q4 11", "2021Q4", "on_track", NAN, "2021Q4", 0.2),  # d = −0.5 exactly
    ("I1", "2021Q4 10, G1:2021Q4 11", "2021Q4", "behind", NAN, "2021Q4", 0.2),
    ("I1", "2021Q4 10, 2022Q2 6, G1:2021Q4 11", "2022Q2", "behind", NAN, "2021Q4", 0.2),  # L = latest common
    ("I1", "2022Q2 6, G1:2021Q4 11", "2022Q2", "no_data", NAN, "2022Q2", 0.3),
    ("I1", "2021Q4 9, 2022Q2 6, G1:2021Q2 5, G1:2022Q2 6", "2022Q2", "no_data", NAN, "2022Q2", 0.3),
    # quota: the year's assigned target applies to every quarter of that year
    ("Q1", "2022Q4 3.1/3.0, 2023Q2 1.2", "2023Q2", "on_track", NAN, "2022Q4", 0.4),
    ("Q1", "2022Q4 2.9/3.0", "2023Q2", "behind", NAN, "2022Q4", 0.4),
    ("Q1", "2022Q4 3.0/3.0", "2023Q2", "on_track", NAN, "2022Q4", 0.4),
    ("Q1", "2023Q1 -/3.0, 2023Q2 1.2", "2023Q2", "behind", NAN, "2023Q2", 0.5),   # target from a target-only row
    ("Q1", "2023Q2 1.2", "2023Q2", "no_data", NAN, "2023Q2", 0.5),
    ("Q1", "2025Q4 3.5/3.2", "2025Q4", "achieved", NAN, "2025Q4", 1.0),
    ("Q1", "2023Q4 3.5/3.0", "2023Q2", "no_data", NAN, "", NAN),                   # only after the as-of quarter
    ("Q2", "2022Q4 2.9/3.0", "2023Q2", "on_track", NAN, "2022Q4", 0.4),           # direction down
    ("Q2", "2022Q4 3.1/3.0", "2023Q2", "behind", NAN, "2022Q4", 0.4),
]


@pytest.mark.parametrize("iid,spec,as_of,status,p,latest,tau", CASES)
def test_cases(case_plan, iid, spec, as_of, status, p, latest, tau):
    row = assess_one(case_plan, iid, spec, as_of)
    assert row["status"] == status
    assert row["latest_period"] == latest
    assert row["as_of"] == as_of
    if math.isnan(p):
        assert math.isnan(row["achievement"])
    else:
        assert row["achievement"] == pytest.approx(p, abs=1e-6)
    if math.isnan(tau):
        assert math.isnan(row["time_elapsed"])
    else:
        assert row["time_elapsed"] == pytest.approx(tau)


# (indicator, progress, as_of, reason)
REASONS = [
    ("G1", "", "2023Q2", "无填报数据"),
    ("G1", "2021Q4 11, 2023Q2 6.5", "2023Q2", "缺少2022年第四季度数据"),
    ("G1", "2021Q2 5, 2023Q2 6.5", "2023Q2", "缺少2021年、2022年第四季度数据"),
    ("G1", "2021Q4 -100", "2021Q4", "增速数值不能低于或等于 -100%,无法测算"),
    ("L3", "2022Q4 87", "2023Q2", "缺少基期值"),
    ("L4", "2023Q1 100, 2023Q2 180", "2023Q2", "仅按年度考核,尚无第四季度数据"),
    ("S1", "2021Q4 9000, 2023Q2 3900", "2023Q2", "缺少2022年第四季度数据"),
    ("I1", "2022Q2 6, G1:2021Q4 11", "2022Q2", "本指标与参照指标 G1 没有同一期的数据"),
    ("I1", "2021Q4 9, 2022Q2 6, G1:2021Q2 5, G1:2022Q2 6", "2022Q2", "参照指标 G1 缺少2021年第四季度数据"),
    ("Q1", "2023Q2 1.2", "2023Q2", "尚无上级下达的年度目标(2023年)"),
    ("Q1", "2022Q2 1.0, 2023Q2 1.2", "2023Q2", "尚无上级下达的年度目标(2022年、2023年)"),
    ("Q1", "2022Q4 3.1/3.0", "2023Q2", ""),
    ("L1", "2022Q4 87.5", "2023Q2", ""),
]


@pytest.mark.parametrize("iid,spec,as_of,reason", REASONS)
def test_no_data_reasons(case_plan, iid, spec, as_of, reason):
    row = assess_one(case_plan, iid, spec, as_of)
    assert row["reason"] == reason
    assert (row["status"] == "no_data") == bool(reason)


# (indicator, progress, as_of, column, expected)
NUMBERS = [
    ("G1", "2021Q4 11, 2022Q4 5, 2023Q2 6.5", "2023Q2", "log_growth", 0.184638),
    ("G1", "2021Q4 11, 2022Q4 5, 2023Q2 6.5", "2023Q2", "avg_growth", 7.6651),
    ("G1", "2021Q4 9", "2021Q4", "avg_growth", 9.0),
    ("G1", "2021Q4 -2", "2021Q4", "avg_growth", -2.0),
    ("G1", "2021Q4 9", "2022Q2", "lag_quarters", 2),
    ("S1", "2021Q4 9000, 2022Q4 8500, 2023Q2 3900", "2023Q2", "cumulative_total", 21400),
    ("I1", "2021Q4 9.8, 2022Q4 6, 2023Q2 6, G1:2021Q4 11, G1:2022Q4 5, G1:2023Q2 6.5", "2023Q2", "avg_growth", 7.5040),
    ("I1", "2021Q4 9.8, 2022Q4 6, 2023Q2 6, G1:2021Q4 11, G1:2022Q4 5, G1:2023Q2 6.5", "2023Q2", "ref_avg_growth", 7.6651),
    ("I1", "2021Q4 9.8, 2022Q4 6, 2023Q2 6, G1:2021Q4 11, G1:2022Q4 5, G1:2023Q2 6.5", "2023Q2", "diff_pp", -0.1611),
    ("I1", "2021Q4 12, G1:2021Q4 11", "2021Q4", "diff_pp", 1.0),
    ("Q1", "2022Q4 3.1/3.0, 2023Q2 1.2", "2023Q2", "assigned_target", 3.0),
    ("Q1", "2022Q4 3.1/3.0, 2023Q2 1.2", "2023Q2", "latest_value", 3.1),
    ("Q1", "2022Q4 3.1/3.0, 2023Q2 1.2", "2023Q2", "lag_quarters", 2),
    ("L4", "2022Q4 330, 2023Q2 180", "2023Q2", "latest_value", 330),
    ("L4", "2022Q4 330, 2023Q2 180", "2023Q2", "latest_reported_value", 180),
    ("L1", "2022Q4 87.5", "2023Q2", "baseline_value", 85),
    ("L1", "2022Q4 87.5", "2023Q2", "target_value", 90),
]


@pytest.mark.parametrize("iid,spec,as_of,column,expected", NUMBERS)
def test_carried_numbers(case_plan, iid, spec, as_of, column, expected):
    assert assess_one(case_plan, iid, spec, as_of)[column] == pytest.approx(expected, abs=1e-4)


def test_one_row_per_indicator_in_plan_order(case_plan):
    result = assess_indicators(case_plan, progress_rows("2021Q4 9", "G1"), Period(2021, 4))
    assert list(result["indicator_id"]) == list(case_plan.indicators["indicator_id"])
    assert list(result.columns) == INDICATOR_RESULT_COLUMNS


def test_status_labels_come_from_lib_status(case_plan):
    assert assess_one(case_plan, "L1", "2023Q2 90", "2023Q2")["status_label"] == "提前实现"
    assert assess_one(case_plan, "L1", "2025Q4 90", "2025Q4")["status_label"] == "已完成"
    assert assess_one(case_plan, "C1", "2025Q4 5", "2025Q4")["status_label"] == "已完成"
    assert assess_one(case_plan, "C1", "2023Q2 5", "2023Q2")["status_label"] == "基本符合预期"
    assert assess_one(case_plan, "G1", "", "2023Q2")["status_label"] == "数据缺失"


def test_tolerance_is_configurable(case_plan):
    spec = "2021Q4 11, 2022Q4 5, 2023Q2 6.5"  # P = 0.4285 at τ = 0.5
    assert assess_one(case_plan, "G1", spec, "2023Q2")["status"] == "behind"
    assert assess_one(case_plan, "G1", spec, "2023Q2", tolerance=Tolerance(path=0.1))["status"] == "on_track"
    in_step = "2021Q4 10, G1:2021Q4 11"  # d = −1 pp
    assert assess_one(case_plan, "I1", in_step, "2021Q4", tolerance=Tolerance(pp=1.0))["status"] == "on_track"
    assert Tolerance() == Tolerance(path=0.05, pp=0.5)


def test_tolerance_reads_the_settings_when_used_not_at_import(case_plan, monkeypatch):
    monkeypatch.setenv("PLANMON_TOLERANCE", "0.1")
    monkeypatch.setenv("PLANMON_TOLERANCE_PP", "1.0")
    assert Tolerance() == Tolerance(path=0.1, pp=1.0)
    spec = "2021Q4 11, 2022Q4 5, 2023Q2 6.5"  # P = 0.4285: behind at δ = 0.05, on track at δ = 0.1
    assert assess_one(case_plan, "G1", spec, "2023Q2")[["status", "tolerance"]].tolist() == ["on_track", 0.1]


def test_office_annual_targets_override_progress_rows(case_plan):
    progress = progress_rows("2022Q4 3.1/3.0, 2023Q2 1.2", "Q1")
    office = pd.DataFrame({"indicator_id": ["Q1", "Q1"], "year": [2022, 2023], "annual_target": [3.5, 1.0]})
    row = assess_indicators(case_plan, progress, Period(2023, 2), annual_targets=office).set_index("indicator_id").loc["Q1"]
    assert (row["status"], row["latest_period"], row["assigned_target"]) == ("on_track", "2023Q2", 1.0)
    office_2022 = office[office["year"] == 2022]
    row = assess_indicators(case_plan, progress, Period(2023, 2), annual_targets=office_2022).set_index("indicator_id").loc["Q1"]
    assert (row["status"], row["latest_period"], row["assigned_target"]) == ("behind", "2022Q4", 3.5)


def test_duplicate_rows_the_later_one_wins(case_plan):
    progress = progress_rows("2022Q4 86, 2022Q4 87.5", "L1")
    assert assess_one(case_plan, "L1", "2022Q4 86, 2022Q4 87.5", "2023Q2")["latest_value"] == 87.5
    assert len(progress) == 2


def test_inputs_do_not_change(case_plan):
    progress = progress_rows("2021Q4 11, 2022Q4 5, 2023Q2 6.5", "G1")
    before = progress.copy()
    assess_indicators(case_plan, progress, Period(2023, 2))
    pd.testing.assert_frame_equal(progress, before)


def test_default_as_of_is_the_latest_reported_period(case_plan):
    progress = progress_rows("2021Q4 11, 2022Q4 5, 2023Q2 6.5, 2023Q4 -/3.0", "G1")
    assert latest_period(progress) == Period(2023, 2)  # a target-only row is not a report
    assert latest_period(progress_rows("", "G1")) is None
    assert latest_period(progress_rows("2031Q1 5, 2022Q1 4", "G1"), case_plan) == Period(2022, 1)
    assert assess_indicators(case_plan, progress)["as_of"].iloc[0] == "2023Q2"


def test_nothing_reported_at_all(case_plan):
    result = assess_indicators(case_plan, None)
    assert set(result["status"]) == {"no_data"}
    assert set(result["reason"]) == {"无填报数据"}


# --- a 2026–2030 plan: years come from plan.toml, never constants ---------------------------------

PLAN15_CASES = [
    ("G1", "2026Q4 11, 2027Q4 5, 2028Q2 6.5", "2028Q2", "behind", 0.428504, 0.5),
    ("G1", "2025Q4 40, 2026Q4 9", "2026Q4", "on_track", 0.2, 0.2),            # 2025 is the base year now
    ("L1", "2027Q4 87.5", "2028Q2", "ahead", 0.5, 0.4),
    ("S1", "2026Q4 9000, 2027Q4 8500, 2028Q2 3900", "2028Q2", "on_track", 0.535, 0.5),
    ("S1", "2026Q4 20000, 2027Q4 20000", "2030Q4", "achieved", 1.0, 0.4),
    ("C1", "2030Q4 5", "2030Q4", "achieved", NAN, 1.0),
    ("Q1", "2027Q4 3.1/3.0, 2028Q2 1.2", "2028Q2", "on_track", NAN, 0.4),
    ("G1", "2031Q4 9", "2031Q4", "no_data", NAN, NAN),                         # after the target year
]


@pytest.mark.parametrize("iid,spec,as_of,status,p,tau", PLAN15_CASES)
def test_plan_2026_2030(plan15, iid, spec, as_of, status, p, tau):
    row = assess_one(plan15, iid, spec, as_of)
    assert row["status"] == status
    assert (math.isnan(row["achievement"]) if math.isnan(p) else row["achievement"] == pytest.approx(p, abs=1e-6))
    assert (math.isnan(row["time_elapsed"]) if math.isnan(tau) else row["time_elapsed"] == pytest.approx(tau))


def test_plan_2026_2030_missing_year_reason(plan15):
    assert assess_one(plan15, "G1", "2026Q4 11, 2028Q2 6.5", "2028Q2")["reason"] == "缺少2027年第四季度数据"


# --- explain -----------------------------------------------------------------------------------

EXPLAIN = [
    ("G1", "2021Q4 11, 2022Q4 5, 2023Q2 6.5", "2023Q2", ["2021Q4 11、2022Q4 5、2023Q2 6.5", "= 0.184638", "P = Λ ÷ (5 × ln(1+9%)) = 0.4285",
                                                        "至今年均增长 7.67%", "P = 0.4285 < τ − δ = 0.45,判定为「滞后」"]),
    ("L1", "2022Q4 87.5", "2023Q2", ["滞后 2 个季度", "X0 = 85", "P = (Xt − X0) ÷ (X* − X0) = 0.5", "≥ τ + δ = 0.45,判定为「快于预期」"]),
    ("L4", "2022Q4 330, 2023Q2 180", "2023Q2", ["只采用第四季度数据"]),
    ("C1", "2023Q2 5.6", "2023Q2", ["最新值 Xt = 5.6", "判定为「滞后」"]),
    ("S1", "2021Q4 9000, 2022Q4 8500, 2023Q2 3900", "2023Q2", ["= 21400", "21400 ÷ 40000 = 0.535", "τ − δ = 0.45 ≤ P = 0.535 < τ + δ = 0.55"]),
    ("I1", "2021Q4 9.8, 2022Q4 6, 2023Q2 6, G1:2021Q4 11, G1:2022Q4 5, G1:2023Q2 6.5", "2023Q2",
     ["7.5%,参照指标 G1 为 7.67%", "d = -0.16 个百分点", "判定为「基本符合预期」"]),
    ("Q1", "2022Q4 3.1/3.0, 2023Q2 1.2", "2023Q2", ["2022年上级下达目标 3", "不低于目标"]),
    ("Q1", "2023Q2 1.2", "2023Q2", ["无法评估:尚无上级下达的年度目标(2023年)"]),
    ("G1", "", "2023Q2", ["无法评估:无填报数据"]),
]


@pytest.mark.parametrize("iid,spec,as_of,fragments", EXPLAIN)
def test_explain(case_plan, iid, spec, as_of, fragments):
    text = "\n".join(explain(assess_one(case_plan, iid, spec, as_of)))
    for fragment in fragments:
        assert fragment in text


# --- scale (the time it takes is measured in bench/assess.py, not asserted here) ------------------

def test_thousands_of_indicators_are_all_assessed(tmp_path):
    n = 2600
    kinds = ["growth_rate", "level_up", "ceiling", "cumulative", "in_step", "quota"]
    lines = [CASE_INDICATORS.splitlines()[0]]
    for i in range(n):
        kind = kinds[i % 6]
        target = {"growth_rate": "9", "level_up": "90", "ceiling": "5.5", "cumulative": "40000"}.get(kind, "")
        lines.append(f"X{i:05d},预期性,指标{i},目标,{kind},{target},%,up,{'X00000' if kind == 'in_step' else ''},false,"
                     f"{'85' if kind == 'level_up' else ''},,区发改局")
    plan = load_plan(write_plan(tmp_path, 2020, 2025, indicators="\n".join(lines) + "\n"))
    rng = np.random.default_rng(1)
    ids = np.repeat(plan.indicators["indicator_id"].to_numpy(), 20)
    progress = pd.DataFrame({"indicator_id": ids, "year": np.tile(np.repeat(np.arange(2021, 2026), 4), n),
                             "quarter": np.tile([1, 2, 3, 4], 5 * n), "value": rng.uniform(1, 10, 20 * n),
                             "annual_target": 5.0, "unit": "区发改局", "note": ""})
    result = assess_indicators(plan, progress, Period(2023, 2))
    assert len(result) == n and set(result["status"]) >= {"on_track", "behind"}


# --- tasks ---------------------------------------------------------------------------------------

def task_rows(spec: str, task_id: str) -> pd.DataFrame:
    """"区发改局 2023Q2 推进中 60; 锣场镇 2023Q2 滞后 10" → a task progress frame."""
    rows = []
    for item in filter(None, (s.strip() for s in spec.split(";"))):
        unit, period, state, percent = item.split()
        p = Period.parse(period)
        rows.append({"task_id": task_id, "year": p.year, "quarter": p.quarter, "state": state, "percent": float(percent),
                     "progress": f"{unit}进展", "problems": "", "next_steps": "", "unit": unit})
    return pd.DataFrame(rows)


# (task, reports, as_of, status, percent, reporting unit, latest_period)
TASK_CASES = [
    ("T04-03", "区发改局 2023Q2 推进中 60", "2023Q2", "on_track", 60, "区发改局", "2023Q2"),
    ("T04-03", "区发改局 2023Q2 推进中 35", "2023Q2", "on_track", 35, "区发改局", "2023Q2"),   # = 100·τ − 15
    ("T04-03", "区发改局 2023Q2 推进中 34", "2023Q2", "behind", 34, "区发改局", "2023Q2"),
    ("T04-03", "区发改局 2023Q2 滞后 80", "2023Q2", "behind", 80, "区发改局", "2023Q2"),
    ("T04-03", "区发改局 2023Q2 已完成 100", "2023Q2", "done", 100, "区发改局", "2023Q2"),
    ("T04-03", "区发改局 2023Q2 已完成 50", "2023Q2", "done", 50, "区发改局", "2023Q2"),
    ("T04-03", "区发改局 2023Q1 推进中 60", "2023Q2", "not_reported", 60, "区发改局", "2023Q1"),
    ("T04-03", "", "2023Q2", "not_reported", NAN, "", ""),
    ("T04-03", "区发改局 2021Q2 未启动 0", "2021Q2", "not_started", 0, "区发改局", "2021Q2"),
    ("T04-03", "区发改局 2021Q3 未启动 0", "2021Q3", "not_started", 0, "区发改局", "2021Q3"),
    ("T04-03", "区发改局 2021Q4 未启动 0", "2021Q4", "behind", 0, "区发改局", "2021Q4"),      # τ = 0.2
    ("T04-03", "区发改局 2021Q4 未启动 10", "2021Q4", "behind", 10, "区发改局", "2021Q4"),
    ("T04-03", "区发改局 2024Q4 推进中 65", "2024Q4", "on_track", 65, "区发改局", "2024Q4"),
    ("T04-03", "区发改局 2025Q4 推进中 84", "2025Q4", "behind", 84, "区发改局", "2025Q4"),
    ("T04-03", "区发改局 2023Q2 推进中 60; 区发改局 2023Q3 滞后 10", "2023Q2", "on_track", 60, "区发改局", "2023Q2"),
    ("T04-03", "区发展和改革局 2023Q2 推进中 60", "2023Q2", "on_track", 60, "区发改局", "2023Q2"),  # alias
    # several units in one quarter: the lead unit's row decides ...
    ("T04-03", "区发改局 2023Q2 推进中 60; 锣场镇 2023Q2 滞后 10", "2023Q2", "on_track", 60, "区发改局", "2023Q2"),
    ("T04-03", "锣场镇 2023Q2 滞后 10; 区发改局 2023Q2 推进中 60", "2023Q2", "on_track", 60, "区发改局", "2023Q2"),
    ("T07-01", "区环保分局 2023Q2 推进中 60; 胜利街道 2023Q2 滞后 0", "2023Q2", "on_track", 60, "区生态环境分局", "2023Q2"),
    # ... and without it, contributions never decide: the task is not reported
    ("T04-03", "锣场镇 2023Q2 推进中 60; 岑河镇 2023Q2 滞后 40", "2023Q2", "not_reported", NAN, "", ""),
    ("T04-03", "锣场镇 2023Q2 已完成 100; 岑河镇 2023Q2 推进中 90", "2023Q2", "not_reported", NAN, "", ""),
    ("T04-03", "区发改局 2023Q1 推进中 60; 锣场镇 2023Q2 推进中 50", "2023Q2", "not_reported", 60, "区发改局", "2023Q1"),
    # issue 12: 区人社局 holds T10-05 only through 区政府各部门; its 已完成 leaves the task unreported
    ("T10-05", "区人社局 2025Q4 已完成 100", "2025Q4", "not_reported", NAN, "", ""),
    ("T10-05", "区委政法委 2025Q4 推进中 80; 区人社局 2025Q4 已完成 100", "2025Q4", "behind", 80, "区委政法委", "2025Q4"),
    ("T10-05", "区委政法委 2025Q4 推进中 90; 区人社局 2025Q4 滞后 10", "2025Q4", "on_track", 90, "区委政法委", "2025Q4"),
    # done stays done (issue 12: T09-03 finished in 2025Q3, nothing in 2025Q4) ...
    ("T09-03", "区委政法委 2025Q3 已完成 100", "2025Q4", "done", 100, "区委政法委", "2025Q3"),
    ("T09-03", "区委政法委 2023Q1 已完成 100; 锣场镇 2025Q4 滞后 10", "2025Q4", "done", 100, "区委政法委", "2023Q1"),
    ("T09-03", "区委政法委 2025Q3 已完成 100", "2025Q2", "not_reported", NAN, "", ""),   # not yet, as of before it
    # ... until a later lead report reopens it
    ("T09-03", "区委政法委 2024Q1 已完成 100; 区委政法委 2024Q2 推进中 70", "2024Q2", "on_track", 70, "区委政法委", "2024Q2"),
    ("T09-03", "区委政法委 2024Q1 已完成 100; 区委政法委 2024Q2 推进中 70", "2024Q3", "not_reported", 70, "区委政法委", "2024Q2"),
    ("T09-03", "区委政法委 2024Q1 已完成 100; 区委政法委 2024Q2 滞后 70", "2024Q2", "behind", 70, "区委政法委", "2024Q2"),
    # several lead units (T09-01 has four): the least advanced lead; not reported while any lead is missing
    ("T09-01", "区人大常委会办公室 2023Q2 推进中 80; 区政协办公室 2023Q2 推进中 75; 区民政局 2023Q2 推进中 70; "
               "区委统战部 2023Q2 推进中 45; 锣场镇 2023Q2 滞后 5", "2023Q2", "on_track", 45, "区委统战部", "2023Q2"),
    ("T09-01", "区人大常委会办公室 2023Q2 已完成 100; 区政协办公室 2023Q2 推进中 75; 区民政局 2023Q2 滞后 70; "
               "区委统战部 2023Q2 未启动 0", "2023Q2", "behind", 0, "区委统战部", "2023Q2"),  # 未启动 at τ = 0.5 is behind, lowest 完成进度
    ("T09-01", "区人大常委会办公室 2022Q4 已完成 100; 区政协办公室 2023Q2 已完成 100; 区民政局 2023Q2 已完成 100; "
               "区委统战部 2023Q1 已完成 100", "2023Q2", "done", 100, "区人大常委会办公室", "2022Q4"),
    ("T09-01", "区民政局 2023Q2 推进中 70; 区委统战部 2023Q2 推进中 45; 锣场镇 2023Q2 滞后 5", "2023Q2",
     "not_reported", NAN, "", ""),
]


@pytest.mark.parametrize("task_id,spec,as_of,status,percent,unit,latest", TASK_CASES)
def test_task_cases(plan, task_id, spec, as_of, status, percent, unit, latest):
    result = assess_tasks(plan, task_rows(spec, task_id), Period.parse(as_of)).set_index("task_id")
    row = result.loc[task_id]
    assert (row["status"], row["reporting_unit"], row["latest_period"]) == (status, unit, latest)
    assert math.isnan(row["percent"]) if math.isnan(percent) else row["percent"] == percent


def test_task_frame_shape_and_reporters(plan):
    spec = "区发改局 2023Q2 推进中 60; 锣场镇 2023Q2 滞后 10; 岑河镇 2023Q1 推进中 10"
    result = assess_tasks(plan, task_rows(spec, "T04-03"), Period(2023, 2))
    assert list(result["task_id"]) == list(plan.tasks["task_id"])
    row = result.set_index("task_id").loc["T04-03"]
    assert row["reported_units"] == ("区发改局", "锣场镇")
    assert (row["state"], row["progress"], row["status_label"]) == ("推进中", "区发改局进展", "正常推进")
    assert row["lead_units"] == ("区发改局",)
    assert row["behind_below"] == pytest.approx(35)
    others = result[result["task_id"] != "T04-03"]
    assert set(others["status"]) == {"not_reported"} and set(others["status_label"]) == {"未报送"}


# (task, reports, as_of, expected contributions as "unit relation state percent")
CONTRIBUTION_CASES = [
    ("T10-05", "区委政法委 2025Q4 推进中 90; 区人社局 2025Q4 已完成 100", "2025Q4", ["区人社局 组团 已完成 100"]),
    ("T04-03", "区发改局 2023Q2 推进中 60; 锣场镇 2023Q2 滞后 10; 岑河镇 2023Q1 推进中 10", "2023Q2", ["锣场镇 组团 滞后 10"]),
    ("T01-01", "区发改局 2023Q2 推进中 60; 区住建局 2023Q2 推进中 50", "2023Q2", ["区住建局 直接 推进中 50"]),
    ("T04-03", "区发改局 2023Q2 推进中 60", "2023Q2", []),
    ("T04-03", "锣场镇 2023Q1 滞后 10", "2023Q2", []),                              # not in the as-of quarter
    ("T09-01", "区民政局 2023Q2 推进中 70; 锣场镇 2023Q2 滞后 5", "2023Q2", ["锣场镇 组团 滞后 5"]),  # leads are never contributions
]


@pytest.mark.parametrize("task_id,spec,as_of,expected", CONTRIBUTION_CASES)
def test_task_contributions(plan, task_id, spec, as_of, expected):
    rows = task_contributions(plan, task_rows(spec, task_id), Period.parse(as_of))
    assert list(rows.columns) == CONTRIBUTION_COLUMNS
    assert [f"{r.unit} {r.relation} {r.state} {r.percent:g}" for r in rows.itertuples()] == expected
    assert set(rows["task_id"]) <= {task_id} and all(rows["year"] == int(as_of[:4]))


def test_contribution_carries_its_text(plan):
    spec = "区委政法委 2025Q4 推进中 90; 区人社局 2025Q4 已完成 100"
    row = task_contributions(plan, task_rows(spec, "T10-05"), Period(2025, 4)).iloc[0]
    assert (row["progress"], row["quarter"]) == ("区人社局进展", 4)
    task = assess_tasks(plan, task_rows(spec, "T10-05"), Period(2025, 4)).set_index("task_id").loc["T10-05"]
    assert (task["status"], task["progress"], task["status_label"]) == ("on_track", "区委政法委进展", "未完成")  # final label
