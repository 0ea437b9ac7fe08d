"""The 规划 and 区县 selectors: every page follows the chosen plan, the choice is in the URL, a shared link opens
the plan it names, and the indicator page shows a measure across plans with its inherited baseline."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib.assess import assess_indicators
from lib.continuity import INHERITED_SOURCE
from lib.periods import Period
from lib.plan_catalog import list_plans, stored_plan
from lib.store import assessment_inputs
from tests import apptest
from tests.apptest import dashboard, temp_store
from tests.conftest import ALL_PLAN_DIRS, SEED_PLAN

BROWSE_PAGES = ["app_pages/overview.py", "app_pages/indicators.py", "app_pages/tasks.py", "app_pages/units.py",
                "app_pages/reporting.py", "app_pages/plan.py"]


@pytest.fixture(autouse=True)
def city_store(tmp_path, monkeypatch):
    temp_store(tmp_path, monkeypatch, PLANMON_PLAN_DIRS=ALL_PLAN_DIRS)


def app(**params: str) -> AppTest:
    return dashboard(120, **params)


def sidebar(at: AppTest) -> dict[str, object]:
    return {s.key: s.value for s in at.sidebar.radio}


def test_default_is_the_plan_running_today_and_its_quarters():
    at = app()
    at.run()
    assert not at.exception
    assert at.radio(key="pm_plan").options == ["“十四五”规划(2021—2025)", "“十五五”规划(2026—2030,示例)"]
    assert sidebar(at)["pm_district"] == "shashi" and sidebar(at)["pm_plan"] == "shashi-15"
    assert at.radio(key="v_as_of").value == Period(2026, 3)   # the latest quarter of the 15th plan's data
    assert "plan" not in at.query_params   # the default plan needs no parameter


def test_choosing_a_plan_puts_it_in_the_url_and_switches_every_page():
    at = app()
    at.run()
    at.radio(key="pm_plan").set_value(SEED_PLAN).run()
    assert at.query_params["plan"] == SEED_PLAN
    assert at.radio(key="v_as_of").value == Period(2025, 4)
    for page in BROWSE_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert sidebar(at)["pm_plan"] == SEED_PLAN, page


def test_a_shared_link_opens_the_plan_it_names():
    at = app(plan=SEED_PLAN)
    at.run()
    assert sidebar(at)["pm_plan"] == SEED_PLAN
    assert at.radio(key="v_as_of").value == Period(2025, 4)


def test_an_unknown_plan_in_a_link_falls_back_to_the_current_plan():
    at = app(plan="nowhere-99")
    at.run()
    assert not at.exception and sidebar(at)["pm_plan"] == "shashi-15"


def test_choosing_a_district_starts_on_its_current_plan():
    at = app(plan=SEED_PLAN)
    at.run()
    at.radio(key="pm_district").set_value("shili").run()
    assert sidebar(at)["pm_plan"] == "shili-15"
    assert at.radio(key="pm_plan").options == ["“十五五”规划(2026—2030,示例)"]


def test_overview_cards_are_the_chosen_plans_engine_results():
    import re

    import ui
    from lib.status import STATUS_LOOK, Status, status_label
    at = app()
    at.run()
    root = ui.root_store()
    plan, progress, _, targets = assessment_inputs(root.plan("shashi-15"), stored_plan(root, "shashi-15"))
    expected = assess_indicators(plan, progress, Period(2026, 3), annual_targets=targets)
    grid = next(h.value for h in at.get("html") if "pm-grid" in h.value)
    cards = re.findall(r'<div class="pm-status"[^>]*>(.*?)</div>(?:<div class="pm-tag"[^>]*>.*?</div>)*'
                       r'<div class="pm-name"[^>]*>(\w+) ', grid)
    assert [i for _, i in cards] == expected["indicator_id"].tolist()
    for (status, _), (_, row) in zip(cards, expected.iterrows()):
        look = STATUS_LOOK[Status(row["status"])]
        assert status == f"{look.icon} {status_label(row['status'], row['time_elapsed'])}"
    assert len(cards) == len(plan.indicators) != 26   # the 15th plan's list, not the seed plan's 26


def test_indicator_page_shows_the_measure_across_both_plans_and_the_inherited_baseline():
    at = app()
    at.run()
    at.switch_page("app_pages/indicators.py").run()
    at.radio(key="ind_pick").set_value("Y04").run()   # 常住人口城镇化率, code URBANIZATION in both plans
    assert not at.exception
    figures = apptest.figures(at)
    continuity = [f for f in figures if "跨规划接续" in json.dumps(f["layout"].get("title"), ensure_ascii=False)]
    assert len(continuity) == 1
    names = {t.get("name") for t in continuity[0]["data"]}
    assert {"沙市区“十四五”规划", "沙市区“十五五”规划(示例)"} <= names
    captions = [c.value for c in at.caption if "基期值来源" in c.value]
    assert any(INHERITED_SOURCE in c and "2025年第四季度" in c for c in captions), captions


def test_plan_list_has_the_columns_the_selector_needs():
    import ui
    app().run()
    frame = list_plans(ui.root_store())
    assert frame[["plan_id", "district_id", "city_id", "base_year", "target_year", "sample"]].values.tolist() == [
        [SEED_PLAN, "shashi", "jingzhou", 2020, 2025, False],
        ["shashi-15", "shashi", "jingzhou", 2025, 2030, True],
        ["shili-15", "shili", "jingzhou", 2025, 2030, True]]
