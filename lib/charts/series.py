"""One indicator over the plan's quarters, drawn by kind (values, growth rates, cumulative totals, quotas)."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from lib import fmt
from lib.periods import Period, period_index, plan_periods
from lib.status import GREY, Status, badge
from lib.charts.layout import (
    NOT_JUDGED_TEXT, PATH_COLOUR, REFERENCE_COLOUR, SERIES_COLOUR, TARGET_COLOUR, TEXT_GREY, _base_layout,
    _empty_figure, _status_look,
)
from lib.fmt import abbreviate


def _period_text(year: int, quarter: int) -> str:
    return Period(int(year), int(quarter)).label


def _clean_series(series: pd.DataFrame | None, base_year: int, target_year: int, as_of: str | None) -> pd.DataFrame:
    """Rows with a value inside the plan period (and not after `as_of`), one per quarter, in time order."""
    columns = ["year", "quarter", "value", "annual_target"]
    if series is None or len(series) == 0:
        return pd.DataFrame(columns=[*columns, "key", "period"])
    frame = series.reindex(columns=columns).copy()
    for c in columns:
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    frame = frame.dropna(subset=["year", "quarter"])
    frame["key"] = period_index(frame["year"].astype(int), frame["quarter"].astype(int))
    last = period_index(target_year, 4)
    if as_of:
        try:
            last = min(last, Period.parse(as_of).index)
        except ValueError:
            pass
    frame = frame[(frame["key"] >= period_index(base_year + 1, 1)) & (frame["key"] <= last)]
    frame = frame.sort_values("key", kind="stable").drop_duplicates("key", keep="last")
    frame["period"] = [_period_text(y, q) for y, q in zip(frame["year"], frame["quarter"])]
    return frame.reset_index(drop=True)


def _get(row: pd.Series | None, name: str, default=None):
    if row is None or name not in row.index:
        return default
    value = row[name]
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return default
    return value


def indicator_series(indicator_row: pd.Series, series: pd.DataFrame, result: pd.Series | None,
                     base_year: int, target_year: int, *, ref_series: pd.DataFrame | None = None,
                     ref_name: str = "") -> go.Figure:
    """Reported values of one indicator over the plan's quarters, drawn by kind.

    indicator_row: a row of `plan.indicators` (indicator_id, name, kind, unit, target_value, baseline_value,
    direction, annual, ref_indicator). series: its progress rows (year, quarter, value, annual_target).
    result: its `assess_indicators` row (status, latest_period, latest_value, avg_growth, ref_avg_growth,
    diff_pp, cumulative_total, as_of) or None. ref_series / ref_name: the reference indicator's rows and
    name for `in_step`.

    x axis: quarters "2020Q4" (base) … "2025Q4" as categories. level_up / ceiling / quota: values, a 目标值
    line, for level_up the 规划路径 from the baseline at the end of the base year to the target at the end
    of the target year, and 按当前进度推算 (baseline → latest usable value, extended to the target year);
    growth_rate / in_step: year-to-date growth rates, 目标值 and the average growth to date; cumulative: the
    cumulative total with 目标值, 规划路径 and 按当前进度推算; quota: values and the annual targets.
    Annual indicators: Q1–Q3 hollow grey (仅供参考,不参与评估), Q4 solid."""
    iid, name = str(_get(indicator_row, "indicator_id", "")), str(_get(indicator_row, "name", ""))
    kind = str(_get(indicator_row, "kind", "level_up"))
    unit = str(_get(indicator_row, "unit", "") or "")
    target = _get(indicator_row, "target_value")
    target = float(target) if target is not None else None
    baseline = _get(indicator_row, "baseline_value")
    baseline = float(baseline) if baseline is not None else None
    annual = bool(_get(indicator_row, "annual", False))
    direction = str(_get(indicator_row, "direction", "up"))
    ref_id = str(_get(indicator_row, "ref_indicator", "") or "")
    as_of = _get(result, "as_of")
    title = f"{iid} {name}:{fmt.target_phrase(kind, target, unit, ref_name or ref_id)}"
    data = _clean_series(series, base_year, target_year, as_of)
    if data["value"].notna().sum() == 0:
        return _empty_figure(title, height=460)

    base_cat, end_cat = _period_text(base_year, 4), _period_text(target_year, 4)
    cats = [base_cat] + [str(p) for p in plan_periods(base_year, target_year)]
    status = _get(result, "status")
    look = _status_look(status) if status in {s.value for s in Status} else None
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=460, legend_rows=2, left=80, bottom=70, right=90))

    if kind in ("growth_rate", "in_step"):
        y_title = f"年初至报告期增速({unit or '%'})"
    elif kind == "cumulative":
        y_title = f"规划期累计值({unit})"
    else:
        y_title = f"数值({unit})" if unit else "数值"

    plotted = data.copy()
    if kind == "cumulative":
        plotted["shown"] = _cumulative_totals(plotted)
    else:
        plotted["shown"] = plotted["value"]
    q4 = plotted["quarter"] == 4
    judged = plotted[q4] if annual else plotted
    hover_extra = "<br>当期累计:%{customdata[1]}" if kind == "cumulative" else ""

    def custom(frame: pd.DataFrame, note: str) -> list[list[str]]:
        return [[fmt.with_unit(v, unit), fmt.with_unit(raw, unit), note] for v, raw in zip(frame["shown"], frame["value"])]

    fig.add_trace(go.Scatter(
        name="年度值(四季度)" if annual else ("累计完成" if kind == "cumulative" else "实际值"),
        x=judged["period"].tolist(), y=judged["shown"].astype(float).tolist(), mode="lines+markers",
        line=dict(color=SERIES_COLOUR, width=2.5), marker=dict(size=9, color=SERIES_COLOUR, symbol="circle"),
        customdata=custom(judged, "参与评估"),
        hovertemplate=f"<b>{iid} {name}</b><br>%{{x}}:%{{customdata[0]}}{hover_extra}<br>%{{customdata[2]}}<extra></extra>",
    ))
    if annual and (~q4).any():
        early = plotted[~q4]
        fig.add_trace(go.Scatter(
            name=f"1–3季度值({NOT_JUDGED_TEXT})", x=early["period"].tolist(), y=early["shown"].astype(float).tolist(), mode="markers",
            marker=dict(size=9, symbol="circle-open", color=GREY, line=dict(width=2, color=GREY)),
            customdata=custom(early, NOT_JUDGED_TEXT),
            hovertemplate=f"<b>{iid} {name}</b><br>%{{x}}:%{{customdata[0]}}{hover_extra}<br>%{{customdata[2]}}<extra></extra>",
        ))

    if kind == "in_step" and ref_series is not None:
        ref = _clean_series(ref_series, base_year, target_year, as_of)
        if ref["value"].notna().any():
            label = f"参照:{ref_id} {abbreviate(ref_name)}" if ref_name else f"参照:{ref_id}"
            fig.add_trace(go.Scatter(
                name=label, x=ref["period"].tolist(), y=ref["value"].astype(float).tolist(), mode="lines+markers",
                line=dict(color=REFERENCE_COLOUR, width=2, dash="dot"), marker=dict(size=7, color=REFERENCE_COLOUR),
                hovertemplate=f"<b>{ref_id} {ref_name}</b><br>%{{x}}:%{{y:.2f}}{unit}<extra></extra>",
            ))

    if target is not None and kind in ("level_up", "ceiling", "cumulative"):
        bound = {"ceiling": "上限" if direction == "down" else "下限"}.get(kind, "目标")
        fig.add_trace(go.Scatter(
            name="目标值", x=[base_cat, end_cat], y=[target, target], mode="lines",
            line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
            hovertemplate=f"{bound}:{fmt.with_unit(target, unit)}<extra>目标值</extra>",
        ))
        fig.add_annotation(name="target_label", x=end_cat, y=target, xanchor="left", xshift=6, showarrow=False,
                           text=f"目标 {fmt.with_unit(target, unit)}", font=dict(size=12, color=TARGET_COLOUR))

    latest_period, latest_value = _latest_usable(result, judged)
    if kind in ("level_up", "cumulative"):
        start = 0.0 if kind == "cumulative" else baseline
        if start is not None and target is not None:
            fig.add_trace(go.Scatter(
                name="规划路径", x=[base_cat, end_cat], y=[start, target], mode="lines",
                line=dict(color=PATH_COLOUR, width=1.5, dash="dot"),
                hovertemplate=(f"规划路径:{base_year}年末 {fmt.with_unit(start, unit)} → "
                               f"{target_year}年末 {fmt.with_unit(target, unit)}<extra></extra>"),
            ))
        if kind == "level_up" and baseline is not None:
            fig.add_trace(go.Scatter(
                name="基期值", x=[base_cat], y=[baseline], mode="markers",
                marker=dict(symbol="diamond", size=10, color=PATH_COLOUR),
                hovertemplate=f"基期值({base_year}年末):{fmt.with_unit(baseline, unit)}<extra></extra>",
            ))
        if kind == "cumulative" and latest_period is not None:
            latest_value = _get(result, "cumulative_total", latest_value)
        projection = _projection(start, latest_period, latest_value, base_year, target_year)
        if projection is not None:
            colour = look.colour if look else REFERENCE_COLOUR
            fig.add_trace(go.Scatter(
                name="按当前进度推算", x=[base_cat, latest_period, end_cat], y=[start, latest_value, projection],
                mode="lines", line=dict(color=colour, width=2, dash="dash"),
                hovertemplate=(f"按当前进度推算:{target_year}年末约 {fmt.with_unit(projection, unit, fmt.usual_digits(unit))}"
                               f"<br>({base_year}年末 {fmt.with_unit(start, unit)} → {latest_period} "
                               f"{fmt.with_unit(latest_value, unit)} 的速度)<extra></extra>"),
            ))

    if kind in ("growth_rate", "in_step"):
        _growth_lines(fig, result, cats, unit, target, kind, ref_id)

    if kind == "quota":
        _quota_targets(fig, data, result, unit, direction)

    if look is not None and latest_period is not None and latest_value is not None:
        fig.add_trace(go.Scatter(
            name=f"评估期 {latest_period}", x=[latest_period], y=[latest_value], mode="markers",
            marker=dict(size=15, color=look.colour, symbol="circle", line=dict(width=2, color="white")),
            hovertemplate=(f"<b>评估期 {latest_period}</b>:{fmt.with_unit(latest_value, unit)}"
                           f"<br>{badge(status, _get(result, 'time_elapsed'))}<extra></extra>"),
        ))

    if look is not None and latest_period is not None and latest_value is not None:
        fig.add_annotation(name="status_badge", x=latest_period, y=latest_value, yanchor="bottom", yshift=12,
                           text=badge(status, _get(result, "time_elapsed")), showarrow=False,
                           bgcolor="rgba(255,255,255,0.9)", bordercolor=look.colour, borderwidth=1.5, borderpad=3,
                           font=dict(size=13, color="#222222"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=cats, range=[-0.5, len(cats) - 0.5],
                     title="报告期(季度,年初至季末)", tickangle=-45, tickfont=dict(size=11))
    fig.update_yaxes(title=y_title, automargin=True, tickformat=",", zeroline=kind in ("growth_rate", "in_step"))
    return fig


def _cumulative_totals(frame: pd.DataFrame) -> list[float]:
    """Σ of full-year Q4 values before the row's year + the row's year-to-date value; NaN when a full
    year before it has no Q4 value (spec: cumulative needs every full year)."""
    q4 = frame[frame["quarter"] == 4].set_index("year")["value"].dropna()
    first_year = int(frame["year"].min()) if len(frame) else 0
    out = []
    for year, value in zip(frame["year"].astype(int), frame["value"]):
        years = range(first_year, year)
        out.append(float(sum(q4[y] for y in years)) + value if all(y in q4.index for y in years) else float("nan"))
    return out


def _latest_usable(result: pd.Series | None, judged: pd.DataFrame) -> tuple[str | None, float | None]:
    """The period and value the assessment judged at (its latest_period), else the last judged point."""
    period = _get(result, "latest_period")
    if period:
        hit = judged[judged["period"] == period]
        if len(hit):
            return str(period), float(hit["shown"].iloc[-1])
        value = _get(result, "latest_value")
        return (str(period), float(value)) if value is not None else (None, None)
    if result is not None:
        return None, None
    last = judged.dropna(subset=["shown"])
    if last.empty:
        return None, None
    return str(last["period"].iloc[-1]), float(last["shown"].iloc[-1])


def _projection(start: float | None, period: str | None, value: float | None, base_year: int,
                target_year: int) -> float | None:
    """Value at the end of the target year if the pace from the base (end of base year) to `period` holds."""
    if start is None or period is None or value is None:
        return None
    p = Period.parse(period)
    done = p.index - period_index(base_year, 4)
    total = period_index(target_year, 4) - period_index(base_year, 4)
    if done <= 0 or done >= total:
        return None
    return start + (value - start) * total / done


def _growth_lines(fig: go.Figure, result: pd.Series | None, cats: list[str], unit: str, target: float | None,
                  kind: str, ref_id: str) -> None:
    unit = unit or "%"
    if target is not None and kind == "growth_rate":
        fig.add_trace(go.Scatter(
            name="目标值", x=[cats[0], cats[-1]], y=[target, target], mode="lines",
            line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
            hovertemplate=f"目标:年均增长 {fmt.with_unit(target, unit)}<extra>目标值</extra>",
        ))
        fig.add_annotation(name="target_label", x=cats[-1], y=target, xanchor="left", xshift=6, showarrow=False,
                           text=f"目标 {fmt.with_unit(target, unit)}", font=dict(size=12, color=TARGET_COLOUR))
    avg = _get(result, "avg_growth")
    period = _get(result, "latest_period")
    if avg is not None and period:
        fig.add_trace(go.Scatter(
            name="规划以来年均增速", x=[cats[0], period], y=[avg, avg], mode="lines",
            line=dict(color=SERIES_COLOUR, width=1.5, dash="dashdot"),
            hovertemplate=f"规划以来年均增速(至 {period}):{fmt.with_unit(avg, unit, 2)}<extra></extra>",
        ))
        fig.add_annotation(name="avg_label", x=cats[0], y=avg, xanchor="left", yanchor="bottom", showarrow=False,
                           text=f"年均 {fmt.with_unit(avg, unit, 2)}", font=dict(size=12, color=SERIES_COLOUR))
    ref_avg = _get(result, "ref_avg_growth")
    if kind == "in_step" and ref_avg is not None and period:
        fig.add_trace(go.Scatter(
            name=f"{ref_id} 年均增速", x=[cats[0], period], y=[ref_avg, ref_avg], mode="lines",
            line=dict(color=REFERENCE_COLOUR, width=1.5, dash="dashdot"),
            hovertemplate=f"{ref_id} 规划以来年均增速(至 {period}):{fmt.with_unit(ref_avg, unit, 2)}<extra></extra>",
        ))
        diff = _get(result, "diff_pp")
        if diff is not None:
            fig.add_annotation(name="diff_label", x=1, xref="paper", xanchor="right", y=1, yref="paper",
                               yanchor="top", showarrow=False, bgcolor="rgba(255,255,255,0.8)",
                               text=(f"五年年均增速差 {fmt.signed(diff, 2)} 个百分点(本指标 {fmt.with_unit(avg, '%', 2)}"
                                     f" − {ref_id} {fmt.with_unit(ref_avg, '%', 2)})"),
                               font=dict(size=12, color="#333333"))


def _quota_targets(fig: go.Figure, data: pd.DataFrame, result: pd.Series | None, unit: str, direction: str) -> None:
    """Annual targets as one step per year, from its Q1 to its Q4."""
    targets = data.dropna(subset=["annual_target"]).groupby("year")["annual_target"].last()
    assigned = _get(result, "assigned_target")
    period = _get(result, "latest_period")
    if assigned is not None and period:
        targets.loc[int(str(period)[:4])] = float(assigned)
    if targets.empty:
        fig.add_annotation(name="no_target", text="尚未录入上级下达的年度目标值", x=1, xref="paper", xanchor="right",
                           y=1, yref="paper", yanchor="top", showarrow=False, font=dict(size=12, color=TEXT_GREY))
        return
    xs: list[str | None] = []
    ys: list[float | None] = []
    for year, t in targets.sort_index().items():
        xs += [_period_text(year, 1), _period_text(year, 4), None]
        ys += [float(t), float(t), None]
    word = "不高于" if direction == "down" else "不低于"
    fig.add_trace(go.Scatter(
        name="年度目标值(上级下达)", x=xs, y=ys, mode="lines+markers",
        line=dict(color=TARGET_COLOUR, width=2.5), marker=dict(symbol="line-ns", size=12, color=TARGET_COLOUR,
                                                           line=dict(width=2, color=TARGET_COLOUR)),
        hovertemplate=f"%{{x}} 所在年度目标:{word} %{{y}}{unit}<extra>年度目标值</extra>",
        connectgaps=False,
    ))
