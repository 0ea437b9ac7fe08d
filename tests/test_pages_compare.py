"""The 区县对比 page (AppTest): the sample city's two districts, each on its current plan, and four charts."""
from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from lib.status import STATUS_LOOK, Status
from tests import apptest
from tests.apptest import dashboard, temp_store
from tests.conftest import ALL_PLAN_DIRS


PAGE = "app_pages/compare.py"


@pytest.fixture(autouse=True)
def city_store(tmp_path, monkeypatch):
    """This module works with both districts: the seed plan and the sample plans are loaded."""
    temp_store(tmp_path, monkeypatch, PLANMON_PLAN_DIRS=ALL_PLAN_DIRS)


def open_page() -> AppTest:
    at = dashboard(120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_public_browsing_compares_every_district_on_its_current_plan():
    at = open_page()
    assert [t.value for t in at.title] == ["区县对比"]
    table = html.unescape("".join(h.value for h in at.get("html") if "pm-table" in h.value))
    for text in ("沙市区", "示例区", "沙市区“十五五”规划(示例)", "示例区“十五五”规划(示例)", "2026—2030", "2026Q3"):
        assert text in table
    assert "十四五" not in table   # the ended plan is not the district's current one
    assert any("示例数据" in w.value for w in at.warning)


def test_the_page_shows_its_four_charts():
    figs = apptest.figures(open_page())
    assert [f["layout"]["title"]["text"] for f in figs] == ["各区县指标进展情况", "约束性指标对比",
                                                           "共有指标:最新值与各区县目标", "各区县报送情况"]
    bars = [t for t in figs[0]["data"] if t["type"] == "bar"]
    assert [t["name"] for t in bars] == [f"{STATUS_LOOK[s].icon} {STATUS_LOOK[s].label}" for s in Status]
    assert all(list(t["y"]) == ["shashi", "shili"] for t in bars)
    assert list(figs[1]["data"][0]["y"]) == ["沙市区", "示例区"]
    assert figs[2]["layout"]["annotations"][0]["text"] == "地区生产总值增长(%)"


def test_without_public_browsing_an_anonymous_viewer_sees_no_comparison(monkeypatch):
    monkeypatch.setenv("PLANMON_PUBLIC_BROWSING", "false")
    at = dashboard(120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart") == []
    assert [t.value for t in at.title] == []


def test_the_shared_chart_draws_the_picked_codes():
    at = open_page()
    codes = at.multiselect(key="cmp_codes")
    assert len(codes.value) == 6
    codes.set_value(["FOREST_COVER", "AIR_QUALITY"]).run()
    assert not at.exception, at.exception
    shared = apptest.figures(at)[2]
    assert [a["text"] for a in shared["layout"]["annotations"]] == ["空气质量优良天数比率(%)", "森林覆盖率(%)"]
    codes.set_value([]).run()
    assert [a["text"] for a in apptest.figures(at)[2]["layout"]["annotations"]] == ["请在上方选择要看的指标"]
