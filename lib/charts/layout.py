"""The look every chart shares: fonts, colours, pixel geometry, the base layout (title, legend, margins),
empty figures, axis labels (cut in the browser, wrapped in images) and the heatmap cell helpers."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.status import Look, STATUS_LOOK, TASK_STATUS_LOOK, Status, TaskStatus, status_label
from lib.fmt import LABEL_CHARS, abbreviate, chinese_numeral


FONT_FAMILY = "Noto Sans SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
TEMPLATE = "plotly_white"
EMPTY_TEXT = "暂无数据"
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

# Reporting states of the as-of quarter (the 报送 matrix and the 区县对比 completeness bars). Their looks are
# taken from lib.status (same colours, icons and patterns as the task statuses they correspond to),
# relabelled; nothing is declared here.
REPORT_STATES = ("已报送", "逾期报送", "未报送")
REPORT_LOOK: dict[str, Look] = {
    "已报送": replace(TASK_STATUS_LOOK[TaskStatus.ON_TRACK], label="已报送"),
    "逾期报送": replace(TASK_STATUS_LOOK[TaskStatus.NOT_STARTED], label="逾期报送"),
    "未报送": TASK_STATUS_LOOK[TaskStatus.NOT_REPORTED],
}


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


def _rows_figure(title: str, labels: Sequence[str], row_px: int, *, n_rows: int | None = None,
                 legend_rows: int = 1, bottom: int = 60, right: int = 30) -> go.Figure:
    """An empty figure for a chart of rows named down the left (bars, heatmaps): its height grows with
    the rows (`n_rows`, default one per label), its left margin fits the longest label."""
    rows = len(labels) if n_rows is None else n_rows
    height = _rows_height(rows, row_px, legend_rows=legend_rows, bottom=bottom)
    fig = go.Figure()
    fig.update_layout(**_base_layout(title, height=height, legend_rows=legend_rows, left=_left_margin(labels),
                                     bottom=bottom, right=right))
    return fig


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


def _legend_label(status: Status, rows: pd.DataFrame) -> str:
    """The status label(s) the assessment itself used (已完成 at the end of the plan), else lib.status's."""
    if "status_label" in rows.columns and len(rows):
        # At the plan's end, indicators judged on earlier data keep their monitoring label: name both.
        return "/".join(dict.fromkeys(str(v) for v in rows["status_label"]))
    return status_label(status)



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


def _state_heatmap(name: str, x: Sequence, y: Sequence, z: np.ndarray, text: list[list[str]],
                   looks: Sequence[Look], *, gap: int, font_size: int, customdata: list,
                   hovertemplate: str) -> go.Heatmap:
    """A heatmap of states (`_state_cells`): cell value i in looks[i]'s colour with its icon as text, no
    colour bar (the states' legend is `_legend_swatches`), empty cells without hover."""
    return go.Heatmap(
        name=name, x=x, y=y, z=z.tolist(), zmin=-0.5, zmax=len(looks) - 0.5,
        colorscale=_discrete_colourscale([lk.colour for lk in looks]), showscale=False, xgap=gap, ygap=gap,
        text=text, texttemplate="%{text}", textfont=dict(size=font_size), customdata=customdata, hoverongaps=False,
        hovertemplate=hovertemplate,
    )


def _state_cells(grid: pd.DataFrame, codes: Sequence[str], looks: Sequence[Look]) -> tuple[np.ndarray, list[list[str]]]:
    """A grid of state codes → (z: the code's position, NaN where empty; text: the state's icon) for a
    discrete-colour heatmap, so every cell reads without colour too."""
    z = grid.apply(lambda col: col.map(lambda s: codes.index(s) if s in codes else np.nan)).to_numpy(dtype=float)
    text = [[looks[int(v)].icon if not np.isnan(v) else "" for v in row] for row in z]
    return z, text
