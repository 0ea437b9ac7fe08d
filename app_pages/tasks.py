"""任务推进: per section, each task's status (from its lead units' reports), percent, latest 工作进展 /
存在问题 / 下步计划 and units, with the other units' contributions listed under it; and a task × quarter
status history."""
import pandas as pd
import streamlit as st

import ui
from lib import charts, fmt
from lib.periods import Period
from lib.status import is_final, task_badge

page = ui.browse_page("任务推进")
d, view, tasks = page.d, page.view, page.tasks
if tasks.empty:
    st.info("没有符合筛选条件的任务,请放宽左侧“筛选”中的条件。")
    st.stop()
final = is_final(tasks["time_elapsed"].iloc[0])
contributions = ui.contributions(d, view.as_of)

ui.chart(lambda: charts.tasks_by_section(tasks), "重点任务推进情况", view.as_of, key="tasks_sections", depends=(view,), version=d.version)
st.caption("任务状态以牵头单位的报送为准;其他责任单位报送的进展列在该任务下方(“└”行),供参考,不改变任务状态。"
           + ("规划期末:已完成的任务为“已完成”,其余为“未完成”,括号内为最近一次报送的状态。" if final else ""))


def _task_row(r) -> dict:
    state = f"({r.state},{r.latest_period})" if final and r.status != "done" and r.state else ""
    return {"任务": f"{r.task_id} {r.title}", "状态": task_badge(r.status, final) + state, "完成进度": r.percent,
            "最新填报": r.latest_period or "—", "工作进展": r.progress, "存在问题": r.problems, "下步计划": r.next_steps,
            "牵头单位": fmt.units_text(r.lead_units), "责任单位": fmt.units_text(r.responsible_units)}


def _contribution_row(c) -> dict:
    relation = f",{c.relation}" if c.relation else ""
    return {"任务": f"└ {c.unit}(配合{relation})", "状态": f"报送:{c.state}", "完成进度": c.percent,
            "最新填报": Period(int(c.year), int(c.quarter)).label, "工作进展": c.progress, "存在问题": c.problems, "下步计划": c.next_steps,
            "牵头单位": "", "责任单位": ""}


def section_table(part: pd.DataFrame) -> pd.DataFrame:
    """The section's tasks in plan order, each followed by its contributions (other units, this quarter)."""
    rows = []
    for r in part.itertuples():
        rows.append(_task_row(r))
        rows += [_contribution_row(c) for c in contributions[contributions["task_id"] == r.task_id].itertuples()]
    return pd.DataFrame(rows)


for (no, title), part in tasks.groupby(["section_no", "section_title"], sort=True):
    counts = part["status_label"].value_counts()
    summary = "、".join(f"{k} {v}" for k, v in counts.items())
    label = ui.escape_markdown(f"{charts.section_label(no, title, limit=40)}({len(part)} 项:{summary})")
    # Lazy: a section's table is built only while it is open (opening reruns), not ten hidden tables a page load.
    with st.expander(label, expanded=view.section is not None, key=ui.section_key(no, view.section is not None), on_change="rerun") as section:
        if section.open:
            table = section_table(part)
            ui.html_table(table.assign(完成进度=table["完成进度"] / 100), bars=("完成进度",))

st.subheader("逐季推进状态")
history = ui.task_history(d, view, set(tasks["task_id"]))
ui.task_heatmap(d, view, history, key="tasks_heatmap")   # on phones: a short list instead
