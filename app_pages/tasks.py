"""任务推进: per section, each task's status, percent, latest 工作进展 / 存在问题 / 下步计划 and units; and a
task × quarter status history."""
import pandas as pd
import streamlit as st

import ui
from lib import charts, fmt
from lib.status import task_badge

page = ui.browse_page("任务推进")
d, view, tasks = page.d, page.view, page.tasks
if tasks.empty:
    st.info("没有符合筛选条件的任务,请放宽左侧的筛选。")
    st.stop()

ui.chart(lambda: charts.tasks_by_section(tasks), "重点任务推进情况", view.as_of, key="tasks_sections", depends=(view,), version=d.version)

for (no, title), part in tasks.groupby(["section_no", "section_title"], sort=True):
    counts = part["status_label"].value_counts()
    summary = "、".join(f"{k} {v}" for k, v in counts.items())
    with st.expander(f"{charts.section_label(no, title, limit=40)}({len(part)} 项:{summary})", expanded=view.section is not None):
        st.dataframe(pd.DataFrame({
            "任务": part["task_id"] + " " + part["title"],
            "状态": part["status"].map(task_badge),
            "完成进度": part["percent"].fillna(0).astype(float),
            "最新填报": part["latest_period"].replace("", "—"),
            "工作进展": part["progress"].fillna(""),
            "存在问题": part["problems"].fillna(""),
            "下步计划": part["next_steps"].fillna(""),
            "牵头单位": part["lead_units"].map(fmt.units_text),
            "责任单位": part["responsible_units"].map(fmt.units_text),
        }), hide_index=True, width="stretch", column_config={
            "完成进度": st.column_config.ProgressColumn("完成进度", min_value=0, max_value=100, format="%.0f%%"),
            "工作进展": st.column_config.TextColumn(width="large"),
        })

st.subheader("逐季推进状态")
history = ui.task_history(d, view, set(tasks["task_id"]))
ui.task_heatmap(d, view, history, key="tasks_heatmap")   # on phones: a short list instead
