"""The sample workbook data/progress.xlsx: reproducible, plausible, and showing every status."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from lib.assess import assess_indicators, assess_tasks
from lib.cli import read_progress
from lib.periods import Period
from lib.status import Status, TaskStatus

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "progress.xlsx"


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample_progress", ROOT / "scripts" / "make_sample_progress.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample(plan):
    return read_progress(SAMPLE, plan)


@pytest.mark.parametrize("as_of", ["2023Q2", "2025Q4"])
def test_every_indicator_status_occurs(plan, sample, as_of):
    result = assess_indicators(plan, sample[0], Period.parse(as_of))
    assert set(result["status"]) == {s.value for s in Status}


# not_started needs τ < 0.2 (2021Q1–Q3 in the seed plan): at 2023Q2 and 2025Q4 it cannot occur.
# Every lead unit of a task reports in the sample (T09-01 has four), so nothing is not_reported in 2021.
@pytest.mark.parametrize("as_of,expected", [
    ("2021Q3", {"not_started", "on_track"}),
    ("2023Q2", {"done", "on_track", "behind", "not_reported"}),
    ("2025Q4", {"done", "on_track", "behind", "not_reported"}),
])
def test_task_statuses(plan, sample, as_of, expected):
    assert set(assess_tasks(plan, sample[1], Period.parse(as_of))["status"]) == expected
    assert expected <= {s.value for s in TaskStatus}


def test_worked_examples_are_reproduced(plan, sample):
    result = assess_indicators(plan, sample[0], Period(2023, 2)).set_index("indicator_id")
    assert result.at["Y01", "achievement"] == pytest.approx(0.4285, abs=5e-5)
    assert result.at["Y01", "log_growth"] == pytest.approx(0.184638, abs=5e-7)
    assert result.loc[["Y01", "Y03", "Y07", "Y08", "B01", "K01", "K06"], "status"].tolist() == \
        ["behind", "ahead", "on_track", "on_track", "on_track", "ahead", "on_track"]
    assert round(result.at["Y07", "diff_pp"], 2) == -0.16
    assert result.at["K06", "cumulative_total"] == 21400
    assert result.at["K01", "achievement"] == pytest.approx(0.5332, abs=5e-5)


def test_all_items_and_quarters_present(plan, sample):
    indicators, tasks = sample
    assert set(indicators["indicator_id"]) == set(plan.indicators["indicator_id"])
    assert set(tasks["task_id"]) == set(plan.tasks["task_id"])
    periods = set(zip(tasks["year"], tasks["quarter"]))
    assert periods == {(y, q) for y in range(2021, 2026) for q in (1, 2, 3, 4)}


def test_values_plausible_and_percent_numbers(plan, sample):
    rows = sample[0].merge(plan.indicators[["indicator_id", "unit", "plausible_min", "plausible_max", "annual"]],
                           on="indicator_id", suffixes=("", "_ind"))
    assert rows["value"].between(rows["plausible_min"], rows["plausible_max"]).all()
    shares = rows[rows["unit_ind"] == "%"]
    assert (shares["value"].abs() >= 1).all()  # never 0.97 for 97%
    assert (rows.loc[rows["annual"], "quarter"] == 4).all()


def test_units_are_responsible(plan, sample):
    from lib.units import is_responsible
    indicators, tasks = sample
    ind = plan.indicators.set_index("indicator_id")
    for rec in indicators.drop_duplicates(["indicator_id", "unit"]).itertuples():
        names = ind.at[rec.indicator_id, "lead_units"] + ind.at[rec.indicator_id, "responsible_units"]
        assert is_responsible(plan.units, names, rec.unit), (rec.indicator_id, rec.unit)
    task = plan.tasks.set_index("task_id")
    for rec in tasks.drop_duplicates(["task_id", "unit"]).itertuples():
        assert plan.units.resolve(rec.unit) == rec.unit
        assert is_responsible(plan.units, task.at[rec.task_id, "lead_units"] + task.at[rec.task_id, "responsible_units"], rec.unit)
    multi = tasks.groupby(["task_id", "year", "quarter"])["unit"].nunique()
    assert (multi > 1).any()  # some tasks are reported by a lead and a town or subdistrict


def test_public_figures_and_notes(sample):
    rows = sample[0].set_index(["indicator_id", "year", "quarter"])
    assert rows.at[("Y01", 2021, 4), "value"] == 11.0
    assert rows.at[("K01", 2021, 4), "value"] == 294.36
    assert rows.at[("B06", 2021, 4), "value"] == 12.31
    assert rows.at[("Y01", 2021, 4), "note"].startswith("公开数据:") and "shashi.gov.cn" in rows.at[("Y01", 2021, 4), "note"]
    assert set(sample[0]["note"]) - {rows.at[("Y01", 2021, 4), "note"]} == {"示例数据"}


def test_quota_rows_carry_annual_targets(plan, sample):
    quota = set(plan.indicators.loc[plan.indicators["kind"] == "quota", "indicator_id"])
    rows = sample[0]
    with_target = rows[rows["annual_target"].notna()]
    assert set(with_target["indicator_id"]) == quota - {"B04"}  # B04: the higher level assigned none
    assert (rows.loc[~rows["indicator_id"].isin(quota), "annual_target"].isna()).all()


def test_regenerating_gives_identical_data(plan, sample, tmp_path):
    gen = _generator()
    first, second = gen.build_sample(plan), gen.build_sample(plan)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])
    out = tmp_path / "again.xlsx"
    assert gen.main(["--out", str(out)]) == 0
    again = read_progress(out, plan)
    pd.testing.assert_frame_equal(again[0], sample[0])
    pd.testing.assert_frame_equal(again[1], sample[1])
