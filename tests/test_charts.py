"""lib/charts/: assertions on fig.to_dict() — traces, colours from lib.status, target lines, labels.

Pixels are checked by eye with scripts/preview_charts.py; here only what the figure says."""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from lib import charts
from lib.fmt import display_width
from lib.assess import assess_indicators, assess_tasks
from lib.periods import Period
from lib.rollup import by_category
from lib.status import STATUS_LOOK, TASK_STATUS_LOOK, Status, TaskStatus

AS_OF = Period(2023, 2)

# A hand-made assessment in the contract of lib.assess.assess_indicators (the columns the charts read).
ASSESSMENT_CSV = """\
indicator_id,name,category,kind,unit,status,status_label,achievement,time_elapsed,latest_period,latest_value,target_value,ref_indicator
Y01,地区生产总值年均增速,预期性,growth_rate,%,behind,滞后,0.4285,0.5,2023Q2,6.5,9,
Y03,常住人口城镇化率,预期性,level_up,%,ahead,快于预期,0.5,0.4,2022Q4,87.5,90,
Y04,地方一般公共预算收入年均增速,预期性,growth_rate,%,no_data,数据缺失,,,,,10,
Y07,居民人均可支配收入增长,预期性,in_step,%,on_track,基本符合预期,,0.5,2023Q2,6.0,,Y01
Y08,城镇调查失业率,预期性,ceiling,%,on_track,基本符合预期,,0.5,2023Q2,5.2,5.5,
B01,单位生产总值能源消耗降低,约束性,quota,%,on_track,基本符合预期,,0.4,2022Q4,3.1,,
B05,森林覆盖率,约束性,level_up,%,achieved,提前实现,1.1,0.5,2023Q2,36.5,36,
K01,服务业增加值,任务指标,level_up,亿元,ahead,快于预期,0.5332,0.4,2022Q4,330,400,
K06,城镇新增就业(五年累计),任务指标,cumulative,人,on_track,基本符合预期,0.535,0.5,2023Q2,3900,40000,
"""


def frame(csv: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(csv), keep_default_na=True, dtype={"latest_period": str}).fillna(
        {"latest_period": "", "ref_indicator": ""})


@pytest.fixture()
def assessment() -> pd.DataFrame:
    return frame(ASSESSMENT_CSV)


TASKS_CSV = """\
task_id,section_no,section_title,title,status
T01-01,1,优化区域发展布局、提升现代城市发展水平,优化区域发展布局,on_track
T01-02,1,优化区域发展布局、提升现代城市发展水平,建设现代化中心城区,behind
T01-03,1,优化区域发展布局、提升现代城市发展水平,全面推进乡村振兴,on_track
T02-01,2,持续推进改革创新、建设创新引领首创区,建设创新型城区,done
T10-06,10,统筹发展和安全、深化平安沙市建设,加强国防动员建设,not_reported
"""


def progress(spec: str) -> pd.DataFrame:
    """"Y01:2021Q4 11, B01:2022Q4 3.1/3.0" → progress rows (value, annual target after "/")."""
    rows = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        iid, rest = item.split(":")
        period, value = rest.split()
        value, _, target = value.partition("/")
        p = Period.parse(period)
        rows.append(dict(indicator_id=iid, year=p.year, quarter=p.quarter, value=float(value),
                         annual_target=float(target) if target else np.nan, unit="区发改局", note=""))
    return pd.DataFrame(rows)


def traces(fig: go.Figure, type_: str | None = None) -> list[dict]:
    return [t for t in fig.to_dict()["data"] if type_ is None or t["type"] == type_]


def trace(fig: go.Figure, name: str) -> dict:
    found = [t for t in fig.to_dict()["data"] if t.get("name") == name]
    assert len(found) == 1, [t.get("name") for t in fig.to_dict()["data"]]
    return found[0]


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a["text"] for a in fig.to_dict()["layout"].get("annotations", [])]


# --- shared layout --------------------------------------------------------------------------------

def _all_figures(plan) -> dict[str, go.Figure]:
    a = frame(ASSESSMENT_CSV)
    t = frame(TASKS_CSV)
    history = pd.DataFrame({"task_id": ["T01-01", "T01-01"], "title": ["优化区域发展布局"] * 2,
                            "period": ["2023Q1", "2023Q2"], "status": ["on_track", "behind"]})
    units = pd.DataFrame({"unit": ["区发改局", "区财政局"], "status": ["behind", "done"], "count": [2, 1]})
    resp = pd.DataFrame({"unit": ["区发改局"], "section_no": [1], "section_title": ["优化区域发展布局"],
                         "role": ["牵头单位"], "count": [2]})
    reporting = pd.DataFrame({"unit": ["区发改局"], "item_id": ["Y01"], "state": ["已报送"]})
    row = plan.indicator("Y03").copy()
    row["indicator_id"] = "Y03"
    return {
        "status_counts": charts.status_counts(a),
        "achievement_vs_time": charts.achievement_vs_time(a),
        "tasks_by_section": charts.tasks_by_section(t),
        "indicator_series": charts.indicator_series(row, progress("Y03:2022Q4 87.5"), None, 2020, 2025),
        "task_heatmap": charts.task_heatmap(history),
        "unit_ranking": charts.unit_ranking(units, kind="task"),
        "responsibility_matrix": charts.responsibility_matrix(resp),
        "reporting_matrix": charts.reporting_matrix(reporting),
    }


@pytest.fixture(scope="module")
def all_figures(plan) -> dict[str, go.Figure]:
    return _all_figures(plan)


BUILDERS = ["status_counts", "achievement_vs_time", "tasks_by_section", "indicator_series", "task_heatmap",
            "unit_ranking", "responsibility_matrix", "reporting_matrix"]


@pytest.mark.parametrize("name", BUILDERS)
def test_every_chart_has_explicit_template_font_title_and_height(all_figures, name):
    fig = all_figures[name]
    layout = fig.to_dict()["layout"]
    assert fig.layout.template == pio.templates["plotly_white"]  # never the streamlit template
    assert layout["font"]["family"] == charts.FONT_FAMILY
    assert layout["title"]["text"]
    assert layout["height"] >= charts.MIN_HEIGHT
    if layout.get("showlegend", True):
        legend = layout["legend"]
        # horizontal, its top edge right under the title, in container pixels (so a wrapped legend on a phone
        # pushes the plot down instead of growing up over the title), with one row's room above the plot
        assert (legend["orientation"], legend["xref"], legend["yref"], legend["yanchor"]) == ("h", "container", "container", "top")
        assert (1 - legend["y"]) * layout["height"] == pytest.approx(charts.LEGEND_TOP_PX)
        assert layout["margin"]["t"] >= charts.LEGEND_TOP_PX + charts.LEGEND_ROW_PX
    json.dumps(fig.to_dict(), default=str)  # serialisable for st.plotly_chart and kaleido


@pytest.mark.parametrize("builder,empty", [
    (charts.status_counts, pd.DataFrame(columns=["indicator_id", "name", "category", "status"])),
    (charts.achievement_vs_time, pd.DataFrame(columns=["indicator_id", "name", "kind", "status", "achievement", "time_elapsed"])),
    (charts.tasks_by_section, pd.DataFrame(columns=["task_id", "title", "section_no", "section_title", "status"])),
    (charts.task_heatmap, pd.DataFrame(columns=["task_id", "title", "period", "status"])),
    (charts.unit_ranking, pd.DataFrame(columns=["unit", "status", "count"])),
    (charts.responsibility_matrix, pd.DataFrame(columns=["unit", "section_no", "section_title", "role", "count"])),
    (charts.reporting_matrix, pd.DataFrame(columns=["unit", "item_id", "state"])),
])
def test_empty_input_gives_the_no_data_annotation(builder, empty):
    fig = builder(empty)
    assert traces(fig) == []
    (note,) = fig.to_dict()["layout"]["annotations"]
    assert (note["text"], note["x"], note["y"], note["xref"], note["yref"]) == ("暂无数据", 0.5, 0.5, "paper", "paper")


def test_builders_do_not_change_their_input(plan, assessment):
    before = assessment.copy(deep=True)
    charts.status_counts(assessment)
    charts.achievement_vs_time(assessment)
    pd.testing.assert_frame_equal(assessment, before)


@pytest.mark.parametrize("text,limit,expected", [
    ("常住人口城镇化率", 10, "常住人口城镇化率"),
    ("地方一般公共预算收入年均增速", 10, "地方一般公共预算收…"),
    ("一、优化区域发展布局、提升现代城市发展水平", 11, "一、优化区域发展布局…"),
    ("", 10, ""),
])
def test_abbreviate(text, limit, expected):
    assert charts.abbreviate(text, limit) == expected
    assert len(charts.abbreviate(text, limit)) <= limit


@pytest.mark.parametrize("n,expected", [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (38, "三十八")])
def test_chinese_numeral(n, expected):
    assert charts.chinese_numeral(n) == expected


# --- 1. status_counts -----------------------------------------------------------------------------

def test_status_counts_one_bar_trace_per_status_in_order_with_status_colours(assessment):
    fig = charts.status_counts(assessment)
    bars = traces(fig, "bar")
    assert [b["name"] for b in bars] == [f"{STATUS_LOOK[s].icon} {STATUS_LOOK[s].label}" for s in Status]
    assert [b["marker"]["color"] for b in bars] == [STATUS_LOOK[s].colour for s in Status]
    assert [b["marker"]["pattern"]["shape"] for b in bars] == [STATUS_LOOK[s].pattern for s in Status]
    assert all(b["orientation"] == "h" for b in bars)
    assert fig.to_dict()["layout"]["barmode"] == "stack"


@pytest.mark.parametrize("status,expected", [
    # counts per category 预期性, 约束性, 任务指标
    ("achieved", [0, 1, 0]), ("ahead", [1, 0, 1]), ("on_track", [2, 1, 1]), ("behind", [1, 0, 0]), ("no_data", [1, 0, 0]),
])
def test_status_counts_bar_lengths_and_text_labels_equal_the_counts(assessment, status, expected):
    fig = charts.status_counts(assessment)
    bar = traces(fig, "bar")[[s.value for s in Status].index(status)]
    assert list(bar["y"]) == ["预期性", "约束性", "任务指标"]
    assert list(bar["x"]) == expected
    assert list(bar["text"]) == [str(n) if n else "" for n in expected]


def test_status_counts_calls_out_binding_indicators(assessment):
    layout = charts.status_counts(assessment).to_dict()["layout"]
    assert layout["yaxis"]["ticktext"][1].startswith("<b>约束性</b>")
    assert [s["name"] for s in layout["shapes"]] == ["binding_band"]
    assert layout["shapes"][0]["y0"] == 0.5 and layout["shapes"][0]["y1"] == 1.5


def test_status_counts_hover_lists_full_names(assessment):
    bar = traces(charts.status_counts(assessment), "bar")[1]  # ahead
    assert "Y03 常住人口城镇化率" in bar["customdata"][0][2]
    assert "K01 服务业增加值" in bar["customdata"][2][2]


def test_status_counts_match_the_rollup_of_a_real_assessment(plan):
    results = assess_indicators(plan, progress("Y01:2021Q4 11, Y01:2022Q4 5, Y01:2023Q2 6.5, Y03:2022Q4 87.5, "
                                               "Y08:2023Q2 5.9, K06:2021Q4 9000, K06:2022Q4 8500, K06:2023Q2 3900"), AS_OF)
    fig = charts.status_counts(results)
    rolled = by_category(results).set_index("category")
    for bar, status in zip(traces(fig, "bar"), Status):
        assert list(bar["x"]) == [int(rolled.loc[c, status.value]) for c in bar["y"]]


# --- 2. achievement_vs_time ---------------------------------------------------------------------

def test_achievement_bars_in_plan_order_coloured_by_status(assessment):
    fig = charts.achievement_vs_time(assessment)
    layout = fig.to_dict()["layout"]
    with_p = ["Y01", "Y03", "B05", "K01", "K06"]
    assert list(layout["yaxis"]["categoryarray"]) == with_p
    assert layout["yaxis"]["autorange"] == "reversed"  # plan order top to bottom
    bars = {b["name"]: b for b in traces(fig, "bar")}
    behind = bars["▼ 滞后"]
    assert behind["marker"]["color"] == STATUS_LOOK[Status.BEHIND].colour
    assert list(behind["y"]) == ["Y01"] and list(behind["x"]) == pytest.approx([42.85])
    assert list(behind["text"]) == ["42.9%"]
    ahead = bars["▲ 快于预期"]
    assert list(ahead["y"]) == ["Y03", "K01"] and ahead["marker"]["color"] == STATUS_LOOK[Status.AHEAD].colour
    assert bars["★ 提前实现"]["marker"]["color"] == STATUS_LOOK[Status.ACHIEVED].colour


def test_achievement_at_risk_bars_are_amber_with_their_own_icon(assessment):
    from lib.status import AMBER
    rows = assessment.assign(outlook=["at_risk", "at_risk", None, None, None, None, None, "likely", "at_risk"])
    bars = {b["name"]: b for b in traces(charts.achievement_vs_time(rows), "bar")}
    amber = bars["◆ 进度不滞后,但预计难以完成"]
    assert (list(amber["y"]), amber["marker"]["color"]) == (["Y03", "K06"], AMBER)
    assert list(bars["▼ 滞后"]["y"]) == ["Y01"]          # behind stays red whatever the outlook
    assert list(bars["▲ 快于预期"]["y"]) == ["K01"] and "● 基本符合预期" not in bars


def test_achievement_has_time_elapsed_markers_and_a_target_line_at_100(assessment):
    fig = charts.achievement_vs_time(assessment)
    tau = trace(fig, "时间进度")
    assert list(tau["y"]) == ["Y01", "Y03", "B05", "K01", "K06"]
    assert list(tau["x"]) == pytest.approx([50, 40, 50, 40, 50])
    (target,) = [s for s in fig.to_dict()["layout"]["shapes"] if s.get("name") == "目标"]
    assert (target["x0"], target["x1"], target["yref"]) == (100, 100, "paper")


def test_achievement_axis_labels_abbreviated_and_full_names_on_hover(assessment):
    fig = charts.achievement_vs_time(assessment)
    ticktext = fig.to_dict()["layout"]["yaxis"]["ticktext"]
    assert ticktext[3] == "K01 服务业增加值"
    assert ticktext[4] == "K06 城镇新增就业(五年…"
    k06 = [b for b in traces(fig, "bar") if "K06" in list(b["y"])][0]
    assert k06["customdata"][list(k06["y"]).index("K06")][0] == "K06 城镇新增就业(五年累计)"


def test_achievement_note_names_the_indicators_without_p(assessment):
    (note,) = [a for a in fig_annotations(charts.achievement_vs_time(assessment)) if a.get("name") == "note"]
    assert "未列出 4 项" in note["text"]
    assert "Y07、Y08、B01" in note["text"]  # kinds without P
    assert "数据缺失:Y04" in note["text"]
    assert "与参照指标同步" in note["text"] and "控制在上限以内" in note["text"]
    assert max(map(display_width, note["text"].split("<br>"))) <= PHONE_NOTE_WIDTH


# An annotation does not wrap: at 12 px a 390 px phone fits about 28 full-width (CJK) characters a line.
PHONE_NOTE_WIDTH = 56


def test_achievement_note_wraps_long_id_lists_to_phone_width():
    from lib.charts.indicators import _no_p_note
    skipped = pd.DataFrame({"indicator_id": [f"Y{i:02d}" for i in range(1, 13)] + ["B01", "B02", "B03"],
                            "kind": ["level_up"] * 12 + ["ceiling", "in_step", "quota"],
                            "status": ["no_data"] * 12 + ["on_track"] * 3})
    lines = _no_p_note(skipped).split("<br>")
    assert max(map(display_width, lines)) <= PHONE_NOTE_WIDTH
    assert "Y12" in "".join(lines) and lines[0] == "图中未列出 15 项:"


def test_achievement_axis_labels_stay_level_every_50_percent(assessment):
    xaxis = charts.achievement_vs_time(assessment).to_dict()["layout"]["xaxis"]
    assert xaxis["tickangle"] == 0 and all(v % 50 == 0 for v in xaxis["tickvals"]) and 100 in xaxis["tickvals"]
    assert 25 in xaxis["minor"]["tickvals"] and 75 in xaxis["minor"]["tickvals"]


def fig_annotations(fig: go.Figure) -> list[dict]:
    return fig.to_dict()["layout"].get("annotations", [])


# --- 3. tasks_by_section ---------------------------------------------------------------------------

def test_tasks_by_section_stacks_counts_per_status_with_abbreviated_section_labels():
    fig = charts.tasks_by_section(frame(TASKS_CSV))
    bars = traces(fig, "bar")
    assert [b["name"] for b in bars] == [f"{TASK_STATUS_LOOK[s].icon} {TASK_STATUS_LOOK[s].label}" for s in TaskStatus]
    assert [b["marker"]["color"] for b in bars] == [TASK_STATUS_LOOK[s].colour for s in TaskStatus]
    labels = ["一、优化区域发展布局…", "二、持续推进改革创新…", "十、统筹发展和安全、…"]
    on_track = bars[[s.value for s in TaskStatus].index("on_track")]
    assert list(on_track["y"]) == labels
    assert list(on_track["x"]) == [2, 0, 0] and list(on_track["text"]) == ["2", "", ""]
    assert list(bars[0]["x"]) == [0, 1, 0]  # done
    assert on_track["customdata"][0][0] == "一、优化区域发展布局、提升现代城市发展水平"
    assert on_track["customdata"][0][2] == 3  # tasks in the section


# --- 4. indicator_series ----------------------------------------------------------------------------

def _series_figure(plan, iid: str, spec: str, **kwargs) -> go.Figure:
    results = assess_indicators(plan, progress(spec), AS_OF).set_index("indicator_id", drop=False)
    row = plan.indicators.set_index("indicator_id", drop=False).loc[iid]
    rows = progress(spec)
    return charts.indicator_series(row, rows[rows["indicator_id"] == iid], results.loc[iid], plan.base_year,
                                   plan.target_year, **kwargs)


def test_level_up_has_target_line_expected_path_and_projection(plan):
    fig = _series_figure(plan, "Y03", "Y03:2021Q4 86.3, Y03:2022Q4 87.5")
    target = trace(fig, "目标值")
    assert set(target["y"]) == {90.0} and (target["x"][0], target["x"][-1]) == ("2020Q4", "2025Q4")
    path = trace(fig, "规划路径")
    assert (path["x"][0], path["y"][0]) == ("2020Q4", 85.0)  # baseline X0 at the end of the base year
    assert (path["x"][-1], path["y"][-1]) == ("2025Q4", 90.0)  # target X* at the end of the target year
    projection = trace(fig, "按当前进度推算")
    assert list(projection["x"]) == ["2020Q4", "2022Q4", "2025Q4"]
    assert list(projection["y"]) == pytest.approx([85.0, 87.5, 85.0 + 2.5 * 20 / 8])
    assert projection["line"]["dash"] == "dash"
    assert list(trace(fig, "基期值")["y"]) == [85.0]
    values = trace(fig, "实际值")
    assert list(values["x"]) == ["2021Q4", "2022Q4"] and list(values["y"]) == [86.3, 87.5]
    assert "(%)" in fig.to_dict()["layout"]["yaxis"]["title"]["text"]
    xaxis = fig.to_dict()["layout"]["xaxis"]
    assert xaxis["type"] == "category" and xaxis["categoryarray"][0] == "2020Q4" and xaxis["categoryarray"][-1] == "2025Q4"
    assert len(xaxis["categoryarray"]) == 21


def test_latest_judged_point_in_status_colour_with_badge(plan):
    fig = _series_figure(plan, "Y03", "Y03:2022Q4 87.5")
    point = trace(fig, "评估期 2022Q4")
    assert point["marker"]["color"] == STATUS_LOOK[Status.AHEAD].colour
    (badge,) = [a for a in fig_annotations(fig) if a.get("name") == "status_badge"]
    assert badge["text"] == "▲ 快于预期"


def test_growth_rate_has_target_rate_and_average_growth_to_date(plan):
    fig = _series_figure(plan, "Y01", "Y01:2021Q4 11.0, Y01:2022Q4 5.0, Y01:2023Q2 6.5")
    assert set(trace(fig, "目标值")["y"]) == {9.0}
    avg = trace(fig, "规划以来年均增速")
    assert list(avg["y"]) == pytest.approx([7.665, 7.665], abs=1e-3) and avg["x"][-1] == "2023Q2"
    assert "增速(%)" in fig.to_dict()["layout"]["yaxis"]["title"]["text"]
    assert [t["name"] for t in traces(fig)].count("目标值") == 1


def test_in_step_shows_the_reference_series_and_both_averages(plan):
    spec = "Y01:2021Q4 11.0, Y01:2022Q4 5.0, Y01:2023Q2 6.5, Y07:2021Q4 9.8, Y07:2022Q4 6.0, Y07:2023Q2 6.0"
    rows = progress(spec)
    fig = _series_figure(plan, "Y07", spec, ref_series=rows[rows["indicator_id"] == "Y01"], ref_name="地区生产总值年均增速")
    ref = trace(fig, "参照:Y01 地区生产总值年均增速")
    assert list(ref["y"]) == [11.0, 5.0, 6.5]
    assert list(trace(fig, "Y01 年均增速")["y"]) == pytest.approx([7.665, 7.665], abs=1e-3)
    assert list(trace(fig, "规划以来年均增速")["y"]) == pytest.approx([7.504, 7.504], abs=1e-3)
    assert any("五年年均增速差 -0.16 个百分点" in t for t in annotation_texts(fig))
    assert "目标值" not in [t["name"] for t in traces(fig)]


def test_annual_indicator_q1_to_q3_hollow_grey_and_not_judged(plan):
    fig = _series_figure(plan, "K01", "K01:2022Q2 150, K01:2022Q3 240, K01:2022Q4 330, K01:2023Q1 80, K01:2023Q2 180")
    judged = trace(fig, "年度值(四季度)")
    assert list(judged["x"]) == ["2022Q4"] and judged["marker"]["symbol"] == "circle"
    early = trace(fig, f"1–3季度值({charts.NOT_JUDGED_TEXT})")
    assert list(early["x"]) == ["2022Q2", "2022Q3", "2023Q1", "2023Q2"]
    assert early["marker"]["symbol"] == "circle-open" and early["marker"]["color"] == charts.GREY
    assert all(c[2] == "仅供参考,不参与评估" for c in early["customdata"])
    assert "%{customdata[2]}" in early["hovertemplate"]
    assert "亿元" in fig.to_dict()["layout"]["yaxis"]["title"]["text"]
    # projection through the judged Q4 value, not the year-to-date Q2 value
    assert trace(fig, "按当前进度推算")["x"][1] == "2022Q4"


def test_cumulative_plots_the_running_total_against_target_and_path(plan):
    fig = _series_figure(plan, "K06", "K06:2021Q4 9000, K06:2022Q2 4000, K06:2022Q4 8500, K06:2023Q2 3900")
    total = trace(fig, "累计完成")
    assert list(total["x"]) == ["2021Q4", "2022Q2", "2022Q4", "2023Q2"]
    assert list(total["y"]) == [9000, 13000, 17500, 21400]
    assert set(trace(fig, "目标值")["y"]) == {40000.0}
    path = trace(fig, "规划路径")
    assert (path["x"][0], path["y"][0], path["x"][-1], path["y"][-1]) == ("2020Q4", 0.0, "2025Q4", 40000.0)
    assert trace(fig, "按当前进度推算")["y"][-1] == pytest.approx(21400 * 20 / 10)


def test_ceiling_has_the_upper_limit_as_target_line(plan):
    fig = _series_figure(plan, "Y08", "Y08:2022Q4 5.4, Y08:2023Q2 5.2")
    assert set(trace(fig, "目标值")["y"]) == {5.5}
    assert "规划路径" not in [t["name"] for t in traces(fig)]


def test_quota_shows_annual_targets_as_steps(plan):
    fig = _series_figure(plan, "B01", "B01:2021Q4 3.3/3.0, B01:2022Q4 3.1/3.2, B01:2023Q2 1.2")
    steps = trace(fig, "年度目标值(上级下达)")
    assert list(steps["x"]) == ["2021Q1", "2021Q4", None, "2022Q1", "2022Q4", None]
    assert list(steps["y"]) == [3.0, 3.0, None, 3.2, 3.2, None]
    assert list(trace(fig, "实际值")["y"]) == [3.3, 3.1, 1.2]


def test_series_ignores_rows_after_the_as_of_quarter_and_outside_the_plan(plan):
    fig = _series_figure(plan, "Y08", "Y08:2020Q4 5.0, Y08:2023Q2 5.2, Y08:2023Q3 5.6")
    assert list(trace(fig, "实际值")["x"]) == ["2023Q2"]


@pytest.mark.parametrize("iid", ["Y01", "Y03", "Y07", "Y08", "B01", "K01", "K06"])
def test_series_with_no_rows_gives_the_no_data_annotation(plan, iid):
    row = plan.indicators.set_index("indicator_id", drop=False).loc[iid]
    empty = pd.DataFrame(columns=["year", "quarter", "value", "annual_target"])
    fig = charts.indicator_series(row, empty, None, plan.base_year, plan.target_year)
    assert traces(fig) == []
    assert annotation_texts(fig) == ["暂无数据"]
    assert fig.to_dict()["layout"]["title"]["text"].startswith(f"{iid} ")


# --- 5. task_heatmap ---------------------------------------------------------------------------------

def test_task_heatmap_colours_icons_and_labels():
    history = pd.DataFrame({
        "task_id": ["T01-01", "T01-01", "T06-02", "T06-02"],
        "title": ["优化区域发展布局", "优化区域发展布局", "完善现代公共文化服务体系", "完善现代公共文化服务体系"],
        "period": ["2023Q2", "2023Q1", "2023Q1", "2023Q2"],
        "status": ["behind", "on_track", "done", "not_reported"],
    })
    fig = charts.task_heatmap(history)
    (heat,) = traces(fig, "heatmap")
    assert list(heat["x"]) == ["2023Q1", "2023Q2"]  # periods in time order
    assert list(heat["y"]) == ["T01-01", "T06-02"]
    codes = [s.value for s in TaskStatus]
    assert np.array(heat["z"]).tolist() == [[codes.index("on_track"), codes.index("behind")],
                                            [codes.index("done"), codes.index("not_reported")]]
    icons = {s.value: TASK_STATUS_LOOK[s].icon for s in TaskStatus}
    assert [list(r) for r in heat["text"]] == [[icons["on_track"], icons["behind"]], [icons["done"], icons["not_reported"]]]
    # discrete colourscale: value i sits in the middle of band i, whose colour is lib.status's
    n = len(codes)
    for i, s in enumerate(TaskStatus):
        middle = (i + 0.5) / n
        band = [c for (lo, c), (hi, _) in zip(heat["colorscale"][::2], heat["colorscale"][1::2]) if lo <= middle <= hi]
        assert band == [TASK_STATUS_LOOK[s].colour]
    assert (heat["zmin"], heat["zmax"]) == (-0.5, n - 0.5)
    assert list(fig.to_dict()["layout"]["yaxis"]["ticktext"]) == ["T01-01 优化区域发展布局", "T06-02 完善现代公共文化服…"]
    assert heat["customdata"][1][0][0] == "T06-02 完善现代公共文化服务体系"
    legend = [t["name"] for t in traces(fig, "scatter")]
    assert legend == [f"{TASK_STATUS_LOOK[s].icon} {TASK_STATUS_LOOK[s].label}" for s in TaskStatus]


# --- 6. unit_ranking ---------------------------------------------------------------------------------

UNIT_COUNTS_CSV = """\
unit,status,count
区发改局,on_track,5
区发改局,behind,1
区财政局,behind,3
区财政局,done,1
区营商环境工作领导小组成员单位,on_track,9
区教育局,on_track,2
区教育局,behind,1
"""


def test_unit_ranking_sorted_by_behind_then_total_with_status_colours():
    fig = charts.unit_ranking(frame(UNIT_COUNTS_CSV), kind="task")
    bars = traces(fig, "bar")
    assert [b["marker"]["color"] for b in bars] == [TASK_STATUS_LOOK[s].colour for s in TaskStatus]
    order = ["区财政局", "区发改局", "区教育局", "区营商环境工作领导小组成员单位"]
    assert list(bars[0]["y"]) == order
    behind = bars[[s.value for s in TaskStatus].index("behind")]
    assert list(behind["x"]) == [3, 1, 1, 0] and list(behind["text"]) == ["3", "1", "1", ""]
    ticks = fig.to_dict()["layout"]["yaxis"]["ticktext"]
    assert ticks[-1] == "区营商环境工作领导…" and bars[0]["customdata"][-1][0] == order[-1]
    assert "truncated" not in [a.get("name") for a in fig_annotations(fig)]


def test_unit_ranking_top_n_notes_the_truncation():
    fig = charts.unit_ranking(frame(UNIT_COUNTS_CSV), kind="task", top_n=2)
    assert list(traces(fig, "bar")[0]["y"]) == ["区财政局", "区发改局"]
    (note,) = [a for a in fig_annotations(fig) if a.get("name") == "truncated"]
    assert "仅显示前 2 个单位(共 4 个单位)" in note["text"]


def test_unit_ranking_for_indicators_uses_indicator_statuses():
    counts = pd.DataFrame({"unit": ["区发改局", "区发改局"], "status": ["ahead", "no_data"], "count": [2, 1]})
    fig = charts.unit_ranking(counts, kind="indicator")
    bars = traces(fig, "bar")
    assert [b["marker"]["color"] for b in bars] == [STATUS_LOOK[s].colour for s in Status]
    assert [list(b["x"]) for b in bars] == [[0], [2], [0], [0], [1]]
    assert "指标" in fig.to_dict()["layout"]["title"]["text"]


def test_unit_ranking_rejects_an_unknown_kind():
    with pytest.raises(ValueError):
        charts.unit_ranking(frame(UNIT_COUNTS_CSV), kind="unit")


# --- 7. responsibility_matrix -------------------------------------------------------------------------

def test_responsibility_matrix_cells_say_lead_and_responsible_counts():
    matrix = pd.DataFrame({
        "unit": ["区发改局", "区发改局", "区发改局", "区财政局"],
        "section_no": [1, 1, 3, 3],
        "section_title": ["优化区域发展布局、提升现代城市发展水平"] * 2 + ["发展现代产业体系、做强经济发展首位区"] * 2,
        "role": ["牵头单位", "责任单位", "牵头单位", "责任单位"],
        "count": [2, 1, 1, 4],
    })
    fig = charts.responsibility_matrix(matrix)
    (heat,) = traces(fig, "heatmap")
    assert list(heat["y"]) == ["区发改局", "区财政局"] and list(heat["x"]) == [1, 3]
    assert [list(r) for r in heat["text"]] == [["牵2 责1", "牵1"], ["", "责4"]]
    z = np.array(heat["z"], dtype=float)
    assert z[0].tolist() == [3, 1] and np.isnan(z[1, 0]) and z[1, 1] == 4
    assert heat["customdata"][0][0][1] == "一、优化区域发展布局、提升现代城市发展水平"
    ticks = fig.to_dict()["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "一<br>优化区域<br>发展布局"


# --- 8. reporting_matrix ---------------------------------------------------------------------------

def test_reporting_matrix_states_colours_and_order():
    matrix = pd.DataFrame({
        "unit": ["区发改局", "区发改局", "区发改局", "区财政局"],
        "item_id": ["T01-01", "Y01", "K01", "Y01"],
        "state": ["未报送", "已报送", "逾期报送", "已报送"],
    })
    fig = charts.reporting_matrix(matrix, as_of="2023Q2")
    (heat,) = traces(fig, "heatmap")
    assert list(heat["x"]) == ["Y01", "K01", "T01-01"]  # indicators before tasks by default
    assert list(heat["y"]) == ["区发改局", "区财政局"]
    looks = charts.REPORT_LOOK
    assert [list(r) for r in heat["text"]] == [[looks["已报送"].icon, looks["逾期报送"].icon, looks["未报送"].icon],
                                               [looks["已报送"].icon, "", ""]]
    assert looks["未报送"] == TASK_STATUS_LOOK[TaskStatus.NOT_REPORTED]
    assert [t["marker"]["color"] for t in traces(fig, "scatter")] == [looks[s].colour for s in charts.REPORT_STATES]
    assert "2023Q2" in fig.to_dict()["layout"]["title"]["text"]
    ordered = charts.reporting_matrix(matrix, item_order=["T01-01", "K01", "Y01"])
    assert list(traces(ordered, "heatmap")[0]["x"]) == ["T01-01", "K01", "Y01"]


# --- 9. export helpers -------------------------------------------------------------------------------

@pytest.mark.parametrize("title,as_of,filename", [
    ("各类指标进展情况", "2023Q2", "各类指标进展情况_2023Q2"),
    ("Y01 地区生产总值/年均增速", "2023Q2", "Y01 地区生产总值_年均增速_2023Q2"),
    ('单位:"滞后"?*', "2025Q4", "单位_滞后__2025Q4"),
])
def test_chart_config_file_name_and_scale(title, as_of, filename):
    config = charts.chart_config(title, as_of)
    assert config["displaylogo"] is False
    assert config["toImageButtonOptions"] == {"format": "png", "filename": filename, "scale": 2}


@pytest.mark.parametrize("sample_data", [True, False])
def test_for_export_adds_as_of_source_and_sample_mark_without_mutating(assessment, sample_data):
    fig = charts.status_counts(assessment)
    before = fig.to_dict()
    out = charts.for_export(fig, as_of="2023Q2", source="沙市区统计局", sample_data=sample_data, units_note="项")
    assert fig.to_dict() == before  # the input is unchanged
    assert out is not fig
    layout = out.to_dict()["layout"]
    assert layout["title"]["text"] == "各类指标进展情况"
    assert layout["title"]["subtitle"]["text"] == "截至 2023Q2"
    names = {a.get("name"): a for a in layout["annotations"]}
    assert names["footer"]["text"] == "数据来源:沙市区统计局  |  单位:项"
    assert ("sample_mark" in names) is sample_data
    if sample_data:
        mark = names["sample_mark"]
        assert "示例数据" in mark["text"] and mark["borderwidth"] > 0 and (mark["x"], mark["xanchor"]) == (1, "right")
    # room for the subtitle and the footer, so the plot area keeps its size
    assert layout["height"] == before["layout"]["height"] + charts.SUBTITLE_PX + charts.FOOTER_PX
    assert layout["margin"]["t"] == before["layout"]["margin"]["t"] + charts.SUBTITLE_PX
    assert layout["margin"]["b"] == before["layout"]["margin"]["b"] + charts.FOOTER_PX
    assert (1 - layout["legend"]["y"]) * layout["height"] == pytest.approx(charts.LEGEND_TOP_PX + charts.SUBTITLE_PX)
    assert out.layout.template == pio.templates["plotly_white"] and layout["font"]["family"] == charts.FONT_FAMILY


def test_for_export_works_on_the_empty_figure():
    fig = charts.task_heatmap(pd.DataFrame(columns=["task_id", "title", "period", "status"]))
    out = charts.for_export(fig, as_of="2021Q1", source="", sample_data=True)
    names = [a.get("name") for a in out.to_dict()["layout"]["annotations"]]
    assert names == ["empty", "sample_mark"]  # no footer without a source or units


def _imports(path) -> set[str]:
    import ast
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return imported | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}


CHART_MODULES = ["__init__", "layout", "indicators", "series", "tasks", "units", "reporting", "compare", "continuity",
                 "export"]


@pytest.mark.parametrize("module", CHART_MODULES)
def test_charts_never_import_streamlit(module):
    from pathlib import Path
    imported = _imports(Path(charts.__file__).parent / f"{module}.py")
    assert not {m for m in imported if m.split(".")[0] == "streamlit"}


@pytest.mark.parametrize("module", ["indicators", "series", "tasks", "units", "reporting", "compare", "continuity",
                                    "export"])
def test_each_chart_subject_builds_on_the_shared_layout_only(module):
    """A subject module reads the shared look from charts.layout, never from another subject's module."""
    from pathlib import Path
    imported = {m for m in _imports(Path(charts.__file__).parent / f"{module}.py") if m.startswith("lib.charts")}
    assert imported == {"lib.charts.layout"}


@pytest.mark.parametrize("name,module", [
    ("status_counts", "lib.charts.indicators"), ("achievement_vs_time", "lib.charts.indicators"),
    ("indicator_series", "lib.charts.series"), ("tasks_by_section", "lib.charts.tasks"),
    ("task_heatmap", "lib.charts.tasks"), ("unit_ranking", "lib.charts.units"),
    ("responsibility_matrix", "lib.charts.units"), ("reporting_matrix", "lib.charts.reporting"),
    ("for_browser", "lib.charts.export"), ("for_export", "lib.charts.export"), ("chart_config", "lib.charts.export"),
    ("wrap_label", "lib.charts.layout"), ("section_label", "lib.charts.layout"),
    ("chinese_numeral", "lib.fmt"), ("abbreviate", "lib.fmt"),
])
def test_old_names_still_reach_their_new_homes(name, module):
    import importlib
    assert getattr(charts, name) is getattr(importlib.import_module(module), name)


def test_task_assessment_from_lib_assess_feeds_tasks_by_section(plan):
    rows = pd.DataFrame({"task_id": ["T01-01", "T02-01"], "year": [2023, 2023], "quarter": [2, 2],
                         "state": ["推进中", "滞后"], "percent": [60, 10], "progress": "", "problems": "",
                         "next_steps": "", "unit": ["区发改局", "区科技局"]})
    tasks = assess_tasks(plan, rows, AS_OF)
    fig = charts.tasks_by_section(tasks)
    total = sum(sum(b["x"]) for b in traces(fig, "bar"))
    assert total == len(plan.tasks)
    assert len(traces(fig, "bar")[0]["y"]) == len(plan.sections)
