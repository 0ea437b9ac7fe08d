"""Unit charts: units ranked by items behind, and who is responsible for which section (matrix)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.status import STATUS_LOOK, Status, TASK_STATUS_LOOK, TaskStatus
from lib.charts.layout import (
    HEAT_ROW_PX, _base_layout, _count_dtick, _empty_figure, _keep_full_names, _left_margin, _note, _pattern,
    _rows_figure, _rows_height, _whole_dtick, _wrap,
)
from lib.fmt import abbreviate, chinese_numeral


def unit_ranking(unit_counts: pd.DataFrame, kind: str = "task", top_n: int = 20) -> go.Figure:
    """Stacked horizontal bars per responsible unit, sorted by items behind (滞后), then by total; the top
    `top_n`, with a note when more units were left out.

    Input columns: unit, status (Status codes for kind="indicator", TaskStatus codes for kind="task"),
    count. (From `rollup.by_unit`, melt the status count columns.)"""
    if kind not in ("task", "indicator"):
        raise ValueError(f"kind 应为 task 或 indicator,而不是 {kind!r}")
    noun = "重点任务" if kind == "task" else "指标"
    title = f"各单位{noun}进展(按滞后项数排序)"
    if unit_counts is None or len(unit_counts) == 0 or pd.to_numeric(unit_counts["count"]).sum() == 0:
        return _empty_figure(title)
    statuses = list(TaskStatus) if kind == "task" else list(Status)
    look_of = (lambda s: TASK_STATUS_LOOK[s]) if kind == "task" else (lambda s: STATUS_LOOK[s])
    table = (unit_counts.assign(count=pd.to_numeric(unit_counts["count"]))
             .pivot_table(index="unit", columns="status", values="count", aggfunc="sum", fill_value=0, sort=False))
    table = table.reindex(columns=[s.value for s in statuses], fill_value=0)
    table["__total"] = table.sum(axis=1)
    table = table[table["__total"] > 0]
    table["__order"] = range(len(table))
    table = table.sort_values(["behind", "__total", "__order"], ascending=[False, False, True])
    n_units = len(table)
    shown = table.head(top_n)
    units = [str(u) for u in shown.index]
    labels = [abbreviate(u) for u in units]
    truncated = n_units > len(shown)
    fig = _rows_figure(title, labels, 28, bottom=60 + (28 if truncated else 0))
    for status in statuses:
        look = look_of(status)
        counts = shown[status.value].astype(int).tolist()
        fig.add_trace(go.Bar(
            name=f"{look.icon} {look.label}", y=units, x=counts, orientation="h",
            marker=dict(color=look.colour, pattern=_pattern(look), line=dict(color="white", width=1)),
            text=[str(c) if c else "" for c in counts], textposition="inside", insidetextanchor="middle",
            constraintext="none", textangle=0, textfont=dict(size=12),
            customdata=[[u, look.label, int(t)] for u, t in zip(units, shown["__total"])],
            hovertemplate=f"<b>%{{customdata[0]}}</b><br>%{{customdata[1]}}:%{{x}} 项(共 %{{customdata[2]}} 项{noun})<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_yaxes(categoryorder="array", categoryarray=units, tickvals=units, ticktext=labels,
                     autorange="reversed", automargin=True)
    _keep_full_names(fig, "yaxis", units, units)
    fig.update_xaxes(title=f"{noun}数(项)", dtick=_count_dtick(int(shown["__total"].max())), tickformat=",d",
                     rangemode="tozero")
    if truncated:
        _note(fig, f"仅显示前 {len(shown)} 个单位(共 {n_units} 个单位),按滞后项数、总项数排序", bottom_px=46,
              name="truncated")
    return fig



ROLE_LEAD, ROLE_RESPONSIBLE = "牵头单位", "责任单位"


def _section_tick(section_no: int, title: str) -> str:
    """Column header: "一<br>优化区域<br>发展布局" (the clause before "、", 4 characters a line)."""
    clause = str(title).split("、")[0]
    return f"{chinese_numeral(section_no)}<br>{_wrap(clause, 4, 3)}"


def responsibility_matrix(matrix: pd.DataFrame) -> go.Figure:
    """Units (rows, in input order) × plan sections (columns): how many items each unit leads (牵) and is
    responsible for (责); colour = total, cell text like "牵2 责1".

    Input columns: unit, section_no, section_title, role ("牵头单位"/"责任单位"), count."""
    title = "责任分工矩阵(单位 × 篇章)"
    if matrix is None or len(matrix) == 0:
        return _empty_figure(title)
    frame = matrix.assign(count=pd.to_numeric(matrix["count"]))
    units = [str(u) for u in pd.unique(frame["unit"])]
    sections = frame[["section_no", "section_title"]].drop_duplicates("section_no").sort_values("section_no")
    nos = [int(n) for n in sections["section_no"]]
    full = {int(n): f"{chinese_numeral(n)}、{t}" for n, t in zip(sections["section_no"], sections["section_title"])}
    ticks = [_section_tick(n, t) for n, t in zip(sections["section_no"], sections["section_title"])]
    pivot = frame.pivot_table(index="unit", columns=["role", "section_no"], values="count", aggfunc="sum", fill_value=0)

    def part(role: str) -> np.ndarray:
        if role not in pivot.columns.get_level_values(0):
            return np.zeros((len(units), len(nos)))
        return pivot[role].reindex(index=units, columns=nos, fill_value=0).to_numpy(dtype=float)

    lead, resp = part(ROLE_LEAD), part(ROLE_RESPONSIBLE)
    total = lead + resp
    text = [[" ".join(p for p in ((f"牵{int(a)}" if a else ""), (f"责{int(b)}" if b else "")) if p)
             for a, b in zip(lr, rr)] for lr, rr in zip(lead, resp)]
    custom = [[[u, full[n], int(a), int(b)] for n, a, b in zip(nos, lr, rr)] for u, lr, rr in zip(units, lead, resp)]
    labels = [abbreviate(u) for u in units]
    top_extra = 62  # column headers on top: up to four short lines
    bottom = 30
    height = _rows_height(len(units), HEAT_ROW_PX, legend_rows=0, bottom=bottom, extra=top_extra)
    fig = go.Figure()
    layout = _base_layout(title, height=height, legend_rows=0, left=_left_margin(labels), bottom=bottom, right=90)
    layout["margin"]["t"] += top_extra
    fig.update_layout(**layout)
    fig.add_trace(go.Heatmap(
        name="分工", x=nos, y=units, z=np.where(total > 0, total, np.nan).tolist(), text=text, texttemplate="%{text}",
        textfont=dict(size=11), colorscale=[[0, "#EAF2FA"], [1, "#2F6DA3"]], zmin=0, xgap=2, ygap=2,
        colorbar=dict(title=dict(text="项数", side="top"), thickness=12, len=min(1.0, 300 / max(height - 150, 1)),
                      y=1, yanchor="top", tickformat=",d", tick0=0, dtick=_whole_dtick(float(np.nanmax(total)))),
        customdata=custom, hoverongaps=False,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>牵头 %{customdata[2]} 项,责任 %{customdata[3]} 项<extra></extra>",
    ))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=nos, tickvals=nos, ticktext=ticks,
                     side="top", showgrid=False, tickfont=dict(size=12))
    fig.update_yaxes(categoryorder="array", categoryarray=units, tickvals=units, ticktext=labels, autorange="reversed",
                     automargin=True, showgrid=False)
    _keep_full_names(fig, "yaxis", units, units)
    return fig
