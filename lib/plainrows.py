"""The indicator rows that pass every row rule, found a column at a time (part of lib.sheetcheck).

Checking 100,000 rows one at a time through `_IndicatorChecker.check_row` costs ~25 µs a row, most of it
calls. Nearly every row of a real upload is plain: a known indicator, its name, a year and quarter of the
plan, the submitting unit answering for it, numbers within the indicator's hard bounds, no target (or one
on an indicator that is not a quota), a period no other row repeats. Such a row can raise only warnings,
and which ones is known from its cells: 名称不一致 (wb.name_mismatch), 非配额指标的年度目标值
(wb.target_not_quota), 数值超出合理范围 (wb.value_implausible), in that order.

`plain_indicator_rows` computes, per rule, a mask over the candidate rows and marks a row plain only when
every mask passes. Each cell is parsed once per distinct value, a rule of several cells (the unit answering
for the indicator, the name matching it) is asked once per distinct combination (lib.cells.grouped_map),
and the number rules compare arrays of each row's number against its indicator's bounds; the
checker then lists those rows' warnings in row order, interleaved with the full check of every other row,
so the findings, their order and the per-code cap are those of the row-by-row check. Any row a rule could
fault (an unknown id, a blank or unparsable cell, a percent sign or percent format, a quota indicator, a
merged or error cell, a repeated period, text past the length limit …) is left to `check_row`, which owns
the rules and their messages. tests/test_sheetcheck_plain.py holds the two paths to the same findings.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lib.cells import (NUM_OK, clean_text, grouped_map, joint_codes, normalise_id, parse_number, parse_quarter,
                       parse_year)
from lib.units import normalise_name

if TYPE_CHECKING:
    from lib.sheetcheck import _IndicatorChecker

_NEEDED = ("indicator_id", "year", "quarter", "value", "unit")


@dataclass(frozen=True)
class Columns:
    """A sheet's data cells by column name, with each column's `group_codes` and blank mask (computed once
    by the checker and shared by every rule here)."""
    values: dict[str, list]
    codes: dict[str, np.ndarray]
    blank: dict[str, np.ndarray]


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


def _numbers(column: list[object], codes: np.ndarray, bound: "_Bounds", rows: np.ndarray,
             percent_rows: set[int]) -> tuple[np.ndarray, list[float | None], np.ndarray]:
    """A mask of the cells that `_IndicatorChecker.numeric` accepts without an error, their numbers (None where
    not a number) and the numbers as floats (NaN). Compared as arrays: each cell is parsed once per distinct
    value and each indicator's bounds are looked up once per indicator."""
    parsed = grouped_map(parse_number, codes, column).tolist()
    numbers = [p[0] if p[1] == NUM_OK else None for p in parsed]
    number = grouped_map(lambda p: math.nan if p[0] is None else p[0], codes, parsed, dtype=float)
    sign = _mask(codes, lambda p: p[2], parsed)
    magnitude = np.abs(number)
    ok = (~np.isnan(number) & bound.known & ~(sign & ~bound.percent) & ~(bound.fraction & (magnitude > 0) & (magnitude <= 1))
          & (bound.hard_min <= number) & (number <= bound.hard_max) & ~np.isin(rows, list(percent_rows)))
    return ok, numbers, number


@dataclass(frozen=True)
class _Bounds:
    """Per row, its indicator's facts that the number rules read (NaN / False where the id is unknown)."""
    known: np.ndarray
    percent: np.ndarray
    fraction: np.ndarray
    hard_min: np.ndarray
    hard_max: np.ndarray
    plausible_min: np.ndarray
    plausible_max: np.ndarray

    @classmethod
    def of(cls, ids: np.ndarray, infos: list[dict[str, Any] | None]) -> "_Bounds":
        def fact(key: str) -> np.ndarray:
            return grouped_map(lambda i: math.nan if i is None else i[key], ids, infos, dtype=float)
        return cls(known=_mask(ids, lambda i: i is not None, infos),
                   percent=_mask(ids, lambda i: i is not None and i["unit"] == "%", infos),
                   fraction=_mask(ids, lambda i: i is not None and i["fraction_suspect"], infos),
                   hard_min=fact("hard_min"), hard_max=fact("hard_max"),
                   plausible_min=fact("plausible_min"), plausible_max=fact("plausible_max"))


def _mask(codes: np.ndarray, rule: Callable[..., bool], *columns: Sequence[Any]) -> np.ndarray:
    """rule(*a row's cells) as a mask, asked once per group of `codes` (rows of a group hold equal cells)."""
    return grouped_map(rule, codes, *columns, dtype=bool)


def _texts_fit(columns: Columns, name: str, n: int, limit: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """A mask of the texts within the length limit (`_SheetChecker.text`), the texts, and their group codes."""
    if name not in columns.values:
        return np.ones(n, dtype=bool), [""] * n, np.zeros(n, dtype=np.int64)
    column, codes = columns.values[name], columns.codes[name]
    texts = grouped_map(clean_text, codes, column).tolist()
    return _mask(codes, lambda t: len(t) <= limit, texts), texts, codes


def plain_indicator_rows(checker: "_IndicatorChecker", columns: Columns, candidate: np.ndarray,
                         max_text: int) -> PlainRows | None:
    """Which candidate rows (not blank, not an untouched template row) are plain; None when a contract
    column is missing (every row then goes through check_row). Each rule is asked once per distinct
    combination of the cells it reads (`_mask`), not once per row."""
    values, codes, blank = columns.values, columns.codes, columns.blank
    if any(name not in values for name in _NEEDED):
        return None
    ctx, n = checker.ctx, len(candidate)
    rows = np.arange(2, n + 2)
    ids = codes["indicator_id"]
    infos = grouped_map(lambda v: ctx.indicators.get(normalise_id(v)), ids, values["indicator_id"]).tolist()
    ok = candidate & ~blank["indicator_id"] & _mask(ids, lambda i: i is not None and i["kind"] != "quota", infos)
    ok &= ~np.isin(rows, list(checker.error_rows))
    name_fits, names, name_codes = _texts_fit(columns, "indicator_name", n, max_text)
    note_fits, notes, _ = _texts_fit(columns, "note", n, max_text)
    ok &= name_fits & note_fits
    expected = {iid: normalise_name(info["name"]) for iid, info in ctx.indicators.items()}
    name_mismatch = _mask(joint_codes(name_codes, ids),
                          lambda t, i: bool(t) and i is not None and normalise_name(t) != expected[i["indicator_id"]],
                          names, infos)
    year_codes, quarter_codes = codes["year"], codes["quarter"]
    years = grouped_map(parse_year, year_codes, values["year"]).tolist()
    quarters = grouped_map(parse_quarter, quarter_codes, values["quarter"]).tolist()
    year_ok = _mask(year_codes, lambda y: y is not None and ctx.first_year <= y <= ctx.last_year, years)
    quarter_ok = _mask(quarter_codes, lambda q: q is not None, quarters)
    year_ok &= ~blank["year"]
    quarter_ok &= ~blank["quarter"]
    bound = _Bounds.of(ids, infos)
    keyed = candidate & year_ok & quarter_ok & bound.known
    ok &= year_ok & quarter_ok & ~_repeated(ids, infos, years, quarters, keyed)
    unit_codes = codes["unit"]
    units = grouped_map(ctx.plan.units.resolve, unit_codes, values["unit"]).tolist()
    directory = ctx.plan.units
    ok &= ~blank["unit"] & _mask(
        joint_codes(unit_codes, ids),
        lambda u, i: (u is not None and not directory.units[u].is_group and (ctx.submitter is None or u == ctx.submitter)
                      and i is not None and ctx.responsible(i["names"], i["indicator_id"], u)),
        units, infos)
    percent_rows = {col: {r for r, c in checker.info.percent_cells if c == checker.columns[col]}
                    for col in ("value", "annual_target") if col in checker.columns}
    value_ok, numbers, value = _numbers(values["value"], codes["value"], bound, rows, percent_rows["value"])
    has_target = ~blank["annual_target"] if "annual_target" in values else np.zeros(n, dtype=bool)
    targets: list[float | None] = [None] * n
    if has_target.any():
        target_ok, targets, _ = _numbers(values["annual_target"], codes["annual_target"], bound, rows, percent_rows["annual_target"])
        ok &= ~has_target | target_ok
    ok &= np.where(blank["value"], has_target, value_ok)
    implausible = (ok & ~blank["value"] & ~np.isnan(value) & bound.known
                   & ~((bound.plausible_min <= value) & (value <= bound.plausible_max)))
    picked = np.flatnonzero(ok)
    frame = pd.DataFrame({
        "indicator_id": [infos[k]["indicator_id"] for k in picked], "indicator_name": [names[k] for k in picked],
        "year": [years[k] for k in picked], "quarter": [quarters[k] for k in picked],
        "value": [math.nan if blank["value"][k] else numbers[k] for k in picked], "annual_target": math.nan,
        "unit": [units[k] for k in picked], "note": [notes[k] for k in picked], "row": rows[picked]})
    return PlainRows(ok, ok & name_mismatch, ok & has_target, implausible, infos, names, targets, numbers, frame)


def _repeated(ids: np.ndarray, infos: list[dict[str, Any] | None], years: list[int | None],
              quarters: list[int | None], keyed: np.ndarray) -> np.ndarray:
    """Rows whose (indicator, year, quarter) another checked row also has: the first of them included,
    since check_row names it in the duplicate's finding. `keyed` rows name a known indicator. The key is three
    integers (the indicator's number, the year, the quarter), counted in C; rows of one `ids` group name the
    same indicator."""
    picked = np.flatnonzero(keyed)
    out = np.zeros(len(infos), dtype=bool)
    if picked.size:
        indicator, _ = pd.factorize(grouped_map(lambda i: i and i["indicator_id"], ids, infos)[picked])
        year = np.asarray(years, dtype=object)[picked].astype(np.int64)
        quarter = np.asarray(quarters, dtype=object)[picked].astype(np.int64)
        key = joint_codes(indicator.astype(np.int64), year - year.min(), quarter)
        out[picked] = np.bincount(key)[key] > 1
    return out
