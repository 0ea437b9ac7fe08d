"""Plan-file defects: each gives its code at its file, row and column, and the plan is not loaded."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib.plan import PlanError, check_plan_dir, load_plan
from tests.conftest import DATA

PLAN_FILES = ("plan.toml", "indicators.csv", "tasks.csv", "units.csv")


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    for name in PLAN_FILES:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def edit_csv(path: Path, fn) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(frame)
    frame.to_csv(path, index=False)


def errors(plan_dir: Path) -> list[tuple[str, str, int | None, str]]:
    plan, findings = check_plan_dir(plan_dir)
    assert plan is None
    return [(f.code, f.sheet, f.row, f.column) for f in findings if f.is_error]


def test_copy_loads(plan_dir):
    assert load_plan(plan_dir).config.base_year == 2020


def test_duplicate_indicator_id(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.__setitem__("indicator_id", f["indicator_id"].replace("Y02", "Y01")))
    assert errors(plan_dir) == [("plan.duplicate_id", "indicators.csv", 3, "indicator_id")]


def test_unknown_kind(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.loc.__setitem__((2, "kind"), "levelup"))
    assert errors(plan_dir) == [("plan.bad_choice", "indicators.csv", 4, "kind")]


def test_kind_missing_target(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.loc.__setitem__((0, "target_value"), ""))
    assert errors(plan_dir) == [("plan.missing_target", "indicators.csv", 2, "target_value")]


def test_in_step_missing_reference(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.loc.__setitem__((6, "ref_indicator"), ""))
    assert errors(plan_dir) == [("plan.missing_ref", "indicators.csv", 8, "ref_indicator")]


def test_in_step_unknown_reference(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.loc.__setitem__((6, "ref_indicator"), "Y99"))
    assert errors(plan_dir) == [("plan.unknown_ref", "indicators.csv", 8, "ref_indicator")]


def test_unit_not_in_units_csv(plan_dir):
    edit_csv(plan_dir / "tasks.csv", lambda f: f.loc.__setitem__((0, "lead_units"), "区发展局"))
    plan, findings = check_plan_dir(plan_dir)
    (f,) = [f for f in findings if f.is_error]
    assert (f.code, f.sheet, f.row, f.column, f.value) == ("plan.unknown_unit", "tasks.csv", 2, "lead_units", "区发展局")
    assert "区发改局" in f.message  # the closest known name is suggested


def test_not_a_number(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.loc.__setitem__((1, "target_value"), "九点五"))
    assert ("plan.not_a_number", "indicators.csv", 3, "target_value") in errors(plan_dir)


def test_base_year_not_before_target_year(plan_dir):
    (plan_dir / "plan.toml").write_text('name = "x"\nbase_year = 2025\ntarget_year = 2025\n', encoding="utf-8")
    assert errors(plan_dir) == [("plan.years_invalid", "plan.toml", None, "")]


def test_missing_file_and_column(plan_dir):
    (plan_dir / "tasks.csv").unlink()
    edit_csv(plan_dir / "units.csv", lambda f: f.__delitem__("kind"))
    assert sorted(errors(plan_dir)) == [("plan.column_missing", "units.csv", 1, "kind"), ("plan.file_missing", "tasks.csv", None, "")]


def test_alias_pointing_at_two_units(plan_dir):
    edit_csv(plan_dir / "units.csv", lambda f: f.loc.__setitem__((1, "aliases"), "区发展和改革局"))
    assert errors(plan_dir) == [("plan.name_conflict", "units.csv", 3, "aliases")]


def test_plan_error_carries_every_finding(plan_dir):
    def two_defects(f):
        f.loc[0, "kind"] = "bogus"
        f.loc[1, "target_value"] = "abc"
    edit_csv(plan_dir / "indicators.csv", two_defects)
    with pytest.raises(PlanError) as info:
        load_plan(plan_dir)
    assert {f.code for f in info.value.findings} == {"plan.bad_choice", "plan.not_a_number"}
    assert "indicators.csv 第2行「kind」" in str(info.value)


def test_fifteenth_plan_from_another_folder(plan_dir):
    """A 2026–2030 plan: different years, ids and units, loaded with no code change."""
    (plan_dir / "plan.toml").write_text('name = "十五五规划"\nbase_year = 2025\ntarget_year = 2030\n', encoding="utf-8")
    pd.DataFrame({"unit": ["市统计局", "新区管委会"], "kind": ["区直部门", "区直部门"], "aliases": ["统计局", ""], "members": ["", ""]}).to_csv(plan_dir / "units.csv", index=False)
    pd.DataFrame({"task_id": ["T01-01"], "section_no": [1], "section_title": ["新篇章"], "title": ["新任务"], "description": ["内容"],
                  "lead_units": ["市统计局"], "responsible_units": ["新区管委会"]}).to_csv(plan_dir / "tasks.csv", index=False)
    ind = pd.read_csv(DATA / "indicators.csv", dtype=str, keep_default_na=False).head(2).copy()
    ind["indicator_id"] = ["A1", "A2"]
    ind["responsible_units"] = ["统计局", "新区管委会"]
    ind.to_csv(plan_dir / "indicators.csv", index=False)
    plan = load_plan(plan_dir)
    assert (plan.base_year, plan.target_year) == (2025, 2030)
    assert str(plan.periods[0]) == "2026Q1" and str(plan.periods[-1]) == "2030Q4"
    assert list(plan.responsibilities("市统计局")["item_id"]) == ["A1", "T01-01"]
    assert plan.responsibilities("市统计局").set_index("item_id").at["A1", "via"] == "别名"
