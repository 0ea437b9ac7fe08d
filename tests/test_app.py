"""Every page opens without an exception (AppTest drives the st.navigation app headlessly)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGES = ["app_pages/plan.py"]


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)


@pytest.mark.parametrize("page", PAGES)
def test_page_opens(page):
    at = app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def test_plan_page_lists_indicators_and_filters_by_unit():
    at = app()
    at.run()
    frames = [d.value for d in at.dataframe]
    names = set().union(*(set(f.get("指标名称", [])) for f in frames))
    assert {"地区生产总值年均增速", "森林覆盖率", "服务业增加值"} <= names
    at.selectbox(key="plan_unit").select("胜利街道").run()
    assert not at.exception
    task_ids = set().union(*(set(d.value["编号"]) for d in at.dataframe if "任务" in d.value.columns))
    assert "T01-01" in task_ids and "T01-03" not in task_ids
    via = set().union(*(set(d.value["分工方式"]) for d in at.dataframe if "分工方式" in d.value.columns))
    assert "组团(各镇、街道)" in via


def test_plan_page_search():
    at = app()
    at.run()
    at.text_input(key="plan_q").input("城镇化").run()
    ids = set().union(*(set(d.value["编号"]) for d in at.dataframe))
    assert ids == {"Y03", "T01-04"}  # T01-04 speaks of 新型城镇化
