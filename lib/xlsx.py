"""Write progress workbooks in the contract format (docs/workbook-format.md).

Used by the sample-data generator, the bad-fixture generator and (with styling on top) the per-unit
template, so all three put the same sheets and headers in the same order.
"""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook

from lib.schema import INDICATOR_SHEET, TASK_SHEET, Table


def _write_sheet(wb: Workbook, table: Table, rows: pd.DataFrame | None) -> None:
    ws = wb.create_sheet(table.label)
    ws.append(table.labels)
    if rows is None:
        return
    frame = rows.reindex(columns=table.names)
    for rec in frame.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA) else v for v in rec])


def write_progress_workbook(indicator_rows: pd.DataFrame | None, task_rows: pd.DataFrame | None) -> Workbook:
    """Rows use the schema's internal column names; sheets get the Chinese headers."""
    wb = Workbook()
    wb.remove(wb.active)
    _write_sheet(wb, INDICATOR_SHEET, indicator_rows)
    if task_rows is not None:
        _write_sheet(wb, TASK_SHEET, task_rows)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
