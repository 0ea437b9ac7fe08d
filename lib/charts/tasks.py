"""Task charts: tasks per plan section, and task status per quarter (heatmap)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.periods import Period
from lib.status import TASK_STATUS_LOOK, TaskStatus
from lib.charts.layout import (
    BAR_ROW_PX, HEAT_ROW_PX, _count_dtick, _empty_figure, _html_list, _keep_full_names, _legend_swatches, _pattern,
    _rows_figure, _state_cells, _state_heatmap, section_label,
)
from lib.fmt import abbreviate, chinese_numeral


def tasks_by_section(task_assessment: pd.DataFrame) -> go.Figure:
    """Key tasks per plan section (篇章), stacked by task status, counts as text.

    Input: `assess_tasks` rows (task_id, title, section_no, section_title, status; status_label optional)."""
    title = "各篇章重点任务推进情况"
    if task_assessment is None or len(task_assessment) == 0:
        return _empty_figure(title)
    sections = (task_assessment[["section_no", "section_title"]].drop_duplicates("section_no")
                .sort_values("section_no", kind="stable"))
    keys = [section_label(n, t) for n, t in zip(sections["section_no"], sections["section_title"])]
    full = {int(n): f"{chinese_numeral(n)}、{t}" for n, t in zip(sections["section_no"], sections["section_title"])}
    key_of = dict(zip(sections["section_no"].astype(int), keys))
    fig = _rows_figure(title, keys, BAR_ROW_PX)
    section_of = task_assessment["section_no"].astype(int)
    totals = section_of.value_counts()
    for status in TaskStatus:
        look = TASK_STATUS_LOOK[status]
        mask = task_assessment["status"] == status.value
        counts = [int((mask & (section_of == n)).sum()) for n in key_of]
        lists = [_html_list([f"{r.task_id} {r.title}" for r in task_assessment[mask & (section_of == n)].itertuples()])
                 for n in key_of]
        fig.add_trace(go.Bar(
            name=f"{look.icon} {look.label}", y=keys, x=counts, orientation="h",
            marker=dict(color=look.colour, pattern=_pattern(look), line=dict(color="white", width=1)),
            text=[str(c) if c else "" for c in counts], textposition="inside", insidetextanchor="middle",
            constraintext="none", textangle=0, textfont=dict(size=13),
            customdata=[[full[n], look.label, int(totals.get(n, 0)), items] for n, items in zip(key_of, lists)],
            hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[1]}:%{x} 项(本篇共 %{customdata[2]} 项)"
                           "<br>%{customdata[3]}<extra></extra>"),
        ))
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_yaxes(categoryorder="array", categoryarray=keys, autorange="reversed", automargin=True)
    _keep_full_names(fig, "yaxis", keys, [full[n] for n in key_of])
    fig.update_xaxes(title="任务数(项)", dtick=_count_dtick(int(totals.max())), tickformat=",d", rangemode="tozero")
    return fig


def task_heatmap(history: pd.DataFrame) -> go.Figure:
    """Task status per quarter: tasks (rows, plan order by task id) × quarters (columns), coloured by
    status, the status icon as cell text so it reads without colour.

    Input columns: task_id, title, period ("2023Q2"), status (TaskStatus code)."""
    title = "重点任务季度推进情况"
    if history is None or len(history) == 0:
        return _empty_figure(title)
    frame = history.drop_duplicates(["task_id", "period"], keep="last")
    tasks = sorted(pd.unique(frame["task_id"].astype(str)))
    titles = frame.drop_duplicates("task_id", keep="last").set_index("task_id")["title"].astype(str)
    periods = sorted(pd.unique(frame["period"].astype(str)), key=lambda p: Period.parse(p).index)
    codes = [s.value for s in TaskStatus]
    looks = [TASK_STATUS_LOOK[s] for s in TaskStatus]
    grid = frame.pivot(index="task_id", columns="period", values="status").reindex(index=tasks, columns=periods)
    z, text = _state_cells(grid, codes, looks)
    custom = [[[f"{t} {titles.get(t, '')}", looks[int(v)].label if not np.isnan(v) else "无记录"] for v in row]
              for t, row in zip(tasks, z)]
    labels = [f"{t} {abbreviate(titles.get(t, ''))}" for t in tasks]
    fig = _rows_figure(title, labels, HEAT_ROW_PX)
    fig.add_trace(_state_heatmap(
        "任务状态", periods, tasks, z, text, looks, gap=2, font_size=13, customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b><br>%{x}:%{customdata[1]}<extra></extra>"))
    _legend_swatches(fig, looks)
    fig.update_yaxes(categoryorder="array", categoryarray=tasks, tickvals=tasks, ticktext=labels,
                     autorange="reversed", automargin=True, showgrid=False)
    _keep_full_names(fig, "yaxis", tasks, [f"{t} {titles.get(t, '')}" for t in tasks])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=periods, title="季度", showgrid=False)
    return fig
