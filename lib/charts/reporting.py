"""Who has reported what for the as-of quarter: units × items, coloured by reporting state."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts.layout import (
    HEAT_ROW_PX, REPORT_LOOK, REPORT_STATES, _empty_figure, _keep_full_names, _legend_swatches, _rows_figure,
    _state_cells, _state_heatmap,
)
from lib.fmt import abbreviate


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
    fig = _rows_figure(title, labels, HEAT_ROW_PX, bottom=70)
    fig.add_trace(_state_heatmap(
        "报送", items, units, z, text, looks, gap=1, font_size=11, customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"))
    _legend_swatches(fig, looks)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=items, title="指标 / 任务编号",
                     tickangle=-90 if len(items) > 12 else 0, tickfont=dict(size=11), showgrid=False)
    fig.update_yaxes(categoryorder="array", categoryarray=units, tickvals=units, ticktext=labels, autorange="reversed",
                     automargin=True, showgrid=False)
    _keep_full_names(fig, "yaxis", units, units)
    return fig
