"""Plan identity (plan.toml: id, district, city) and indicator codes: checked by the plan loader."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from lib.plan import check_plan_dir, load_plan
from tests.conftest import DATA
from tests.test_plan_errors import PLAN_FILES, edit_csv, errors


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    for name in PLAN_FILES:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def set_toml(plan_dir: Path, key: str, value: str | None) -> None:
    """Replace (or with None, delete) one `key = "…"` line of plan.toml."""
    path = plan_dir / "plan.toml"
    text = re.sub(rf'(?m)^{key} = ".*"\n', "" if value is None else f'{key} = "{value}"\n', path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def test_seed_plan_names_itself_and_its_district():
    config = load_plan(DATA).config
    assert (config.id, config.district, config.district_id, config.city, config.city_id) == (
        "shashi-14", "沙市区", "shashi", "荆州市", "jingzhou")
    assert config.sample is False


def test_seed_codes_are_unique_and_cover_the_main_indicators():
    ind = load_plan(DATA).indicators
    main = ind[ind["category"] != "任务指标"]
    assert (main["code"] != "").all()
    coded = ind.loc[ind["code"] != "", "code"]
    assert coded.is_unique


@pytest.mark.parametrize("key, value", [
    ("id", "Shashi 14"), ("id", "沙市-14"), ("id", "-shashi"), ("district_id", "sha_shi"), ("city_id", "JINGZHOU"),
])
def test_identifiers_must_be_lowercase_slugs(plan_dir, key, value):
    set_toml(plan_dir, key, value)
    assert errors(plan_dir) == [("plan.bad_slug", "plan.toml", None, key)]


@pytest.mark.parametrize("missing", ["district", "district_id"])
def test_an_id_needs_its_district(plan_dir, missing):
    set_toml(plan_dir, missing, None)
    assert errors(plan_dir) == [("plan.identity_incomplete", "plan.toml", None, "")]


def test_a_city_id_needs_the_city_name(plan_dir):
    set_toml(plan_dir, "city", None)
    assert errors(plan_dir) == [("plan.identity_incomplete", "plan.toml", None, "")]


def test_identity_is_optional_as_a_whole(plan_dir):
    for key in ("id", "district", "district_id", "city", "city_id"):
        set_toml(plan_dir, key, None)
    plan, findings = check_plan_dir(plan_dir)
    assert plan is not None and plan.config.id == "" and not [f for f in findings if f.is_error]


@pytest.mark.parametrize("code", ["gdp_growth", "1GDP", "GDP-GROWTH", "G", "增速"])
def test_bad_code(plan_dir, code):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.loc.__setitem__((0, "code"), code))
    assert errors(plan_dir) == [("plan.bad_code", "indicators.csv", 2, "code")]


def test_duplicate_code_names_the_second_row(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.loc.__setitem__((3, "code"), "GDP_GROWTH"))
    assert errors(plan_dir) == [("plan.duplicate_code", "indicators.csv", 5, "code")]


def test_code_column_is_optional(plan_dir):
    edit_csv(plan_dir / "indicators.csv", lambda f: f.pop("code"))
    assert (load_plan(plan_dir).indicators["code"] == "").all()
