"""总览: where the plan stands as of a quarter — status counts, a traffic light per indicator, tasks by
section, and what needs attention."""
import pandas as pd
import streamlit as st

import ui
from lib import charts, fmt, rollup
from lib.status import STATUS_LOOK, Status, TaskStatus, badge, task_badge

page = ui.browse_page("总览")
ui.newcomer_intro(page.d.plan)   # for newcomers: the plan's name, what this is, who does what next
ind, tasks, view = page.indicators, page.tasks, page.view

counts = ind["status"].value_counts()
binding = ind[ind["category"] == "约束性"]
cols = st.columns(len(Status) + 1)
for col, status in zip(cols, Status):
    look = STATUS_LOOK[status]
    col.metric(f"{look.icon} {look.label}", f"{counts.get(status.value, 0)} 项")
binding_ok = int(binding["status"].isin([Status.ACHIEVED.value, Status.AHEAD.value, Status.ON_TRACK.value]).sum())
cols[-1].metric("约束性指标正常", f"{binding_ok}/{len(binding)} 项", help="约束性指标必须确保完成:提前实现、快于预期或基本符合预期的项数")

ui.chart(lambda: charts.status_counts(ind), "指标状态分布", view.as_of, key="ov_status", depends=(view,), version=page.d.version)

st.subheader("主要指标红黄绿灯")
st.caption(f"图例:{ui.status_legend()};进度条为完成度,竖线为时间进度。")
ui.indicator_cards(ind)

ui.chart(lambda: charts.tasks_by_section(tasks), "重点任务推进情况", view.as_of, key="ov_tasks", depends=(view,), version=page.d.version)


def attention(heading: str, table: pd.DataFrame) -> None:
    """A heading with the count, then the list (a static table: it wraps long Chinese text and prints)."""
    st.markdown(f"**{heading}({len(table)} 项)**")
    if table.empty:
        st.caption(f"没有{heading.split(':')[1]}的项。")
    else:
        ui.html_table(table)


st.subheader("需要关注")
late_ind = ind[ind["status"].isin([Status.BEHIND.value, Status.NO_DATA.value])]
late_tasks = tasks[tasks["status"].isin([TaskStatus.BEHIND.value, TaskStatus.NOT_REPORTED.value])]
attention("指标:滞后或数据缺失", pd.DataFrame({
    "指标": late_ind["indicator_id"] + " " + late_ind["name"],
    "状态": [badge(s, t) for s, t in zip(late_ind["status"], late_ind["time_elapsed"])],
    "最新值": [fmt.with_unit(v, u) if p else "—" for v, u, p in zip(late_ind["latest_value"], late_ind["unit"], late_ind["latest_period"])],
    "说明": [rollup.attention_note(r) for _, r in late_ind.iterrows()],
    "责任单位": late_ind["responsible_units"].map(fmt.units_text),
}))
attention("任务:滞后或未报送", pd.DataFrame({
    "任务": late_tasks["task_id"] + " " + late_tasks["title"],
    "状态": late_tasks["status"].map(task_badge),
    "完成进度": [fmt.with_unit(p, "%") for p in late_tasks["percent"]],
    "存在问题": late_tasks["problems"].fillna(""),
    "牵头单位": late_tasks["lead_units"].map(fmt.units_text),
}))
