"""The continuity chart: one measure (`code`) over successive plans on one time axis, the boundary marked.

Plain Python (plotly, never streamlit). Input: `lib.continuity.continuous_series`. Each plan's values are
their own trace (名称: the plan's short name), each plan's target a dashed segment over its own period
(level and ceiling kinds) or a note of the target rate (growth kinds), and a vertical line marks where one
plan ends and the next begins.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.charts.layout import REFERENCE_COLOUR, SERIES_COLOUR, TARGET_COLOUR, _base_layout, _empty_figure
from lib.periods import Period

LEVEL_KINDS = ("level_up", "ceiling")


def _period(year: int, quarter: int) -> str:
    return Period(int(year), int(quarter)).label


def continuity_figure(series: pd.DataFrame, title: str) -> go.Figure:
    """Both (all) plans' values and targets of one code; the x axis runs over every quarter of every plan."""
    if series.empty:
        return _empty_figure(title)
    plans = list(dict.fromkeys(series["plan_id"]))
    spans = series.groupby("plan_id", sort=False).agg(plan=("plan", "first"), target=("target_value", "first"),
                                                    target_year=("target_year", "first"), kind=("kind", "first"))
    first_year = int(series["year"].min())
    last_year = int(spans["target_year"].max())
    axis = [_period(y, q) for y in range(first_year, last_year + 1) for q in (1, 2, 3, 4)]
    unit = str(series["unit"].iloc[-1])
    fig = go.Figure()
    for i, plan_id in enumerate(plans):
        rows = series[series["plan_id"] == plan_id]
        colour = SERIES_COLOUR if i == len(plans) - 1 else REFERENCE_COLOUR   # the current plan stands out
        name = spans.at[plan_id, "plan"]
        fig.add_trace(go.Scatter(
            name=name, x=[_period(y, q) for y, q in zip(rows["year"], rows["quarter"])], y=rows["value"],
            mode="lines+markers", line=dict(color=colour, width=2), marker=dict(size=7),
            meta=plan_id, hovertemplate=f"{name}<br>%{{x}}:%{{y}}{unit}<extra></extra>"))
        _target(fig, spans.loc[plan_id], rows, axis, unit)
    for plan_id in plans[:-1]:
        end = _period(int(spans.at[plan_id, "target_year"]), 4)
        fig.add_vline(x=axis.index(end) + 0.5, line=dict(color=TARGET_COLOUR, width=1, dash="dot"),
                      annotation=dict(text="规划衔接", font=dict(size=12)), name="boundary")
    fig.update_layout(**_base_layout(title, height=420, legend_rows=1))
    # No tickangle: plotly's "auto" keeps the year ticks level where they fit (a laptop) and tilts them on a
    # phone, where nine level "2022年" ran into each other.
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=axis, tickmode="array",
                     tickvals=[_period(y, 1) for y in range(first_year, last_year + 1)],
                     ticktext=[f"{y}年" for y in range(first_year, last_year + 1)])
    fig.update_yaxes(title_text=unit, range=_padded_range(series, spans))
    return fig


def _padded_range(series: pd.DataFrame, spans: pd.DataFrame) -> list[float] | None:
    """Values and targets with a tenth of their span free above and below: a target at the top of the data
    otherwise sat on the plot's edge, half hidden in the corner on a phone."""
    ys = pd.concat([series["value"], spans["target"]]).dropna().astype(float)
    if ys.empty:
        return None
    lo, hi = float(ys.min()), float(ys.max())
    pad = (hi - lo) * 0.1 or max(abs(hi) * 0.05, 1.0)
    return [lo - pad, hi + pad]


def _target(fig: go.Figure, span: pd.Series, rows: pd.DataFrame, axis: list[str], unit: str) -> None:
    """The plan's target: a dashed segment over its target year for levels, else a note beside its values."""
    if pd.isna(span["target"]):
        return
    target = float(span["target"])
    label = f"{span['plan']} 目标 {target:g}{unit}"
    if span["kind"] in LEVEL_KINDS:
        year = int(span["target_year"])
        fig.add_trace(go.Scatter(name=label, x=[_period(year, 1), _period(year, 4)], y=[target, target],
                                 mode="lines", line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                                 meta=f"target:{span.name}", hovertemplate=f"{label}<extra></extra>"))
        return
    fig.add_trace(go.Scatter(name=label, x=[_period(int(rows["year"].min()), 1), _period(int(span["target_year"]), 4)],
                             y=[target, target], mode="lines", line=dict(color=TARGET_COLOUR, width=1, dash="dot"),
                             meta=f"target:{span.name}", hovertemplate=f"{label}<extra></extra>"))
