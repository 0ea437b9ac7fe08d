"""What leaders ran into (AppTest): one unit selector on 责任单位, kept in the URL; the plan page's search
and unit in the URL; the overview's newcomer lines; the 测算方法 page; headings and the print header."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests import apptest
from tests.apptest import dashboard
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def temp_store(tmp_path, monkeypatch):
    apptest.temp_store(tmp_path, monkeypatch)


def app(**params: str) -> AppTest:
    return dashboard(**params)


# --- 责任单位: one selector, in the URL ---------------------------------------------------------------

def test_units_page_has_one_unit_selector_the_sidebar_filter():
    at = app()
    at.run()
    at.switch_page("app_pages/units.py").run()
    assert not at.exception
    assert [s.key for s in at.selectbox if "区人社局" in s.options] == ["v_unit"]
    assert [s.key for s in at.sidebar.selectbox if "区人社局" in s.options] == ["v_unit"]
    assert at.info[0].value.startswith("点开左侧“查看范围”下的“筛选”,在“责任单位”中选择一个单位")   # 全部: no unit detail
    assert len(at.get("plotly_chart")) == 2                                  # the comparison is shown


def _ranking(at: AppTest) -> tuple[str, int]:
    """The unit comparison chart's title and the sum of its bars."""
    fig = apptest.figures(at)[0]
    return fig["layout"]["title"]["text"], sum(sum(x for x in t["x"] if x) for t in fig["data"])


def test_units_comparison_choices_sit_in_a_popover_labelled_with_them():
    at = app()
    at.run()
    at.switch_page("app_pages/units.py").run()
    pop = apptest.popover(at.main, "比较")
    assert pop.proto.popover.label == "比较任务 · 只算直接和别名点名"
    assert {"unit_kind", "unit_direct"} <= {w.key for w in (*pop.radio, *pop.toggle)}
    title, direct = _ranking(at)
    assert title.startswith("各单位重点任务进展")
    at.toggle(key="unit_direct").set_value(False).run()
    assert apptest.popover(at.main, "比较").proto.popover.label == "比较任务 · 含组团分到的"
    assert _ranking(at)[1] > direct                       # groups hand every member unit more tasks
    at.radio(key="unit_kind").set_value("指标").run()
    assert apptest.popover(at.main, "比较").proto.popover.label == "比较指标 · 含组团分到的"
    assert _ranking(at)[0].startswith("各单位指标进展")


@pytest.mark.parametrize("unit", ["区人社局", "胜利街道"])
def test_units_page_reads_its_unit_from_the_url(unit):
    at = app(unit=unit)
    at.run()
    at.switch_page("app_pages/units.py").run()
    assert at.selectbox(key="v_unit").value == unit
    assert list(apptest.tiles(at))[:3] == ["负责指标", "牵头任务", "参与任务"]
    assert at.query_params["unit"] in (unit, [unit])


def test_units_page_choice_goes_to_the_url_and_stays_on_the_other_pages():
    at = app()
    at.run()
    at.switch_page("app_pages/units.py").run()
    at.selectbox(key="v_unit").set_value("区财政局").run()
    assert at.query_params["unit"] in ("区财政局", ["区财政局"])
    assert list(apptest.tiles(at))[0] == "负责指标"
    at.switch_page("app_pages/overview.py").run()
    assert at.selectbox(key="v_unit").value == "区财政局"
    at.switch_page("app_pages/units.py").run()
    at.selectbox(key="v_unit").set_value("全部").run()
    assert "unit" not in at.query_params and apptest.tiles(at) == {} or list(apptest.tiles(at))[:1] != ["负责指标"]


# --- 规划目标与分工: search and unit in the URL --------------------------------------------------------

def plan_page(**params: str) -> AppTest:
    at = app(**params)
    at.run()
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception
    return at


def test_plan_search_and_unit_come_from_the_url():
    at = plan_page(q="城镇化", unit="区人社局")
    assert at.text_input(key="plan_q").value == "城镇化"
    assert at.selectbox(key="plan_unit").value == "区人社局"


def test_plan_search_and_unit_go_to_the_url():
    at = plan_page()
    at.text_input(key="plan_q").input("城镇化").run()
    at.selectbox(key="plan_unit").set_value("区住建局").run()
    assert at.query_params["q"] in ("城镇化", ["城镇化"])
    assert at.query_params["unit"] in ("区住建局", ["区住建局"])
    at.text_input(key="plan_q").input("").run()
    at.selectbox(key="plan_unit").set_value("全部单位").run()
    assert "q" not in at.query_params and "unit" not in at.query_params


def test_plan_url_with_an_unknown_unit_falls_back_to_all_units():
    at = plan_page(unit="不存在的单位")
    assert at.selectbox(key="plan_unit").value == "全部单位"


def test_plan_headings_name_each_category_once():
    at = plan_page()
    headings = [h.value for h in at.subheader]
    assert [re.sub(r"(\d+项)", "N项", h) for h in headings] == ["预期性指标(N项)", "约束性指标(N项)", "任务指标(N项)"]


# --- newcomers: the overview names the plan and says who does what; 测算方法 as a page ----------------

def test_overview_names_the_plan_and_what_each_role_does_next():
    import ui
    at = app()
    at.run()
    intro = at.markdown[0].value
    assert intro.startswith(f"**{ui.plan().config.name}**")
    lines = intro.split("  \n")
    assert len(lines) == 2
    assert all(word in lines[1] for word in ("领导", "各单位", "数据填报", "区发改局", "审核与历史", "简报导出"))
    assert [link.label for link in at.get("page_link")][:4] == ["数据填报", "审核与历史", "简报导出", "测算方法"]


def test_methodology_page_renders_the_file():
    at = app()
    at.run()
    at.switch_page("app_pages/methodology.py").run()
    assert not at.exception
    text = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert [m.value for m in at.markdown] == [text.strip()]
    assert not any("docs/methodology.md" in c.value for c in at.caption)


def test_indicator_page_links_to_the_methodology_page_not_a_file():
    at = app()
    at.run()
    at.switch_page("app_pages/indicators.py").run()
    apptest.open_indicator_detail(at)   # the link sits in the explanation, built when it is opened
    assert "测算方法" in [link.label for link in at.get("page_link")]
    assert not any("docs/methodology.md" in c.value for c in at.caption)


# --- print header ---------------------------------------------------------------------------------

def test_monitoring_pages_carry_a_print_header_with_plan_as_of_and_date():
    import ui
    at = app(as_of="2023Q2")
    at.run()
    heads = [h.value for h in at.get("html") if "pm-print-head" in h.value and "<div" in h.value]
    assert len(heads) == 1
    assert ui.plan().config.name in heads[0] and "截至 2023年第二季度" in heads[0] and "打印日期 " in heads[0]


# --- phones: the short lists next to the wide charts --------------------------------------------------

def test_tasks_and_units_pages_carry_the_phone_lists_next_to_the_charts():
    at = app(as_of="2023Q2")
    at.run()
    at.switch_page("app_pages/tasks.py").run()
    lists = [h.value for h in at.get("html") if 'class="pm-hl"' in h.value]
    assert len(lists) == 1 and lists[0].count("<tr><td><b>T") == 38
    assert re.findall(r'<th class="c">(.*?)</th>', lists[0]) == ["22年Q3", "22年Q4", "23年Q1", "23年Q2"]
    assert len(at.get("plotly_chart")) == 2
    at.switch_page("app_pages/units.py").run()
    lists = [h.value for h in at.get("html") if 'class="pm-hl"' in h.value]
    assert len(lists) == 1 and "<tr><td><b>区发改局</b></td>" in lists[0]
