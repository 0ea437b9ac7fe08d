"""Figures that stand alone: the browser copy (room for the toolbar), the PNG button's config, and the
slide copy (as-of subtitle, source footer, 示例数据 mark, full names wrapped)."""
from __future__ import annotations

import plotly.graph_objects as go

from lib.images import safe_filename
from lib.status import STATUS_LOOK, Status
from lib.charts.layout import (
    EXPORT_ROW_PX, FONT_FAMILY, FOOTER_PX, LEGEND_TOP_PX, MIN_HEIGHT, PAD_TOP, SUBTITLE_PX, TEMPLATE,
    TEXT_GREY, TOOLBAR_PX, _left_margin, _legend_at, _top_margin, wrap_label,
)


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
