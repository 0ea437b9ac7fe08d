"""Roll-ups of assessment results: by category, by section and by responsible unit.

Each roll-up counts items per status code and keeps the ids behind every count (column `<code>_ids`),
so a page can list exactly which indicators or tasks make up "3 滞后". Percentages are never averaged
across tasks: a section with one finished and one stalled task is "1 done, 1 behind", not "50%".
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from lib import fmt
from lib.plan import Plan
from lib.schema import CATEGORIES
from lib.status import Status, TaskStatus

INDICATOR_CODES = tuple(s.value for s in Status)
TASK_CODES = tuple(s.value for s in TaskStatus)


def _kind_of(results: pd.DataFrame) -> tuple[str, tuple[str, ...]]:
    """(id column, status codes) for an indicator or a task result frame."""
    if "indicator_id" in results.columns:
        return "indicator_id", INDICATOR_CODES
    return "task_id", TASK_CODES


def ids_column(code: str) -> str:
    return f"{code}_ids"


def rollup(results: pd.DataFrame, by: str | Sequence[str], order: Iterable | None = None) -> pd.DataFrame:
    """One row per group: `total`, one count column per status code and one `<code>_ids` tuple column.

    `order` lists the groups to show, in that order (groups with no items get zero counts); by default
    the groups appear in the order of the results (plan order)."""
    id_col, codes = _kind_of(results)
    keys = [by] if isinstance(by, str) else list(by)
    grouped = results.groupby(keys, sort=False)
    index = grouped.size().index
    if order is not None:
        index = pd.MultiIndex.from_tuples(list(order), names=keys) if len(keys) > 1 else pd.Index(list(order), name=keys[0])
    out = pd.DataFrame(index=index)
    out["total"] = grouped.size().reindex(index, fill_value=0)
    for code in codes:
        subset = results[results["status"] == code]
        out[code] = subset.groupby(keys, sort=False).size().reindex(index, fill_value=0)
        ids = subset.groupby(keys, sort=False)[id_col].agg(tuple).reindex(index)
        out[ids_column(code)] = [v if isinstance(v, tuple) else () for v in ids]
    return out.reset_index()


def by_category(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators per category (预期性 / 约束性 / 任务指标), in the schema's order, then any other."""
    present = list(pd.unique(indicators["category"]))
    order = [c for c in CATEGORIES if c in present] + [c for c in present if c not in CATEGORIES]
    return rollup(indicators, "category", order=order)


def by_section(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks per plan section (篇章), in plan order."""
    return rollup(tasks, ["section_no", "section_title"])


def unit_items(plan: Plan, results: pd.DataFrame, units: Iterable[str] | None = None) -> pd.DataFrame:
    """Every (unit, item) pair of responsibility joined to the item's status: one row per unit and
    indicator (or task), with `role` (牵头单位/责任单位) and `via` (直接/别名/组团) from lib.units."""
    id_col, _ = _kind_of(results)
    units = list(dict.fromkeys(units)) if units is not None else plan.units.reporting_units()
    status = results.set_index(id_col)[["status", "status_label"]]
    items = _responsibility_rows(plan, units)
    items = items[items["item_id"].isin(status.index)].reset_index(drop=True)
    items = items.join(status, on="item_id").rename(columns={"item_id": id_col})
    return items[["unit", id_col, "name", "role", "via", "named_as", "status", "status_label"]]


def _responsibility_rows(plan: Plan, units: list[str]) -> pd.DataFrame:
    """The plan's responsibility rows of `units`, in the order of `units`, then plan order. Reporting units
    come from the plan's table (one filter, not one frame per unit: ~1 s per rerun of the 责任单位 page);
    any other name (a group) is worked out on its own."""
    table = plan.responsibility_table
    known = set(table["unit"])
    rows = table[table["unit"].isin(units)]
    others = [plan.responsibilities(u).assign(unit=u) for u in units if u not in known]
    if others:
        rows = pd.concat([rows, *others], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(columns=["unit", "item_id", "name", "role", "via", "named_as"])
    position = {u: i for i, u in enumerate(units)}
    return rows.iloc[rows["unit"].map(position).to_numpy().argsort(kind="stable")]


def by_unit(plan: Plan, results: pd.DataFrame, *, units: Iterable[str] | None = None,
            roles: Iterable[str] | None = None, vias: Iterable[str] | None = None) -> pd.DataFrame:
    """Items per responsible unit (all reporting units in units.csv order by default). `roles` and `vias`
    narrow what counts, e.g. roles=[ROLE_LEAD] for "tasks this unit leads", vias=[VIA_DIRECT, VIA_ALIAS]
    to leave out what a unit answers for only as a member of a group."""
    units = list(units) if units is not None else plan.units.reporting_units()
    items = unit_items(plan, results, units)
    if roles is not None:
        items = items[items["role"].isin(list(roles))]
    if vias is not None:
        items = items[items["via"].isin(list(vias))]
    return rollup(items, "unit", order=units)


def status_counts_long(by_unit_frame: pd.DataFrame) -> pd.DataFrame:
    """`by_unit` output in long form (unit, status, count) for the ranking chart; zero counts dropped."""
    codes = [c for c in (*INDICATOR_CODES, *TASK_CODES) if c in by_unit_frame.columns]
    long = by_unit_frame.melt(id_vars="unit", value_vars=list(dict.fromkeys(codes)), var_name="status", value_name="count")
    return long[long["count"] > 0].reset_index(drop=True)


def section_matrix(plan: Plan, task_items: pd.DataFrame) -> pd.DataFrame:
    """Unit × section responsibility counts by role (unit, section_no, section_title, role, count), from
    `unit_items(plan, task_results)`; units keep their order in the input."""
    sections = plan.tasks.set_index("task_id")[["section_no", "section_title"]]
    joined = task_items.join(sections, on="task_id")
    out = joined.groupby(["unit", "section_no", "section_title", "role"], sort=False).size().rename("count").reset_index()
    order = {u: i for i, u in enumerate(pd.unique(task_items["unit"]))}
    return out.sort_values(["unit", "section_no"], key=lambda s: s.map(order) if s.name == "unit" else s, ignore_index=True)


def attention_note(row: pd.Series) -> str:
    """Why an assessed indicator is on a 需要关注 list, in one line: the no-data reason, or the numbers behind
    滞后 for its kind (achievement against time elapsed, the assigned quota, the gap to its reference
    indicator, or the value against its ceiling)."""
    if row["reason"]:
        return row["reason"]
    if pd.notna(row["achievement"]):
        return f"完成度 {fmt.percent(row['achievement'])},时间进度 {fmt.percent(row['time_elapsed'])}"
    if row["kind"] == "quota":
        return f"实际 {fmt.with_unit(row['latest_value'], row['unit'])},上级下达 {fmt.with_unit(row['assigned_target'], row['unit'])}"
    if row["kind"] == "in_step":
        return f"五年年均增速与{row['ref_indicator']}相差 {fmt.signed(row['diff_pp'], 2)} 个百分点"
    return f"{fmt.with_unit(row['latest_value'], row['unit'])},上限 {fmt.with_unit(row['target_value'], row['unit'])}"
