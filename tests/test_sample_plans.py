"""The sample plans beside the seed: 沙市区 "十五五" (2026–2030) and the fictitious 示例区, both marked 示例."""
from __future__ import annotations

import sys

import pandas as pd
import pytest

from lib.assess import assess_indicators
from lib.periods import Period
from lib.plan import Plan, load_plan
from lib.workbook import read_workbook
from tests.conftest import DATA

ROOT = DATA.parent
PLANS = DATA / "plans"
sys.path.insert(0, str(ROOT / "scripts"))
import make_sample_plans  # noqa: E402


@pytest.fixture(scope="module")
def seed() -> Plan:
    return load_plan(DATA)


@pytest.fixture(scope="module", params=["shashi-15", "shili-15"])
def sample(request) -> Plan:
    return load_plan(PLANS / request.param)


def progress(plan: Plan):
    return read_workbook((plan.plan_dir / "progress.xlsx").read_bytes(), plan, file_name="progress.xlsx")


def test_both_name_themselves_in_the_seed_city(sample, seed):
    c = sample.config
    assert c.id == sample.plan_dir.name and c.sample is True
    assert (c.base_year, c.target_year) == (2025, 2030)
    assert (c.city, c.city_id) == (seed.config.city, seed.config.city_id)
    assert "示例" in c.short_name


def test_the_fifteenth_plan_is_the_seed_districts_next_plan(seed):
    nxt = load_plan(PLANS / "shashi-15").config
    assert (nxt.district_id, nxt.base_year) == (seed.config.district_id, seed.config.target_year)
    assert load_plan(PLANS / "shili-15").config.district_id != seed.config.district_id


def test_continuing_measures_share_the_seed_codes(seed):
    codes = set(load_plan(PLANS / "shashi-15").indicators["code"])
    assert {"GDP_GROWTH", "URBANIZATION", "FOREST_COVER", "GRAIN_CAPACITY", "LIFE_EXPECTANCY",
            "UNEMPLOYMENT", "CO2_INTENSITY_CUT"} <= codes & set(seed.indicators["code"])


def test_national_figures_are_the_published_ones():
    ind = load_plan(PLANS / "shashi-15").indicators.set_index("code")
    assert ind.loc["RD_SPENDING_GROWTH", ["kind", "target_value"]].tolist() == ["growth_rate", 7.0]
    assert ind.loc["CO2_INTENSITY_CUT", ["kind", "target_value"]].tolist() == ["reduction_total", 17.0]
    assert ind.loc["LIFE_EXPECTANCY", "target_value"] == 80.0
    assert ind.loc["NURSING_BED_SHARE", "target_value"] == 73.0


def test_an_empty_baseline_is_left_for_the_previous_plans_final_value(seed):
    """level_up indicators without a baseline continue a seed code (the store inherits the 2025Q4 value)."""
    ind = load_plan(PLANS / "shashi-15").indicators
    open_baseline = ind[(ind["kind"] == "level_up") & ind["baseline_value"].isna()]
    assert len(open_baseline) >= 4
    assert set(open_baseline["code"]) <= set(seed.indicators["code"])


def test_every_target_and_every_row_says_it_is_a_sample(sample):
    ind = sample.indicators
    assert ind["target_text"].str.contains("示例|国家目标").all()
    assert sample.tasks["description"].str.startswith("示例").all()
    read = progress(sample)
    assert read.indicator_rows["note"].str.startswith("示例数据").all()
    assert read.task_rows["progress"].str.startswith("示例数据").all()


def test_sample_progress_is_clean_and_covers_2026_q1_to_q3(sample):
    read = progress(sample)
    assert read.ok and not [f for f in read.findings if f.is_error]
    periods = {(int(r.year), int(r.quarter)) for r in read.indicator_rows.itertuples()}
    assert periods == {(2026, 1), (2026, 2), (2026, 3)}
    assert set(read.task_rows["task_id"]) == set(sample.tasks["task_id"])


def test_sample_progress_gives_more_than_one_status(sample):
    result = assess_indicators(sample, progress(sample).indicator_rows, Period(2026, 3))
    judged = result[result["status"] != "no_data"]
    assert len(judged) >= len(result) // 2
    assert judged["status"].nunique() >= 2


def test_districts_name_their_units_alike():
    """Every district has its own 区发改局: the same name in two plans is two units."""
    shashi, shili = (set(load_plan(PLANS / p).units.units) for p in ("shashi-15", "shili-15"))
    assert {"区发改局", "区人社局"} <= shashi & shili
    assert "示例一镇" in shili - shashi


def test_the_generator_reproduces_the_committed_files(tmp_path):
    make_sample_plans.build(tmp_path)
    for plan in ("shashi-15", "shili-15"):
        for name in ("plan.toml", "indicators.csv", "tasks.csv", "units.csv"):
            assert (tmp_path / plan / name).read_bytes() == (PLANS / plan / name).read_bytes(), f"{plan}/{name}"
        committed = pd.read_excel(PLANS / plan / "progress.xlsx", sheet_name=None, engine="calamine")
        regenerated = pd.read_excel(tmp_path / plan / "progress.xlsx", sheet_name=None, engine="calamine")
        assert committed.keys() == regenerated.keys()
        for sheet in committed:
            pd.testing.assert_frame_equal(committed[sheet], regenerated[sheet])
