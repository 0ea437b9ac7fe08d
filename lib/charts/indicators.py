"""Indicator charts: indicators per status and category, and achievement against time elapsed."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from lib import fmt
from lib.schema import CATEGORIES, KIND_LABELS
from lib.status import AT_RISK_LIGHT, Outlook, STATUS_LOOK, Status, status_label
from lib.charts.layout import (
    EMPTY_TEXT, PATH_COLOUR, _count_dtick, _empty_figure, _html_list, _ids_line, _keep_full_names,
    _legend_label, _note, _pattern, _rows_figure, _status_look, indicator_label,
)


# Kinds whose result has no achievement P (spec: ceiling, in_step and quota are yes/no or difference tests).
KINDS_WITHOUT_P = ("ceiling", "in_step", "quota")
NOTE_IDS_PER_LINE = 7   # "Y01、" is about 33 px: 7 of them after a short label fit a phone



def status_counts(assessment: pd.DataFrame) -> go.Figure:
    """Indicators per status: one stacked horizontal bar per category (预期性 / 约束性 / 任务指标).

    Input: `assess_indicators` rows (indicator_id, name, category, status; status_label optional).
    约束性 (binding) is set in bold on a shaded band: those targets must be met."""
    title = "各类指标进展情况"
    if assessment is None or len(assessment) == 0:
        return _empty_figure(title)
    present = list(pd.unique(assessment["category"]))
    cats = [c for c in CATEGORIES if c in present] + [c for c in present if c not in CATEGORIES]
    sizes = assessment.groupby("category", sort=False).size()
    ticktext = [(f"<b>{c}</b>" if c == "约束性" else c) + f"<br>共{int(sizes.get(c, 0))}项" for c in cats]
    fig = _rows_figure(title, ["约束性 共26项"], 64, n_rows=len(cats))   # the margin: the widest tick there is
    max_total = int(sizes.max())
    for status in Status:
        look = STATUS_LOOK[status]
        rows = assessment[assessment["status"] == status.value]
        label = _legend_label(status, rows)
        counts = [int((rows["category"] == c).sum()) for c in cats]
        lists = [_html_list([f"{r.indicator_id} {r.name}" for r in rows[rows["category"] == c].itertuples()]) for c in cats]
        fig.add_trace(go.Bar(
            name=f"{look.icon} {label}", y=cats, x=counts, orientation="h",
            marker=dict(color=look.colour, pattern=_pattern(look), line=dict(color="white", width=1)),
            text=[str(n) if n else "" for n in counts], textposition="inside", insidetextanchor="middle",
            textfont=dict(size=14), constraintext="none", textangle=0,
            customdata=[[c, label, items] for c, items in zip(cats, lists)],
            hovertemplate="<b>%{customdata[0]}指标 · %{customdata[1]}:%{x} 项</b><br>%{customdata[2]}<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.update_yaxes(categoryorder="array", categoryarray=cats, tickvals=cats, ticktext=ticktext,
                     autorange="reversed", title=None, automargin=True)
    fig.update_xaxes(title="指标数(项)", dtick=_count_dtick(max_total), tickformat=",d", rangemode="tozero",
                     range=[0, max_total * 1.02])
    if "约束性" in cats:
        i = cats.index("约束性")
        fig.add_shape(name="binding_band", type="rect", xref="paper", x0=0, x1=1, yref="y", y0=i - 0.5, y1=i + 0.5,
                      fillcolor="rgba(213,94,0,0.06)", line=dict(width=0), layer="below")
    return fig



def achievement_vs_time(assessment: pd.DataFrame) -> go.Figure:
    """Achievement P (% of the five-year path) per indicator, coloured by status, with a tick for the time
    elapsed τ of the period it was judged at, and a line at 100% (目标). Plan order, top to bottom.

    Input: `assess_indicators` rows (indicator_id, name, kind, unit, status, achievement, time_elapsed;
    latest_period, latest_value, target_value, status_label optional). Indicators without P are named in
    a note under the chart."""
    title = "目标完成度与时间进度"
    if assessment is None or len(assessment) == 0:
        return _empty_figure(title)
    frame = assessment.reset_index(drop=True)
    has_p = frame["achievement"].notna()
    rows = frame[has_p]
    skipped = frame[~has_p]
    note = _no_p_note(skipped)
    if rows.empty:
        return _empty_figure(title, EMPTY_TEXT + "<br><span style='font-size:13px'>" + note + "</span>")
    ids = rows["indicator_id"].astype(str).tolist()
    labels = [indicator_label(i, n) for i, n in zip(ids, rows["name"])]
    note_lines = note.count("<br>") + 1 if note else 0
    bottom = 60 + (note_lines * 18 + 10 if note else 0)
    fig = _rows_figure(title, labels, 32, bottom=bottom, right=40)
    p_pct = rows["achievement"].astype(float) * 100
    at_risk = _at_risk(rows)
    for status, sub in _light_groups(rows, at_risk):
        look = STATUS_LOOK[status] if status is not None else AT_RISK_LIGHT
        label = _legend_label(status, sub) if status is not None else AT_RISK_LIGHT.label
        fig.add_trace(go.Bar(
            name=f"{look.icon} {label}", y=sub["indicator_id"].astype(str).tolist(), x=(sub["achievement"].astype(float) * 100).tolist(),
            orientation="h", marker=dict(color=look.colour, pattern=_pattern(look)),
            text=[fmt.percent(p) for p in sub["achievement"]], textposition="inside", insidetextanchor="start",
            textangle=0, constraintext="none", textfont=dict(size=12),
            customdata=_achievement_customdata(sub),
            hovertemplate=("<b>%{customdata[0]}</b><br>完成度 P:%{x:.1f}%<br>时间进度 τ:%{customdata[1]}"
                           "<br>状态:%{customdata[2]}<br>评估期:%{customdata[3]};最新值 %{customdata[4]}"
                           "<br>目标:%{customdata[5]}<extra></extra>"),
        ))
    tau = rows["time_elapsed"].astype(float) * 100
    fig.add_trace(go.Scatter(
        name="时间进度", y=ids, x=tau.tolist(), mode="markers",
        marker=dict(symbol="line-ns", size=20, color="#222222", line=dict(width=3, color="#222222")),
        customdata=[[_full_label(r), r.latest_period or "—"] for r in rows.itertuples()],
        hovertemplate="<b>%{customdata[0]}</b><br>时间进度 τ(%{customdata[1]}):%{x:.1f}%<extra></extra>",
    ))
    lo = min(0.0, float(p_pct.min()) - 8)
    hi = max(112.0, float(p_pct.max()) + 14)
    fig.add_shape(name="目标", type="line", x0=100, x1=100, xref="x", y0=0, y1=1, yref="paper",
                  line=dict(color=PATH_COLOUR, width=2, dash="dash"), showlegend=True, legendrank=2000)
    # Labels every 50% and small ticks at 25% and 75%: on a phone five labels tilted upright and ran into the title.
    ticks = [v for v in range(int(math.ceil(lo / 50) * 50), int(hi) + 1, 50)]
    fig.update_xaxes(title="完成度 P / 时间进度 τ(%)", range=[lo, hi], tickvals=ticks, tickangle=0,
                     ticktext=[("<b>100%</b>" if v == 100 else f"{v}%") for v in ticks], zeroline=True,
                     zerolinecolor="#BBBBBB",
                     minor=dict(tickvals=[v for v in range(int(math.ceil(lo / 25) * 25), int(hi) + 1, 25) if v % 50],
                                ticks="outside", ticklen=4))
    fig.update_yaxes(categoryorder="array", categoryarray=ids, tickvals=ids, ticktext=labels, autorange="reversed",
                     automargin=True)
    _keep_full_names(fig, "yaxis", ids, [f"{i} {n}" for i, n in zip(ids, rows["name"])])
    fig.update_layout(barmode="overlay", bargap=0.3)
    if note:
        _note(fig, note, bottom_px=48)
    return fig


def _at_risk(rows: pd.DataFrame) -> pd.Series:
    """Rows not behind but with outlook at_risk: the amber (黄) light of lib.status.light_look."""
    if "outlook" not in rows.columns:
        return pd.Series(False, index=rows.index)
    return (rows["outlook"] == Outlook.AT_RISK.value) & ~rows["status"].isin([Status.BEHIND.value, Status.NO_DATA.value])


def _light_groups(rows: pd.DataFrame, at_risk: pd.Series) -> list[tuple[Status | None, pd.DataFrame]]:
    """Bars grouped by 红黄绿 light: each status's green/red/grey, and the amber group (status None)."""
    groups: list[tuple[Status | None, pd.DataFrame]] = []
    for status in (Status.ACHIEVED, Status.AHEAD, Status.ON_TRACK):
        groups.append((status, rows[(rows["status"] == status.value) & ~at_risk]))
    groups.append((None, rows[at_risk]))
    groups += [(s, rows[rows["status"] == s.value]) for s in (Status.BEHIND, Status.NO_DATA)]
    return [(s, sub) for s, sub in groups if not sub.empty]


def _full_label(row) -> str:
    return f"{row.indicator_id} {row.name}"


def _achievement_customdata(rows: pd.DataFrame) -> list[list[str]]:
    out = []
    for r in rows.itertuples():
        unit = getattr(r, "unit", "") or ""
        latest = fmt.with_unit(getattr(r, "latest_value", None), unit)
        target = fmt.target_phrase(r.kind, getattr(r, "target_value", None), unit, getattr(r, "ref_indicator", "") or "")
        icon = _status_look(r.status).icon
        status_text = f"{icon} {status_label(r.status, r.time_elapsed)}"
        if getattr(r, "outlook", None) == Outlook.AT_RISK.value:
            status_text += "(预计难以完成)"
        out.append([_full_label(r), fmt.percent(r.time_elapsed), status_text,
                    getattr(r, "latest_period", "") or "—", latest, target])
    return out


def _no_p_note(skipped: pd.DataFrame) -> str:
    """Which indicators are not on the chart, and why (kinds without P; no data; target not above base). Short
    lines (a reason, then its IDs): an annotation does not wrap, and a 390 px phone fits about 26 characters."""
    if skipped.empty:
        return ""
    parts = []
    no_p_kind = skipped[skipped["kind"].isin(KINDS_WITHOUT_P)]
    if len(no_p_kind):
        kinds = "、".join(KIND_LABELS[k] for k in KINDS_WITHOUT_P if k in set(no_p_kind["kind"]))
        parts.append(f"不计算完成度:{_ids_line(no_p_kind['indicator_id'], NOTE_IDS_PER_LINE)}<br>(属{kinds}类)")
    rest = skipped[~skipped["kind"].isin(KINDS_WITHOUT_P)]
    no_data = rest[rest["status"] == Status.NO_DATA.value]
    if len(no_data):
        parts.append(f"{STATUS_LOOK[Status.NO_DATA].label}:{_ids_line(no_data['indicator_id'], NOTE_IDS_PER_LINE)}")
    other = rest[rest["status"] != Status.NO_DATA.value]
    if len(other):
        parts.append(f"目标值不高于基期值,无法计算完成度:<br>{_ids_line(other['indicator_id'], NOTE_IDS_PER_LINE)}")
    return f"图中未列出 {len(skipped)} 项:<br>" + "<br>".join(parts)
