"""One series across plans: indicators with the same `code` in successive plans of a district.

- `inherit_baselines(plan, previous, previous_progress)`: a new plan's indicator with no baseline takes its
  predecessor's value at the predecessor's target-year Q4 (its final value), and says so in baseline_source
  (基期值来源: 上期规划期末值 …). Pure: returns a new Plan.
- `continuous_series(code, parts)`: the values and targets of one code over several plans, on one time axis,
  for the continuity chart (the plan boundary is where `plan_id` changes).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from lib.plan import Plan

INHERITED_SOURCE = "上期规划期末值"


def predecessor_of(plan: Plan, candidates: list[Plan]) -> Plan | None:
    """The plan of the same district whose period ends where this one's begins."""
    c = plan.config
    for other in candidates:
        o = other.config
        if o.district_id == c.district_id and o.id != c.id and o.target_year == c.base_year:
            return other
    return None


def final_values(plan: Plan, progress: pd.DataFrame) -> pd.Series:
    """code → value at the plan's target-year Q4, for indicators that have a code and such a value."""
    if progress is None or progress.empty:
        return pd.Series(dtype=float)
    last = progress[(progress["year"] == plan.target_year) & (progress["quarter"] == 4) & progress["value"].notna()]
    coded = plan.indicators.loc[plan.indicators["code"] != "", ["indicator_id", "code"]]
    merged = coded.merge(last[["indicator_id", "value"]], on="indicator_id")
    return merged.set_index("code")["value"].astype(float)


def inherit_baselines(plan: Plan, previous: Plan | None, previous_progress: pd.DataFrame | None) -> Plan:
    """A copy of `plan` whose empty baselines are filled from the predecessor's final values, where it has one."""
    if previous is None:
        return plan
    finals = final_values(previous, previous_progress)
    ind = plan.indicators
    open_ = ind["baseline_value"].isna() & ind["code"].isin(finals.index)
    if not open_.any():
        return plan
    period = f"{previous.target_year}年第四季度"
    ind = ind.copy()
    ind.loc[open_, "baseline_value"] = ind.loc[open_, "code"].map(finals).to_numpy()
    ind.loc[open_, "baseline_source"] = f"{INHERITED_SOURCE}({previous.config.short_name} {period})"
    return dataclasses.replace(plan, indicators=ind)


@dataclass(frozen=True)
class PlanPart:
    """One plan's share of a continuous series: the plan and its effective indicator progress."""
    plan: Plan
    progress: pd.DataFrame


SERIES_COLUMNS = ["plan_id", "plan", "indicator_id", "year", "quarter", "value", "target_value", "target_year", "kind",
                  "unit"]


def continuous_series(code: str, parts: list[PlanPart]) -> pd.DataFrame:
    """Every reported value of `code` across the plans, in time order, with each plan's target beside it."""
    rows = []
    for part in sorted(parts, key=lambda p: p.plan.base_year):
        match = part.plan.indicators[part.plan.indicators["code"] == code]
        if match.empty:
            continue
        ind = match.iloc[0]
        values = part.progress[part.progress["indicator_id"] == ind["indicator_id"]].dropna(subset=["value"])
        values = values[values["year"].between(part.plan.base_year + 1, part.plan.target_year)]
        for rec in values.sort_values(["year", "quarter"]).itertuples(index=False):
            rows.append({"plan_id": part.plan.config.id, "plan": part.plan.config.short_name,
                         "indicator_id": ind["indicator_id"], "year": int(rec.year), "quarter": int(rec.quarter),
                         "value": float(rec.value), "target_value": ind["target_value"],
                         "target_year": part.plan.target_year, "kind": ind["kind"], "unit": ind["unit"]})
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)
