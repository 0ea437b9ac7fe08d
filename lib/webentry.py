"""网页填报: a unit fills its quarter's rows in an editable table instead of an Excel template.

    indicators, tasks = entry_tables(plan, "观音垱镇", 2026, 3, last_values=store_frame)
    data = entry_workbook(plan, "观音垱镇", 2026, 3, edited_indicators, edited_tasks)

The tables hold the same rows as the unit's template (`plan.responsibilities(unit)`, plan order) with the
same columns the clerk fills; ids, names and the unit are pre-filled and not editable. `entry_workbook`
turns the edited tables back into a contract workbook (lib.xlsx), so what is checked, previewed, stored
and later downloaded is exactly what an uploaded file would be: one validator, one submission record.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from lib import fmt
from lib.periods import Period, period_index
from lib.plan import Plan
from lib.schema import INDICATOR_SHEET, TASK_SHEET
from lib.xlsx import workbook_bytes, write_progress_workbook

MEASURE = "计量单位"
LAST_VALUE = "上期数值"
# The editor's columns: Chinese labels from lib.schema, plus two read-only reference columns.
INDICATOR_COLUMNS = [INDICATOR_SHEET.label_of(c) for c in ("indicator_id", "indicator_name")] + [MEASURE, LAST_VALUE] + \
    [INDICATOR_SHEET.label_of(c) for c in ("value", "annual_target", "note")]
TASK_COLUMNS = [TASK_SHEET.label_of(c) for c in ("task_id", "task_name", "state", "percent", "progress", "problems",
                                                  "next_steps")]
READ_ONLY = [INDICATOR_SHEET.label_of("indicator_id"), INDICATOR_SHEET.label_of("indicator_name"), MEASURE, LAST_VALUE,
             TASK_SHEET.label_of("task_id"), TASK_SHEET.label_of("task_name")]


def entry_file_name(year: int, quarter: int) -> str:
    """The stored file's name, e.g. 网页填报_2026Q3.xlsx."""
    return f"网页填报_{Period(int(year), int(quarter))}.xlsx"


def _last_values(values: pd.DataFrame | None, year: int, quarter: int) -> dict[str, float]:
    """indicator_id → its latest value strictly before (year, quarter)."""
    if values is None or values.empty:
        return {}
    frame = values[["indicator_id", "year", "quarter", "value"]].dropna()
    frame = frame.assign(idx=period_index(frame["year"].astype(int), frame["quarter"].astype(int)))
    frame = frame[frame["idx"] < period_index(int(year), int(quarter))].sort_values("idx")
    return dict(zip(frame["indicator_id"], frame["value"]))


def entry_tables(plan: Plan, unit: str, year: int, quarter: int,
                 last_values: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicator table, task table) for the editor; the fill-in cells are empty, as in the template."""
    resp = plan.responsibilities(unit)
    ind = plan.indicators.set_index("indicator_id")
    ind_ids = resp.loc[resp["item_type"] == "指标", "item_id"].tolist()
    last = _last_values(last_values, year, quarter)
    indicators = pd.DataFrame({
        INDICATOR_COLUMNS[0]: ind_ids,
        INDICATOR_COLUMNS[1]: [ind.at[i, "name"] for i in ind_ids],
        MEASURE: [ind.at[i, "unit"] for i in ind_ids],
        LAST_VALUE: [fmt.with_unit(last[i], ind.at[i, "unit"]) if i in last else "—" for i in ind_ids],
        INDICATOR_COLUMNS[4]: pd.Series([math.nan] * len(ind_ids), dtype="float64"),
        INDICATOR_COLUMNS[5]: pd.Series([math.nan] * len(ind_ids), dtype="float64"),
        INDICATOR_COLUMNS[6]: pd.Series([""] * len(ind_ids), dtype=object),
    }, columns=INDICATOR_COLUMNS)
    tasks = resp[resp["item_type"] == "任务"]
    n = len(tasks)
    task_table = pd.DataFrame({
        TASK_COLUMNS[0]: tasks["item_id"].tolist(), TASK_COLUMNS[1]: tasks["name"].tolist(),
        TASK_COLUMNS[2]: pd.Series([None] * n, dtype=object),
        TASK_COLUMNS[3]: pd.Series([math.nan] * n, dtype="float64"),
        **{c: pd.Series([""] * n, dtype=object) for c in TASK_COLUMNS[4:]},
    }, columns=TASK_COLUMNS)
    return indicators, task_table


def _blank_to_none(value: object) -> object:
    """Empty editor cells become empty workbook cells (a "" cell would count as filled in)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def _filled(table: pd.DataFrame, sheet, names: list[str]) -> pd.Series:
    """Rows where the clerk typed something in a fill-in cell; untouched rows are not reported."""
    cells = table[[sheet.label_of(n) for n in names]].map(_blank_to_none)
    return cells.notna().any(axis=1)


def _contract_rows(table: pd.DataFrame, sheet, names: list[str], unit: str, year: int, quarter: int) -> pd.DataFrame:
    rows = pd.DataFrame({name: table[sheet.label_of(name)].map(_blank_to_none).astype(object) for name in names})
    rows["year"], rows["quarter"], rows["unit"] = year, quarter, unit
    return rows.reindex(columns=sheet.names).reset_index(drop=True)


@dataclass(frozen=True)
class WebEntry:
    """The workbook built from the tables, and where each of its rows came from."""
    data: bytes
    row_labels: dict[tuple[str, int], str]   # (sheet, workbook row) → the item id the clerk sees in the table
    indicator_rows: int
    task_rows: int
    skipped: int                             # untouched rows, left out (nothing to report for them)


_IND_FILL = ["value", "annual_target", "note"]
_TASK_FILL = ["state", "percent", "progress", "problems", "next_steps"]


def entry_workbook(plan: Plan, unit: str, year: int, quarter: int, indicators: pd.DataFrame,
                   tasks: pd.DataFrame) -> WebEntry:
    """The contract workbook holding the rows the clerk filled in (inputs are not changed). Untouched rows
    are left out, as "nothing to report this quarter"; a sheet with no filled row keeps its headers."""
    canonical = plan.units.resolve(unit) or unit
    ind = indicators[_filled(indicators, INDICATOR_SHEET, _IND_FILL)]
    task = tasks[_filled(tasks, TASK_SHEET, _TASK_FILL)]
    ind_rows = _contract_rows(ind, INDICATOR_SHEET, ["indicator_id", "indicator_name", *_IND_FILL], canonical, year, quarter)
    task_rows = _contract_rows(task, TASK_SHEET, ["task_id", "task_name", *_TASK_FILL], canonical, year, quarter)
    wb = write_progress_workbook(ind_rows, task_rows)
    wb.properties.title = f"网页填报 {canonical} {year}年第{quarter}季度"
    labels = {(INDICATOR_SHEET.label, n + 2): str(i) for n, i in enumerate(ind_rows["indicator_id"])}
    labels |= {(TASK_SHEET.label, n + 2): str(t) for n, t in enumerate(task_rows["task_id"])}
    return WebEntry(workbook_bytes(wb), labels, len(ind_rows), len(task_rows),
                    len(indicators) + len(tasks) - len(ind_rows) - len(task_rows))
