"""指标监测: one indicator's series against its target, how its status was computed, its values; and all
indicators' achievement against time elapsed."""
import pandas as pd
import streamlit as st

import ui
from lib import charts, fmt, verdict
from lib.assess import explain
from lib.charts.continuity import continuity_figure
from lib.continuity import INHERITED_SOURCE
from lib.periods import period_labels
from lib.status import AT_RISK_LIGHT, badge, light_look, outlook_label

page = ui.browse_page("指标监测")
d, view, ind = page.d, page.view, page.indicators
if ind.empty:
    st.info("没有符合筛选条件的指标,请放宽左侧“筛选”中的条件。")
    st.stop()

labels = dict(zip(ind["indicator_id"], ind["indicator_id"] + " " + ind["name"]))
ids = list(labels)
if st.session_state.get("ind_pick") not in ids:
    wanted = st.query_params.get("id")
    st.session_state["ind_pick"] = wanted if wanted in ids else ids[0]
# A popover of radios labelled with the choice, not a dropdown: a dropdown costs the page's load about 20 more
# scripts (bench/pages.py), and the popover's list is built only when it is opened.
with st.popover(f"指标:{labels[st.session_state['ind_pick']]}", icon=":material/list:"):
    pick = st.radio("选择指标", ids, key="ind_pick", format_func=labels.get)
st.query_params["id"] = pick

row = ind.set_index("indicator_id").loc[pick]
plan_row = d.plan.indicator(pick)
series = d.progress[d.progress["indicator_id"] == pick]
series = series[(series["year"] * 4 + series["quarter"]) <= view.as_of.year * 4 + view.as_of.quarter]
ref_series, ref_name = None, ""
if row["kind"] == "in_step" and row["ref_indicator"]:
    ref_series = d.progress[d.progress["indicator_id"] == row["ref_indicator"]]
    ref_name = d.plan.indicator(row["ref_indicator"])["name"]

head = st.columns([2, 3])
light = light_look(row["status"], row["outlook"])
head[0].markdown(f"### {badge(row['status'], row['time_elapsed'])}")
if light is AT_RISK_LIGHT:
    head[0].markdown(f"**:orange[{light.icon} {outlook_label(row['outlook'])}]**")
head[0].caption(ui.escape_markdown(f"{plan_row['target_text']} · 责任单位:{fmt.units_text(plan_row['responsible_units'])}"))
caption, latest = verdict.latest_text(row)
facts = {
    caption: latest if row["latest_period"] else "—",
    "目标": fmt.target_phrase(row["kind"], row["target_value"], row["unit"], row["ref_indicator"]),
    "完成度(从基期起)" if row["kind"] == "level_up" else "完成度": fmt.percent(row["achievement"]),
    "时间进度": fmt.percent(row["time_elapsed"]),
}
if pd.notna(row["avg_growth"]):
    facts["至今年均增长"] = fmt.with_unit(row["avg_growth"], "%", 2)
if row["kind"] == "quota":
    facts["当年上级下达"] = fmt.with_unit(row["assigned_target"], row["unit"])
if verdict.has_outlook(row):
    facts[f"预计到 {d.plan.target_year} 年"] = f"{fmt.percent(row['projected_achievement'])}({outlook_label(row['outlook'])})"
with head[1]:
    ui.facts(facts)

# Plain sentences first; the arithmetic behind them in a collapsed detail.
st.markdown(ui.escape_markdown(verdict.status_sentence(pd.concat([pd.Series({"indicator_id": pick}), row]))))
if verdict.has_outlook(row):
    st.markdown(ui.escape_markdown(verdict.outlook_sentence(row)))

ui.chart(lambda: charts.indicator_series(plan_row, series, row, d.plan.base_year, d.plan.target_year,
                                         ref_series=ref_series, ref_name=ref_name),
         f"{pick} {row['name']}", view.as_of, key="ind_series", depends=(view, pick), version=d.version)

code = str(plan_row.get("code") or "")
across = ui.district_series(code) if code else None
if across is not None and across["plan_id"].nunique() > 1:   # the measure continues from (or into) another plan
    ui.chart(lambda: continuity_figure(across, f"{row['name']}:跨规划接续"), f"{row['name']} 跨规划接续", view.as_of,
             key="ind_continuity", depends=(pick, code, int(pd.util.hash_pandas_object(across).sum())), version=d.version)
if INHERITED_SOURCE in str(row["baseline_source"] or ""):
    st.caption("基期值来源:" + ui.escape_markdown(row["baseline_source"]))

# Lazy (built when opened, which reruns): most visitors read the sentences above and never open it.
with st.expander("状态是怎么算出来的(公式与数据)", expanded=False, key="ind_explain", on_change="rerun") as detail:
    if detail.open:
        # One Markdown element per list, not per line: each element is a component the browser must build.
        st.markdown(ui.bullets(explain(pd.concat([pd.Series({"indicator_id": pick}), row]))))
        if verdict.has_outlook(row):
            st.markdown("**预警(到期能否完成)**\n\n" + ui.bullets(verdict.outlook_lines(row)))
        st.caption("基期值来源:" + ui.escape_markdown(row["baseline_source"] or "不需要基期值"))
        st.page_link(ui.METHODOLOGY_PAGE, label="测算方法", icon=":material/menu_book:")

st.markdown("**填报记录**")
table = series.sort_values(["year", "quarter"], ascending=False)
ui.html_table(pd.DataFrame({
    "期间": period_labels(table["year"], table["quarter"]),
    "数值": [fmt.with_unit(v, row["unit"]) for v in table["value"]],
    "年度目标值": [fmt.with_unit(v, row["unit"]) for v in table["annual_target"]],
    "填报单位": table["unit"],
    "备注(来源)": table["note"].fillna(""),
}))

# Lazy too: the comparison of every indicator is below the fold (总览's cards show each one's completion
# against time), and one chart fewer on load keeps this page near the one-chart floor (bench/pages.py).
with st.expander("全部指标:完成度与时间进度", key="ind_all_open", on_change="rerun") as every:
    if every.open:
        ui.chart(lambda: charts.achievement_vs_time(ind), "指标完成度与时间进度", view.as_of, key="ind_all",
                 depends=(view,), version=d.version)
