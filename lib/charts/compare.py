"""Plotly figures of the 区县对比 page, in the house style of lib/charts/.

Every builder takes a frame of lib.compare and returns a new `go.Figure` (inputs unchanged). Statuses take
label, colour, icon and pattern from lib.status only (the amber light is `light_look`'s), the layout is
layout.py's `_base_layout` (plotly_white, CJK fonts, legend above the plot), axis titles carry units, hover
carries full names, and no data gives layout.py's centred 暂无数据. Legends of more than three entries get a
second row of room, so on a 390 px phone the wrapped legend does not run over the title.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib import fmt
from lib.charts.layout import (HEAT_ROW_PX, REPORT_LOOK, REPORT_STATES, TARGET_COLOUR, TEXT_GREY, _base_layout,
                               _count_dtick, _empty_figure, _keep_full_names, _left_margin, _legend_swatches,
                               _pattern, _rows_figure, _state_cells, _state_heatmap)
from lib.compare import LIGHT_AT_RISK
from lib.fmt import abbreviate
from lib.reporting import STATE_NOT_DUE
from lib.status import AT_RISK_LIGHT, STATUS_LOOK, TASK_STATUS_LOOK, Look, Status, TaskStatus

PHONE_LEGEND_ITEMS = 3   # legend entries that fit one row at 390 px; more get a second row of room

# The lights a district × indicator cell can show, best first: the statuses, with the amber light before 滞后.
LIGHT_CODES = (Status.ACHIEVED.value, Status.AHEAD.value, Status.ON_TRACK.value, LIGHT_AT_RISK, Status.BEHIND.value,
               Status.NO_DATA.value)
LIGHT_LOOK: dict[str, Look] = {**{s.value: STATUS_LOOK[s] for s in Status}, LIGHT_AT_RISK: AT_RISK_LIGHT}
LIGHT_LABEL_SHORT = {LIGHT_AT_RISK: "预计难以完成"}   # the amber light's long label does not fit a phone legend

# Reporting states (lib.reporting), looks from lib.status via lib.charts; 未到期 is the grey of 未报送 with
# its own icon and no pattern (nobody is late yet).
COMPLETENESS_STATES = (*REPORT_STATES, STATE_NOT_DUE)
COMPLETENESS_LOOK: dict[str, Look] = {
    **REPORT_LOOK, STATE_NOT_DUE: replace(TASK_STATUS_LOOK[TaskStatus.NOT_REPORTED], label=STATE_NOT_DUE, icon="◌",
                                          pattern=""),
}


def _legend_rows(n_items: int) -> int:
    """Rows of legend room: a 390 px phone fits about two entries a row, a laptop all of them in one; the
    phone's extra rows grow upward, so up to five entries fit in two rows' room (the title keeps its band)."""
    return 1 if n_items <= PHONE_LEGEND_ITEMS else 2 if n_items <= 5 else 3


def _light_name(code: str) -> str:
    look = LIGHT_LOOK[code]
    return f"{look.icon} {LIGHT_LABEL_SHORT.get(code, look.label)}"


def _district_ticks(frame: pd.DataFrame) -> list[str]:
    """"沙市区<br>2026Q3": the district and the quarter it is judged at."""
    return [f"{d}<br><span style='font-size:11px'>{q}</span>" for d, q in zip(frame["district"], frame["as_of"])]


# --- 1. status counts, one stacked bar per district ------------------------------------------------------

def district_status_counts(counts: pd.DataFrame) -> go.Figure:
    """Indicators per status, one stacked horizontal bar per district (its current plan, as of its latest
    quarter with data). Input: lib.compare.status_counts."""
    title = "各区县指标进展情况"
    if counts is None or len(counts) == 0:
        return _empty_figure(title)
    districts = [str(d) for d in counts["district_id"]]
    ticks = _district_ticks(counts)
    statuses = list(Status)
    fig = _rows_figure(title, list(counts["district"]), 56, legend_rows=_legend_rows(len(statuses)))
    for status in statuses:
        look = STATUS_LOOK[status]
        values = [int(v) for v in counts[status.value]]
        ids = counts[f"{status.value}_ids"]
        fig.add_trace(go.Bar(
            name=f"{look.icon} {look.label}", y=districts, x=values, orientation="h",
            marker=dict(color=look.colour, pattern=_pattern(look), line=dict(color="white", width=1)),
            text=[str(v) if v else "" for v in values], textposition="inside", insidetextanchor="middle",
            constraintext="none", textangle=0, textfont=dict(size=13),
            customdata=[[f"{d}({p})", look.label, "、".join(i) or "无"] for d, p, i in
                        zip(counts["district"], counts["plan"], ids)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}:%{x} 项<br>%{customdata[2]}<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.update_yaxes(categoryorder="array", categoryarray=districts, tickvals=districts, ticktext=ticks,
                     autorange="reversed", automargin=True, title=None)
    fig.update_xaxes(title="指标数(项)", dtick=_count_dtick(int(counts["total"].max())), tickformat=",d",
                     rangemode="tozero")
    return fig


# --- 2. binding indicators: district × indicator lights ------------------------------------------------

def binding_grid(grid: pd.DataFrame) -> go.Figure:
    """约束性 indicators: districts (rows) × indicators matched by code (columns), each cell the district's
    light (icon as text, so it reads without colour); 不涉及 where a district's plan lacks the indicator.
    Input: lib.compare.binding_grid."""
    title = "约束性指标对比"
    if grid is None or len(grid) == 0:
        return _empty_figure(title)
    districts = list(pd.unique(grid["district"].astype(str)))
    keys = list(pd.unique(grid["key"].astype(str)))
    names = grid.drop_duplicates("key").set_index("key")["name"].astype(str)
    cells = grid.pivot(index="district", columns="key", values="light").reindex(index=districts, columns=keys)
    looks = [LIGHT_LOOK[c] for c in LIGHT_CODES]
    z, text = _state_cells(cells, list(LIGHT_CODES), looks)
    detail = grid.set_index(["district", "key"])
    custom = [[_grid_hover(detail, d, k, names[k]) for k in keys] for d in districts]
    labels = [abbreviate(names[k], 6) for k in keys]
    fig = _rows_figure(title, districts, max(HEAT_ROW_PX, 40), legend_rows=_legend_rows(len(LIGHT_CODES)),
                       bottom=110)   # rotated column names
    fig.add_trace(_state_heatmap("约束性指标", keys, districts, z, text, looks, gap=2, font_size=15, customdata=custom,
                                 hovertemplate="%{customdata}<extra></extra>"))
    for code in LIGHT_CODES:
        look = LIGHT_LOOK[code]
        _legend_swatches(fig, [replace(look, label=LIGHT_LABEL_SHORT.get(code, look.label))])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=keys, tickvals=keys, ticktext=labels,
                     tickangle=-45, showgrid=False, title=None)
    _keep_full_names(fig, "xaxis", keys, [names[k] for k in keys])
    fig.update_yaxes(categoryorder="array", categoryarray=districts, autorange="reversed", automargin=True,
                     showgrid=False)
    return fig


def _grid_hover(detail: pd.DataFrame, district: str, key: str, name: str) -> str:
    if (district, key) not in detail.index:
        return f"<b>{district} · {name}</b><br>不涉及(本区县规划无此指标)"
    row = detail.loc[(district, key)]
    look = LIGHT_LOOK[row["light"]]
    value = fmt.with_unit(row["latest_value"], row["unit"]) if pd.notna(row["latest_value"]) else "无数据"
    target = fmt.with_unit(row["target_value"], row["unit"]) if pd.notna(row["target_value"]) else "见规划"
    period = f"({row['latest_period']})" if row["latest_period"] else ""
    return (f"<b>{district} · {row['indicator_id']} {name}</b><br>{look.icon} {row['status_label']}"
            + (f"({look.label})" if row["light"] == LIGHT_AT_RISK else "")
            + f"<br>最新值 {value}{period},目标 {target}")


# --- 3. shared codes: latest value against each district's target ----------------------------------------

SUBPLOT_TITLE_PX = 26
SUBPLOT_GAP_PX = 64
SHARED_ROW_PX = 26
NO_VALUE_TEXT = "无最新值"


NO_SHARED_TEXT = "没有两个以上区县共有的指标代码"


def shared_values(shared: pd.DataFrame, empty: str = NO_SHARED_TEXT) -> go.Figure:
    """Small multiples, one per indicator code present in two or more districts: each district's latest
    value (a bar in its light's colour) and its own target (a black tick); the panel title names the measure
    and its unit. Input: lib.compare.shared_codes."""
    title = "共有指标:最新值与各区县目标"
    if shared is None or len(shared) == 0:
        return _empty_figure(title, empty)
    codes = list(pd.unique(shared["code"].astype(str)))
    districts = list(pd.unique(shared["district"].astype(str)))
    first = shared.drop_duplicates("code").set_index("code")
    titles = [f"{abbreviate(first.at[c, 'name'], 14)}({first.at[c, 'unit']})" for c in codes]
    panel_px = len(districts) * SHARED_ROW_PX + 16
    rows = _legend_rows(shared["light"].nunique() + 1)   # the lights drawn, and 目标
    layout = _base_layout(title, height=100, legend_rows=rows, left=_left_margin(districts), bottom=30)
    top = layout["margin"]["t"] + SUBPLOT_TITLE_PX
    height = top + 30 + len(codes) * panel_px + (len(codes) - 1) * SUBPLOT_GAP_PX
    plot_px = height - top - 30
    fig = make_subplots(rows=len(codes), cols=1, subplot_titles=titles,
                        vertical_spacing=SUBPLOT_GAP_PX / plot_px if len(codes) > 1 else 0)
    layout = _base_layout(title, height=height, legend_rows=rows, left=_left_margin(districts), bottom=30)
    layout["margin"]["t"] = top
    # The legend sits above the first panel's title, not on it (paper units: for_browser keeps the plot size).
    layout["legend"].update(y=1 + SUBPLOT_TITLE_PX / plot_px, yanchor="bottom")
    fig.update_layout(**layout)
    shown: set[str] = set()
    for i, code in enumerate(codes, start=1):
        part = shared[shared["code"] == code].set_index("district").reindex(districts)
        for rank, light in enumerate(LIGHT_CODES):
            hit = part[(part["light"] == light) & part["latest_value"].notna()]
            if hit.empty:
                continue
            look = LIGHT_LOOK[light]
            fig.add_trace(go.Bar(
                name=_light_name(light), legendgroup=light, legendrank=rank, showlegend=light not in shown,
                y=list(hit.index), x=hit["latest_value"].tolist(), orientation="h",
                marker=dict(color=look.colour, pattern=_pattern(look), line=dict(color="white", width=1)),
                customdata=[_value_hover(d, r) for d, r in hit.iterrows()],
                hovertemplate="%{customdata}<extra></extra>",
            ), row=i, col=1)
            shown.add(light)
        targets = part[part["target"].notna()]
        fig.add_trace(go.Scatter(
            name="目标", legendgroup="target", legendrank=len(LIGHT_CODES), showlegend="target" not in shown,
            mode="markers", y=list(targets.index), x=targets["target"].tolist(),
            marker=dict(symbol="line-ns", size=20, line=dict(width=3, color=TARGET_COLOUR), color=TARGET_COLOUR),
            customdata=[f"{d} 目标 {fmt.with_unit(t, u)}" for d, t, u in zip(targets.index, targets["target"], targets["unit"])],
            hovertemplate="%{customdata}<extra></extra>",
        ), row=i, col=1)
        shown.add("target")
        missing = part[part["latest_value"].isna() & part["code"].notna()]
        if len(missing):
            fig.add_trace(go.Scatter(
                name=NO_VALUE_TEXT, showlegend=False, mode="text", y=list(missing.index), x=[0] * len(missing),
                text=[NO_VALUE_TEXT] * len(missing), textposition="middle right", textfont=dict(color=TEXT_GREY),
                hoverinfo="skip"), row=i, col=1)
        fig.update_yaxes(categoryorder="array", categoryarray=districts, autorange="reversed", row=i, col=1)
        fig.update_xaxes(rangemode="tozero", row=i, col=1)
    fig.update_layout(barmode="overlay", bargap=0.3)
    for note in fig.layout.annotations:   # panel titles: left-aligned, like the chart title
        note.update(x=0, xanchor="left", font=dict(size=13))
    return fig


def _value_hover(district: str, row: pd.Series) -> str:
    value = fmt.with_unit(row["latest_value"], row["unit"])
    target = fmt.with_unit(row["target"], row["unit"]) if pd.notna(row["target"]) else "无数值目标(与参照指标比较)"
    return (f"<b>{district} · {row['indicator_id']} {row['name']}</b><br>最新值 {value}({row['latest_period']})"
            f"<br>目标 {target}<br>{LIGHT_LOOK[row['light']].icon} {row['status_label']}")


# --- 4. reporting completeness per district ------------------------------------------------------------

def completeness(frame: pd.DataFrame) -> go.Figure:
    """Reports owed for each district's as-of quarter, stacked by state (已报送 / 逾期报送 / 未报送 / 未到期),
    the share reported written after each bar. Input: lib.compare.completeness."""
    title = "各区县报送情况"
    if frame is None or len(frame) == 0 or int(frame["owed"].sum()) == 0:
        return _empty_figure(title)
    districts = [str(d) for d in frame["district_id"]]
    fig = _rows_figure(title, list(frame["district"]), 56, legend_rows=_legend_rows(len(COMPLETENESS_STATES)),
                       right=70)
    for state in COMPLETENESS_STATES:
        look = COMPLETENESS_LOOK[state]
        values = [int(v) for v in frame[state]]
        fig.add_trace(go.Bar(
            name=f"{look.icon} {look.label}", y=districts, x=values, orientation="h",
            marker=dict(color=look.colour, pattern=_pattern(look), line=dict(color="white", width=1)),
            text=[str(v) if v else "" for v in values], textposition="inside", insidetextanchor="middle",
            constraintext="none", textangle=0, textfont=dict(size=12),
            customdata=[[d, q, look.label] for d, q in zip(frame["district"], frame["as_of"])],
            hovertemplate="<b>%{customdata[0]}(%{customdata[1]})</b><br>%{customdata[2]}:%{x} 项<extra></extra>",
        ))
    for district, owed, rate in zip(districts, frame["owed"], frame["rate"]):
        fig.add_annotation(name="rate", x=int(owed), y=district, xanchor="left", xshift=6, showarrow=False,
                           text=fmt.percent(rate) if not (isinstance(rate, float) and math.isnan(rate)) else "—",
                           font=dict(size=13))
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.update_yaxes(categoryorder="array", categoryarray=districts, tickvals=districts,
                     ticktext=_district_ticks(frame), autorange="reversed", automargin=True)
    fig.update_xaxes(title="应报事项(项)", tickformat=",d", rangemode="tozero",
                     range=[0, float(np.max(frame["owed"])) * 1.12])
    return fig

