"""Continuity between plans (lib/continuity.py, lib/charts/continuity.py): one series by `code`."""
from __future__ import annotations

import pandas as pd
import pytest

from lib.charts.continuity import continuity_figure
from lib.continuity import INHERITED_SOURCE, PlanPart, continuous_series, inherit_baselines, predecessor_of
from lib.plan import load_plan
from lib.workbook import read_workbook
from tests.conftest import DATA

PLANS = DATA / "plans"


def sample_progress(plan) -> pd.DataFrame:
    return read_workbook((plan.plan_dir / "progress.xlsx").read_bytes(), plan, file_name="progress.xlsx").indicator_rows


@pytest.fixture(scope="module")
def seed():
    return load_plan(DATA)


@pytest.fixture(scope="module")
def fifteenth():
    return load_plan(PLANS / "shashi-15")


@pytest.fixture(scope="module")
def seed_progress(seed):
    return sample_progress(seed)


def test_the_predecessor_is_the_same_districts_plan_ending_where_this_one_begins(seed, fifteenth):
    shili = load_plan(PLANS / "shili-15")
    assert predecessor_of(fifteenth, [shili, seed, fifteenth]) is seed
    assert predecessor_of(shili, [seed, fifteenth]) is None
    assert predecessor_of(seed, [fifteenth]) is None


@pytest.mark.parametrize("code, expected", [
    ("URBANIZATION", 90.1),       # seed Y03 at 2025Q4
    ("CHILDCARE_PLACES", 1.85),   # seed Y11
    ("FOREST_COVER", 36.1),       # seed B05
    ("GRAIN_CAPACITY", 12.85),    # seed B06 (annual: its Q4 value)
    ("LIFE_EXPECTANCY", 79.45),   # seed Y12
])
def test_an_empty_baseline_takes_the_previous_plans_final_value_and_says_so(seed, fifteenth, seed_progress, code, expected):
    inherited = inherit_baselines(fifteenth, seed, seed_progress).indicators.set_index("code")
    assert inherited.at[code, "baseline_value"] == pytest.approx(expected)
    assert inherited.at[code, "baseline_source"] == f"{INHERITED_SOURCE}(沙市区“十四五”规划 2025年第四季度)"


def test_a_baseline_the_plan_states_is_kept(seed, fifteenth, seed_progress):
    before = fifteenth.indicators.set_index("code")
    after = inherit_baselines(fifteenth, seed, seed_progress).indicators.set_index("code")
    stated = before["baseline_value"].notna()
    pd.testing.assert_series_equal(after.loc[stated, "baseline_value"], before.loc[stated, "baseline_value"])
    assert after.at["DOCTORS_PER_1000", "baseline_source"].startswith("示例值")   # seed Y09 has no 2025 value
    assert fifteenth.indicators["baseline_value"].isna().sum() >= 5                 # the input is not changed


def test_without_a_predecessor_or_final_values_nothing_changes(seed, fifteenth):
    assert inherit_baselines(fifteenth, None, None) is fifteenth
    no_2025 = sample_progress(seed).query("year < 2025")
    assert inherit_baselines(fifteenth, seed, no_2025) is fifteenth


def test_one_series_runs_across_both_plans(seed, fifteenth, seed_progress):
    series = continuous_series("URBANIZATION", [PlanPart(fifteenth, sample_progress(fifteenth)),
                                                PlanPart(seed, seed_progress)])
    assert list(dict.fromkeys(series["plan_id"])) == ["shashi-14", "shashi-15"]
    assert series["year"].min() == 2021 and series["year"].max() == 2026
    assert series.groupby("plan_id")["target_value"].first().to_dict() == {"shashi-14": 90.0, "shashi-15": 93.0}
    assert series.groupby("plan_id")["indicator_id"].first().to_dict() == {"shashi-14": "Y03", "shashi-15": "Y04"}
    assert series[["year", "quarter"]].apply(tuple, axis=1).is_monotonic_increasing


def test_the_continuity_chart_shows_both_series_both_targets_and_the_boundary(seed, fifteenth, seed_progress):
    series = continuous_series("URBANIZATION", [PlanPart(seed, seed_progress), PlanPart(fifteenth, sample_progress(fifteenth))])
    fig = continuity_figure(series, "常住人口城镇化率:十四五—十五五").to_dict()
    names = [t["name"] for t in fig["data"]]
    assert names == ["沙市区“十四五”规划", "沙市区“十四五”规划 目标 90%",
                     "沙市区“十五五”规划(示例)", "沙市区“十五五”规划(示例) 目标 93%"]
    targets = {t["meta"]: t["y"] for t in fig["data"] if str(t.get("meta", "")).startswith("target:")}
    assert {k: list(v) for k, v in targets.items()} == {"target:shashi-14": [90.0, 90.0], "target:shashi-15": [93.0, 93.0]}
    axis = fig["layout"]["xaxis"]["categoryarray"]
    assert axis[0] == "2021Q1" and axis[-1] == "2030Q4"
    assert fig["layout"]["xaxis"]["ticktext"][0] == "2021年" and "tickangle" not in fig["layout"]["xaxis"]   # tilts on a phone
    boundary = [s for s in fig["layout"]["shapes"] if s.get("name") == "boundary"]
    assert len(boundary) == 1 and boundary[0]["x0"] == axis.index("2025Q4") + 0.5
    values = {t["meta"]: list(t["x"]) for t in fig["data"] if t["meta"] in ("shashi-14", "shashi-15")}
    assert values["shashi-14"][-1] == "2025Q4" and values["shashi-15"][0] == "2026Q1"
    lo, hi = fig["layout"]["yaxis"]["range"]                # the 93% target is inside the plot, not on its edge
    span = max(93.0, series["value"].max()) - min(series["value"].min(), 90.0)
    assert lo < series["value"].min() - span / 20 and hi > 93.0 + span / 20


def test_no_values_gives_the_empty_chart():
    fig = continuity_figure(continuous_series("NOPE", []), "无数据").to_dict()
    assert fig["data"] == [] and fig["layout"]["annotations"][0]["text"] == "暂无数据"
