"""Names whole on images, the toolbar clear of titles, whole-number colour bars, the phone list of the task
history, and dates without leading zeros (lib/charts/, lib/heatlist.py, lib/dates.py)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import charts
from lib.dates import chinese_date
from lib.heatlist import recent_states, short_period


@pytest.mark.parametrize("text,expected", [
    ("区发改局", "区发改局"),
    ("一二三四五六七八九十一", "一二三四五六七八九十一"),                      # 11: one line
    ("一二三四五六七八九十一二", "一二三四五六七八九十一<br>二"),
    ("Y04 地方一般公共预算收入年均增速", "Y04 地方一般公共预算收<br>入年均增速"),   # Latin counts ½
    ("K05 高新技术及相关产业增加值占GDP比重", "K05 高新技术及相关产业<br>增加值占GDP比重"),
    ("一、优化区域发展布局、提升现代城市发展水平", "一、优化区域发展布局、<br>提升现代城市发展水平"),   # 21: two lines
    ("一二三四五六七八九十一二三四五六七八九十一二三", "一二三四五六七八九十一<br>二三四五六七八九十一…"),  # 23 > 22
    ("", ""),
    (None, ""),
])
def test_wrap_label_wraps_to_two_lines_and_cuts_only_beyond(text, expected):
    assert charts.wrap_label(text) == expected


def history(rows: str) -> pd.DataFrame:
    """"T01-01 2023Q1 on_track, …" → task history rows (title = "任务" + id)."""
    out = []
    for item in filter(None, (r.strip() for r in rows.split(","))):
        task, period, status = item.split()
        out.append({"task_id": task, "title": f"任务{task}", "period": period, "status": status})
    return pd.DataFrame(out)


LONG_TITLE = "完善现代公共文化服务体系建设"   # 14 characters: cut on the axis, whole when exported


def figures() -> dict[str, object]:
    heat = history("T01-01 2023Q1 on_track, T01-02 2023Q1 behind").replace({"title": {"任务T01-01": LONG_TITLE}})
    long_unit = "区人民代表大会常务委员会办公室"   # 15 characters
    units = pd.DataFrame({"unit": [long_unit, "区财政局"], "status": ["behind", "done"], "count": [2, 1]})
    matrix = pd.DataFrame({"unit": [long_unit], "section_no": [1], "section_title": ["优化区域发展布局"],
                           "role": ["牵头单位"], "count": [2]})
    reporting = pd.DataFrame({"unit": [long_unit], "item_id": ["Y01"], "state": ["已报送"]})
    tasks = pd.DataFrame({"task_id": ["T01-01"], "section_no": [1], "title": ["甲"], "status": ["on_track"],
                          "section_title": ["优化区域发展布局、提升现代城市发展水平"]})
    ach = pd.DataFrame({"indicator_id": ["K05"], "name": ["高新技术及相关产业增加值占GDP比重"], "kind": ["level_up"],
                        "unit": ["%"], "status": ["ahead"], "achievement": [0.6], "time_elapsed": [0.5],
                        "latest_period": ["2023Q2"], "latest_value": [20.0], "target_value": [25.0], "category": ["任务指标"]})
    return {
        "task_heatmap": (charts.task_heatmap(heat), f"T01-01 {LONG_TITLE}"),
        "unit_ranking": (charts.unit_ranking(units), long_unit),
        "responsibility_matrix": (charts.responsibility_matrix(matrix), long_unit),
        "reporting_matrix": (charts.reporting_matrix(reporting), long_unit),
        "tasks_by_section": (charts.tasks_by_section(tasks), "一、优化区域发展布局、提升现代城市发展水平"),
        "achievement_vs_time": (charts.achievement_vs_time(ach), "K05 高新技术及相关产业增加值占GDP比重"),
    }


@pytest.mark.parametrize("name", list(figures()))
def test_cut_names_have_the_full_name_on_hover_and_wrapped_in_exports(name):
    fig, full = figures()[name]
    axis = fig.to_dict()["layout"]["yaxis"]
    shown = axis.get("ticktext") or axis.get("categoryarray")
    assert any("…" in str(t) for t in shown)                     # cut on the browser's axis …
    hover = str([t.get("customdata") for t in fig.to_dict()["data"]])
    assert full in hover                                          # … whole on hover
    out = charts.for_export(fig, as_of="2023Q2", source="", sample_data=False).to_dict()["layout"]
    assert charts.wrap_label(full) in out["yaxis"]["ticktext"]    # whole, on two lines, in the image
    assert not any("…" in t for t in out["yaxis"]["ticktext"])
    rows = len(out["yaxis"]["ticktext"])
    assert out["height"] - out["margin"]["t"] - out["margin"]["b"] >= rows * charts.EXPORT_ROW_PX


def test_export_keeps_short_names_as_they_are_and_the_figure_unchanged():
    fig = charts.unit_ranking(pd.DataFrame({"unit": ["区发改局"], "status": ["behind"], "count": [1]}))
    before = fig.to_dict()
    out = charts.for_export(fig, as_of="2023Q2", source="", sample_data=False).to_dict()["layout"]
    assert out["yaxis"]["ticktext"] == ["区发改局"]
    assert out["height"] == before["layout"]["height"] + charts.SUBTITLE_PX + charts.FOOTER_PX
    assert fig.to_dict() == before


@pytest.mark.parametrize("max_count,dtick", [(1, 1), (4, 1), (10, 1), (14, 2), (40, 5), (120, 24)])
def test_matrix_colour_bar_counts_in_whole_steps(max_count, dtick):
    matrix = pd.DataFrame({"unit": ["区发改局", "区财政局"], "section_no": [1, 1], "section_title": ["甲", "甲"],
                           "role": ["牵头单位", "责任单位"], "count": [max_count, 1]})
    bar = charts.responsibility_matrix(matrix).to_dict()["data"][0]["colorbar"]
    assert (bar["tick0"], bar["dtick"], bar["tickformat"]) == (0, dtick, ",d")


def test_browser_charts_leave_a_band_for_the_toolbar_above_the_title():
    fig = charts.status_counts(pd.DataFrame({"indicator_id": ["Y01"], "name": ["甲"], "category": ["预期性"],
                                             "status": ["behind"]}))
    before = fig.to_dict()["layout"]
    out = charts.for_browser(fig).to_dict()["layout"]
    assert out["height"] == before["height"] + charts.TOOLBAR_PX
    assert out["margin"]["t"] == before["margin"]["t"] + charts.TOOLBAR_PX
    title_top_px = (1 - out["title"]["y"]) * out["height"]
    assert title_top_px == pytest.approx(charts.PAD_TOP + charts.TOOLBAR_PX)
    legend_top_px = (1 - out["legend"]["y"]) * out["height"]
    assert legend_top_px == pytest.approx(charts.LEGEND_TOP_PX + charts.TOOLBAR_PX)  # under the title, moved with it
    assert fig.to_dict()["layout"] == before
    config = charts.chart_config("图", "2023Q2")
    assert set(config["modeBarButtonsToRemove"]) == {"select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"}


def test_recent_states_keeps_the_last_quarters_per_task():
    h = history("T01-02 2022Q4 behind, T01-01 2023Q1 on_track, T01-01 2023Q2 behind, T01-01 2022Q3 done, "
                "T01-02 2023Q2 not_reported, T01-01 2022Q4 not_started")
    grid = recent_states(h, last=3)
    assert list(grid.columns) == ["title", "2022Q4", "2023Q1", "2023Q2"]
    assert list(grid.index) == ["T01-01", "T01-02"]
    assert grid.loc["T01-01"].tolist() == ["任务T01-01", "not_started", "on_track", "behind"]
    assert grid.loc["T01-02"].tolist() == ["任务T01-02", "behind", "", "not_reported"]


def test_recent_states_of_no_history_is_empty():
    assert recent_states(pd.DataFrame(columns=["task_id", "title", "period", "status"])).empty


@pytest.mark.parametrize("period,text", [("2023Q2", "23年Q2"), ("2030Q4", "30年Q4"), ("2009Q1", "09年Q1")])
def test_short_period(period, text):
    assert short_period(period) == text


@pytest.mark.parametrize("day,text", [(date(2026, 12, 1), "2026年12月1日"), (date(2024, 3, 9), "2024年3月9日"),
                                      (date(2025, 10, 31), "2025年10月31日")])
def test_chinese_date_has_no_leading_zeros(day, text):
    assert chinese_date(day) == text


def test_unit_sections_gives_one_line_per_unit_in_input_order():
    from lib.heatlist import unit_sections
    matrix = pd.DataFrame({"unit": ["区发改局", "区发改局", "区发改局", "区财政局", "区发改局"],
                           "section_no": [1, 1, 3, 3, 10], "section_title": ["甲", "甲", "丙", "丙", "癸"],
                           "role": ["牵头单位", "责任单位", "牵头单位", "责任单位", "责任单位"], "count": [2, 1, 1, 4, 0]})
    lines = unit_sections(matrix)
    assert lines.to_dict("list") == {"unit": ["区发改局", "区财政局"], "sections": ["一 牵2 责1 · 三 牵1", "三 责4"]}
    assert unit_sections(matrix.iloc[:0]).empty
