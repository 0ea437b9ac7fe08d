"""Check one contract sheet, column by column and row by row (part of lib.workbook's reader;
docs/workbook-format.md): header, blank and untouched template rows, the cells calamine hides (merges,
formulas without a value, error cells), then each row's ids, names, unit, year, quarter and numbers
against the plan. Every problem is collected with the Excel row and the column label, never stopping at
the first; the findings are capped per code (lib.findings.FindingCap) and the CPU clock is looked at
every BUDGET_CHECK_ROWS rows (BudgetExceeded past the deadline). Blank and untouched template rows are
found with a mask per column; indicator rows that pass every rule are found a column at a time
(lib.plainrows) and only their warnings listed, in row order with the rows check_row checks.

    frame, data_rows = _IndicatorChecker(INDICATOR_SHEET, info, raw, context, findings).run()
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

import numpy as np
import pandas as pd

from lib.cells import (NUM_BAD, NUM_DATE, _cached, clean_text, group_codes, grouped_map, is_blank, normalise_id,
                       parse_number, parse_quarter, parse_year, show)
from lib.findings import Finding, FindingCap, Severity, finding
from lib.plainrows import Columns, PlainRows, plain_indicator_rows
from lib.plan import Plan
from lib.coerce import coerce
from lib.messages import severity as catalogue_severity
from lib.schema import INDICATOR_SHEET, TASK_SHEET, Table
from lib.sheetxml import Cell, SheetInfo, column_letters
from lib.units import is_responsible, normalise_name

MAX_TEXT_CHARS = 5000
HEADER_SEARCH_ROWS = 10     # how far down to look for a header that is not in row 1
PERCENT_UNIT = "%"
QUOTA_KIND = "quota"
WARN = Severity.WARNING
BUDGET_CHECK_ROWS = 2048    # rows between looks at the clock


class BudgetExceeded(Exception):
    """Validation ran past settings `validate_budget_s`."""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """frame.to_dict("records"), the same Python values, built from whole columns: to_dict boxes cell by cell,
    0.18 s for a plan of 5,000 indicators, read again for every upload."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))]


@dataclass
class _Context:
    plan: Plan
    submitter: str | None
    known_targets: dict[tuple[str, int], float]
    indicators: dict[str, dict[str, Any]]
    tasks: dict[str, dict[str, Any]]
    first_year: int
    last_year: int
    responsible_cache: dict[tuple[str, str], bool] = field(default_factory=dict)
    cap: FindingCap = field(default_factory=FindingCap)
    deadline: float = math.inf

    def check_clock(self) -> None:
        """CPU seconds, not wall: a busy server must not refuse a file that is merely waiting its turn."""
        if time.process_time() > self.deadline:
            raise BudgetExceeded

    @classmethod
    def build(cls, plan: Plan, unit: str | None, known: pd.DataFrame | None, findings: list[Finding]) -> "_Context":
        submitter = None
        if unit is not None and str(unit).strip():
            submitter = plan.units.resolve(unit)
            if submitter is None:
                findings.append(finding("wb.submitter_unknown", value=unit, suggestion=_unit_suggestion(plan, unit)))
        indicators = {}
        for rec in _records(plan.indicators):
            rec["names"] = (*rec["lead_units"], *rec["responsible_units"])
            for key, default in (("hard_min", -math.inf), ("hard_max", math.inf), ("plausible_min", -math.inf),
                                 ("plausible_max", math.inf)):
                rec[key] = default if pd.isna(rec[key]) else float(rec[key])
            rec["fraction_suspect"] = rec["unit"] == PERCENT_UNIT and rec["plausible_min"] > 1
            indicators[rec["indicator_id"]] = rec
        tasks = {}
        for rec in _records(plan.tasks):
            rec["names"] = (*rec["lead_units"], *rec["responsible_units"])
            tasks[rec["task_id"]] = rec
        targets: dict[tuple[str, int], float] = {}
        if known is not None and len(known):
            for rec in known[["indicator_id", "year", "annual_target"]].dropna().itertuples(index=False):
                targets[(str(rec.indicator_id).upper(), int(rec.year))] = float(rec.annual_target)
        return cls(plan, submitter, targets, indicators, tasks, plan.base_year + 1, plan.target_year)

    def responsible(self, names: tuple[str, ...], item_id: str, unit: str) -> bool:
        key = (item_id, unit)
        if key not in self.responsible_cache:
            self.responsible_cache[key] = is_responsible(self.plan.units, names, unit)
        return self.responsible_cache[key]


@functools.lru_cache(maxsize=None)
def _severity(code: str) -> Severity:
    """The catalogue's severity (lib.messages.WARNING_CODES), looked up once per code, not once per finding."""
    return Severity(catalogue_severity(code))


def _unit_suggestion(plan: Plan, name: object) -> str:
    close = plan.units.closest(name)
    return f",是否为:{'、'.join(close)}" if close else ",请按单位名录填写全称"


def _id_suggestion(name: str, known: list[str]) -> str:
    close = get_close_matches(name, known, n=3, cutoff=0.6)
    return f"(是否为 {'、'.join(close)}?)" if close else f"(如 {'、'.join(known[:3])})"


def _fmt(number: float) -> str:
    return show(float(number))


def _plain_stretches(ok: np.ndarray) -> dict[int, int]:
    """Start → end (exclusive) of each stretch of True in `ok`: [T, T, F, T] → {0: 2, 3: 4}."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    return dict(zip(edges[::2].tolist(), edges[1::2].tolist()))


class _SheetChecker:
    """Shared by both sheets: header, blank rows, the cells calamine hides, unit, year and quarter."""

    def __init__(self, table: Table, sheet: SheetInfo, raw: pd.DataFrame, context: _Context, findings: list[Finding]):
        self.table, self.info, self.raw, self.ctx, self.findings = table, sheet, raw, context, findings
        self.sheet = table.label
        self.columns: dict[str, int] = {}          # internal name → column index
        self.explained: set[Cell] = set()          # cells whose emptiness another finding explains
        self.error_rows: set[int] = set()          # rows hit by a merge, a formula without value, an error cell
        self.row_has_error = False

    # findings --------------------------------------------------------------------------------------
    def add(self, code: str, row: int | None, name_or_label: str, value: object = "", **params: object) -> None:
        if self.admit(code):
            self.append(code, row, name_or_label, value, **params)

    def admit(self, code: str) -> bool:
        """Count a finding of `code` (an error marks the row); True while the cap lets it be listed (False:
        counted; the summary says how many more)."""
        return self.admit_many(code, 1) == 1

    def append(self, code: str, row: int | None, name_or_label: str, value: object = "", **params: object) -> None:
        """List a finding `admit` let through (callers that admit first build the message only when listed)."""
        label = self.table.label_of(name_or_label) if name_or_label in self.table.names else name_or_label
        self.findings.append(finding(code, _severity(code), sheet=self.sheet, row=row, column=label, value=value,
                                     **params))

    # header ----------------------------------------------------------------------------------------
    def header(self) -> bool:
        raw = self.raw
        by_label = self.table.by_label()
        first = [normalise_name(v) if not is_blank(v) else "" for v in (raw.iloc[0].tolist() if len(raw) else [])]
        if not any(label in by_label for label in first):
            for i in range(1, min(HEADER_SEARCH_ROWS, len(raw))):
                labels = {normalise_name(v) for v in raw.iloc[i].tolist() if not is_blank(v)}
                if len(labels & set(by_label)) >= 2:
                    self.add("wb.header_not_first_row", 1, "", value="", header_row=i + 1)
                    return False
        for idx, label in enumerate(first):
            if label in by_label:
                name = by_label[label].name
                if name in self.columns:
                    self.add("wb.column_duplicate", 1, label, value=label)
                else:
                    self.columns[name] = idx
            elif label:
                self.add("wb.column_extra", 1, str(raw.iat[0, idx]).strip(), value=str(raw.iat[0, idx]).strip())
            elif any(not is_blank(v) for v in raw.iloc[1:, idx].tolist()):
                letter = f"{column_letters(idx)}列"
                self.add("wb.column_extra", 1, letter, value=f"{letter}(无表头)")
        for col in self.table.required:
            if col.name not in self.columns:
                self.add("wb.column_missing", 1, col.label, value=col.label)
        return True

    # hidden cells ------------------------------------------------------------------------------------
    def label_at(self, col: int) -> str | None:
        for name, idx in self.columns.items():
            if idx == col:
                return self.table.label_of(name)
        return None

    def hidden_cells(self) -> None:
        """Merges, formulas without a value and error cells in the contract columns below the header."""
        contract = set(self.columns.values())
        last_row = len(self.raw)              # Excel row of the frame's last row
        for (r1, c1), (r2, c2) in self.info.merges:
            # Range arithmetic: the merge is clipped to the data area (rows 2…last_row, contract columns)
            # before any cell is listed, so A3:XFD1048576 costs no more than the sheet's own cells.
            cols = sorted(c for c in contract if c1 <= c <= c2)
            top, bottom = max(r1, 2), min(r2, last_row)
            if r2 < 2 or not cols:
                continue
            ref = f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}"
            self.add("wb.merged_cells", top, self.label_at(cols[0]) or "", value=ref)
            self.explained |= {(r, c) for r in range(top, bottom + 1) for c in cols if (r, c) != (r1, c1)}
            self.error_rows |= set(range(top, bottom + 1))
        for cells, code in ((self.info.formulas_without_value, "wb.formula_no_value"), (self.info.error_cells, "wb.cell_error")):
            for (r, c), text in sorted(cells.items()):
                if r >= 2 and c in contract:
                    self.add(code, r, self.label_at(c) or "", value=text)
                    self.explained.add((r, c))
                    self.error_rows.add(r)
        self.row_has_error = False

    # cells ---------------------------------------------------------------------------------------
    def cell(self, values: dict[str, list], name: str, k: int) -> object:
        column = values.get(name)
        return "" if column is None else column[k]

    def required(self, values: dict[str, list], name: str, k: int, row: int) -> bool:
        """True when the cell has content; otherwise report it (unless a merge/formula explains it)."""
        if name not in self.columns:
            self.row_has_error = True   # wb.column_missing already says so; the row cannot be stored
            return False
        if not self.is_blank(values[name][k]):
            return True
        if (row, self.columns[name]) not in self.explained:
            self.add("wb.required_empty", row, name)
        return False

    def text(self, values: dict[str, list], name: str, k: int, row: int) -> str:
        text = self.clean_text(self.cell(values, name, k))
        if len(text) > MAX_TEXT_CHARS:
            self.add("wb.text_too_long", row, name, value=len(text), max_chars=MAX_TEXT_CHARS)
        return text

    def year(self, values: dict[str, list], k: int, row: int) -> int | None:
        if not self.required(values, "year", k, row):
            return None
        raw = values["year"][k]
        year = self.parse_year(raw)
        if year is None:
            self.add("wb.year_invalid", row, "year", value=show(raw), example=self.ctx.last_year)
            return None
        if not self.ctx.first_year <= year <= self.ctx.last_year:
            self.add("wb.year_outside_plan", row, "year", value=year, first=self.ctx.first_year, last=self.ctx.last_year)
            return None
        return year

    def quarter(self, values: dict[str, list], k: int, row: int) -> int | None:
        if not self.required(values, "quarter", k, row):
            return None
        raw = values["quarter"][k]
        quarter = self.parse_quarter(raw)
        if quarter is None:
            self.add("wb.quarter_invalid", row, "quarter", value=show(raw))
        return quarter

    def unit(self, values: dict[str, list], k: int, row: int) -> str | None:
        """Canonical unit of the row when it may report; None (with a finding) otherwise."""
        if not self.required(values, "unit", k, row):
            return None
        raw = values["unit"][k]
        canonical = self.resolve_unit(raw)
        directory = self.ctx.plan.units
        if canonical is None:
            self.add("wb.unknown_unit", row, "unit", value=show(raw), suggestion=_unit_suggestion(self.ctx.plan, raw))
            return None
        if directory.units[canonical].is_group:
            self.add("wb.unit_is_group", row, "unit", value=show(raw))
            return None
        if self.ctx.submitter is not None and canonical != self.ctx.submitter:
            self.add("wb.unit_mismatch", row, "unit", value=show(raw), unit=self.ctx.submitter)
            return None
        return canonical

    def number(self, raw: object, row: int, name: str, example: str) -> tuple[float | None, bool]:
        number, status, percent_sign = self.parse_number(raw)
        if status == NUM_DATE:
            self.add("wb.date_not_number", row, name, value=show(raw))
        elif status == NUM_BAD:
            self.add("wb.not_number", row, name, value=show(raw), example=example)
        return number, percent_sign

    def item(self, kind: str, item_id: str, title: str) -> str:
        return f"{kind} {item_id}「{title}」"

    # driver ---------------------------------------------------------------------------------------
    def run(self) -> tuple[pd.DataFrame, int]:
        self.parse_year = _cached(parse_year)
        self.parse_quarter = _cached(parse_quarter)
        self.parse_number = _cached(parse_number)
        self.resolve_unit = _cached(self.ctx.plan.units.resolve)
        self.normalise_id = _cached(normalise_id)
        self.clean_text = _cached(clean_text)
        self.normalise_name = _cached(normalise_name)
        self.is_blank = _cached(is_blank)
        columns = self.table.names
        start = len(self.findings)
        if not self.header():
            return pd.DataFrame(columns=[*columns, "row"]), 0
        self.hidden_cells()
        values = {name: self.raw.iloc[1:, idx].tolist() for name, idx in self.columns.items()}
        n = len(self.raw) - 1
        # Each column grouped once (lib.cells.group_codes): the blank masks and every plain-row rule share it.
        codes = {name: group_codes(column) for name, column in values.items()}
        blank = {name: grouped_map(is_blank, codes[name], column, dtype=bool) for name, column in values.items()}
        candidate, unfilled = self.data_rows(values, blank, n)
        plain = self.plain_rows(Columns(values, codes, blank), candidate)
        records: list[dict[str, Any]] = []
        count = 0
        check_clock = self.ctx.check_clock
        rows = np.flatnonzero(candidate)
        # A stretch of plain rows is handled at once: each warning code's rows by mask, counted in bulk, the
        # messages built only for those the cap lists. The cap admits per code in row order, as row by row
        # would, and the findings are sorted by row below (stably: a row's codes keep their order).
        starts = _plain_stretches(plain.ok[rows]) if plain is not None else {}
        i = 0
        while i < len(rows):
            if i in starts:
                check_clock()
                end = starts[i]
                self.plain_warnings(plain, rows[i:end])
                count, i = count + end - i, end
                continue
            k = int(rows[i])
            i += 1
            if count % BUDGET_CHECK_ROWS == 0:
                check_clock()
            row = k + 2
            count += 1
            self.row_has_error = False
            record = self.check_row(values, k, row)
            if record is not None and not self.row_has_error and row not in self.error_rows:
                record["row"] = row
                records.append(record)
        self.after_rows()
        if unfilled:
            shown = "、".join(map(str, unfilled[:10])) + ("…" if len(unfilled) > 10 else "")
            self.findings.append(finding("wb.rows_not_filled", sheet=self.table.label, value=shown,
                                         count=len(unfilled)))
        self.findings[start:] = sorted(self.findings[start:], key=lambda f: f.row or 0)  # stable: row order
        if plain is None or plain.frame.empty:
            return self.frame(records), count
        rest = pd.DataFrame.from_records(records, columns=[*self.table.names, "row"])
        both = pd.concat([plain.frame, rest], ignore_index=True) if records else plain.frame
        return self.frame(both.sort_values("row", kind="stable", ignore_index=True)), count

    def data_rows(self, values: dict[str, list], blank: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, list[int]]:
        """A mask of the rows to check (not blank, not an untouched template row) and the Excel rows of the
        untouched template rows: a row whose fill-in cells are all empty means "nothing to report"."""
        filled = ~np.logical_and.reduce(list(blank.values())) if blank else np.zeros(n, dtype=bool)
        fill_in = [blank[name] for name in self.table.fill_in if name in values]
        if not fill_in:
            return filled, []
        template = filled & np.logical_and.reduce(fill_in) & ~np.isin(np.arange(2, n + 2), list(self.error_rows))
        template[template] = [self.is_known_id(values, k) for k in np.flatnonzero(template).tolist()]
        return filled & ~template, (np.flatnonzero(template) + 2).tolist()

    def plain_rows(self, columns: Columns, candidate: np.ndarray) -> PlainRows | None:
        """Rows known to pass every rule (lib.plainrows); None: check every row one by one."""
        return None

    def plain_warnings(self, plain: PlainRows, ks: np.ndarray) -> None:
        raise NotImplementedError

    def admit_many(self, code: str, n: int) -> int:
        """`admit` for `n` findings of one code at once: how many of them the cap still lists."""
        severity = _severity(code)
        if severity is Severity.ERROR:
            self.row_has_error = True
        return self.ctx.cap.admit_many(code, severity, self.sheet, n)

    def check_row(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        raise NotImplementedError

    def is_known_id(self, values: dict[str, list], k: int) -> bool:
        """An untouched template row names a real plan item; anything else is checked as data."""
        id_col = self.table.names[0]
        items = self.ctx.indicators if self.table is INDICATOR_SHEET else self.ctx.tasks
        return id_col in values and self.normalise_id(values[id_col][k]) in items

    def after_rows(self) -> None:
        """Checks that need every row first."""

    def frame(self, records: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
        """The checked rows, typed by the schema (lib.coerce; they were checked, so no findings)."""
        frame = records if isinstance(records, pd.DataFrame) else \
            pd.DataFrame.from_records(records, columns=[*self.table.names, "row"])
        return coerce(frame, self.table, self.table.names, keep=("row",)).frame


class _IndicatorChecker(_SheetChecker):
    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen: dict[tuple[str, int, int], int] = {}
        self.targets: dict[tuple[str, int], tuple[int, float]] = {}
        self.quota_rows: dict[tuple[str, int], int] = {}

    def plain_rows(self, columns: Columns, candidate: np.ndarray) -> PlainRows | None:
        return plain_indicator_rows(self, columns, candidate, MAX_TEXT_CHARS)

    def plain_warnings(self, plain: PlainRows, ks: np.ndarray) -> None:
        """The warnings check_row gives plain rows (frame rows `ks`, in order), code by code in check_row's
        order; a message is built only for the ones the cap lists."""
        for code, mask, listed in (("wb.name_mismatch", plain.name_mismatch, self._name_mismatch),
                                   ("wb.target_not_quota", plain.target_warning, self._target_not_quota),
                                   ("wb.value_implausible", plain.implausible, self._implausible)):
            hits = ks[mask[ks]]
            if len(hits):
                for k in hits[:self.admit_many(code, len(hits))].tolist():
                    listed(plain, k)

    def _name_mismatch(self, plain: PlainRows, k: int) -> None:
        info = plain.infos[k]
        self.append("wb.name_mismatch", k + 2, "indicator_name", value=plain.names[k], item_id=info["indicator_id"],
                    expected=info["name"])

    def _target_not_quota(self, plain: PlainRows, k: int) -> None:
        self.append("wb.target_not_quota", k + 2, "annual_target", value=_fmt(plain.targets[k]))

    def _implausible(self, plain: PlainRows, k: int) -> None:
        low, high = plain.infos[k]["plausible_min"], plain.infos[k]["plausible_max"]
        self.append("wb.value_implausible", k + 2, "value", value=_fmt(plain.numbers[k]),
                    low=_fmt(low) if math.isfinite(low) else "", high=_fmt(high) if math.isfinite(high) else "")

    def indicator(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        if not self.required(values, "indicator_id", k, row):
            return None
        raw = values["indicator_id"][k]
        iid = self.normalise_id(raw)
        info = self.ctx.indicators.get(iid)
        if info is None:
            self.add("wb.unknown_indicator", row, "indicator_id", value=show(raw),
                     suggestion=_id_suggestion(iid, list(self.ctx.indicators)))
        return info

    def bounded(self, number: float, info: dict[str, Any], row: int, name: str, formatted: bool, plausible: bool) -> bool:
        """Checks a number against the indicator; False when it is an error."""
        if formatted:
            self.add("wb.percent_formatted_value", row, name, value=_fmt(number))
            return False
        if info["fraction_suspect"] and 0 < abs(number) <= 1:
            self.add("wb.percent_as_fraction", row, name, value=_fmt(number))
            return False
        low, high = info["hard_min"], info["hard_max"]
        if not low <= number <= high:
            self.add("wb.value_out_of_bounds", row, name, value=_fmt(number), bounds=_bounds_text(low, high, info["unit"]))
            return False
        low, high = info["plausible_min"], info["plausible_max"]
        if plausible and not low <= number <= high:
            self.add("wb.value_implausible", row, name, value=_fmt(number),
                     low=_fmt(low) if math.isfinite(low) else "", high=_fmt(high) if math.isfinite(high) else "")
        return True

    def numeric(self, values: dict[str, list], name: str, k: int, row: int, info: dict[str, Any] | None,
                plausible: bool) -> float | None:
        raw = values[name][k]
        number, percent_sign = self.number(raw, row, name, "8.5")
        if number is None:
            return None
        if percent_sign and (info is None or info["unit"] != PERCENT_UNIT):
            self.add("wb.not_number", row, name, value=show(raw), example="8.5")
            return None
        if info is None:
            return number
        formatted = (row, self.columns[name]) in self.info.percent_cells
        return number if self.bounded(number, info, row, name, formatted, plausible) else None

    def check_row(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        info = self.indicator(values, k, row)
        iid = info["indicator_id"] if info else None
        name = self.text(values, "indicator_name", k, row)
        if info and name and self.normalise_name(name) != self.normalise_name(info["name"]):
            self.add("wb.name_mismatch", row, "indicator_name", value=name, item_id=iid, expected=info["name"])
        year = self.year(values, k, row)
        quarter = self.quarter(values, k, row)
        unit = self.unit(values, k, row)
        if info and unit and not self.ctx.responsible(info["names"], iid, unit):
            self.add("wb.not_responsible", row, "unit", value=show(values["unit"][k]), unit=unit,
                     item=self.item("指标", iid, info["name"]))
        target = None
        has_target = "annual_target" in values and not self.is_blank(values["annual_target"][k])
        if has_target:
            target = self.numeric(values, "annual_target", k, row, info, plausible=False)
            if target is not None and info and info["kind"] != QUOTA_KIND:
                self.add("wb.target_not_quota", row, "annual_target", value=_fmt(target))
                target = None
        value = float("nan")
        if "value" in self.columns:
            if self.is_blank(values["value"][k]):
                if not has_target and (row, self.columns["value"]) not in self.explained:
                    self.add("wb.value_empty", row, "value")
            else:
                number = self.numeric(values, "value", k, row, info, plausible=True)
                value = float("nan") if number is None else number
        if iid and year is not None and quarter is not None:
            key = (iid, year, quarter)
            if key in self.seen:
                self.add("wb.duplicate_period", row, "indicator_id", value=f"{iid} {year}年第{quarter}季度", first_row=self.seen[key])
            else:
                self.seen[key] = row
        if iid and year is not None and target is not None:
            self.record_target(iid, year, target, row)
        if info and info["kind"] == QUOTA_KIND and year is not None and not math.isnan(value):
            self.quota_rows.setdefault((iid, year), row)
        if self.row_has_error:
            return None
        return {"indicator_id": iid, "indicator_name": name, "year": year, "quarter": quarter, "value": value,
                "annual_target": float("nan") if target is None else target, "unit": unit,
                "note": self.text(values, "note", k, row)}

    def record_target(self, iid: str, year: int, target: float, row: int) -> None:
        key = (iid, year)
        if key in self.targets:
            first_row, first = self.targets[key]
            if not math.isclose(first, target, rel_tol=1e-9, abs_tol=1e-12):
                self.add("wb.target_conflict", row, "annual_target", value=_fmt(target), first_row=first_row, first=_fmt(first))
            return
        self.targets[key] = (row, target)
        old = self.ctx.known_targets.get(key)
        if old is not None and not math.isclose(old, target, rel_tol=1e-9, abs_tol=1e-12):
            self.add("wb.target_changed", row, "annual_target", value=_fmt(target), year=year, old=_fmt(old))

    def after_rows(self) -> None:
        for (iid, year), row in self.quota_rows.items():
            if (iid, year) not in self.targets and (iid, year) not in self.ctx.known_targets:
                self.add("wb.quota_without_target", row, "annual_target", value=year)


class _TaskChecker(_SheetChecker):
    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen: dict[tuple[str, int, int, str], int] = {}

    def task(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        if not self.required(values, "task_id", k, row):
            return None
        raw = values["task_id"][k]
        tid = self.normalise_id(raw)
        info = self.ctx.tasks.get(tid)
        if info is None:
            self.add("wb.unknown_task", row, "task_id", value=show(raw), suggestion=_id_suggestion(tid, list(self.ctx.tasks)))
        return info

    def percent(self, values: dict[str, list], k: int, row: int) -> float | None:
        if not self.required(values, "percent", k, row):
            return None
        raw = values["percent"][k]
        number, _ = self.number(raw, row, "percent", "60")
        if number is None:
            return None
        if (row, self.columns["percent"]) in self.info.percent_cells:
            converted = number * 100
            self.add("wb.percent_converted", row, "percent", value=f"{_fmt(number)}",
                     converted=f"{_fmt(round(converted, 10))}")
            number = round(converted, 10)
        bounds = TASK_SHEET.column("percent")
        if not bounds.min <= number <= bounds.max:
            self.add("wb.percent_out_of_range", row, "percent", value=_fmt(number))
            return None
        return number

    def check_row(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        info = self.task(values, k, row)
        tid = info["task_id"] if info else None
        name = self.text(values, "task_name", k, row)
        if info and name and self.normalise_name(name) != self.normalise_name(info["title"]):
            self.add("wb.name_mismatch", row, "task_name", value=name, item_id=tid, expected=info["title"])
        year = self.year(values, k, row)
        quarter = self.quarter(values, k, row)
        state = None
        if self.required(values, "state", k, row):
            state = self.normalise_name(values["state"][k])
            choices = TASK_SHEET.column("state").choices
            if state not in choices:
                self.add("wb.unknown_state", row, "state", value=show(values["state"][k]), choices="、".join(choices))
        percent = self.percent(values, k, row)
        unit = self.unit(values, k, row)
        if info and unit and not self.ctx.responsible(info["names"], tid, unit):
            self.add("wb.not_responsible", row, "unit", value=show(values["unit"][k]), unit=unit,
                     item=self.item("任务", tid, info["title"]))
        if tid and year is not None and quarter is not None and unit:
            key = (tid, year, quarter, unit)
            if key in self.seen:
                self.add("wb.duplicate_period", row, "task_id", value=f"{tid} {year}年第{quarter}季度({unit})", first_row=self.seen[key])
            else:
                self.seen[key] = row
        texts = {name: self.text(values, name, k, row) for name in ("progress", "problems", "next_steps")}
        if self.row_has_error:
            return None
        return {"task_id": tid, "task_name": name, "year": year, "quarter": quarter, "state": state,
                "percent": percent, **texts, "unit": unit}


def _bounds_text(low: float, high: float, unit: str) -> str:
    suffix = f" {unit}" if unit != PERCENT_UNIT else ""
    if math.isfinite(low) and math.isfinite(high):
        return f"{_fmt(low)}–{_fmt(high)}{suffix}"
    if math.isfinite(low):
        return f"不小于 {_fmt(low)}{suffix}"
    return f"不大于 {_fmt(high)}{suffix}"
