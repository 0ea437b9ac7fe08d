"""责任单位: what one unit answers for and how it stands; across units, who is behind and who owns which section."""
from dataclasses import replace

import pandas as pd
import streamlit as st

import ui
from lib import charts, fmt, rollup
from lib.reporting import completeness
from lib.scope import filter_reporting
from lib.status import badge, task_badge

page = ui.browse_page("责任单位")
d, view, ind_all, tasks_all = page.d, page.view, page.all_indicators, page.all_tasks


def unit_detail(unit: str) -> None:
    """What one unit answers for: counts, reporting rate, its indicators and tasks."""
    ind_items = rollup.unit_items(d.plan, ind_all, [unit])
    task_items = rollup.unit_items(d.plan, tasks_all, [unit])
    reporting = ui.reporting_status(d, view.as_of)
    mine = filter_reporting(d.plan, reporting, unit=unit)   # a group: its members' reports of its items
    done = completeness(mine)

    rate = done["报送率"].iloc[0] if len(done) else None
    ui.tiles([
        ui.Tile("负责指标", f"{len(ind_items)} 项"),
        ui.Tile("牵头任务", f"{int((task_items['role'] == '牵头单位').sum())} 项"),
        ui.Tile("参与任务", f"{int((task_items['role'] == '责任单位').sum())} 项"),
        ui.Tile(f"{ui.period_label(view.as_of)}报送", "无应报项" if fmt.is_missing(rate) else fmt.percent(rate),
                "本单位应报(牵头任务、首位责任指标)中已报送的比例;详见“报送情况”页"),
    ])

    st.caption("分工方式:“直接”为通知点名;“别名”为以其他名称点名(如 区市场监督局);“组团”为通过“各镇、街道”“区政府各部门”等分到。")
    left, right = st.tabs([f"指标({len(ind_items)})", f"任务({len(task_items)})"])
    with left:
        ui.html_table(pd.DataFrame({
            "指标": ind_items["indicator_id"] + " " + ind_items["name"], "状态": ind_items["status"].map(badge),
            "角色": ind_items["role"], "分工方式": ind_items["via"] + "(" + ind_items["named_as"] + ")",
        }))
    with right:
        ui.html_table(pd.DataFrame({
            "任务": task_items["task_id"] + " " + task_items["name"], "状态": task_items["status"].map(task_badge),
            "角色": task_items["role"], "分工方式": task_items["via"] + "(" + task_items["named_as"] + ")",
        }))


# One unit selector: the sidebar's 责任单位 filter (in the URL as ?unit=…) picks the unit shown here; the
# comparison below covers every unit, within the sidebar's other filters.
ind, tasks = ui.filter_results(d, replace(view, unit=None), ind_all, tasks_all)
if view.unit is None:
    st.info("点开左侧“查看范围”下的“筛选”,在“责任单位”中选择一个单位,这里列出它负责的指标和任务、状态和报送率(手机上先点左上角的 » 打开侧栏)。"
            "下方是各单位的对比。")
else:
    unit_detail(view.unit)

st.divider()
st.subheader("各单位对比")
# In a popover labelled with the choice, as the view's own choices are: a radio and a toggle on the page would
# cost its load 14 more scripts (bench/pages.py); a popover's widgets are built only when it is opened.
KINDS, DIRECT_ONLY = ["任务", "指标"], True   # the choices and their defaults (the label reads them before the widgets run)
kind_now = st.session_state.get("unit_kind", KINDS[0])
direct_now = st.session_state.get("unit_direct", DIRECT_ONLY)
with st.popover(f"比较{kind_now} · {'只算直接和别名点名' if direct_now else '含组团分到的'}", icon=":material/tune:"):
    kind = st.radio("比较对象", KINDS, horizontal=True, key="unit_kind")
    direct_only = st.toggle("只算直接点名和别名点名的(不含通过组团分到的)", value=DIRECT_ONLY, key="unit_direct",
                            help="“区政府各部门”“各镇、街道”会把许多任务分给每个成员单位,关闭后每个单位的数量会明显增加")
vias = ["直接", "别名"] if direct_only else None
results = tasks if kind == "任务" else ind
counts = rollup.status_counts_long(rollup.by_unit(d.plan, results, vias=vias))
ui.chart(lambda: charts.unit_ranking(counts, kind="task" if kind == "任务" else "indicator"), f"各单位{kind}状态", view.as_of,
         key="unit_rank", depends=(view, kind, direct_only), version=d.version)

task_units = rollup.unit_items(d.plan, tasks_all)
if direct_only:
    task_units = task_units[task_units["via"].isin(vias)]
ui.responsibility_matrix(d, view, rollup.section_matrix(d.plan, task_units), key="unit_matrix",
                         depends=(view, direct_only))   # on phones: one line per unit instead
