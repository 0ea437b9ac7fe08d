"""Tables leaving the system (CSV, .xlsx): every text cell that a spreadsheet would run as a formula is
neutralised first, so a department's 备注 such as "=HYPERLINK(...)" stays text on the office's screen."""
from __future__ import annotations

import io

import pandas as pd

FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix a quote to text starting with a formula character (OWASP CSV injection advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) cannot run as formulas; the input is not changed."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel opens Chinese text correctly."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame; text written as strings (xlsxwriter would otherwise turn "=..." into formulas)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as writer:
        for name, frame in sheets.items():
            safe = neutralise(frame)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
            writer.sheets[name[:31]].freeze_panes(1, 0)
    return buf.getvalue()
