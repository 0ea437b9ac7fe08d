"""区县对比: a city's districts side by side, each on its current plan.

Pure Python over the store (never streamlit). Everything judged here is judged by lib.assess and coloured by
lib.status; this module only chooses which plan and quarter to assess and lays the results side by side.

    plans = districts_plans(store, city_id="jingzhou")          # list_plans + city_id, one row per plan
    comparison = compare(store, city_id="jingzhou", today=date(2026, 12, 1))
    status_counts(comparison); binding_grid(comparison); shared_codes(comparison); completeness(comparison)

Rules, each decided once here:
- **Current plan** of a district (`current_plan_id`): the plan whose period contains today's year, else its
  latest plan (the highest target year). The plan selector's default uses the same function.
- **As of**: each district is assessed as of its own latest quarter with data (`lib.assess.default_as_of`),
  so a district whose reports lag is not shown as 数据缺失 for a quarter nobody has reported yet.
- **Inputs**: those of the plan's own pages: the office's baselines and annual targets
  (`lib.store.assessment_inputs`), and empty baselines from the predecessor plan's final value
  (`lib.continuity.inherit_baselines`).
- **Matching across districts** is by indicator `code`; an indicator without a code stands only for itself
  (its key is `plan_id:indicator_id`) and is never matched with another district's.
- **Completeness** follows lib.reporting: what each unit owes for the district's as-of quarter, counted per
  state over all units of the district.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from lib import settings
from lib.assess import assess_indicators, assess_tasks, default_as_of
from lib.continuity import inherit_baselines, predecessor_of
from lib.periods import Period
from lib.plan import Plan
from lib.plan_catalog import current_plan_id, list_plans, stored_plan
from lib.reporting import STATE_LATE, STATE_ON_TIME, STATE_ORDER, reporting_status
from lib.reporting import completeness as unit_completeness
from lib.rollup import INDICATOR_CODES, rollup
from lib.status import AT_RISK_LIGHT, light_look
from lib.store_schema import DISTRICTS

BINDING = "约束性"
LIGHT_AT_RISK = "at_risk"   # grid cell code of the amber light (not behind, but at risk): lib.status.light_look
PLAN_COLUMNS = ["city_id", "city", "district_id", "district", "plan_id", "short_name", "first_year", "target_year",
                "versions", "state"]


# --- which plan --------------------------------------------------------------------------------------

def districts_plans(store, city_id: str | None = None) -> pd.DataFrame:  # noqa: ANN001 - lib.store.Store
    """Every plan of the city's districts (all districts when `city_id` is None): PLAN_COLUMNS, by district
    then period."""
    plans = list_plans(store)
    d = DISTRICTS.c
    stmt = sa.select(d.district_id, d.city_id)
    if city_id is not None:
        stmt = stmt.where(d.city_id == city_id)
    with store.engine.connect() as conn:
        cities = pd.DataFrame(conn.execute(stmt).all(), columns=["district_id", "city_id"])
    plans = plans.drop(columns=["city_id"]).merge(cities, on="district_id", how="inner")
    plans["first_year"] = plans["base_year"] + 1
    plans["city_id"] = plans["city_id"].fillna("")
    return plans[PLAN_COLUMNS].sort_values(["city_id", "district_id", "first_year"], ignore_index=True)


def current_plans(plans: pd.DataFrame, today: date) -> pd.DataFrame:
    """One row per district (in the order of `plans`): its current plan's row."""
    chosen = [current_plan_id(group, today) for _, group in plans.groupby("district_id", sort=False)]
    return plans[plans["plan_id"].isin(chosen)].reset_index(drop=True)


# --- one district -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DistrictResult:
    """One district's current plan, assessed as of its latest quarter with data."""
    district_id: str
    district: str
    plan: Plan                   # with the office's and the inherited baselines
    as_of: Period
    indicators: pd.DataFrame     # lib.assess.assess_indicators, plus `code`
    tasks: pd.DataFrame          # lib.assess.assess_tasks
    reporting: pd.DataFrame      # lib.reporting.reporting_status for `as_of`

    @property
    def plan_id(self) -> str:
        return self.plan.config.id


PlanLoader = Callable[[str], Plan]   # plan_id → the stored plan (the page passes a cached one)


def _with_predecessor(store, plan: Plan, plans: pd.DataFrame, load: PlanLoader) -> Plan:  # noqa: ANN001 - Store
    """Empty baselines from the predecessor plan's final values (lib.continuity), when the store has it."""
    c = plan.config
    earlier = plans[(plans["district_id"] == c.district_id) & (plans["target_year"] == c.base_year)]
    if earlier.empty:
        return plan
    previous = load(str(earlier["plan_id"].iloc[0]))
    if predecessor_of(plan, [previous]) is None:
        return plan
    return inherit_baselines(plan, previous, store.plan(previous.config.id).effective_indicator_progress())


def assess_district(store, plan_id: str, today: date, plans: pd.DataFrame | None = None,  # noqa: ANN001 - Store
                    load: PlanLoader | None = None) -> DistrictResult:
    """Assess one plan as its own pages do, as of its latest quarter with data. `plans`: districts_plans
    (looked up when not given), for the predecessor's final values; `load`: how to read a stored plan
    (default lib.plan_catalog.stored_plan)."""
    from lib.store import assessment_inputs

    load = load or (lambda pid: stored_plan(store, pid))
    plans = districts_plans(store) if plans is None else plans
    scoped = store.plan(plan_id)
    plan, progress, task_progress, targets = assessment_inputs(scoped, load(plan_id))
    plan = _with_predecessor(store, plan, plans, load)
    as_of = default_as_of(plan, progress, task_progress)
    indicators = assess_indicators(plan, progress, as_of, annual_targets=targets)
    indicators["code"] = plan.indicators["code"].to_numpy()
    tasks = assess_tasks(plan, task_progress, as_of)
    reported = scoped.reported_items(as_of.year, as_of.quarter)
    status = reporting_status(plan, as_of, reported, int(settings.get("report_deadline_days")), today, task_progress)
    return DistrictResult(plan.config.district_id, plan.config.district, plan, as_of, indicators, tasks, status)


@dataclass(frozen=True)
class Comparison:
    """The districts of a city (or of every city), each on its current plan."""
    city_id: str | None
    today: date
    districts: tuple[DistrictResult, ...]

    @property
    def sample(self) -> bool:
        """Whether any compared plan is sample data (the page then says 示例)."""
        return any(r.plan.config.sample for r in self.districts)


def compare(store, city_id: str | None, today: date, load: PlanLoader | None = None) -> Comparison:  # noqa: ANN001
    """Every district of `city_id` (all districts when None) on its current plan."""
    plans = districts_plans(store, city_id)
    chosen = current_plans(plans, today)
    results = tuple(assess_district(store, str(pid), today, plans, load) for pid in chosen["plan_id"])
    return Comparison(city_id, today, results)


# --- frames the charts draw -------------------------------------------------------------------------

def _district_label(result: DistrictResult) -> str:
    return result.district


def _indicators(comparison: Comparison) -> pd.DataFrame:
    frames = [r.indicators.assign(district_id=r.district_id, district=_district_label(r), plan_id=r.plan_id)
              for r in comparison.districts]
    if not frames:
        return pd.DataFrame(columns=["district_id", "district", "plan_id", "indicator_id", "code", "status"])
    out = pd.concat(frames, ignore_index=True)
    out["key"] = out["code"].where(out["code"].fillna("") != "", out["plan_id"] + ":" + out["indicator_id"])
    return out


STATUS_COUNT_COLUMNS = ["district_id", "district", "plan_id", "plan", "as_of", "total", *INDICATOR_CODES]


def status_counts(comparison: Comparison) -> pd.DataFrame:
    """Per district: its plan, as-of quarter, the number of indicators and one count column per status code
    (plus `<code>_ids`, lib.rollup), in the order of the comparison."""
    ind = _indicators(comparison)
    if ind.empty:
        return pd.DataFrame(columns=STATUS_COUNT_COLUMNS)
    counts = rollup(ind, "district_id", order=[r.district_id for r in comparison.districts])
    meta = pd.DataFrame([{"district_id": r.district_id, "district": _district_label(r), "plan_id": r.plan_id,
                          "plan": r.plan.config.short_name, "as_of": str(r.as_of)} for r in comparison.districts])
    return meta.merge(counts, on="district_id")


GRID_COLUMNS = ["district_id", "district", "key", "code", "indicator_id", "name", "unit", "status", "status_label",
                "outlook", "light", "latest_period", "latest_value", "target_value"]


def _light(status: str, outlook: object) -> str:
    """The cell's light: the status code, or `at_risk` when lib.status.light_look gives the amber light."""
    return LIGHT_AT_RISK if light_look(status, outlook) is AT_RISK_LIGHT else str(status)


def binding_grid(comparison: Comparison) -> pd.DataFrame:
    """Binding (约束性) indicators as district × indicator cells, long form (GRID_COLUMNS): one row per district
    and indicator it has, matched across districts by `key` (the code)."""
    ind = _indicators(comparison)
    if ind.empty:
        return pd.DataFrame(columns=GRID_COLUMNS)
    rows = ind[ind["category"] == BINDING].copy()
    rows["light"] = [_light(s, o) for s, o in zip(rows["status"], rows["outlook"])]
    return rows[GRID_COLUMNS].reset_index(drop=True)


SHARED_COLUMNS = ["key", "code", "district_id", "district", "plan_id", "indicator_id", "name", "unit", "kind",
                  "latest_period", "latest_value", "target", "target_value", "assigned_target", "status",
                  "status_label", "light"]


def shared_codes(comparison: Comparison, codes: list[str] | None = None) -> pd.DataFrame:
    """For every code present in two or more districts (or those of them in `codes`): each district's latest
    value and its own target (`target`: the plan's target value, else the assigned annual target of quota
    indicators). SHARED_COLUMNS, codes in the order they first appear, districts in comparison order."""
    ind = _indicators(comparison)
    if ind.empty:
        return pd.DataFrame(columns=SHARED_COLUMNS)
    coded = ind[ind["code"].fillna("") != ""].copy()
    spread = coded.groupby("code", sort=False)["district_id"].nunique()
    coded = coded[coded["code"].isin(spread[spread >= 2].index)]
    if codes is not None:
        coded = coded[coded["code"].isin(list(codes))]
    coded["target"] = coded["target_value"].where(coded["target_value"].notna(), coded["assigned_target"])
    coded["light"] = [_light(s, o) for s, o in zip(coded["status"], coded["outlook"])]
    order = {c: i for i, c in enumerate(pd.unique(coded["code"]))}
    coded = coded.sort_values("code", key=lambda s: s.map(order), kind="stable")
    return coded[SHARED_COLUMNS].reset_index(drop=True)


def shared_code_names(comparison: Comparison) -> dict[str, str]:
    """code → indicator name (as the first district names it), for every code two or more districts share."""
    shared = shared_codes(comparison)
    return dict(zip(shared["code"], shared["name"])) if len(shared) else {}


COMPLETENESS_COLUMNS = ["district_id", "district", "plan_id", "as_of", *STATE_ORDER, "owed", "reported", "rate"]


def completeness(comparison: Comparison) -> pd.DataFrame:
    """Per district, for its as-of quarter: reports by state (lib.reporting's 已报送 / 逾期报送 / 未报送 / 未到期,
    summed over its units), `owed` (all of them), `reported` (on time + late) and `rate` (reported ÷ owed)."""
    rows = []
    for r in comparison.districts:
        per_unit = unit_completeness(r.reporting) if len(r.reporting) else pd.DataFrame(columns=list(STATE_ORDER))
        totals = {state: int(per_unit[state].sum()) if state in per_unit else 0 for state in STATE_ORDER}
        owed = sum(totals.values())
        reported = totals[STATE_ON_TIME] + totals[STATE_LATE]
        rows.append({"district_id": r.district_id, "district": _district_label(r), "plan_id": r.plan_id,
                     "as_of": str(r.as_of), **totals, "owed": owed, "reported": reported,
                     "rate": reported / owed if owed else float("nan")})
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS)

