"""区县对比 (lib/compare.py, lib/charts/compare.py) on a store holding shashi-14, shashi-15 and shili-15.

Expected numbers are computed here independently of the store: each plan is read from its folder, its sample
workbook read with lib.workbook, the 15th plan given the 14th's final values (lib.continuity), and assessed
with lib.assess as of 2026Q3, the sample progress's last quarter.
"""
from __future__ import annotations

import io
import math
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from lib import compare
from lib.charts import compare as compare_charts
from lib.assess import assess_indicators
from lib.continuity import inherit_baselines
from lib.periods import Period
from lib.plan import load_plan
from lib.plan_catalog import load_plan_version
from lib.reporting import STATE_ORDER, reporting_status
from lib.status import AT_RISK_LIGHT, STATUS_LOOK, Status, light_look
from lib.store import SYSTEM_ACCOUNT, open_store
from lib.workbook import read_workbook
from tests.conftest import DATA

PLANS = DATA / "plans"
TODAY = date(2026, 12, 1)
AS_OF = Period(2026, 3)
FOLDERS = {"shashi-14": DATA, "shashi-15": PLANS / "shashi-15", "shili-15": PLANS / "shili-15"}


def _rows(folder: Path, plan):
    return read_workbook((folder / "progress.xlsx").read_bytes(), plan, file_name="progress.xlsx")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    opened = open_store(f"sqlite:///{tmp_path_factory.mktemp('compare')}/c.sqlite", cached=False)
    for folder in FOLDERS.values():
        loaded = load_plan_version(opened, folder, "test")
        opened.plan(loaded.plan_id).seed_if_empty(loaded.plan, folder / "progress.xlsx")
    yield opened
    opened.engine.dispose()


@pytest.fixture(scope="module")
def comparison(store):
    return compare.compare(store, "jingzhou", TODAY)


@pytest.fixture(scope="module")
def expected():
    """plan_id → (plan with inherited baselines, indicator assessment, task rows), from the folders."""
    seed = load_plan(DATA)
    seed_rows = _rows(DATA, seed)
    out = {}
    for plan_id in ("shashi-15", "shili-15"):
        plan = load_plan(FOLDERS[plan_id])
        plan = inherit_baselines(plan, seed if plan.config.district_id == "shashi" else None, seed_rows.indicator_rows)
        rows = _rows(FOLDERS[plan_id], plan)
        out[plan_id] = (plan, assess_indicators(plan, rows.indicator_rows, AS_OF), rows.task_rows)
    return out


# --- which plan -----------------------------------------------------------------------------------------

PLAN_TABLE = pd.read_csv(io.StringIO("""district_id,plan_id,first_year,target_year
a,a-14,2021,2025
a,a-15,2026,2030
b,b-15,2026,2030
c,c-13,2016,2020
c,c-14,2021,2025
"""))


@pytest.mark.parametrize("district, today, expected_id", [
    ("a", date(2026, 12, 1), "a-15"),    # the period contains today
    ("a", date(2025, 12, 31), "a-14"),   # last day of the old plan
    ("a", date(2026, 1, 1), "a-15"),
    ("a", date(2031, 3, 1), "a-15"),     # after every plan: the latest
    ("a", date(2019, 1, 1), "a-15"),     # before every plan: still the latest
    ("b", date(2023, 6, 1), "b-15"),     # only one plan
    ("c", date(2026, 12, 1), "c-14"),    # no plan contains today: the latest
    ("d", date(2026, 12, 1), None),      # no plan at all
])
def test_current_plan_is_the_one_containing_today_else_the_latest(district, today, expected_id):
    assert compare.current_plan_id(PLAN_TABLE, today, district) == expected_id


def test_current_plan_reads_list_plans_periods_too():
    plans = pd.DataFrame({"district_id": ["a", "a"], "plan_id": ["a-14", "a-15"], "period": ["2021—2025", "2026—2030"]})
    assert compare.current_plan_id(plans, date(2024, 5, 1)) == "a-14"


def test_each_district_gets_its_current_plan(store):
    plans = compare.districts_plans(store, "jingzhou")
    assert list(compare.current_plans(plans, TODAY)["plan_id"]) == ["shashi-15", "shili-15"]
    assert list(compare.current_plans(plans, date(2025, 6, 1))["plan_id"]) == ["shashi-14", "shili-15"]


def test_the_comparison_is_each_district_on_its_current_plan_at_its_latest_quarter(comparison):
    assert [(r.district_id, r.plan_id, str(r.as_of)) for r in comparison.districts] == [
        ("shashi", "shashi-15", "2026Q3"), ("shili", "shili-15", "2026Q3")]
    assert comparison.sample is True


@pytest.fixture
def other_city_store(tmp_path):
    """The three plans plus a district of another city (a copy of shili-15 renamed)."""
    folder = tmp_path / "waicheng-15"
    shutil.copytree(FOLDERS["shili-15"], folder)
    toml = (folder / "plan.toml").read_text(encoding="utf-8")
    for old, new in (('id = "shili-15"', 'id = "waicheng-15"'), ('district_id = "shili"', 'district_id = "waicheng"'),
                     ('district = "示例区"', 'district = "外城区"'), ('city_id = "jingzhou"', 'city_id = "yichang"'),
                     ('city = "荆州市"', 'city = "宜昌市"')):
        assert old in toml
        toml = toml.replace(old, new)
    (folder / "plan.toml").write_text(toml, encoding="utf-8")
    opened = open_store(f"sqlite:///{tmp_path}/o.sqlite", cached=False)
    for f in (*FOLDERS.values(), folder):
        load_plan_version(opened, f, SYSTEM_ACCOUNT)
    yield opened
    opened.engine.dispose()


@pytest.mark.parametrize("city_id, districts", [
    ("jingzhou", ["shashi", "shili"]),
    ("yichang", ["waicheng"]),
    (None, ["shashi", "shili", "waicheng"]),   # public browsing: every district
    ("nowhere", []),
])
def test_a_city_sees_its_own_districts_only(other_city_store, city_id, districts):
    result = compare.compare(other_city_store, city_id, TODAY)
    assert [r.district_id for r in result.districts] == districts


# --- frames ---------------------------------------------------------------------------------------------

def test_status_counts_are_the_assessments_counts(comparison, expected):
    counts = compare.status_counts(comparison).set_index("plan_id")
    for plan_id, (_, assessed, _) in expected.items():
        tally = assessed["status"].value_counts()
        assert counts.at[plan_id, "total"] == len(assessed)
        assert counts.at[plan_id, "as_of"] == "2026Q3"
        for status in Status:
            assert counts.at[plan_id, status.value] == tally.get(status.value, 0), (plan_id, status)
            ids = tuple(assessed.loc[assessed["status"] == status.value, "indicator_id"])
            assert counts.at[plan_id, f"{status.value}_ids"] == ids


def _light(status, outlook) -> str:
    return compare.LIGHT_AT_RISK if light_look(status, outlook) is AT_RISK_LIGHT else status


def test_binding_grid_has_one_cell_per_district_and_binding_indicator(comparison, expected):
    grid = compare.binding_grid(comparison)
    got = {(r.district_id, r.code): r.light for r in grid.itertuples()}
    want = {}
    for plan_id, (plan, assessed, _) in expected.items():
        binding = assessed.assign(code=plan.indicators["code"].to_numpy())
        binding = binding[binding["category"] == "约束性"]
        want |= {(plan.config.district_id, r.code): _light(r.status, r.outlook) for r in binding.itertuples()}
    assert got == want
    # the sample has both an amber light and a code only one district reports (a gap in the grid)
    assert compare.LIGHT_AT_RISK in set(got.values())
    assert ("shashi", "WATER_QUALITY") in got and ("shili", "WATER_QUALITY") not in got


def test_shared_codes_are_those_in_both_districts_with_each_districts_target(comparison, expected):
    shared = compare.shared_codes(comparison)
    codes = [set(p.indicators["code"]) - {""} for p, _, _ in expected.values()]
    assert set(shared["code"]) == codes[0] & codes[1]
    assert shared.groupby("code")["district_id"].apply(list).map(sorted).tolist() == [["shashi", "shili"]] * shared["code"].nunique()
    for plan_id, (plan, assessed, _) in expected.items():
        mine = shared[shared["plan_id"] == plan_id].set_index("code")
        ind = assessed.assign(code=plan.indicators["code"].to_numpy()).set_index("code").loc[mine.index]
        pd.testing.assert_series_equal(mine["latest_value"], ind["latest_value"], check_names=False)
        target = ind["target_value"].where(ind["target_value"].notna(), ind["assigned_target"])
        pd.testing.assert_series_equal(mine["target"], target, check_names=False)


def test_shared_codes_can_be_narrowed_to_the_picked_ones(comparison):
    names = compare.shared_code_names(comparison)
    assert list(names)[:2] == ["GDP_GROWTH", "RD_SPENDING_GROWTH"] and names["GDP_GROWTH"] == "地区生产总值增长"
    picked = compare.shared_codes(comparison, ["FOREST_COVER", "GDP_GROWTH", "NOT_SHARED"])
    assert list(zip(picked["code"], picked["district_id"])) == [
        ("GDP_GROWTH", "shashi"), ("GDP_GROWTH", "shili"), ("FOREST_COVER", "shashi"), ("FOREST_COVER", "shili")]
    assert compare.shared_codes(comparison, []).empty


@pytest.mark.parametrize("code, district, target", [
    ("GDP_GROWTH", "shashi", 6.0), ("GDP_GROWTH", "shili", 5.5),
    ("AIR_QUALITY", "shashi", 85.0),    # a quota: the assigned annual target
    ("INCOME_GROWTH", "shili", None),   # in step with GDP: no numeric target
])
def test_shared_code_targets(comparison, code, district, target):
    row = compare.shared_codes(comparison).set_index(["code", "district_id"]).loc[(code, district)]
    assert (math.isnan(row["target"]) if target is None else row["target"] == target)


def test_completeness_follows_the_reporting_rules(comparison, store, expected):
    frame = compare.completeness(comparison).set_index("plan_id")
    for plan_id, (plan, _, task_rows) in expected.items():
        reported = store.plan(plan_id).reported_items(AS_OF.year, AS_OF.quarter)
        status = reporting_status(plan, AS_OF, reported, 15, TODAY, task_rows)
        tally = status["state"].value_counts()
        for state in STATE_ORDER:
            assert frame.at[plan_id, state] == tally.get(state, 0)
        assert frame.at[plan_id, "owed"] == len(status)
        assert frame.at[plan_id, "rate"] == pytest.approx(tally.get("已报送", 0) / len(status) + tally.get("逾期报送", 0) / len(status))


def test_an_empty_comparison_gives_empty_frames():
    empty = compare.Comparison("nowhere", TODAY, ())
    assert [len(f) for f in (compare.status_counts(empty), compare.binding_grid(empty), compare.shared_codes(empty),
                             compare.completeness(empty))] == [0, 0, 0, 0]


# --- charts ---------------------------------------------------------------------------------------------

def test_status_chart_has_one_bar_per_district_per_status(comparison):
    counts = compare.status_counts(comparison)
    fig = compare_charts.district_status_counts(counts).to_dict()
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert [t["name"] for t in bars] == [f"{STATUS_LOOK[s].icon} {STATUS_LOOK[s].label}" for s in Status]
    assert [t["marker"]["color"] for t in bars] == [STATUS_LOOK[s].colour for s in Status]
    for trace, status in zip(bars, Status):
        assert list(trace["y"]) == ["shashi", "shili"]
        assert list(trace["x"]) == counts[status.value].tolist()
    assert fig["layout"]["barmode"] == "stack"
    assert fig["layout"]["xaxis"]["title"]["text"] == "指标数(项)"


def test_grid_chart_cells_are_the_lights_and_a_gap_where_a_plan_lacks_the_indicator(comparison):
    grid = compare.binding_grid(comparison)
    fig = compare_charts.binding_grid(grid).to_dict()
    heat = fig["data"][0]
    keys = list(pd.unique(grid["key"]))
    assert list(heat["x"]) == keys and list(heat["y"]) == ["沙市区", "示例区"]
    for i, district in enumerate(["沙市区", "示例区"]):
        for j, key in enumerate(keys):
            row = grid[(grid["district"] == district) & (grid["key"] == key)]
            z = heat["z"][i][j]
            if row.empty:
                assert z is None or math.isnan(z)
                assert heat["text"][i][j] == ""
            else:
                code = row["light"].iloc[0]
                assert z == compare_charts.LIGHT_CODES.index(code)
                assert heat["text"][i][j] == compare_charts.LIGHT_LOOK[code].icon
    legend = [t["name"] for t in fig["data"][1:]]
    assert legend[3] == f"{AT_RISK_LIGHT.icon} 预计难以完成" and len(legend) == len(compare_charts.LIGHT_CODES)


def test_shared_chart_has_one_panel_per_code_with_values_and_targets(comparison):
    shared = compare.shared_codes(comparison)
    fig = compare_charts.shared_values(shared).to_dict()
    codes = list(pd.unique(shared["code"]))
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert len(titles) == len(codes) and titles[0] == "地区生产总值增长(%)"
    for i, code in enumerate(codes, start=1):
        axis = "y" if i == 1 else f"y{i}"
        part = shared[shared["code"] == code].set_index("district")
        bars = [t for t in fig["data"] if t["type"] == "bar" and t["yaxis"] == axis]
        values = {d: x for t in bars for d, x in zip(t["y"], t["x"])}
        assert values == part["latest_value"].dropna().to_dict()
        target = next(t for t in fig["data"] if t.get("legendgroup") == "target" and t["yaxis"] == axis)
        assert dict(zip(target["y"], target["x"])) == part["target"].dropna().to_dict()
    assert [t["name"] for t in fig["data"] if t.get("showlegend") is not False].count("目标") == 1


def test_completeness_chart_stacks_states_and_states_the_rate(comparison):
    frame = compare.completeness(comparison)
    fig = compare_charts.completeness(frame).to_dict()
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert [t["name"].split(" ")[1] for t in bars] == list(compare_charts.COMPLETENESS_STATES)
    for trace, state in zip(bars, compare_charts.COMPLETENESS_STATES):
        assert list(trace["x"]) == frame[state].tolist()
    assert [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "rate"] == ["100%", "100%"]


@pytest.mark.parametrize("build", [compare_charts.district_status_counts, compare_charts.binding_grid,
                                   compare_charts.shared_values, compare_charts.completeness])
def test_no_districts_gives_an_empty_chart_not_an_error(build):
    fig = build(pd.DataFrame()).to_dict()
    assert [a["name"] for a in fig["layout"]["annotations"]] == ["empty"]
