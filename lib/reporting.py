"""报送情况: for one quarter, which unit owes which report, what arrived, and how late.

Who owes a report: for an indicator, its lead unit when it has one (task targets K01…), else the first
responsible unit the notice names; for a task, each lead unit — the same units whose reports decide the
task's status in lib.assess (`task_lead_units`). Other responsible units may report too (contributions), and
their reports are counted, but nobody is chased for them. A lead unit whose latest report before the quarter
was 已完成 owes nothing more (finished work stays finished). Annual indicators are owed in Q4 only.
A group named as lead (rare) is expanded to its members. Late = submitted after quarter end + deadline days;
rows loaded from the sample workbook (`lib.store.SYSTEM_ACCOUNT`) carry no real submission time and are never late.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from lib.assess import expand_units, finished_leads, task_lead_units
from lib.periods import TIME_ZONE, Period
from lib.plan import Plan
from lib.store import SYSTEM_ACCOUNT

STATE_ON_TIME, STATE_LATE, STATE_MISSING, STATE_NOT_DUE = "已报送", "逾期报送", "未报送", "未到期"
STATE_ORDER = (STATE_ON_TIME, STATE_LATE, STATE_MISSING, STATE_NOT_DUE)
SEED_ACCOUNTS = (SYSTEM_ACCOUNT,)
COLUMNS = ["unit", "item_type", "item_id", "name", "state", "submitted_at", "days_late", "deadline"]


def quarter_end(period: Period) -> date:
    return period.end


def deadline(period: Period, days: int) -> date:
    return quarter_end(period) + timedelta(days=days)


def _owners(plan: Plan, names: tuple[str, ...]) -> list[str]:
    return expand_units(plan.units, names)


def expected_reports(plan: Plan, period: Period, task_progress: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (unit, item) owed for the quarter: columns unit, item_type, item_id, name. With
    `task_progress`, a lead unit that had already reported a task 已完成 before the quarter is not owed it."""
    rows = []
    for rec in plan.indicators.itertuples(index=False):
        if rec.annual and period.quarter != 4:
            continue
        owners = _owners(plan, rec.lead_units) or _owners(plan, rec.responsible_units[:1])
        rows += [(u, "指标", rec.indicator_id, rec.name) for u in owners]
    leads = task_lead_units(plan)
    done = finished_leads(plan, task_progress, period) if task_progress is not None else set()
    for rec in plan.tasks.itertuples(index=False):
        rows += [(u, "任务", rec.task_id, rec.title) for u in leads[rec.task_id] if (rec.task_id, u) not in done]
    return pd.DataFrame(rows, columns=["unit", "item_type", "item_id", "name"])


def reporting_status(plan: Plan, period: Period, reported: pd.DataFrame, deadline_days: int, today: date,
                     task_progress: pd.DataFrame | None = None) -> pd.DataFrame:
    """Owed reports with their state (已报送 / 逾期报送 / 未报送 / 未到期), plus reports nobody owed but that
    arrived (state 已报送, from responsible units). `reported` is `Store.reported_items(year, quarter)`;
    `task_progress` (the effective task rows) lets finished tasks drop out of what is owed."""
    due = deadline(period, deadline_days)
    owed = expected_reports(plan, period, task_progress)
    merged = owed.merge(reported[["item_type", "item_id", "unit", "account", "created_at"]], how="outer",
                        on=["item_type", "item_id", "unit"], indicator=True)
    names = dict(zip(plan.indicators["indicator_id"], plan.indicators["name"])) | dict(zip(plan.tasks["task_id"], plan.tasks["title"]))
    merged["name"] = merged["item_id"].map(names)
    submitted = merged["created_at"].dt.tz_convert(TIME_ZONE).dt.date
    seeded = merged["account"].isin(SEED_ACCOUNTS)
    late_days = (pd.to_datetime(submitted) - pd.Timestamp(due)).dt.days
    merged["days_late"] = late_days.where(~seeded & (late_days > 0))
    state = pd.Series(STATE_ON_TIME, index=merged.index)
    state[merged["days_late"].notna()] = STATE_LATE
    missing = merged["_merge"] == "left_only"
    state[missing] = STATE_NOT_DUE if today <= due else STATE_MISSING
    merged["state"] = state
    merged["submitted_at"] = submitted.where(~seeded)
    merged["deadline"] = due
    merged.loc[missing, "days_late"] = (today - due).days if today > due else None
    return merged[COLUMNS].sort_values(["unit", "item_type", "item_id"], ignore_index=True)


def completeness(status: pd.DataFrame) -> pd.DataFrame:
    """Per unit: owed, reported on time, late, missing, and the share reported."""
    counts = status.pivot_table(index="unit", columns="state", values="item_id", aggfunc="count", fill_value=0)
    counts = counts.reindex(columns=list(STATE_ORDER), fill_value=0)
    counts["应报"] = counts.sum(axis=1)
    counts["报送率"] = (counts[STATE_ON_TIME] + counts[STATE_LATE]) / counts["应报"].where(counts["应报"] > 0)
    return counts.reset_index()
