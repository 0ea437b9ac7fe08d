"""Steps backwards: what in a submission moves a number the wrong way, for the clerk's preview and the review.

    flags = backward_steps(plan, indicator_rows, task_rows, store.effective_indicator_progress(),
                           store.effective_task_progress())

Three kinds, each with a stable code (Chinese text in lib.messages):

- review.away_from_target: an indicator value already on record for the same quarter is replaced by one
  further from the target: lower when higher is better (direction "up"), higher when lower is better
  (direction "down", e.g. a ceiling on energy use). Values of different quarters are not compared: many are
  year-to-date figures that start again each January.
- review.task_reopened: a task on record as 已完成 (for this quarter or, for a new quarter, the latest earlier
  one) is reported as anything else.
- review.percent_down: a task's 完成进度 is lower than the one on record (same comparison basis).

A flag is a question for both sides, not an error: the value may be a genuine correction.
"""
from __future__ import annotations

import math

import pandas as pd

from lib import fmt
from lib.messages import render
from lib.periods import Period, period_index
from lib.plan import Plan

AWAY, REOPENED, PERCENT_DOWN = "review.away_from_target", "review.task_reopened", "review.percent_down"
DONE = "已完成"
FLAG_COLUMNS = ["item_id", "period", "unit", "code", "message"]


def _number(value: object) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def away_from_target(direction: str, old: float | None, new: float | None) -> bool:
    """True when `new` is further from the target than `old` (direction "up": higher is better)."""
    if old is None or new is None:
        return False
    return new < old if direction == "up" else new > old


def _indicator_flags(plan: Plan, rows: pd.DataFrame | None, old: pd.DataFrame) -> list[dict]:
    if rows is None or len(rows) == 0 or old.empty:
        return []
    info = plan.indicators.set_index("indicator_id")
    before = old.set_index(["indicator_id", "year", "quarter"])["value"]
    out = []
    for r in rows.itertuples(index=False):
        key = (r.indicator_id, int(r.year), int(r.quarter))
        if r.indicator_id not in info.index or key not in before.index:
            continue
        was, now = _number(before.loc[key]), _number(r.value)
        direction = str(info.at[r.indicator_id, "direction"])
        if away_from_target(direction, was, now):
            measure = str(info.at[r.indicator_id, "unit"])
            out.append({"item_id": r.indicator_id, "period": Period(key[1], key[2]).label, "unit": r.unit, "code": AWAY,
                        "message": render(AWAY, old=fmt.with_unit(was, measure), new=fmt.with_unit(now, measure),
                                          better="越高越好" if direction == "up" else "越低越好")})
    return out


def _latest_task_rows(old: pd.DataFrame) -> pd.DataFrame:
    return old.assign(idx=period_index(old["year"].astype(int), old["quarter"].astype(int)))


def _task_flags(rows: pd.DataFrame | None, old: pd.DataFrame) -> list[dict]:
    if rows is None or len(rows) == 0 or old.empty:
        return []
    ranked = _latest_task_rows(old)
    out = []
    for r in rows.itertuples(index=False):
        idx = int(period_index(int(r.year), int(r.quarter)))
        mine = ranked[(ranked["task_id"] == r.task_id) & (ranked["unit"] == r.unit) & (ranked["idx"] <= idx)]
        if mine.empty:
            continue
        prev = mine.sort_values("idx").iloc[-1]
        period = Period(int(r.year), int(r.quarter)).label
        basis = "本季度原报" if int(prev["idx"]) == idx else f"{Period(int(prev['year']), int(prev['quarter']))} 报送"
        if prev["state"] == DONE and r.state != DONE:
            out.append({"item_id": r.task_id, "period": period, "unit": r.unit, "code": REOPENED,
                        "message": render(REOPENED, basis=basis, state=r.state)})
        was, now = _number(prev["percent"]), _number(r.percent)
        if was is not None and now is not None and now < was:
            out.append({"item_id": r.task_id, "period": period, "unit": r.unit, "code": PERCENT_DOWN,
                        "message": render(PERCENT_DOWN, basis=basis, old=fmt.number(was), new=fmt.number(now))})
    return out


def backward_steps(plan: Plan, indicator_rows: pd.DataFrame | None, task_rows: pd.DataFrame | None,
                   old_indicators: pd.DataFrame, old_tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per step backwards (columns item_id, period, unit, code, message), in the rows' order.
    `old_*` are the effective (adopted) rows, `Store.effective_*_progress()`. Inputs are not changed."""
    found = _indicator_flags(plan, indicator_rows, old_indicators) + _task_flags(task_rows, old_tasks)
    return pd.DataFrame(found, columns=FLAG_COLUMNS)


def flags_by_row(flags: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(item_id, period) → the flags' messages joined, to put beside a preview row."""
    return {k: ";".join(g["message"]) for k, g in flags.groupby(["item_id", "period"], sort=False)}
