"""Plotly figures for the dashboard and for meeting slides.

Plain Python (plotly + pandas, never streamlit). Every builder takes a DataFrame shaped like the output of
`lib.assess` / `lib.rollup` and returns a new `go.Figure`; inputs are never changed.

House rules kept by every builder (see `_base_layout`):

- statuses take their label, colour, icon and bar pattern from `lib.status` only;
- an explicit `plotly_white` template and a CJK font stack, so nothing depends on Streamlit's template
  (whose placeholder colours turn server-exported bars black);
- Chinese title, axis titles with units, Chinese hover text carrying the full names, long names
  abbreviated on the axes ("…") in the browser and wrapped to two lines in exported images
  (`for_export`), a horizontal legend right under the title (see `_legend_at`: on a phone it wraps to
  more rows and pushes the plot area down, never over the title), and a height computed from the number
  of rows so labels stay readable on a 1366×768 laptop and a projector;
- no data → a figure with a centred "暂无数据", never an exception.

`chart_config` and `for_export` turn a figure into something that stands alone when pasted into a slide:
a file name, the as-of quarter, the data source, and a visible "示例数据" mark for sample data.
`for_browser` leaves room above the title for plotly's toolbar.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib import fmt
from lib.images import safe_filename
from lib.periods import Period, period_index, plan_periods
from lib.schema import CATEGORIES, KIND_LABELS
from lib.status import (AT_RISK_LIGHT, GREY, STATUS_LOOK, TASK_STATUS_LOOK, Look, Outlook, Status, TaskStatus,
                        badge, status_label)

# --- shared look ------------------------------------------------------------------------------------

FONT_FAMILY = "Noto Sans SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
TEMPLATE = "plotly_white"
EMPTY_TEXT = "暂无数据"
LABEL_CHARS = 10          # names longer than this are cut on axes ("…"); hover shows them in full
EXPORT_LINE_CHARS = 11    # exported images have no hover: long names wrap to two lines of this many
EXPORT_ROW_PX = 34        # a row tall enough for a two-line name in an exported image
TOOLBAR_PX = 30           # browser charts: a band above the title for plotly's toolbar (modebar)
SERIES_COLOUR = "#1F4E79"  # reported values (not a status, so not from lib.status)
REFERENCE_COLOUR = "#5E6B7A"
PATH_COLOUR = "#555555"
TARGET_COLOUR = "#333333"  # the target line: neutral, so it is not read as 滞后 red
TEXT_GREY = "#666666"
NOT_JUDGED_TEXT = "仅供参考,不参与评估"

# Geometry, in layout pixels.
PAD_TOP = 12
TITLE_PX = 30
LEGEND_ROW_PX = 26
LEGEND_TOP_PX = PAD_TOP + TITLE_PX  # the legend starts right under the title
SUBTITLE_PX = 22    # added by for_export
FOOTER_PX = 30      # added by for_export
BAR_ROW_PX = 34
HEAT_ROW_PX = 24
MIN_HEIGHT = 320

# Kinds whose result has no achievement P (spec: ceiling, in_step and quota are yes/no or difference tests).
KINDS_WITHOUT_P = ("ceiling", "in_step", "quota")

# Reporting states of the as-of quarter. Their looks are taken from lib.status (same colours, icons and
# patterns as the task statuses they correspond to), relabelled; nothing is declared here.
REPORT_STATES = ("已报送", "逾期报送", "未报送")
REPORT_LOOK: dict[str, Look] = {
    "已报送": replace(TASK_STATUS_LOOK[TaskStatus.ON_TRACK], label="已报送"),
    "逾期报送": replace(TASK_STATUS_LOOK[TaskStatus.NOT_STARTED], label="逾期报送"),
    "未报送": TASK_STATUS_LOOK[TaskStatus.NOT_REPORTED],
}

_CN_DIGITS = "零一二三四五六七八九"


def abbreviate(text: object, limit: int = LABEL_CHARS) -> str:
    """"地方一般公共预算收入年均增速" → "地方一般公共预算收…" (at most `limit` characters)."""
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _char_width(c: str) -> float:
    """Width in CJK characters: a Chinese character 1, a Latin letter, digit or space ½."""
    return 1.0 if ord(c) > 0x2E80 else 0.5


def wrap_label(text: object, per_line: float = EXPORT_LINE_CHARS, lines: int = 2) -> str:
    """A name for an image without hover: whole on one line if it fits `per_line` CJK character widths,
    else wrapped onto at most `lines` lines joined by <br>; "…" ends the last line only when even that
    is not enough."""
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    out, line, width = [], "", 0.0
    for c in text:
        if width + _char_width(c) > per_line:
            out.append(line)
            line, width = "", 0.0
        line += c
        width += _char_width(c)
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:-1] + "…"
    return "<br>".join(out)


def _keep_full_names(fig: go.Figure, axis: str, tickvals: Sequence, full: Sequence[str]) -> None:
    """Remember the uncut names behind an axis's abbreviated tick labels (in `layout.meta`), so that
    `for_export` can wrap them instead of cutting them."""
    meta = dict(fig.layout.meta or {})
    meta.setdefault("full_ticks", {})[axis] = {"tickvals": list(tickvals), "full": [str(f) for f in full]}
    fig.update_layout(meta=meta)


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (section numbers 1–99)."""
    n = int(n)
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def section_label(section_no: int, title: str, limit: int = LABEL_CHARS + 1) -> str:
    """(1, "优化区域发展布局、提升…") → "一、优化区域发展布局…"."""
    return abbreviate(f"{chinese_numeral(section_no)}、{title}", limit)


def indicator_label(indicator_id: str, name: str) -> str:
    return f"{indicator_id} {abbreviate(name)}"


def _wrap(text: str, per_line: int, lines: int) -> str:
    """Cut `text` into `lines` lines of `per_line` characters joined by <br>, "…" when cut."""
    text = str(text)
    if len(text) > per_line * lines:
        text = text[: per_line * lines - 1] + "…"
    return "<br>".join(text[i:i + per_line] for i in range(0, len(text), per_line))


def _top_margin(legend_rows: int) -> int:
    return PAD_TOP + TITLE_PX + legend_rows * LEGEND_ROW_PX + 8


def _legend_at(top_px: int, height: int) -> dict:
    """Legend position with its top edge `top_px` below the figure's top edge (container coordinates).

    Why not paper coordinates at the plot's top (y=1, yanchor bottom): such a legend grows upwards when it
    wraps, and at 390 px, squeezed into the plot's width right of the long names, it wraps to one entry a
    row and covers the title. In the container (and from the figure's left edge, like the title) it has the
    full width, and plotly reserves the top margin down to the legend's bottom edge, so the rows a phone
    needs push the plot area down."""
    return dict(y=1 - top_px / height, yref="container", yanchor="top")


def _base_layout(title: str, *, height: int, legend_rows: int = 1, left: int = 80, bottom: int = 60,
                 right: int = 30) -> dict:
    """The layout every chart shares: template, font, title at the top left, legend right above the plot
    area (never over bars or the title), margins in pixels and a fixed height."""
    top = _top_margin(legend_rows)
    return dict(
        template=TEMPLATE,
        font=dict(family=FONT_FAMILY, size=13, color="#222222"),
        title=dict(text=title, x=0.01, xref="container", xanchor="left",
                   y=1 - PAD_TOP / height, yref="container", yanchor="top", font=dict(size=18)),
        height=height,
        margin=dict(l=left, r=right, t=top, b=bottom, pad=4, autoexpand=True),
        showlegend=legend_rows > 0,
        legend=dict(orientation="h", x=0.01, xanchor="left", xref="container", **_legend_at(LEGEND_TOP_PX, height),
                    font=dict(size=12), itemclick="toggle", traceorder="normal", bgcolor="rgba(255,255,255,0)"),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=13), align="left"),
        separators=".,",
    )


def _rows_height(n_rows: int, row_px: int, legend_rows: int = 1, bottom: int = 60, extra: int = 0) -> int:
    return max(MIN_HEIGHT, _top_margin(legend_rows) + bottom + n_rows * row_px + extra)


def _left_margin(labels: Sequence[str], floor: int = 60, cap: int = 300) -> int:
    """Left margin wide enough for the longest tick label (CJK ≈ 14 px per character at 13 px)."""
    longest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in str(s)) for s in labels), default=4)
    return int(min(cap, max(floor, 7 * longest + 24)))


def _empty_figure(title: str, message: str = EMPTY_TEXT, height: int = MIN_HEIGHT) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, legend_rows=0))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(name="empty", text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=18, color=TEXT_GREY))
    return fig


def _count_dtick(max_count: float) -> float | None:
    if max_count <= 10:
        return 1
    if max_count <= 20:
        return 2
    if max_count <= 50:
        return 5
    return None


def _whole_dtick(max_count: float) -> float:
    """A tick step of whole items for a count scale: never below 1, so no count is labelled twice."""
    return _count_dtick(max_count) or max(1, round(max_count / 5))


def _pattern(look: Look) -> dict:
    return dict(shape=look.pattern, fillmode="overlay", fgopacity=0.22, size=8, solidity=0.2)


def _note(fig: go.Figure, text: str, *, bottom_px: int, name: str = "note") -> None:
    """A grey note in the bottom margin, `bottom_px` below the plot area, left-aligned with the figure."""
    fig.add_annotation(name=name, text=text, x=0, xref="paper", xanchor="left", xshift=-fig.layout.margin.l + 10,
                       y=0, yref="paper", yanchor="top", yshift=-bottom_px, showarrow=False, align="left",
                       font=dict(size=12, color=TEXT_GREY))


def _status_look(code: str) -> Look:
    return STATUS_LOOK[Status(code)]


def _html_list(items: Sequence[str], per_line: int = 1, limit: int = 15) -> str:
    """Hover list: one item per line, at most `limit` then "等 N 项"."""
    items = list(items)
    shown = items[:limit]
    lines = ["、".join(shown[i:i + per_line]) for i in range(0, len(shown), per_line)]
    if len(items) > limit:
        lines.append(f"等 {len(items)} 项")
    return "<br>".join(lines)


def _ids_line(ids: Sequence[str], per_line: int = 14) -> str:
    ids = list(ids)
    return "<br>".join("、".join(ids[i:i + per_line]) for i in range(0, len(ids), per_line))


# --- 1. indicators per status and category --------------------------------------------------------

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
    bottom = 60
    height = _rows_height(len(cats), 64, bottom=bottom)
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, left=_left_margin(["约束性 共26项"]), bottom=bottom))
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


def _legend_label(status: Status, rows: pd.DataFrame) -> str:
    """The status label(s) the assessment itself used (已完成 at the end of the plan), else lib.status's."""
    if "status_label" in rows.columns and len(rows):
        # At the plan's end, indicators judged on earlier data keep their monitoring label: name both.
        return "/".join(dict.fromkeys(str(v) for v in rows["status_label"]))
    return status_label(status)


# --- 2. achievement against time elapsed ---------------------------------------------------------

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
    height = _rows_height(len(rows), 32, bottom=bottom)
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, left=_left_margin(labels), bottom=bottom, right=40))
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
    ticks = [v for v in range(int(math.ceil(lo / 25) * 25), int(hi) + 1, 25)]
    fig.update_xaxes(title="完成度 P / 时间进度 τ(%)", range=[lo, hi], tickvals=ticks,
                     ticktext=[("<b>100%目标</b>" if v == 100 else f"{v}%") for v in ticks], zeroline=True,
                     zerolinecolor="#BBBBBB")
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
    """Which indicators are not on the chart, and why (kinds without P; no data; target not above base)."""
    if skipped.empty:
        return ""
    parts = []
    no_p_kind = skipped[skipped["kind"].isin(KINDS_WITHOUT_P)]
    if len(no_p_kind):
        kinds = "、".join(KIND_LABELS[k] for k in KINDS_WITHOUT_P if k in set(no_p_kind["kind"]))
        parts.append(f"不计算完成度({kinds}):{_ids_line(no_p_kind['indicator_id'])}")
    rest = skipped[~skipped["kind"].isin(KINDS_WITHOUT_P)]
    no_data = rest[rest["status"] == Status.NO_DATA.value]
    if len(no_data):
        parts.append(f"{STATUS_LOOK[Status.NO_DATA].label}:{_ids_line(no_data['indicator_id'])}")
    other = rest[rest["status"] != Status.NO_DATA.value]
    if len(other):
        parts.append(f"无法计算完成度(目标值不高于基期值):{_ids_line(other['indicator_id'])}")
    return f"图中未列出 {len(skipped)} 项。" + "<br>".join(parts)


# --- 3. tasks per section -----------------------------------------------------------------------

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
    bottom = 60
    height = _rows_height(len(keys), BAR_ROW_PX, bottom=bottom)
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, left=_left_margin(keys), bottom=bottom))
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


# --- 4. one indicator over time -------------------------------------------------------------------

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


# --- 5. tasks × quarters ---------------------------------------------------------------------------

def _discrete_colourscale(colours: Sequence[str]) -> list[list]:
    """Cell value i (0-based) → colours[i], with zmin=-0.5 and zmax=n-0.5."""
    n = len(colours)
    scale = []
    for i, c in enumerate(colours):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def _legend_swatches(fig: go.Figure, looks: Sequence[Look]) -> None:
    """Heatmaps have no per-category legend: one invisible square per state gives it."""
    for look in looks:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{look.icon} {look.label}",
                                 marker=dict(symbol="square", size=13, color=look.colour), hoverinfo="skip"))


def _state_cells(grid: pd.DataFrame, codes: Sequence[str], looks: Sequence[Look]) -> tuple[np.ndarray, list[list[str]]]:
    """A grid of state codes → (z: the code's position, NaN where empty; text: the state's icon) for a
    discrete-colour heatmap, so every cell reads without colour too."""
    z = grid.apply(lambda col: col.map(lambda s: codes.index(s) if s in codes else np.nan)).to_numpy(dtype=float)
    text = [[looks[int(v)].icon if not np.isnan(v) else "" for v in row] for row in z]
    return z, text


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
    bottom = 60
    height = _rows_height(len(tasks), HEAT_ROW_PX, bottom=bottom)
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, left=_left_margin(labels), bottom=bottom))
    fig.add_trace(go.Heatmap(
        name="任务状态", x=periods, y=tasks, z=z.tolist(), zmin=-0.5, zmax=len(codes) - 0.5,
        colorscale=_discrete_colourscale([lk.colour for lk in looks]), showscale=False, xgap=2, ygap=2,
        text=text, texttemplate="%{text}", textfont=dict(size=13), customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b><br>%{x}:%{customdata[1]}<extra></extra>", hoverongaps=False,
    ))
    _legend_swatches(fig, looks)
    fig.update_yaxes(categoryorder="array", categoryarray=tasks, tickvals=tasks, ticktext=labels,
                     autorange="reversed", automargin=True, showgrid=False)
    _keep_full_names(fig, "yaxis", tasks, [f"{t} {titles.get(t, '')}" for t in tasks])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=periods, title="季度", showgrid=False)
    return fig


# --- 6. units ranked by items behind -------------------------------------------------------------

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
    bottom = 60 + (28 if truncated else 0)
    height = _rows_height(len(units), 28, bottom=bottom)
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, left=_left_margin(labels), bottom=bottom))
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


# --- 7. who is responsible for which section ------------------------------------------------------

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


# --- 8. who has reported ---------------------------------------------------------------------------

def _item_key(item_id: str) -> tuple[int, str]:
    """Default column order: indicators (Y…, B…, K…, then others) before tasks (T…), by id."""
    order = {"Y": 0, "B": 1, "K": 2, "T": 4}
    return order.get(item_id[:1].upper(), 3), item_id


def reporting_matrix(matrix: pd.DataFrame, as_of: str = "", item_order: Sequence[str] | None = None) -> go.Figure:
    """Units (rows, input order) × items (columns): has the unit reported the item for the
    as-of quarter? Colour and icon per state (已报送 / 逾期报送 / 未报送, looks from lib.status).

    Input columns: unit, item_id, state; item_name optional (shown on hover). `item_order`: the column
    order (e.g. plan order: indicators then tasks); by default Y, B, K ids, then tasks, each by id."""
    title = f"各单位报送情况({as_of})" if as_of else "各单位报送情况"
    if matrix is None or len(matrix) == 0:
        return _empty_figure(title)
    frame = matrix.drop_duplicates(["unit", "item_id"], keep="last")
    units = [str(u) for u in pd.unique(frame["unit"])]
    present = [str(i) for i in pd.unique(frame["item_id"])]
    if item_order is not None:
        items = [i for i in map(str, item_order) if i in set(present)] + [i for i in present if i not in set(map(str, item_order))]
    else:
        items = sorted(present, key=_item_key)
    names = (frame.drop_duplicates("item_id").set_index("item_id")["item_name"].astype(str).to_dict()
             if "item_name" in frame.columns else {})
    grid = frame.pivot(index="unit", columns="item_id", values="state").reindex(index=units, columns=items)
    looks = [REPORT_LOOK[s] for s in REPORT_STATES]
    z, text = _state_cells(grid, list(REPORT_STATES), looks)
    custom = [[[u, f"{i} {names.get(i, '')}".strip(), REPORT_STATES[int(v)] if not np.isnan(v) else "不涉及"]
               for i, v in zip(items, row)] for u, row in zip(units, z)]
    labels = [abbreviate(u) for u in units]
    bottom = 70
    height = _rows_height(len(units), HEAT_ROW_PX, bottom=bottom)
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, left=_left_margin(labels), bottom=bottom))
    fig.add_trace(go.Heatmap(
        name="报送", x=items, y=units, z=z.tolist(), zmin=-0.5, zmax=len(REPORT_STATES) - 0.5,
        colorscale=_discrete_colourscale([lk.colour for lk in looks]), showscale=False, xgap=1, ygap=1,
        text=text, texttemplate="%{text}", textfont=dict(size=11), customdata=custom, hoverongaps=False,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    ))
    _legend_swatches(fig, looks)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=items, title="指标 / 任务编号",
                     tickangle=-90 if len(items) > 12 else 0, tickfont=dict(size=11), showgrid=False)
    fig.update_yaxes(categoryorder="array", categoryarray=units, tickvals=units, ticktext=labels, autorange="reversed",
                     automargin=True, showgrid=False)
    _keep_full_names(fig, "yaxis", units, units)
    return fig


# --- 9. images that stand alone -----------------------------------------------------------------------

SAMPLE_MARK = "示例数据"


# Toolbar buttons a reader of these charts does not need; fewer buttons keep the toolbar narrow on phones.
TOOLBAR_REMOVED = ("select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d")


def chart_config(title: str, as_of: str) -> dict:
    """`st.plotly_chart(config=...)`: the camera button saves "<title>_<as_of>.png" at twice the size."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": list(TOOLBAR_REMOVED),
        "toImageButtonOptions": {"format": "png", "filename": safe_filename(f"{title}_{as_of}"), "scale": 2},
    }


def for_browser(fig: go.Figure) -> go.Figure:
    """A copy of `fig` for the dashboard: a `TOOLBAR_PX` band above the title, where plotly's toolbar sits,
    so the toolbar never covers the title (on a phone the title reaches under it). `fig` is unchanged."""
    out = go.Figure(fig)
    height = int(out.layout.height or MIN_HEIGHT) + TOOLBAR_PX
    top = int(out.layout.margin.t if out.layout.margin.t is not None else _top_margin(1)) + TOOLBAR_PX
    out.update_layout(height=height, margin_t=top, title_y=1 - (PAD_TOP + TOOLBAR_PX) / height,
                      legend=_legend_at(LEGEND_TOP_PX + TOOLBAR_PX, height))
    return out


def _wrap_full_names(out: go.Figure, left: int) -> tuple[int, int]:
    """Tick labels cut with "…" → the full names, wrapped to two lines (an image has no hover). Returns
    (extra height so every row has room for two lines, left margin for the longest line)."""
    full_ticks = (out.layout.meta or {}).get("full_ticks", {})
    extra = 0
    for axis, spec in full_ticks.items():
        wrapped = [wrap_label(f) for f in spec["full"]]
        out.layout[axis].update(tickvals=spec["tickvals"], ticktext=wrapped)
        if any("<br>" in w for w in wrapped):
            margin = out.layout.margin
            plot_h = int(out.layout.height or MIN_HEIGHT) - int(margin.t or 0) - int(margin.b or 0)
            extra = max(extra, len(wrapped) * EXPORT_ROW_PX - plot_h)
            left = max(left, _left_margin([line for w in wrapped for line in w.split("<br>")]))
    return extra, left


def _title_text(fig: go.Figure) -> str:
    return fig.layout.title.text or ""


def for_export(fig: go.Figure, *, as_of: str, source: str, sample_data: bool, units_note: str = "") -> go.Figure:
    """A copy of `fig` for a slide: title with a "截至 2023Q2" subtitle, a footer with the data source and
    units, and a bordered "示例数据" mark at the top right when the data are samples; names cut on an axis
    are shown in full, wrapped to two lines (rows grow to fit). `fig` is unchanged."""
    out = go.Figure(fig)
    margin = out.layout.margin
    extra, left = _wrap_full_names(out, int(margin.l if margin.l is not None else 80))
    height = int(out.layout.height or 500) + extra
    right = int(margin.r if margin.r is not None else 30)
    top = int(margin.t if margin.t is not None else _top_margin(1)) + SUBTITLE_PX
    bottom_before = int(margin.b if margin.b is not None else 60)
    bottom = bottom_before + FOOTER_PX
    height += SUBTITLE_PX + FOOTER_PX
    out.update_layout(
        template=TEMPLATE, font_family=FONT_FAMILY, height=height,
        margin=dict(l=left, r=right, t=top, b=bottom),
        title=dict(text=_title_text(out), subtitle=dict(text=f"截至 {as_of}", font=dict(size=13, color=TEXT_GREY)),
                   x=0.01, xref="container", xanchor="left", y=1 - PAD_TOP / height, yref="container", yanchor="top"),
        legend=_legend_at(LEGEND_TOP_PX + SUBTITLE_PX, height),
    )
    footer = f"数据来源:{source}" if source else ""
    if units_note:
        footer += ("  |  " if footer else "") + f"单位:{units_note}"
    if footer:
        out.add_annotation(name="footer", text=footer, x=0, xref="paper", xanchor="left", xshift=-left + 10,
                           y=0, yref="paper", yanchor="bottom", yshift=-bottom + 6, showarrow=False, align="left",
                           font=dict(size=11, color=TEXT_GREY))
    if sample_data:
        out.add_annotation(name="sample_mark", text=f"<b>{SAMPLE_MARK}</b>", x=1, xref="paper", xanchor="right",
                           xshift=right - 10, y=1, yref="paper", yanchor="top", yshift=top - PAD_TOP + 2,
                           showarrow=False, bordercolor=STATUS_LOOK[Status.BEHIND].colour, borderwidth=2,
                           borderpad=5, bgcolor="white", font=dict(size=14, color=STATUS_LOOK[Status.BEHIND].colour))
    return out
