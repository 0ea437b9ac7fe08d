"""规划目标与分工: the plan's indicators (by category) and key tasks (by section), searchable and filterable by unit."""
import pandas as pd
import streamlit as st

import ui
from lib import charts, fmt
from lib.schema import CATEGORIES, KIND_LABELS

plan = ui.plan()
cfg = plan.config
ui.page_head(plan, None)
st.title("规划目标与分工")
st.caption(ui.escape_markdown(f"{cfg.name}({cfg.base_year + 1}—{cfg.target_year}年) · 依据:{cfg.source}"))

# The search text and the unit are in the URL (?q=…&unit=…): a copied link opens the same list.
units = ["全部单位", *ui.unit_options(plan)]
ui.url_widget_value("plan_q", "q")
ui.url_widget_value("plan_unit", "unit", units[0])
if st.session_state["plan_unit"] not in units:
    st.session_state["plan_unit"] = units[0]
left, right = st.columns([2, 1])
query = left.text_input("搜索", placeholder="输入指标、任务或单位名称中的文字,如 城镇化、区人社局", key="plan_q")
unit = right.selectbox("责任单位", units, key="plan_unit",
                       help="选择一个单位,只看它牵头或负责的指标和任务(含通过别名或“各镇、街道”等组团分到的)")
ui.mirror_param("q", query.strip())
ui.mirror_param("unit", unit, default=units[0])

resp = plan.responsibilities(unit).set_index("item_id") if unit != "全部单位" else None
if resp is not None:
    counts = resp.groupby(["item_type", "role"]).size()
    st.info(f"**{ui.escape_markdown(unit)}**:牵头任务 {counts.get(('任务', '牵头单位'), 0)} 项,参与任务 {counts.get(('任务', '责任单位'), 0)} 项,"
            f"负责指标 {counts.get(('指标', '牵头单位'), 0) + counts.get(('指标', '责任单位'), 0)} 项。"
            "“分工方式”一列说明是直接点名、以别名点名,还是通过所属组团分到。")


def category_heading(category: str) -> str:
    """预期性 → 预期性指标; 任务指标 stays 任务指标 (not 任务指标指标)."""
    return category if category.endswith("指标") else f"{category}指标"


def _with_responsibility(frame: pd.DataFrame, id_col: str) -> pd.DataFrame:
    if resp is None:
        return frame
    frame = frame[frame[id_col].isin(resp.index)].copy()
    frame["本单位角色"] = frame[id_col].map(resp["role"])
    frame["分工方式"] = frame[id_col].map(resp["via"] + "(" + resp["named_as"] + ")")
    return frame


ind = plan.indicators
indicators = pd.DataFrame({
    "编号": ind["indicator_id"],
    "指标名称": ind["name"],
    "目标": [fmt.target_phrase(k, t, u, r) for k, t, u, r in zip(ind["kind"], ind["target_value"], ind["unit"], ind["ref_indicator"])],
    "计量单位": ind["unit"],
    "测算方法": ind["kind"].map(KIND_LABELS),
    "基期值": [fmt.with_unit(v, u) for v, u in zip(ind["baseline_value"], ind["unit"])],
    "基期值来源": ind["baseline_source"].replace("", "—"),
    "责任单位": ind["responsible_units"].map(fmt.units_text),
    "通知原文": ind["target_text"],
    "category": ind["category"],
})
indicators = _with_responsibility(indicators, "编号")
indicators = indicators[ui.search_mask(indicators, query, ["编号", "指标名称", "责任单位", "通知原文"])]

tasks = pd.DataFrame({
    "编号": plan.tasks["task_id"], "任务": plan.tasks["title"],
    "牵头单位": plan.tasks["lead_units"].map(fmt.units_text), "责任单位": plan.tasks["responsible_units"].map(fmt.units_text),
    "任务内容": plan.tasks["description"], "section_no": plan.tasks["section_no"], "section_title": plan.tasks["section_title"],
})
tasks = _with_responsibility(tasks, "编号")
tasks = tasks[ui.search_mask(tasks, query, ["编号", "任务", "牵头单位", "责任单位", "任务内容", "section_title"])]

tab_ind, tab_task = st.tabs([f"主要指标({len(indicators)})", f"重点任务({len(tasks)})"])
with tab_ind:
    if plan.uses_illustrative_baselines:
        st.caption("ⓘ 规划纲要的指标表未公开,基期值标注“公开数据”的取自公开统计资料,标注“示例值”的为示意,正式使用前请由区发改局核定。")
    if indicators.empty:
        st.warning("没有符合条件的指标。请换个关键词,或把“责任单位”改回“全部单位”。")
    for category in CATEGORIES:
        part = indicators[indicators["category"] == category].drop(columns="category")
        if part.empty:
            continue
        st.subheader(f"{category_heading(category)}({len(part)}项)")
        st.dataframe(part, hide_index=True, width="stretch",
                     column_config={"通知原文": st.column_config.TextColumn(width="medium"), "指标名称": st.column_config.TextColumn(width="medium")})
with tab_task:
    if tasks.empty:
        st.warning("没有符合条件的任务。请换个关键词,或把“责任单位”改回“全部单位”。")
    for (no, title), part in tasks.groupby(["section_no", "section_title"], sort=True):
        with st.expander(ui.escape_markdown(f"第{charts.chinese_numeral(no)}篇 {title}({len(part)}项)"), expanded=bool(query or resp is not None)):
            st.dataframe(part.drop(columns=["section_no", "section_title"]), hide_index=True, width="stretch",
                         column_config={"任务内容": st.column_config.TextColumn(width="large")})
