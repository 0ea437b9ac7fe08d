"""The indicator rows that pass every row rule, found a column at a time (part of lib.sheetcheck).

Checking 100,000 rows one at a time through `_IndicatorChecker.check_row` costs ~25 µs a row, most of it
calls. Nearly every row of a real upload is plain: a known indicator, its name, a year and quarter of the
plan, the submitting unit answering for it, numbers within the indicator's hard bounds, no target (or one
on an indicator that is not a quota), a period no other row repeats. Such a row can raise only warnings,
and which ones is known from its cells: 名称不一致 (wb.name_mismatch), 非配额指标的年度目标值
(wb.target_not_quota), 数值超出合理范围 (wb.value_implausible), in that order.

`plain_indicator_rows` computes, per rule, a mask over the candidate rows (each cell parsed once per
distinct value, lib.cells.column_map) and marks a row plain only when every mask passes; the
checker then lists those rows' warnings in row order, interleaved with the full check of every other row,
so the findings, their order and the per-code cap are those of the row-by-row check. Any row a rule could
fault (an unknown id, a blank or unparsable cell, a percent sign or percent format, a quota indicator, a
merged or error cell, a repeated period, text past the length limit …) is left to `check_row`, which owns
the rules and their messages. tests/test_sheetcheck_plain.py holds the two paths to the same findings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lib.cells import NUM_OK, clean_text, column_map, normalise_id, parse_number, parse_quarter, parse_year
from lib.units import normalise_name

if TYPE_CHECKING:
    from lib.sheetcheck import _IndicatorChecker

_NEEDED = ("indicator_id", "year", "quarter", "value", "unit")


@dataclass
class PlainRows:
    ok: np.ndarray               # per frame row k: True when the row is plain
    name_mismatch: np.ndarray    # per k: the warnings of a plain row
    target_warning: np.ndarray
    implausible: np.ndarray
    infos: list[dict[str, Any] | None]
    names: list[str]
    targets: list[float | None]
    numbers: list[float | None]
    frame: pd.DataFrame          # the plain rows' records (columns of the sheet and `row`)


def _numbers(column: list[object], rows: np.ndarray, infos: list[dict[str, Any] | None],
             percent_rows: set[int]) -> tuple[np.ndarray, list[float | None]]:
    """A mask of the cells that `_IndicatorChecker.numeric` accepts without an error, and their numbers."""
    parsed = column_map(parse_number, column).tolist()
    numbers = [p[0] if p[1] == NUM_OK else None for p in parsed]
    ok = np.fromiter(
        (number is not None and info is not None and not (sign and info["unit"] != "%") and row not in percent_rows
         and not (info["fraction_suspect"] and 0 < abs(number) <= 1) and info["hard_min"] <= number <= info["hard_max"]
         for (number, _, sign), info, row in zip(parsed, infos, rows.tolist())),
        dtype=bool, count=len(column))
    return ok, numbers


def _texts_fit(column: list[object] | None, n: int, limit: int) -> tuple[np.ndarray, list[str]]:
    """A mask of the texts within the length limit (`_SheetChecker.text`), and the texts."""
    if column is None:
        return np.ones(n, dtype=bool), [""] * n
    texts = column_map(clean_text, column).tolist()
    return np.fromiter((len(t) <= limit for t in texts), dtype=bool, count=n), texts


def plain_indicator_rows(checker: "_IndicatorChecker", values: dict[str, list], blank: dict[str, np.ndarray],
                         candidate: np.ndarray, max_text: int) -> PlainRows | None:
    """Which candidate rows (not blank, not an untouched template row) are plain; None when a contract
    column is missing (every row then goes through check_row)."""
    if any(name not in values for name in _NEEDED):
        return None
    ctx, n = checker.ctx, len(candidate)
    rows = np.arange(2, n + 2)
    infos = column_map(ctx.indicators.get, column_map(normalise_id, values["indicator_id"])).tolist()
    ok = candidate & ~blank["indicator_id"] & np.fromiter((i is not None and i["kind"] != "quota" for i in infos),
                                                          dtype=bool, count=n)
    ok &= ~np.isin(rows, list(checker.error_rows))
    name_fits, names = _texts_fit(values.get("indicator_name"), n, max_text)
    note_fits, notes = _texts_fit(values.get("note"), n, max_text)
    ok &= name_fits & note_fits
    shown = column_map(normalise_name, names).tolist()
    expected = {iid: normalise_name(info["name"]) for iid, info in ctx.indicators.items()}
    name_mismatch = np.fromiter(
        (bool(t) and info is not None and s != expected[info["indicator_id"]] for t, s, info in zip(names, shown, infos)),
        dtype=bool, count=n)
    years = column_map(parse_year, values["year"]).tolist()
    quarters = column_map(parse_quarter, values["quarter"]).tolist()
    year_ok = np.fromiter((y is not None and ctx.first_year <= y <= ctx.last_year for y in years), dtype=bool, count=n)
    quarter_ok = np.fromiter((q is not None for q in quarters), dtype=bool, count=n)
    year_ok &= ~blank["year"]
    quarter_ok &= ~blank["quarter"]
    ok &= year_ok & quarter_ok & ~_repeated(infos, years, quarters, candidate & year_ok & quarter_ok)
    units = column_map(ctx.plan.units.resolve, values["unit"]).tolist()
    directory = ctx.plan.units
    ok &= ~blank["unit"] & np.fromiter(
        (u is not None and not directory.units[u].is_group and (ctx.submitter is None or u == ctx.submitter)
         and info is not None and ctx.responsible(info["names"], info["indicator_id"], u)
         for u, info in zip(units, infos)), dtype=bool, count=n)
    percent_rows = {col: {r for r, c in checker.info.percent_cells if c == checker.columns[col]}
                    for col in ("value", "annual_target") if col in checker.columns}
    value_ok, numbers = _numbers(values["value"], rows, infos, percent_rows["value"])
    has_target = ~blank["annual_target"] if "annual_target" in values else np.zeros(n, dtype=bool)
    targets: list[float | None] = [None] * n
    if has_target.any():
        target_ok, targets = _numbers(values["annual_target"], rows, infos, percent_rows["annual_target"])
        ok &= ~has_target | target_ok
    ok &= np.where(blank["value"], has_target, value_ok)
    implausible = ok & ~blank["value"] & np.fromiter(
        (number is not None and info is not None and not info["plausible_min"] <= number <= info["plausible_max"]
         for number, info in zip(numbers, infos)), dtype=bool, count=n)
    picked = np.flatnonzero(ok)
    frame = pd.DataFrame({
        "indicator_id": [infos[k]["indicator_id"] for k in picked], "indicator_name": [names[k] for k in picked],
        "year": [years[k] for k in picked], "quarter": [quarters[k] for k in picked],
        "value": [math.nan if blank["value"][k] else numbers[k] for k in picked], "annual_target": math.nan,
        "unit": [units[k] for k in picked], "note": [notes[k] for k in picked], "row": rows[picked]})
    return PlainRows(ok, ok & name_mismatch, ok & has_target, implausible, infos, names, targets, numbers, frame)


def _repeated(infos: list[dict[str, Any] | None], years: list[int | None], quarters: list[int | None],
              keyed: np.ndarray) -> np.ndarray:
    """Rows whose (indicator, year, quarter) another checked row also has: the first of them included,
    since check_row names it in the duplicate's finding."""
    picked = np.flatnonzero(keyed & np.fromiter((i is not None for i in infos), dtype=bool, count=len(infos)))
    out = np.zeros(len(infos), dtype=bool)
    if picked.size:
        keys = pd.DataFrame({"id": [infos[k]["indicator_id"] for k in picked], "year": [years[k] for k in picked],
                             "quarter": [quarters[k] for k in picked]})
        out[picked] = keys.duplicated(keep=False).to_numpy()
    return out
