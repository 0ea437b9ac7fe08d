"""The task × quarter history as a short list for phones: each task with its status in the last few quarters.

On a 390 px screen the full heatmap (38 tasks × 20 quarters) leaves the cells a few pixels wide; the list
keeps every task name whole and shows the most recent quarters only. Plain pandas (never streamlit);
the page renders it (`ui.task_history_list`).
"""
from __future__ import annotations

import pandas as pd

from lib.periods import Period

RECENT_QUARTERS = 4


def recent_states(history: pd.DataFrame, last: int = RECENT_QUARTERS) -> pd.DataFrame:
    """Tasks (rows, by task id) × the `last` latest quarters of `history` (columns, oldest first): the
    TaskStatus code, "" where the task has no record for that quarter; plus a `title` column first.

    Input columns: task_id, title, period ("2023Q2"), status — as for `charts.task_heatmap`."""
    if history is None or len(history) == 0:
        return pd.DataFrame(columns=["title"])
    frame = history.drop_duplicates(["task_id", "period"], keep="last").astype({"task_id": str, "period": str})
    periods = sorted(pd.unique(frame["period"]), key=lambda p: Period.parse(p).index)[-last:]
    tasks = sorted(pd.unique(frame["task_id"]))
    titles = frame.drop_duplicates("task_id", keep="last").set_index("task_id")["title"].astype(str)
    grid = (frame[frame["period"].isin(periods)].pivot(index="task_id", columns="period", values="status")
            .reindex(index=tasks, columns=periods).fillna("").astype(str))
    grid.insert(0, "title", titles.reindex(tasks).fillna(""))
    grid.columns.name = None
    grid.index.name = "task_id"
    return grid


def short_period(period: str) -> str:
    """"2023Q2" → "23年Q2" (a column heading a phone can fit four of)."""
    return Period.parse(period).short_label


def unit_sections(matrix: pd.DataFrame) -> pd.DataFrame:
    """The unit × section responsibility matrix as one line per unit (for phones): columns unit, sections
    — e.g. "一 牵2 责1 · 三 牵1" (section numeral, items led, items responsible), units in input order.

    Input columns: unit, section_no, role ("牵头单位"/"责任单位"), count — as for
    `charts.responsibility_matrix`."""
    from lib.charts import chinese_numeral
    if matrix is None or len(matrix) == 0:
        return pd.DataFrame(columns=["unit", "sections"])
    frame = matrix.assign(count=pd.to_numeric(matrix["count"]), unit=matrix["unit"].astype(str))
    units = list(pd.unique(frame["unit"]))
    sums = frame.groupby(["unit", "section_no", "role"])["count"].sum()
    lines = []
    for unit in units:
        parts = []
        for no in sorted(sums.loc[unit].index.get_level_values(0).unique()):
            lead, resp = int(sums.get((unit, no, "牵头单位"), 0)), int(sums.get((unit, no, "责任单位"), 0))
            cells = " ".join(p for p in (f"牵{lead}" if lead else "", f"责{resp}" if resp else "") if p)
            if cells:
                parts.append(f"{chinese_numeral(no)} {cells}")
        lines.append(" · ".join(parts))
    return pd.DataFrame({"unit": units, "sections": lines})
