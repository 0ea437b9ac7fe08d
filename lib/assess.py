"""Distance to target: how far each indicator and each key task is along its five-year path.

The method is written down in `docs/methodology.md` (for planning officials, with worked examples).
Everything here is vectorised over indicators: progress is pivoted once into an (indicator × quarter)
matrix and each of the seven kinds is computed on its block of rows, so 26,000 indicators stay fast.
Results are DataFrames that carry the inputs they used (baseline, target, latest value, Λ, C …) so a
page can explain "how was this computed" with `explain(row)`.

The outlook (预计可完成 / 预计难以完成) re-runs the same rules on the grid cut four quarters before each
indicator's L, which gives P(L′) "as if assessed as of L′" without a second code path.
Tasks: only the lead units' reports decide a task's status; other units' rows are contributions
(`task_contributions`), and a lead's 已完成 stays until a later lead report says otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd

from lib import settings
from lib.messages import render
from lib.periods import Period, period_index, period_labels, time_elapsed
from lib.plan import Plan
from lib.schema import INDICATOR_PROGRESS_COLUMNS, KINDS_WITH_ACHIEVEMENT, TASK_PROGRESS_COLUMNS
from lib.targets import OFFICE_TARGET_COLUMNS, with_office_targets
from lib.status import Outlook, Status, TaskStatus, is_final, outlook_label, status_label, task_status_label
from lib.units import VIA_ALIAS, VIA_DIRECT, VIA_GROUP, UnitDirectory

EPS = 1e-9  # a value exactly on a boundary takes the better status (spec: comparisons use >= with 1e-9)
TASK_BEHIND_MARGIN = 15.0  # behind when 完成进度 < 100·τ − 15
TASK_NOT_STARTED_UNTIL = 0.2  # 未启动 is tolerated while τ < 0.2
OUTLOOK_LOOKBACK = 4  # L′ is at least four quarters (a year) before L

PROGRESS_COLUMNS = INDICATOR_PROGRESS_COLUMNS   # declared once, in lib.schema
ANNUAL_TARGET_COLUMNS = OFFICE_TARGET_COLUMNS

# How bad a reported 进展状态 is, for choosing among several units' rows (lower = worse).
TASK_STATE_SEVERITY = {"滞后": 0, "未启动": 1, "推进中": 2, "已完成": 3}
STATE_DONE, STATE_BEHIND, STATE_NOT_STARTED = "已完成", "滞后", "未启动"


@dataclass(frozen=True)
class Tolerance:
    path: float = field(default_factory=lambda: float(settings.get("tolerance")))     # δ, share of the five-year path
    pp: float = field(default_factory=lambda: float(settings.get("tolerance_pp")))    # δpp, percentage points (in_step)


# --- inputs ------------------------------------------------------------------------------------

def _frame_with(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """A copy with every contract column present (missing optional ones become NaN)."""
    if frame is None:
        return pd.DataFrame(columns=columns)
    return frame.reindex(columns=columns)


def _period_keys(frame: pd.DataFrame) -> np.ndarray:
    year = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype=float)
    quarter = pd.to_numeric(frame["quarter"], errors="coerce").to_numpy(dtype=float)
    return period_index(year, quarter)


def latest_period(progress: pd.DataFrame | None, plan: Plan | None = None) -> Period | None:
    """The latest quarter that carries a report. For indicator progress a row counts only when it has a
    value (a row carrying only an annual target is not a report); with `plan`, only plan years count."""
    if progress is None or len(progress) == 0:
        return None
    rows = progress[progress["value"].notna()] if "value" in progress.columns else progress
    keys = _period_keys(rows)
    if plan is not None:
        year = keys // 4
        keys = keys[(year >= plan.base_year + 1) & (year <= plan.target_year)]
    keys = keys[~np.isnan(keys)]
    return Period.from_index(int(keys.max())) if keys.size else None


def default_as_of(plan: Plan, *frames: pd.DataFrame | None) -> Period:
    """Latest period present; with no reports at all, the plan's first quarter."""
    found = [p for p in (latest_period(f, plan) for f in frames) if p is not None]
    return max(found) if found else Period(plan.base_year + 1, 1)


@dataclass
class _Grid:
    """Progress pivoted into arrays. Column c of `values` is quarter `first + c` of the plan period."""
    base_year: int
    target_year: int
    first: int                 # period index of (B+1)Q1
    values: np.ndarray         # (indicators × quarters): values used for judging (annual: Q4 only)
    raw: np.ndarray            # the same before the annual mask: what is shown
    targets: np.ndarray        # (indicators × years): assigned annual targets (quota)

    @property
    def years(self) -> int:
        return self.target_year - self.base_year

    def label(self, column: int) -> str:
        return str(Period.from_index(self.first + column))


def _build_grid(plan: Plan, progress: pd.DataFrame, as_of: Period, annual_targets: pd.DataFrame | None) -> _Grid:
    B, T = plan.base_year, plan.target_year
    first, n_years = period_index(B + 1, 1), T - B
    ids = pd.Index(plan.indicators["indicator_id"])
    values = np.full((len(ids), 4 * n_years), np.nan)
    targets = np.full((len(ids), n_years), np.nan)

    key = _period_keys(progress)
    pos = ids.get_indexer(progress["indicator_id"].astype(str).str.strip().str.upper())
    # Only B+1..T count, and rows after the as-of quarter are ignored.
    keep = (pos >= 0) & (key >= first) & (key <= min(as_of.index, period_index(T, 4)))
    rows = pd.DataFrame({"pos": pos[keep], "col": (key[keep] - first).astype(int),
                         "value": pd.to_numeric(progress["value"], errors="coerce").to_numpy(dtype=float)[keep],
                         "target": pd.to_numeric(progress["annual_target"], errors="coerce").to_numpy(dtype=float)[keep]})
    rows = rows.sort_values("col", kind="stable")
    # Same indicator and quarter twice: the later row wins (a later import supersedes an earlier one).
    vals = rows[rows["value"].notna()].drop_duplicates(["pos", "col"], keep="last")
    values[vals["pos"].to_numpy(), vals["col"].to_numpy()] = vals["value"].to_numpy()
    # A year's target may sit on any of its rows; the latest quarter's entry wins; then the office's setting
    # (lib.targets), which also covers a year whose rows carry no target.
    tg = rows[rows["target"].notna()].assign(yi=lambda f: f["col"] // 4).drop_duplicates(["pos", "yi"], keep="last")
    year_targets = with_office_targets(
        pd.DataFrame({"indicator_id": ids[tg["pos"].to_numpy()], "year": B + 1 + tg["yi"].to_numpy(),
                      "annual_target": tg["target"].to_numpy()}), annual_targets, add_years=True)
    tpos = ids.get_indexer(year_targets["indicator_id"].astype(str).str.strip().str.upper())
    tyear = pd.to_numeric(year_targets["year"], errors="coerce").to_numpy(dtype=float)
    tvalue = pd.to_numeric(year_targets["annual_target"], errors="coerce").to_numpy(dtype=float)
    ok = (tpos >= 0) & (tyear >= B + 1) & (tyear <= T) & ~np.isnan(tvalue)
    targets[tpos[ok], (tyear[ok] - (B + 1)).astype(int)] = tvalue[ok]

    raw = values.copy()
    annual = plan.indicators["annual"].to_numpy(dtype=bool)
    not_q4 = (np.arange(values.shape[1]) % 4) != 3
    values[np.ix_(annual, not_q4)] = np.nan  # annual flows: Q1–Q3 are shown, never judged
    return _Grid(B, T, first, values, raw, targets)


# --- vectorised building blocks ------------------------------------------------------------------

def _last(mask: np.ndarray) -> np.ndarray:
    """Column of the last True per row, −1 when none."""
    if mask.shape[1] == 0:
        return np.full(mask.shape[0], -1)
    last = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
    return np.where(mask.any(axis=1), last, -1)


def _at(matrix: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[i, cols[i]], NaN where cols[i] < 0."""
    out = matrix[np.arange(matrix.shape[0]), np.maximum(cols, 0)]
    return np.where(cols >= 0, out, np.nan)


def _q4(matrix: np.ndarray) -> np.ndarray:
    return matrix[:, 3::4]


def _missing_full_years(matrix: np.ndarray, L: np.ndarray) -> np.ndarray:
    """(rows × years) True where a full year before L's year lacks its Q4 value."""
    before = np.arange(matrix.shape[1] // 4)[None, :] < (np.maximum(L, 0) // 4)[:, None]
    return np.isnan(_q4(matrix)) & before & (L >= 0)[:, None]


def _prefix_q4_sum(q4: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Σ over years before L's year of q4 (NaN counted as 0; missing years are caught separately)."""
    cs = np.concatenate([np.zeros((q4.shape[0], 1)), np.nancumsum(q4, axis=1)], axis=1)
    return cs[np.arange(q4.shape[0]), np.maximum(L, 0) // 4]


def _log_growth(matrix: np.ndarray, L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Λ = Σ_{full years} ln(1+g(y,4)/100) + (qL/4)·ln(1+g(L)/100), and a flag for rates ≤ −100%."""
    q4 = _q4(matrix)
    before = np.arange(q4.shape[1])[None, :] < (np.maximum(L, 0) // 4)[:, None]
    used_q4 = np.where(before, q4, np.nan)
    g_last = _at(matrix, L)
    bad = (np.nan_to_num(used_q4, nan=0.0) <= -100).any(axis=1) | (g_last <= -100)
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.log1p(used_q4 / 100)
        lam = _prefix_q4_sum(np.where(np.isfinite(logs), logs, 0.0), L) + (np.maximum(L, 0) % 4 + 1) / 4 * np.log1p(g_last / 100)
    return np.where(bad, np.nan, lam), bad


def _avg_growth(lam: np.ndarray, tau: np.ndarray, years: int) -> np.ndarray:
    """Average annual growth to date, in %: exp(Λ / ((T−B)·τ)) − 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.exp(lam / (years * tau)) - 1) * 100


def _status_from_p(p: np.ndarray, tau: np.ndarray, tol: Tolerance, achieved: np.ndarray) -> np.ndarray:
    return np.select(
        [achieved, p >= tau + tol.path - EPS, p >= tau - tol.path - EPS],
        [Status.ACHIEVED.value, Status.AHEAD.value, Status.ON_TRACK.value],
        Status.BEHIND.value,
    ).astype(object)


def _met_status(met: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Yes/no tests (ceiling, quota): passed → on_track, or achieved once τ = 1; failed → behind."""
    return np.where(met, np.where(tau >= 1 - EPS, Status.ACHIEVED.value, Status.ON_TRACK.value), Status.BEHIND.value).astype(object)


def _year_list(mask: np.ndarray, first_year: int) -> np.ndarray:
    """Per row, the years flagged in `mask` as text: "2021年、2022年" ('' when none)."""
    out = np.full(mask.shape[0], "", dtype=object)
    for j in range(mask.shape[1]):
        label = f"{first_year + j}年"
        out = np.where(mask[:, j], np.where(out == "", label, out + "、" + label), out)
    return out


def _render_rows(code: str, mask: np.ndarray, **columns: np.ndarray) -> np.ndarray:
    """render(code, **row) for the rows in `mask` ('' elsewhere), rendering each distinct combination once:
    thousands of rows share a few year lists and reference indicators."""
    keys = pd.DataFrame(columns).astype(str)
    distinct = keys[mask].drop_duplicates()
    texts = [render(code, **dict(zip(distinct.columns, values))) for values in distinct.itertuples(index=False)]
    merged = keys.merge(distinct.assign(_text=texts), how="left", on=list(keys.columns))["_text"].astype(object)
    return np.where(mask, merged.where(merged.notna(), "").to_numpy(dtype=object), "").astype(object)


def _number_text(matrix: np.ndarray) -> np.ndarray:
    return np.char.mod("%.10g", np.nan_to_num(matrix, nan=0.0)).astype(object)


def _inputs_text(grid: _Grid, matrix: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The values a result rests on, e.g. "2021Q4 11、2022Q4 5、2023Q2 6.5"."""
    out = np.full(matrix.shape[0], "", dtype=object)
    for c in np.flatnonzero(used.any(axis=0)):
        item = grid.label(c) + " " + _number_text(matrix[:, c])
        out = np.where(used[:, c], np.where(out == "", item, out + "、" + item), out)
    return out


def _used_q4_and_last(matrix: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Mask of the quarters a growth or cumulative result uses: Q4 of each full year, and L."""
    cols = np.arange(matrix.shape[1])[None, :]
    used = ((cols % 4) == 3) & (cols // 4 < (L // 4)[:, None]) & ~np.isnan(matrix)
    used |= (cols == L[:, None]) & (L >= 0)[:, None]
    return used


def _used_last(matrix: np.ndarray, L: np.ndarray) -> np.ndarray:
    return (np.arange(matrix.shape[1])[None, :] == L[:, None]) & (L >= 0)[:, None]


# --- per-kind rules -------------------------------------------------------------------------------

@dataclass
class _Block:
    """The rows of one kind, with the inputs each rule needs and the outputs it fills."""
    grid: _Grid
    rows: np.ndarray
    ind: pd.DataFrame
    tol: Tolerance
    out: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def values(self) -> np.ndarray:
        return self.grid.values[self.rows]

    def col(self, name: str) -> np.ndarray:
        return self.ind[name].to_numpy()[self.rows]

    def num(self, name: str) -> np.ndarray:
        return pd.to_numeric(self.ind[name], errors="coerce").to_numpy(dtype=float)[self.rows]

    def tau(self, L: np.ndarray) -> np.ndarray:
        tau = time_elapsed(self.grid.base_year + 1 + L // 4, L % 4 + 1, self.grid.base_year, self.grid.target_year)
        return np.where(L >= 0, tau, np.nan)

    def set(self, **columns: np.ndarray) -> None:
        for name, value in columns.items():
            self.out[name][self.rows] = value

    def no_data_where(self, mask: np.ndarray, reason: np.ndarray | str, status: np.ndarray) -> np.ndarray:
        """Mark rows in `mask` no_data with `reason`, unless an earlier rule already gave one."""
        reasons = self.out["reason"][self.rows]
        fresh = mask & (reasons == "")
        self.out["reason"][self.rows] = np.where(fresh, reason, reasons)
        return np.where(mask, Status.NO_DATA.value, status).astype(object)

    def finish(self, L: np.ndarray, status: np.ndarray, matrix: np.ndarray | None = None) -> None:
        """Common outputs: the period judged, its value, τ and the lag behind the as-of quarter."""
        matrix = self.values if matrix is None else matrix
        self.set(L=L, latest_value=_at(matrix, L), time_elapsed=self.tau(L), status=status)
        no_rows = ~np.isfinite(self.grid.raw[self.rows]).any(axis=1)
        nothing_judged = (L < 0) & ~no_rows & (self.out["reason"][self.rows] == "")
        annual = self.col("annual").astype(bool)
        reasons = self.out["reason"][self.rows]
        reasons = np.where(no_rows, render("assess.no_rows"), reasons)
        reasons = np.where(nothing_judged & annual, render("assess.annual_no_q4"), reasons)
        self.out["reason"][self.rows] = reasons
        self.out["status"][self.rows] = np.where(L < 0, Status.NO_DATA.value, self.out["status"][self.rows])


def _growth_rate(b: _Block) -> None:
    V = b.values
    L = _last(~np.isnan(V))
    lam, bad = _log_growth(V, L)
    tau = b.tau(L)
    G = b.num("target_value")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = lam / (b.grid.years * np.log1p(G / 100))
    status = _status_from_p(p, tau, b.tol, achieved=p >= 1 - EPS)
    status = b.no_data_where((L >= 0) & (np.isnan(G) | (G <= -100) | (G == 0)), render("assess.no_target_value"), status)
    status = b.no_data_where((L >= 0) & bad, render("assess.bad_growth"), status)
    missing = _year_list(_missing_full_years(V, L), b.grid.base_year + 1)
    status = b.no_data_where(missing != "", _render_rows("assess.missing_year", missing != "", years=missing), status)
    ok = status != Status.NO_DATA.value
    b.set(achievement=np.where(ok, p, np.nan), log_growth=np.where(ok, lam, np.nan),
          avg_growth=np.where(ok, _avg_growth(lam, tau, b.grid.years), np.nan),
          inputs=_inputs_text(b.grid, V, _used_q4_and_last(V, L)))
    b.finish(L, status)


def _level_up(b: _Block) -> None:
    V = b.values
    L = _last(~np.isnan(V))
    xt, x0, target = _at(V, L), b.num("baseline_value"), b.num("target_value")
    tau = b.tau(L)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(target <= x0 + EPS, np.nan, (xt - x0) / (target - x0))
    reached = xt >= target - EPS
    status = _status_from_p(p, tau, b.tol, achieved=reached)
    status = np.where(~reached & (target <= x0 + EPS), Status.BEHIND.value, status).astype(object)
    status = b.no_data_where((L >= 0) & np.isnan(target), render("assess.no_target_value"), status)
    status = b.no_data_where((L >= 0) & np.isnan(x0), render("assess.no_baseline"), status)
    p = np.where(status == Status.NO_DATA.value, np.nan, p)
    b.set(achievement=p, inputs=_inputs_text(b.grid, V, _used_last(V, L)))
    b.finish(L, status)


def _ceiling(b: _Block) -> None:
    # "控制在 X* 以内": lower is better. direction = up turns it into a floor ("不低于 X*").
    V = b.values
    L = _last(~np.isnan(V))
    xt, target = _at(V, L), b.num("target_value")
    met = np.where(b.col("direction") == "up", xt >= target - EPS, xt <= target + EPS)
    status = _met_status(met, b.tau(L))
    status = b.no_data_where((L >= 0) & np.isnan(target), render("assess.no_target_value"), status)
    b.set(inputs=_inputs_text(b.grid, V, _used_last(V, L)))
    b.finish(L, status)


def _cumulative(b: _Block) -> None:
    V = b.values
    L = _last(~np.isnan(V))
    total = _prefix_q4_sum(_q4(V), L) + _at(V, L)
    target = b.num("target_value")
    tau = b.tau(L)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = total / target
    status = _status_from_p(p, tau, b.tol, achieved=total >= target - EPS)
    status = b.no_data_where((L >= 0) & ~(target > 0), render("assess.no_target_value"), status)
    missing = _year_list(_missing_full_years(V, L), b.grid.base_year + 1)
    status = b.no_data_where(missing != "", _render_rows("assess.missing_year", missing != "", years=missing), status)
    ok = status != Status.NO_DATA.value
    b.set(achievement=np.where(ok, p, np.nan), cumulative_total=np.where(ok, total, np.nan),
          inputs=_inputs_text(b.grid, V, _used_q4_and_last(V, L)))
    b.finish(L, status)


def _reduction_total(b: _Block) -> None:
    """"五年累计降低 X%": r = year-to-date reduction in % against the same period a year before."""
    V = b.values
    L = _last(~np.isnan(V))
    lam, bad = _log_growth(-V, L)  # ln(1 − r/100); a reduction of 100% or more cannot be logged
    tau = b.tau(L)
    X = b.num("target_value")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = lam / np.log1p(-X / 100)
    status = _status_from_p(p, tau, b.tol, achieved=p >= 1 - EPS)
    status = b.no_data_where((L >= 0) & ~((X > 0) & (X < 100)), render("assess.no_target_value"), status)
    status = b.no_data_where((L >= 0) & bad, render("assess.bad_reduction"), status)
    missing = _year_list(_missing_full_years(V, L), b.grid.base_year + 1)
    status = b.no_data_where(missing != "", _render_rows("assess.missing_year", missing != "", years=missing), status)
    ok = status != Status.NO_DATA.value
    b.set(achievement=np.where(ok, p, np.nan), log_growth=np.where(ok, lam, np.nan),
          cumulative_reduction=np.where(ok, -np.expm1(lam) * 100, np.nan),
          inputs=_inputs_text(b.grid, V, _used_q4_and_last(V, L)))
    b.finish(L, status)


def _in_step(b: _Block, ids: pd.Index) -> None:
    V = b.values
    ref_ids = b.col("ref_indicator")
    ref_pos = ids.get_indexer(pd.Series(ref_ids, dtype=object).fillna("").astype(str))
    R = np.where((ref_pos >= 0)[:, None], b.grid.values[np.maximum(ref_pos, 0)], np.nan)
    L = _last(~np.isnan(V) & ~np.isnan(R))
    tau = b.tau(L)
    lam, bad = _log_growth(V, L)
    ref_lam, ref_bad = _log_growth(R, L)
    avg, ref_avg = _avg_growth(lam, tau, b.grid.years), _avg_growth(ref_lam, tau, b.grid.years)
    d = avg - ref_avg
    # Boundary takes the better status (spec: comparisons use >= with 1e-9), so d = +δpp is ahead.
    status = np.select([d >= b.tol.pp - EPS, d >= -b.tol.pp - EPS],
                       [Status.AHEAD.value, Status.ON_TRACK.value], Status.BEHIND.value).astype(object)
    status = b.no_data_where((L >= 0) & (bad | ref_bad), render("assess.bad_growth"), status)
    first_year = b.grid.base_year + 1
    missing = _year_list(_missing_full_years(V, L), first_year)
    status = b.no_data_where(missing != "", _render_rows("assess.missing_year", missing != "", years=missing), status)
    ref_text = pd.Series(ref_ids, dtype=object).fillna("").astype(str).to_numpy()
    ref_missing = _year_list(_missing_full_years(R, L), first_year)
    status = b.no_data_where(ref_missing != "", _render_rows("assess.missing_year_ref", ref_missing != "",
                                                             ref=ref_text, years=ref_missing), status)
    status = b.no_data_where(ref_pos < 0, _render_rows("assess.no_ref", ref_pos < 0, ref=ref_text), status)
    apart = (ref_pos >= 0) & (L < 0) & ~np.isnan(V).all(axis=1)
    status = b.no_data_where(apart, _render_rows("assess.no_common_period", apart, ref=ref_text), status)
    ok = status != Status.NO_DATA.value
    b.set(avg_growth=np.where(ok, avg, np.nan), ref_avg_growth=np.where(ok, ref_avg, np.nan),
          diff_pp=np.where(ok, d, np.nan), log_growth=np.where(ok, lam, np.nan),
          inputs=_inputs_text(b.grid, V, _used_q4_and_last(V, L)),
          ref_inputs=_inputs_text(b.grid, R, _used_q4_and_last(R, L)))
    # When the two series never overlap, still show this indicator's own latest value.
    b.finish(np.where(L >= 0, L, _last(~np.isnan(V))), status)


def _quota(b: _Block) -> None:
    V = b.values
    targets = b.grid.targets[b.rows]
    has = ~np.isnan(V)
    year_of_col = np.arange(V.shape[1]) // 4
    usable = has & ~np.isnan(targets[:, year_of_col])
    L = _last(usable)
    xt, assigned = _at(V, L), _at(targets, np.where(L >= 0, L // 4, -1))
    met = np.where(b.col("direction") == "down", xt <= assigned + EPS, xt >= assigned - EPS)
    status = _met_status(met, b.tau(L))
    # Values but never a target for their year: no_data, and show the latest value anyway.
    untargeted = has & ~usable
    no_target = (L < 0) & has.any(axis=1)
    years = _year_list(np.stack([untargeted[:, 4 * y:4 * y + 4].any(axis=1) for y in range(b.grid.years)], axis=1)
                       & no_target[:, None], b.grid.base_year + 1)
    shown = np.where(no_target, _last(has), L)
    status = np.where(no_target, Status.NO_DATA.value, status).astype(object)
    b.out["reason"][b.rows] = np.where(no_target, _render_rows("assess.no_assigned_target", no_target, years=years),
                                       b.out["reason"][b.rows])
    b.set(assigned_target=assigned, inputs=_inputs_text(b.grid, V, _used_last(V, shown)))
    b.finish(shown, status)


_RULES: dict[str, Callable[[_Block], None]] = {
    "growth_rate": _growth_rate,
    "level_up": _level_up,
    "ceiling": _ceiling,
    "cumulative": _cumulative,
    "quota": _quota,
    "reduction_total": _reduction_total,
}

INDICATOR_RESULT_COLUMNS = [
    "indicator_id", "name", "category", "kind", "unit", "annual", "direction",
    "status", "status_label", "achievement", "time_elapsed", "as_of", "as_of_time_elapsed",
    "latest_period", "latest_value", "lag_quarters", "latest_reported_period", "latest_reported_value",
    "target_value", "baseline_value", "baseline_source", "avg_growth", "log_growth", "cumulative_total",
    "ref_indicator", "ref_avg_growth", "diff_pp", "assigned_target", "inputs", "ref_inputs",
    "tolerance", "tolerance_pp", "base_year", "target_year", "reason", "responsible_units", "lead_units", "task_id",
    "cumulative_reduction", "outlook", "outlook_label", "pace", "projected_achievement", "outlook_from",
    "outlook_achievement", "outlook_time_elapsed",
]
_FLOAT_OUTPUTS = ("achievement", "time_elapsed", "latest_value", "avg_growth", "log_growth", "cumulative_total",
                  "ref_avg_growth", "diff_pp", "assigned_target", "cumulative_reduction")


def _empty_outputs(n: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {name: np.full(n, np.nan) for name in _FLOAT_OUTPUTS}
    out.update(status=np.full(n, Status.NO_DATA.value, dtype=object), reason=np.full(n, "", dtype=object),
               inputs=np.full(n, "", dtype=object), ref_inputs=np.full(n, "", dtype=object), L=np.full(n, -1))
    return out


def assess_indicators(plan: Plan, progress: pd.DataFrame | None, as_of: Period | None = None,
                      tolerance: Tolerance | None = None, annual_targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per plan indicator, in plan order: status, achievement P, and every input used."""
    tolerance = tolerance or Tolerance()  # the settings as they are now, not as they were at import
    progress = _frame_with(progress, PROGRESS_COLUMNS)
    as_of = as_of or default_as_of(plan, progress)
    ind = plan.indicators
    grid = _build_grid(plan, progress, as_of, annual_targets)
    out = _empty_outputs(len(ind))
    kinds = ind["kind"].to_numpy()
    ids = pd.Index(ind["indicator_id"])
    for kind in pd.unique(kinds):
        block = _Block(grid, np.flatnonzero(kinds == kind), ind, tolerance, out)
        if kind == "in_step":
            _in_step(block, ids)
        elif kind in _RULES:
            _RULES[kind](block)
    out.update(_outlook(grid, ind, out, tolerance))
    return _indicator_frame(plan, grid, out, as_of, tolerance)


def _outlook(grid: _Grid, ind: pd.DataFrame, out: dict[str, np.ndarray], tol: Tolerance) -> dict[str, np.ndarray]:
    """Spec "Outlook": P(L′) from the same rules on the grid cut at L − 4 quarters (the base, P = τ = 0, when
    there is no such period or P(L′) is not computable); pace v and projected achievement P_T."""
    n = len(ind)
    L, p, tau = out["L"], out["achievement"], out["time_elapsed"]
    kinds = ind["kind"].to_numpy()
    judged = np.isin(out["status"], [Status.AHEAD.value, Status.ON_TRACK.value, Status.BEHIND.value])
    eligible = np.isin(kinds, KINDS_WITH_ACHIEVEMENT) & judged & np.isfinite(p) & (np.nan_to_num(tau, nan=1.0) < 1 - EPS)
    later = np.arange(grid.values.shape[1])[None, :] > (L - OUTLOOK_LOOKBACK)[:, None]
    earlier = replace(grid, values=np.where(later, np.nan, grid.values))
    before = _empty_outputs(n)
    for kind in KINDS_WITH_ACHIEVEMENT:
        rows = np.flatnonzero(eligible & (kinds == kind))
        if rows.size:
            _RULES[kind](_Block(earlier, rows, ind, tol, before))
    found = eligible & (before["L"] >= 0) & np.isfinite(before["achievement"]) & (before["status"] != Status.NO_DATA.value)
    p0 = np.where(found, before["achievement"], 0.0)
    tau0 = np.where(found, before["time_elapsed"], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pace = np.where(eligible, (p - p0) / (tau - tau0), np.nan)
        projected = np.where(eligible, p + pace * (1 - tau), np.nan)
    outlook = np.where(projected >= 1 - EPS, Outlook.LIKELY.value, Outlook.AT_RISK.value).astype(object)
    from_text = _period_text(grid.first + before["L"], found)
    # object dtype keeps None as None (pandas 3 would read a str/None column as str with NaN)
    return {"outlook": pd.Series(np.where(eligible, outlook, None), dtype=object), "pace": pace,
            "projected_achievement": projected, "outlook_from": pd.Series(np.where(found, from_text, None), dtype=object),
            "outlook_achievement": np.where(eligible, p0, np.nan), "outlook_time_elapsed": np.where(eligible, tau0, np.nan)}


def _period_text(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    return np.where(valid, period_labels(keys // 4, keys % 4 + 1), "").astype(object)


def _indicator_frame(plan: Plan, grid: _Grid, out: dict[str, np.ndarray], as_of: Period, tol: Tolerance) -> pd.DataFrame:
    ind = plan.indicators
    L = out["L"]
    raw_last = _last(np.isfinite(grid.raw))
    status = out["status"]
    tau = out["time_elapsed"]
    final = np.nan_to_num(tau, nan=0.0) >= 1 - EPS
    labels = np.array([status_label(s, 1.0 if f else None) for s, f in zip(status, final)], dtype=object)
    outlook_labels = pd.Series(out["outlook"], dtype=object).map(
        {o.value: outlook_label(o) for o in Outlook}).fillna("").to_numpy(dtype=object)
    frame = pd.DataFrame({
        "indicator_id": ind["indicator_id"], "name": ind["name"], "category": ind["category"], "kind": ind["kind"],
        "unit": ind["unit"], "annual": ind["annual"], "direction": ind["direction"],
        "status": status, "status_label": labels, "achievement": out["achievement"], "time_elapsed": tau,
        "as_of": str(as_of), "as_of_time_elapsed": time_elapsed(as_of.year, as_of.quarter, plan.base_year, plan.target_year),
        "latest_period": _period_text(grid.first + L, L >= 0), "latest_value": out["latest_value"],
        "lag_quarters": pd.array(np.where(L >= 0, as_of.index - (grid.first + L), 0), dtype="Int64"),
        "latest_reported_period": _period_text(grid.first + raw_last, raw_last >= 0),
        "latest_reported_value": _at(grid.raw, raw_last),
        "target_value": ind["target_value"], "baseline_value": ind["baseline_value"], "baseline_source": ind["baseline_source"],
        "avg_growth": out["avg_growth"], "log_growth": out["log_growth"], "cumulative_total": out["cumulative_total"],
        "ref_indicator": ind["ref_indicator"], "ref_avg_growth": out["ref_avg_growth"], "diff_pp": out["diff_pp"],
        "assigned_target": out["assigned_target"], "inputs": out["inputs"], "ref_inputs": out["ref_inputs"],
        "tolerance": tol.path, "tolerance_pp": tol.pp, "base_year": plan.base_year, "target_year": plan.target_year,
        "reason": out["reason"],
        "responsible_units": ind["responsible_units"], "lead_units": ind["lead_units"], "task_id": ind["task_id"],
        "cumulative_reduction": out["cumulative_reduction"], "outlook": out["outlook"], "outlook_label": outlook_labels,
        "pace": out["pace"], "projected_achievement": out["projected_achievement"], "outlook_from": out["outlook_from"],
        "outlook_achievement": out["outlook_achievement"], "outlook_time_elapsed": out["outlook_time_elapsed"],
    })
    frame.loc[L < 0, "lag_quarters"] = pd.NA
    return frame[INDICATOR_RESULT_COLUMNS].reset_index(drop=True)


# --- explanation ---------------------------------------------------------------------------------

def _num(value: float, digits: int = 4) -> str:
    return f"{float(value):.{digits}f}".rstrip("0").rstrip(".") if pd.notna(value) else "—"


def _p_rule(row: pd.Series, label: str) -> str:
    p, tau, tol = row["achievement"], row["time_elapsed"], row["tolerance"]
    hi, lo = _num(tau + tol), _num(tau - tol)
    code = {Status.ACHIEVED.value: "assess.explain.p_achieved", Status.AHEAD.value: "assess.explain.p_ahead",
            Status.ON_TRACK.value: "assess.explain.p_on_track", Status.BEHIND.value: "assess.explain.p_behind"}[row["status"]]
    return render(code, p=_num(p), hi=hi, lo=lo, label=label)


def explain(row: pd.Series) -> list[str]:
    """Plain-Chinese lines saying how one result of `assess_indicators` was reached."""
    kind, status, label = row["kind"], row["status"], row["status_label"]
    lines: list[str] = []
    if row["latest_period"]:
        lines.append(render("assess.explain.where", as_of=row["as_of"], latest_period=row["latest_period"],
                            lag=row["lag_quarters"] if pd.notna(row["lag_quarters"]) else 0, tau=_num(row["time_elapsed"], 2)))
    if row["annual"]:
        lines.append(render("assess.explain.annual"))
    if row["inputs"]:
        inputs = row["inputs"] + (f";{row['ref_indicator']}:{row['ref_inputs']}" if row["ref_inputs"] else "")
        lines.append(render("assess.explain.inputs", inputs=inputs))
    if status == Status.NO_DATA.value:
        return lines + [render("assess.explain.no_data", reason=row["reason"])]
    target = _num(row["target_value"])
    if kind == "growth_rate":
        quarter = int(str(row["latest_period"])[-1])
        lines.append(render("assess.explain.growth", q=quarter, latest_period=row["latest_period"], lam=_num(row["log_growth"], 6),
                            years=int(row["target_year"]) - int(row["base_year"]), target=target, p=_num(row["achievement"])))
        lines.append(render("assess.explain.avg_growth", avg=_num(row["avg_growth"], 2), target=target))
        lines.append(_p_rule(row, label))
    elif kind == "level_up":
        lines.append(render("assess.explain.level", x0=_num(row["baseline_value"]), target=target, xt=_num(row["latest_value"])))
        if status == Status.ACHIEVED.value:
            lines.append(render("assess.explain.level_reached", label=label))
        elif pd.isna(row["achievement"]):
            lines.append(render("assess.explain.level_target_not_above_base", label=label))
        else:
            lines += [render("assess.explain.level_p", p=_num(row["achievement"])), _p_rule(row, label)]
    elif kind == "ceiling":
        floor = row["direction"] == "up"
        met = status != Status.BEHIND.value
        verdict = ("达到" if met else "未达到") + ("下限" if floor else "上限要求")
        lines.append(render("assess.explain.ceiling", bound="不低于" if floor else "控制在(不高于)", target=target,
                            xt=_num(row["latest_value"]), verdict=verdict, label=label))
    elif kind == "reduction_total":
        lines.append(render("assess.explain.reduction", q=int(str(row["latest_period"])[-1]), latest_period=row["latest_period"],
                            lam=_num(row["log_growth"], 6), target=target, p=_num(row["achievement"])))
        lines.append(render("assess.explain.cumulative_reduction", cum=_num(row["cumulative_reduction"], 2), target=target))
        lines.append(_p_rule(row, label))
    elif kind == "cumulative":
        lines.append(render("assess.explain.cumulative", latest_period=row["latest_period"], c=_num(row["cumulative_total"]),
                            target=target, p=_num(row["achievement"])))
        lines.append(_p_rule(row, label))
    elif kind == "in_step":
        d, pp = row["diff_pp"], row["tolerance_pp"]
        rule = (f"d ≥ +{_num(pp)}" if status == Status.AHEAD.value else
                f"−{_num(pp)} ≤ d < +{_num(pp)}" if status == Status.ON_TRACK.value else f"d < −{_num(pp)}")
        lines.append(render("assess.explain.in_step", avg=_num(row["avg_growth"], 2), ref=row["ref_indicator"],
                            ref_avg=_num(row["ref_avg_growth"], 2), d=_num(d, 2), pp=_num(pp)))
        lines.append(render("assess.explain.in_step_rule", rule=rule, label=label))
    elif kind == "quota":
        down = row["direction"] == "down"
        met = status != Status.BEHIND.value
        verdict = ("不高于目标" if down else "不低于目标") if met else ("高于目标" if down else "低于目标")
        lines.append(render("assess.explain.quota", year=str(row["latest_period"])[:4], target=_num(row["assigned_target"]),
                            direction="越低越好" if down else "越高越好", latest_period=row["latest_period"],
                            xt=_num(row["latest_value"]), verdict=verdict, label=label))
    return lines


# --- tasks ---------------------------------------------------------------------------------------

TASK_RESULT_COLUMNS = [
    "task_id", "section_no", "section_title", "title", "status", "status_label", "state", "percent",
    "latest_period", "progress", "problems", "next_steps", "lead_units", "responsible_units",
    "reported_units", "reporting_unit", "as_of", "time_elapsed", "behind_below",
]


CONTRIBUTION_COLUMNS = ["task_id", "unit", "relation", "state", "percent", "progress", "problems", "next_steps",
                        "year", "quarter"]
# Least advanced first (spec: behind < not_started < on_track < done); not_reported outranks them all.
_TASK_ORDER = {TaskStatus.NOT_REPORTED.value: -1, TaskStatus.BEHIND.value: 0, TaskStatus.NOT_STARTED.value: 1,
               TaskStatus.ON_TRACK.value: 2, TaskStatus.DONE.value: 3}
_VIA_ORDER = (VIA_DIRECT, VIA_ALIAS, VIA_GROUP)


def expand_units(directory: UnitDirectory, names: tuple[str, ...]) -> list[str]:
    """Canonical units designated by plan names: aliases resolved, a group expanded to its members (in
    name order). Shared with lib.reporting, so the units owing a task report are its deciding lead units."""
    units: list[str] = []
    for name in names:
        canonical = directory.resolve(name)
        if canonical is None:
            continue
        info = directory.units[canonical]
        members = sorted(directory.members_of(canonical)) if info.is_group else [canonical]
        units += [u for u in members if u not in units]
    return units


def task_lead_units(plan: Plan) -> dict[str, list[str]]:
    """task_id → the lead units whose reports decide its status."""
    return {t: expand_units(plan.units, leads) for t, leads in zip(plan.tasks["task_id"], plan.tasks["lead_units"])}


def _task_rows(plan: Plan, task_progress: pd.DataFrame | None, as_of: Period) -> pd.DataFrame:
    """Plan-period rows up to `as_of`, with period key, canonical unit and whether that unit leads the task.
    The same (task, unit, quarter) twice: the later row wins."""
    rows = _frame_with(task_progress, TASK_PROGRESS_COLUMNS)
    B, T = plan.base_year, plan.target_year
    key = _period_keys(rows)
    rows = rows.assign(key=key, percent=pd.to_numeric(rows["percent"], errors="coerce"),
                       task_id=rows["task_id"].astype(str).str.strip().str.upper())
    keep = ((key >= period_index(B + 1, 1)) & (key <= min(as_of.index, period_index(T, 4)))
            & rows["task_id"].isin(plan.tasks["task_id"]).to_numpy())
    rows = rows[keep].reset_index(drop=True)
    rows["unit_canonical"] = [plan.units.resolve(u) or str(u).strip() for u in rows["unit"]]
    leads = task_lead_units(plan)
    rows["is_lead"] = np.array([u in leads.get(t, ()) for t, u in zip(rows["task_id"], rows["unit_canonical"])], dtype=bool)
    return rows.drop_duplicates(["task_id", "unit_canonical", "key"], keep="last").reset_index(drop=True)


def _lead_statuses(plan: Plan, rows: pd.DataFrame, as_of: Period, tau: float) -> pd.DataFrame:
    """One row per (task, lead unit): the lead's latest report and the status it gives. A latest report of
    已完成 stays done in later quarters (finished work stays finished); any other report counts only in the
    as-of quarter; a lead with no report there is not_reported."""
    latest = (rows[rows["is_lead"]].sort_values("key", kind="stable")
              .drop_duplicates(["task_id", "unit_canonical"], keep="last").set_index(["task_id", "unit_canonical"]))
    pairs = pd.MultiIndex.from_tuples([(t, u) for t, units in task_lead_units(plan).items() for u in units],
                                      names=["task_id", "unit_canonical"])
    lead = latest.reindex(pairs).reset_index()
    state, percent = lead["state"].to_numpy(dtype=object), lead["percent"].to_numpy(dtype=float)
    current = (lead["key"] == as_of.index).to_numpy()
    behind_below = 100 * tau - TASK_BEHIND_MARGIN
    lead["lead_status"] = np.select(
        [state == STATE_DONE, ~current, (state == STATE_BEHIND) | (percent < behind_below - EPS), state == STATE_NOT_STARTED],
        [TaskStatus.DONE.value, TaskStatus.NOT_REPORTED.value, TaskStatus.BEHIND.value,
         TaskStatus.NOT_STARTED.value if tau < TASK_NOT_STARTED_UNTIL - EPS else TaskStatus.BEHIND.value],
        TaskStatus.ON_TRACK.value,
    ).astype(object)
    lead["order"] = lead["lead_status"].map(_TASK_ORDER)
    lead["has_row"] = lead["key"].notna()
    return lead


def finished_leads(plan: Plan, task_progress: pd.DataFrame | None, period: Period) -> set[tuple[str, str]]:
    """(task_id, lead unit) pairs whose latest lead report before `period` is 已完成: done stays done, so
    those leads owe no further report (lib.reporting)."""
    previous = Period.from_index(period.index - 1)
    rows = _task_rows(plan, task_progress, previous)
    latest = rows[rows["is_lead"]].sort_values("key", kind="stable").drop_duplicates(["task_id", "unit_canonical"], keep="last")
    done = latest[latest["state"] == STATE_DONE]
    return set(zip(done["task_id"], done["unit_canonical"]))


def _text(column: pd.Series) -> np.ndarray:
    """Text cells with '' for missing (a task nobody reported has NaN everywhere)."""
    values = column.astype(object)
    return values.where(values.notna(), "").to_numpy(dtype=object)


def assess_tasks(plan: Plan, task_progress: pd.DataFrame | None, as_of: Period | None = None) -> pd.DataFrame:
    """One row per key task, in plan order (spec "Tasks"). The task's status is its lead units' report: the
    least advanced lead (behind < not_started < on_track < done), not_reported while any lead has no row for
    the as-of quarter and has not finished before. Other units' rows never change it (`task_contributions`).
    The row shown (state, percent, 工作进展 …, `reporting_unit`) is the deciding lead's latest report."""
    as_of = as_of or default_as_of(plan, _frame_with(task_progress, TASK_PROGRESS_COLUMNS))
    B, T = plan.base_year, plan.target_year
    tau = time_elapsed(as_of.year, as_of.quarter, B, T)
    rows = _task_rows(plan, task_progress, as_of)
    lead = _lead_statuses(plan, rows, as_of, tau)
    # The deciding lead: least advanced; among equals one with a report to show, then the lowest 完成进度.
    decisive = (lead.sort_values(["task_id", "order", "has_row", "percent"], ascending=[True, True, False, True], kind="stable")
                .drop_duplicates("task_id", keep="first").set_index("task_id"))
    tasks = plan.tasks
    picked = decisive.reindex(tasks["task_id"])
    status = picked["lead_status"].fillna(TaskStatus.NOT_REPORTED.value).to_numpy(dtype=object)
    reporters = rows[rows["key"] == as_of.index].groupby("task_id", sort=False)["unit_canonical"].agg(tuple)
    keys = picked["key"].to_numpy(dtype=float)
    has = ~np.isnan(keys)
    frame = pd.DataFrame({
        "task_id": tasks["task_id"], "section_no": tasks["section_no"], "section_title": tasks["section_title"],
        "title": tasks["title"], "status": status,
        "status_label": pd.Series(status).map({s.value: task_status_label(s, is_final(tau)) for s in TaskStatus}).to_numpy(),
        "state": _text(picked["state"]), "percent": picked["percent"].to_numpy(dtype=float),
        "latest_period": _period_text(np.nan_to_num(keys).astype(int), has),
        "progress": _text(picked["progress"]),
        "problems": _text(picked["problems"]),
        "next_steps": _text(picked["next_steps"]),
        "lead_units": tasks["lead_units"], "responsible_units": tasks["responsible_units"],
        "reported_units": [reporters.get(t, ()) for t in tasks["task_id"]],
        "reporting_unit": np.where(has, _text(picked["unit_canonical"]), ""),
        "as_of": str(as_of), "time_elapsed": tau, "behind_below": 100 * tau - TASK_BEHIND_MARGIN,
    })
    return frame[TASK_RESULT_COLUMNS].reset_index(drop=True)


def _relation(directory: UnitDirectory, unit: str, names: tuple[str, ...]) -> str:
    """How the plan names `unit` among `names`: 直接, 别名 or 组团 (the strongest), '' when not at all."""
    found = {directory.how_named(unit, n) for n in names} - {None}
    return next((v for v in _VIA_ORDER if v in found), "")


def task_contributions(plan: Plan, task_progress: pd.DataFrame | None, as_of: Period | None = None) -> pd.DataFrame:
    """The non-lead units' rows for the as-of quarter: contributions shown beside a task and quoted in
    reports, never used for its status. Plan task order, then the order the rows arrived."""
    as_of = as_of or default_as_of(plan, _frame_with(task_progress, TASK_PROGRESS_COLUMNS))
    rows = _task_rows(plan, task_progress, as_of)
    rows = rows[~rows["is_lead"] & (rows["key"] == as_of.index)]
    order = {t: i for i, t in enumerate(plan.tasks["task_id"])}
    rows = rows.iloc[np.argsort(rows["task_id"].map(order).to_numpy(), kind="stable")]
    named = dict(zip(plan.tasks["task_id"], plan.tasks["responsible_units"]))
    frame = pd.DataFrame({
        "task_id": rows["task_id"].to_numpy(dtype=object), "unit": rows["unit_canonical"].to_numpy(dtype=object),
        "relation": [_relation(plan.units, u, named.get(t, ())) for t, u in zip(rows["task_id"], rows["unit_canonical"])],
        "state": _text(rows["state"]), "percent": rows["percent"].to_numpy(dtype=float),
        "progress": _text(rows["progress"]), "problems": _text(rows["problems"]), "next_steps": _text(rows["next_steps"]),
        "year": as_of.year, "quarter": as_of.quarter,
    })
    return frame[CONTRIBUTION_COLUMNS].reset_index(drop=True)
