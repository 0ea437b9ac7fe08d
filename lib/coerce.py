"""Frame → typed frame, by the schema (lib/schema.py): the one conversion of progress rows.

The store reads its tables through it (rows to insert, rows read back), and the workbook checker builds its
result frames with it, so a column's type, bounds and choices are spelt only in `lib.schema`. Problems are
collected, never raised, and every one is reported (pandera's lazy validation): a required column that is
missing, a number that is not one, a value outside `min`/`max` or not among `choices`, an empty required
cell. The caller decides what a finding means (the store refuses the rows; data it reads back has none).

Types: "int" → int64 (Int64 while a cell is empty), "float" → float64 (empty = NaN), "str" → object
holding trimmed text ("" when empty; None for an empty required cell, so that the database refuses it
rather than storing "").
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.cells import column_map
from lib.findings import Finding, finding
from lib.schema import Column, Table


@dataclass
class Coerced:
    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    @property
    def missing_columns(self) -> list[str]:
        return [f.value for f in self.findings if f.code == "coerce.column_missing"]

    def records(self) -> list[dict[str, object]]:
        """Plain-Python rows (int, float, str or None) of the frame, for the database."""
        out = self.frame.astype(object).where(self.frame.notna(), None).to_dict("records")
        return [{k: (int(v) if isinstance(v, np.integer) else float(v) if isinstance(v, np.floating) else v)
                 for k, v in rec.items()} for rec in out]


def as_text(value: object) -> str:
    """Trimmed text; "" for an empty cell (None, NaN, NA)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _rows(frame: pd.DataFrame) -> list[int | None] | None:
    """The row the user sees, where the frame carries one (a workbook's `row`); None where it does not."""
    if "row" not in frame.columns:
        return None
    if pd.api.types.is_integer_dtype(frame["row"].dtype) and not frame["row"].hasnans:
        return frame["row"].tolist()   # Python ints already, none missing
    return [None if pd.isna(r) else int(r) for r in frame["row"].tolist()]


def _text_of(values: list[object]) -> list[str]:
    """as_text of each value, once per distinct value (a plain list: iterating an Arrow-backed Series cell by
    cell is 10× slower)."""
    return column_map(as_text, values).tolist()


def _convert(col: Column, raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The typed column and a mask of the cells that could not be converted."""
    if col.dtype in ("int", "float"):
        number = pd.to_numeric(raw, errors="coerce").astype("float64")
        bad = np.zeros(len(raw), dtype=bool)
        missing = np.flatnonzero(number.isna().to_numpy())   # only these can hold text that is not a number
        if missing.size:
            bad[missing] = [t != "" for t in _text_of(raw.iloc[missing].tolist())]
        if col.dtype == "int":
            bad |= number.notna().to_numpy() & (number != np.floor(number)).to_numpy()
            number = number.where(~pd.Series(bad, index=number.index))
            return (number.astype("int64") if number.notna().all() else number.astype("Int64")), bad
        return number, bad
    texts = _text_of(raw.tolist())
    values = [(t or None) for t in texts] if col.required else texts
    return pd.Series(values, index=raw.index, dtype=object), np.zeros(len(raw), dtype=bool)


def coerce(frame: pd.DataFrame | None, table: Table, columns: list[str] | None = None,
           keep: tuple[str, ...] = ()) -> Coerced:
    """A new frame of exactly `columns` (default: the table's stored columns) and then the `keep` columns
    present (such as `row` or `submission_id`, as int64), typed by the schema, with every finding."""
    names = columns or table.stored
    frame = frame if frame is not None else pd.DataFrame(columns=names)
    rows = _rows(frame)
    out: dict[str, pd.Series] = {}
    findings: list[Finding] = []
    for name in names:
        col = table.column(name)
        if name not in frame.columns:
            if col.required:
                findings.append(finding("coerce.column_missing", sheet=table.label, column=col.label, value=name))
            raw = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        else:
            raw = frame[name]
        typed, bad = _convert(col, raw)
        findings += _cell_findings(table, col, raw, typed, bad, rows)
        out[name] = typed
    for name in keep:
        if name in frame.columns:
            out[name] = frame[name].astype("int64")
    return Coerced(pd.DataFrame(out, index=frame.index).reset_index(drop=True), findings)


def _cell_findings(table: Table, col: Column, raw: pd.Series, typed: pd.Series, bad: np.ndarray,
                   rows: list[int | None] | None) -> list[Finding]:
    """Masks per rule over the whole column, then a finding for each cell that fails: first the cells that
    are not numbers, then the empty required cells and the values out of range or not a choice, by row."""
    where = {"sheet": table.label, "column": col.label}

    def row(i: int) -> int | None:
        return None if rows is None else rows[i]

    out = [finding("coerce.not_number", row=row(i), value=as_text(raw.iat[i]), **where) for i in np.flatnonzero(bad)]
    if col.dtype in ("int", "float"):
        numbers = typed.to_numpy(dtype="float64", na_value=np.nan)
        empty = np.isnan(numbers)
        wrong = np.zeros(len(typed), dtype=bool)
        if col.min is not None:
            wrong |= ~empty & (numbers < col.min)
        if col.max is not None:
            wrong |= ~empty & (numbers > col.max)
    else:
        texts = typed.to_numpy(dtype=object)            # str, or None for an empty required cell
        empty = pd.isna(texts) | (texts == "")
        wrong = ~empty & ~typed.isin(col.choices).to_numpy() if col.choices else np.zeros(len(typed), dtype=bool)
    unfilled = empty & ~bad if col.required else np.zeros(len(typed), dtype=bool)
    for i in np.flatnonzero(unfilled | wrong):
        if unfilled[i]:
            out.append(finding("coerce.required_empty", row=row(i), **where))
        elif col.dtype in ("int", "float"):
            out.append(finding("coerce.out_of_range", row=row(i), value=f"{typed.iat[i]:g}", low=_bound(col.min),
                               high=_bound(col.max), **where))
        else:
            out.append(finding("coerce.bad_choice", row=row(i), value=typed.iat[i], choices="、".join(col.choices),
                               **where))
    return out


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
