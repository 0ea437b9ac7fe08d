"""The dashboard's pages through AppTest (the st.navigation app, headless): each monitoring page stepped through
as-of quarters and filters, its numbers equal to the engine's inside the same filters; the overview's counts,
lists and cards, the units page, the URL state."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.assess import assess_indicators, assess_tasks
from lib.periods import Period
from lib.rollup import unit_items
from lib.status import STATUS_LOOK, Status
from tests import apptest
from tests.apptest import dashboard

import ui

BROWSE_PAGES = ["app_pages/overview.py", "app_pages/indicators.py", "app_pages/tasks.py", "app_pages/units.py",
                "app_pages/reporting.py", "app_pages/plan.py"]


@pytest.fixture(autouse=True)
def temp_store(tmp_path, monkeypatch):
    apptest.temp_store(tmp_path, monkeypatch)


def app() -> AppTest:
    return dashboard()


# Each monitoring page, stepped through as-of quarters and filters in one session; after every step the
# page's own numbers equal the engine's results inside the filters (lib.scope, the rule the page uses).
FILTER_STEPS = [
    ("2021Q1", {}), ("2023Q2", {"category": "约束性"}), ("2025Q4", {"section": 8}), ("2023Q2", {"unit": "胜利街道"}),
    ("2024Q3", {"unit": "区市场监管局", "category": "预期性"}),
]


def step(at: AppTest, as_of: str, filters: dict) -> None:
    from ui.view import ALL
    at.radio(key="v_as_of").set_value(Period.parse(as_of)).run()
    for name in ("category", "section", "unit"):
        at.selectbox(key=f"v_{name}").set_value(filters.get(name, ALL)).run()
    assert not at.exception, at.exception


def scoped(as_of: str, filters: dict):
    from lib.scope import filter_results
    plan, ind, tasks = _engine(as_of)
    return (plan, *filter_results(plan, ind, tasks, **filters))


def _count(text: str) -> int:
    return int(text.split()[0].rstrip("项"))


def shown_overview(at: AppTest) -> int:
    """Indicators counted by the overview's status tiles (the binding tile is a share, not a count)."""
    return sum(_count(v) for k, v in apptest.tiles(at).items() if k != "约束性指标正常")


def shown_tasks(at: AppTest) -> int:
    """Tasks listed by the section expanders, "…(N 项:…)" each."""
    import re
    found = [re.search(r"(\d+) 项\\?:", e.label) for e in at.expander]   # the label is Markdown-escaped
    return sum(int(m.group(1)) for m in found if m)


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/indicators.py", "app_pages/tasks.py",
                                  "app_pages/units.py"])
def test_page_numbers_follow_every_filter(page):
    from lib.rollup import unit_items
    at = app()
    at.run()
    at.switch_page(page).run()
    for as_of, filters in FILTER_STEPS:
        step(at, as_of, filters)
        plan, ind, tasks = scoped(as_of, filters)
        if page.endswith("overview.py"):
            assert shown_overview(at) == len(ind), (as_of, filters)
        elif page.endswith("indicators.py"):
            assert at.radio(key="ind_pick").options == [f"{i} {n}" for i, n in zip(ind["indicator_id"], ind["name"])]
        elif page.endswith("tasks.py"):
            assert shown_tasks(at) == len(tasks) > 0, (as_of, filters)
        elif "unit" in filters:
            _, ind_all, tasks_all = _engine(as_of)
            mine = apptest.tiles(at)
            assert mine["负责指标"] == f"{len(unit_items(plan, ind_all, [filters['unit']]))} 项"
        else:
            assert any(i.value.startswith("点开左侧“查看范围”下的“筛选”,在“责任单位”中选择一个单位") for i in at.info)


def test_reporting_page_counts_add_up_under_every_filter():
    at = app()
    at.run()
    at.switch_page("app_pages/reporting.py").run()
    for as_of, filters in FILTER_STEPS:
        step(at, as_of, filters)
        shown = {k: _count(v) for k, v in apptest.tiles(at).items()}
        total = shown.pop("应报与已报项")
        assert total == sum(shown.values()), (as_of, filters)


def test_plan_page_lists_every_indicator_of_the_plan():
    at = app()
    at.run()
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception, at.exception
    plan = _engine("2021Q1")[0]
    headings = [s.value for s in at.subheader if "项)" in s.value]
    assert sum(int(h.rsplit("(", 1)[1].rstrip("项)")) for h in headings) == len(plan.indicators)


def _engine(as_of: str):
    import ui
    s = ui.store()
    plan = ui.plan()
    ind = assess_indicators(plan, s.effective_indicator_progress(), Period.parse(as_of), annual_targets=s.annual_targets())
    tasks = assess_tasks(plan, s.effective_task_progress(), Period.parse(as_of))
    return plan, ind, tasks


def overview_as_of(as_of: str):
    """The overview at `as_of`, with the engine's indicator and task results for the same quarter."""
    at = app()
    at.run()
    at.radio(key="v_as_of").set_value(Period.parse(as_of)).run()
    _, ind, tasks = _engine(as_of)
    return at, ind, tasks


@pytest.mark.parametrize("as_of", ["2023Q2", "2025Q4"])
def test_overview_counts_equal_the_engine(as_of):
    from lib.status import is_final, status_label
    from lib.verdict import judged_earlier
    at, ind, _ = overview_as_of(as_of)
    shown = apptest.tiles(at)
    final = is_final(ind["as_of_time_elapsed"].iloc[0])
    earlier = ind[[judged_earlier(r) for _, r in ind.iterrows()]]
    counted = ind.drop(index=earlier.index)
    statuses = [s for s in Status if not (final and s is Status.AHEAD)]
    for status in statuses:
        label = f"{STATUS_LOOK[status].icon} {status_label(status, 1.0 if final else None)}"
        codes = [status.value] + ([Status.AHEAD.value] if final and status is Status.ACHIEVED else [])
        assert shown[label] == f"{int(counted['status'].isin(codes).sum())} 项"
    assert ("数据截至更早" in shown) is final and (not final or shown["数据截至更早"] == f"{len(earlier)} 项")
    assert sum(int(v.split()[0]) for k, v in shown.items() if k != "约束性指标正常") == len(ind)   # nothing dropped
    assert final is (as_of == "2025Q4") and (not final or "★ 提前实现" not in shown)
    binding = ind[ind["category"] == "约束性"]
    ok = int(binding["status"].isin(["achieved", "ahead", "on_track"]).sum())
    assert shown["约束性指标正常"] == f"{ok}/{len(binding)} 项"


def test_overview_binding_says_none_when_the_filter_leaves_none():
    at = app()
    at.run()
    at.radio(key="v_as_of").set_value(Period(2023, 2)).run()
    at.selectbox(key="v_category").set_value("预期性").run()
    assert apptest.tiles(at)["约束性指标正常"] == "无"


def table_row_headers(at: AppTest) -> list[list[str]]:
    """The row headers (first column) of each HTML table on the page, in page order."""
    import html
    import re
    return [[html.unescape(c) for c in re.findall(r'<th scope="row">(.*?)</th>', h.value)]
            for h in at.get("html") if "pm-table" in h.value]


@pytest.mark.parametrize("as_of", ["2023Q2", "2025Q4"])
def test_overview_attention_lists_equal_the_engine(as_of):
    at, ind, tasks = overview_as_of(as_of)
    at_risk = (ind["outlook"] == "at_risk") & ~ind["status"].isin(["behind", "no_data"])
    late_ind = ind.loc[ind["status"].isin(["behind", "no_data"]) | at_risk, "indicator_id"].tolist()
    late_tasks = tasks.loc[tasks["status"].isin(["behind", "not_reported"]), "task_id"].tolist()
    assert late_ind and late_tasks   # the sample data is built so that both lists have entries
    assert as_of != "2023Q2" or bool(at_risk.any())   # the sample has at-risk indicators mid-plan
    shown_ind, shown_tasks = ([h.split(" ")[0] for h in table] for table in table_row_headers(at))
    assert shown_ind == late_ind and shown_tasks == late_tasks
    heading = next(m.value for m in at.markdown if m.value.startswith("**指标:滞后、预计难以完成或数据缺失"))
    assert heading == f"**指标:滞后、预计难以完成或数据缺失({len(late_ind)} 项)**"


@pytest.mark.parametrize("as_of", ["2023Q2", "2025Q4"])
def test_overview_traffic_light_grid_has_one_card_per_indicator_with_the_engines_status(as_of):
    import html
    import re

    from lib import fmt
    from lib.status import status_label
    at, ind, _ = overview_as_of(as_of)
    grid = next(h.value for h in at.get("html") if "pm-grid" in h.value)
    cards = re.findall(r'<div class="pm-status"[^>]*>(.*?)</div>(?:<div class="pm-tag"[^>]*>.*?</div>)*'
                       r'<div class="pm-name"[^>]*>(\w+) ', grid)
    assert [i for _, i in cards] == ind["indicator_id"].tolist() and len(cards) == 26
    for (status, _), (_, row) in zip(cards, ind.iterrows()):
        look = STATUS_LOOK[Status(row["status"])]
        assert status == f"{look.icon} {status_label(row['status'], row['time_elapsed'])}"
    from lib.status import AT_RISK_LIGHT, light_look
    from lib.verdict import latest_text
    latest = [f"{caption}:{text}" for caption, text in (latest_text(r) for _, r in ind.iterrows())]
    assert latest and all(html.escape(text) in grid for text in latest)
    borders = re.findall(r'<div class="pm-card" style="border-top:5px solid (#\w+)">', grid)
    assert borders == [light_look(r["status"], r["outlook"]).colour for _, r in ind.iterrows()]
    assert grid.count(f"{AT_RISK_LIGHT.icon} 预计难以完成") == sum(light_look(r["status"], r["outlook"]) is AT_RISK_LIGHT
                                                              for _, r in ind.iterrows())
    k06 = ind.set_index("indicator_id").loc["K06"]
    assert f"累计:{fmt.with_unit(k06['cumulative_total'], '人')}(截至{k06['latest_period']}" in grid   # the total first


def test_html_table_escapes_every_cell():
    def page() -> None:
        import pandas as pd
        import ui
        ui.html_table(pd.DataFrame({"任务": ["<b>T01</b>"], "存在问题": ['<img src=x onerror="alert(1)">\n\n[链接](javascript:alert(1))']}))

    at = AppTest.from_function(page)
    at.run()
    body = at.get("html")[0].value
    assert "<img" not in body and "<b>T01" not in body and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert "<br><br>[链接](javascript:alert(1))" in body    # st.html does no Markdown: the text stays text


def test_tiles_escape_and_explain_on_tap():
    def page() -> None:
        import ui
        ui.tiles([ui.Tile("<b>滞后</b>", "3 项", 'see <img src=x onerror="alert(1)">'), ui.Tile("已报", "75%")])

    at = AppTest.from_function(page)
    at.run()
    body = at.get("html")[0].value
    assert "<b>滞后" not in body and "<img" not in body and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert body.count("<details><summary>说明</summary>") == 1   # only the tile with an explanation has one
    assert apptest.tiles(at) == {"<b>滞后</b>": "3 项", "已报": "75%"}


def test_html_table_bars_and_phone_cards():
    def page() -> None:
        import pandas as pd
        import ui
        ui.html_table(pd.DataFrame({"任务": ["T01", "T02", "T03"], "完成进度": [0.425, None, 1.2],
                                    "工作进展": ["按计划推进各项工作,已完成年度目标的一半以上", "", "完成"]}), bars=("完成进度",))
        ui.html_table(pd.DataFrame({"单位": ["区发改局"], "应报": [3]}))

    at = AppTest.from_function(page)
    at.run()
    long_text, short = (h.value for h in at.get("html"))
    widths = re.findall(r'class="pm-bar" aria-hidden="true"><span style="width:(\d+)%"></span></span>([^<]*)</td>', long_text)
    assert widths == [("42", "42.5%"), ("100", "120%")]   # the bar stops at full; the text says the share
    assert '<td data-label="完成进度" style="white-space:nowrap">—</td>' in long_text   # missing: no bar
    assert "white-space:normal !important;overflow-wrap:anywhere}" in long_text   # a phone card breaks a long URL
    assert 'class="pm-table pm-stack"' in long_text and '<td data-label="工作进展" class="pm-long">' in long_text
    assert 'class="pm-table"' in short and "pm-stack" not in short.split("</style>")[-1]   # short cells: a table still fits


@pytest.mark.parametrize("unit", ["胜利街道", "区市场监管局", "区发改局"])
def test_unit_page_lists_exactly_the_engines_responsibilities(unit):
    at = app()
    at.run()
    at.switch_page("app_pages/units.py").run()
    at.selectbox(key="v_unit").set_value(unit).run()
    assert not at.exception
    plan, ind, tasks = _engine("2025Q4")
    want_ind = list(unit_items(plan, ind, [unit])["indicator_id"])
    want_tasks = list(unit_items(plan, tasks, [unit])["task_id"])
    tables = apptest.html_tables(at)
    shown_ind = [v.split(" ")[0] for v in next(t for t in tables if "指标" in t.columns)["指标"]]
    shown_tasks = [v.split(" ")[0] for v in next(t for t in tables if "任务" in t.columns and "角色" in t.columns)["任务"]]
    assert shown_ind == want_ind and shown_tasks == want_tasks
    assert set(plan.responsibilities(unit)["item_id"]) == set(want_ind) | set(want_tasks)


def test_view_is_mirrored_in_the_url_and_read_back():
    at = app()
    at.run()
    at.radio(key="v_as_of").set_value(Period(2023, 2)).run()
    at.selectbox(key="v_unit").set_value("区人社局").run()
    assert at.query_params["as_of"] == "2023Q2" and at.query_params["unit"] == "区人社局"
    fresh = app()
    fresh.query_params["as_of"] = "2022Q4"
    fresh.query_params["category"] = "约束性"
    fresh.run()
    assert fresh.radio(key="v_as_of").value == Period(2022, 4)
    assert fresh.selectbox(key="v_category").value == "约束性"


def _popover(at: AppTest, prefix: str = "筛选:"):
    """The sidebar's popover whose label starts with `prefix`."""
    return apptest.popover(at.sidebar, prefix)


def _keys(node) -> set[str]:
    out = set()
    for child in getattr(node, "children", {}).values():
        if getattr(child, "key", None):
            out.add(child.key)
        out |= _keys(child)
    return out


def test_filters_sit_in_a_popover_labelled_with_the_choice():
    at = app()
    at.run()
    pop = _popover(at)
    assert pop is not None and pop.proto.popover.label == "筛选:全部"
    assert _keys(pop) == {"v_category", "v_section", "v_unit"}
    at.selectbox(key="v_category").set_value("约束性").run()
    at.selectbox(key="v_unit").set_value("区生态环境分局").run()
    assert _popover(at).proto.popover.label == "筛选:约束性 · 区生态环境分局"
    at.selectbox(key="v_unit").set_value("全部").run()
    at.selectbox(key="v_section").set_value(1).run()
    label = _popover(at).proto.popover.label
    assert label.startswith("筛选:约束性 · ") and label.endswith("…")   # a long section title is cut to fit …
    assert _popover(at).proto.popover.help.endswith("一、" + ui.plan().sections.iloc[0]["section_title"])   # … and whole on hover


def test_indicator_page_explains_the_outlook_in_words_first():
    from lib.verdict import outlook_sentence
    at = app()
    at.run()
    at.switch_page("app_pages/indicators.py").run()
    at.radio(key="v_as_of").set_value(Period(2023, 2)).run()
    _, ind, _ = _engine("2023Q2")
    row = ind[ind["outlook"].notna()].iloc[0]
    at.radio(key="ind_pick").set_value(row["indicator_id"]).run()
    assert not at.exception
    texts = [m.value.replace("\\", "") for m in at.markdown]
    assert outlook_sentence(row) in texts
    assert at.expander[0].label == "状态是怎么算出来的(公式与数据)" and not at.expander[0].proto.expanded
    from lib.assess import explain
    lines = explain(pd.concat([pd.Series({"indicator_id": row["indicator_id"]}), row.drop("indicator_id")]))
    assert not any(lines[0] in t for t in texts)   # closed: the detail is not built
    apptest.open_indicator_detail(at)
    detail = "\n".join(m.value.replace("\\", "") for m in at.expander[0].markdown)
    assert at.expander[0].proto.expanded and all(line.replace("\\", "") in detail for line in lines)


def test_task_page_lists_contributions_under_their_task():
    from lib.assess import task_contributions
    import ui
    at = app()
    at.run()
    at.switch_page("app_pages/tasks.py").run()
    at.radio(key="v_as_of").set_value(Period(2025, 4)).run()
    assert not at.exception and apptest.html_tables(at) == []   # closed sections: no tables built
    apptest.open_task_sections(at)
    contrib = task_contributions(ui.plan(), ui.store().effective_task_progress(), Period(2025, 4))
    assert len(contrib)   # the sample data has other units reporting
    tables = pd.concat([t for t in apptest.html_tables(at) if "任务" in t.columns and "状态" in t.columns])
    names = list(tables["任务"])
    for c in contrib.itertuples():
        under = names.index(next(n for n in names if n.startswith(c.task_id + " ")))
        following = names[under + 1:]
        assert any(n.startswith(f"└ {c.unit}(配合") for n in following[:len(contrib)])


def test_quarter_and_plan_sit_in_popovers_labelled_with_the_choice():
    """No dropdown in the sidebar on load (bench/pages.py): the quarter and the plan are radios in popovers
    whose buttons name the choice, so the sidebar reads the same as before without opening them."""
    at = app()
    at.run()
    quarter, plan = _popover(at, "截至 "), _popover(at, "“")
    assert quarter.proto.popover.label == "截至 2025年第四季度" and _keys(quarter) == {"v_as_of"}
    radio = at.radio(key="pm_plan")
    assert _keys(plan) == {"pm_plan"} and plan.proto.popover.label == radio.options[radio.index]
    assert {s.key for s in at.sidebar.selectbox} == _keys(_popover(at))   # every dropdown is in the filter popover
    at.radio(key="v_as_of").set_value(Period(2023, 2)).run()
    assert _popover(at, "截至 ").proto.popover.label == "截至 2023年第二季度"


def test_a_linked_quarter_survives_going_to_another_page():
    """Streamlit drops the query string when the visitor follows a sidebar link: the quarter from a shared link
    must then come from the session, not from the URL or from a widget the browser never built."""
    at = dashboard(as_of="2023Q1")
    at.run()
    at.switch_page("app_pages/indicators.py").run()
    assert at.radio(key="v_as_of").value == Period(2023, 1)
    at.query_params.clear()
    at.switch_page("app_pages/overview.py").run()
    at.switch_page("app_pages/indicators.py").run()
    assert not at.exception and at.radio(key="v_as_of").value == Period(2023, 1)
    assert at.query_params["as_of"] == "2023Q1"   # mirrored back, so a copied link keeps it


def test_every_indicator_chart_is_built_only_when_opened():
    """指标监测 loads with its own indicator's charts; the all-indicators chart is drawn when its expander opens."""
    at = app()
    at.run()
    at.switch_page("app_pages/indicators.py").run()
    every = [e for e in at.expander if e.label.startswith("全部指标:完成度与时间进度")]
    assert len(every) == 1 and not every[0].proto.expanded
    before = len(at.get("plotly_chart"))
    at.session_state["ind_all_open"] = True
    at.run()
    charts = at.get("plotly_chart")
    assert len(charts) == before + 1 and charts[-1].proto.id.endswith("-ind_all")
