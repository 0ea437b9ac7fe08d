"""总览: where the plan stands as of a quarter — status counts, a traffic light per indicator, tasks by
section, and what needs attention. At the plan's last quarter the counts use the final-evaluation labels
(已完成 / 基本完成 / 未完成); indicators still judged on earlier data are counted apart."""
import pandas as pd
import streamlit as st

import ui
from lib import charts, fmt, rollup, verdict
from lib.status import (AT_RISK_LIGHT, STATUS_LOOK, Outlook, Status, TaskStatus, badge, is_final, status_label, task_badge,
                        task_status_label)

page = ui.browse_page("总览")
ui.newcomer_intro(page.d.plan)   # for newcomers: the plan's name, what this is, who does what next
ind, tasks, view = page.indicators, page.tasks, page.view
final = is_final(page.all_indicators["as_of_time_elapsed"].iloc[0]) if len(page.all_indicators) else False


def count_tiles(ind: pd.DataFrame, final: bool) -> list[ui.Tile]:
    """One tile per status (counted by label: at the end 已完成 covers achieved and an in-step indicator ahead
    of its reference), then, at the end, the indicators still judged on earlier data (counted apart), then
    约束性指标正常."""
    earlier = ind[[verdict.judged_earlier(r) for _, r in ind.iterrows()]] if final else ind.iloc[0:0]
    counts = ind.drop(index=earlier.index)["status_label"].value_counts()
    shown = [s for s in Status if not (final and s is Status.AHEAD)]
    out = [ui.Tile(f"{STATUS_LOOK[s].icon} {label}", f"{counts.get(label, 0)} 项")
           for s in shown for label in [status_label(s, 1.0 if final else None)]]
    if final:
        out.append(ui.Tile("数据截至更早", f"{len(earlier)} 项", "按更早季度的数据评估、仍用监测口径的指标:" + (
            "、".join(f"{r.indicator_id} {r.status_label}(数据截至 {r.latest_period})" for r in earlier.itertuples()) or "无")))
    binding = ind[ind["category"] == "约束性"]
    binding_ok = int(binding["status"].isin([Status.ACHIEVED.value, Status.AHEAD.value, Status.ON_TRACK.value]).sum())
    out.append(ui.Tile("约束性指标正常", f"{binding_ok}/{len(binding)} 项" if len(binding) else "无",
                       "约束性指标必须确保完成:" + ("已完成或基本完成的项数" if final else "提前实现、快于预期或基本符合预期的项数")
                       + ("" if len(binding) else ";当前筛选范围内没有约束性指标")))
    return out


ui.tiles(count_tiles(ind, final))
at_risk = ind[(ind["outlook"] == Outlook.AT_RISK.value) & ~ind["status"].isin([Status.BEHIND.value, Status.NO_DATA.value])]
if len(at_risk):
    st.caption(f"{AT_RISK_LIGHT.icon} 其中 {len(at_risk)} 项进度不滞后,但按近一年进度预计到 {page.d.plan.target_year} 年难以完成(黄灯)。")

ui.chart(lambda: charts.status_counts(ind), "指标状态分布", view.as_of, key="ov_status", depends=(view,), version=page.d.version)

st.subheader("主要指标红黄绿灯")
st.caption(f"图例:{ui.status_legend(final)};进度条为完成度,竖线为时间进度。")
ui.indicator_cards(ind)

ui.chart(lambda: charts.tasks_by_section(tasks), "重点任务推进情况", view.as_of, key="ov_tasks", depends=(view,), version=page.d.version)


def attention(heading: str, table: pd.DataFrame, empty: str) -> None:
    """A heading with the count, then the list (a static table: it wraps long Chinese text and prints)."""
    st.markdown(f"**{heading}({len(table)} 项)**")
    if table.empty:
        st.caption(f"没有{empty}的项。")
    else:
        ui.html_table(table)


def _light_badge(row: pd.Series) -> str:
    text = badge(row["status"], row["time_elapsed"])
    return text + f"({AT_RISK_LIGHT.icon} 预计难以完成)" if row.name in at_risk.index else text


def _note(row: pd.Series) -> str:
    return verdict.outlook_sentence(row) if row.name in at_risk.index else rollup.attention_note(row)


st.subheader("需要关注")
late_ind = ind[ind["status"].isin([Status.BEHIND.value, Status.NO_DATA.value]) | ind.index.isin(at_risk.index)]
late_tasks = tasks[tasks["status"].isin([TaskStatus.BEHIND.value, TaskStatus.NOT_REPORTED.value])]
attention("指标:滞后、预计难以完成或数据缺失", pd.DataFrame({
    "指标": late_ind["indicator_id"] + " " + late_ind["name"],
    "状态": [_light_badge(r) for _, r in late_ind.iterrows()],
    "最新值": [verdict.latest_text(r)[1] for _, r in late_ind.iterrows()],
    "说明": [_note(r) for _, r in late_ind.iterrows()],
    "责任单位": late_ind["responsible_units"].map(fmt.units_text),
}), "滞后、预计难以完成或数据缺失")
attention("任务:滞后或未报送", pd.DataFrame({
    "任务": late_tasks["task_id"] + " " + late_tasks["title"],
    "状态": [task_badge(s, final) + (f"({task_status_label(s)})" if final else "") for s in late_tasks["status"]],
    "完成进度": [fmt.with_unit(p, "%") for p in late_tasks["percent"]],
    "存在问题": late_tasks["problems"].fillna(""),
    "牵头单位": late_tasks["lead_units"].map(fmt.units_text),
}), "滞后或未报送")
