"""The store, the plan it is scoped to, its effective progress and the assessment, cached per data version."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib import settings
from lib.assess import (
    Tolerance,
    assess_indicators,
    assess_tasks,
    default_as_of,
    task_contributions,
)
from lib.periods import Period
from lib.plan import Plan, PlanError, load_plan
from lib.plan_catalog import ready_store
from lib.store import Store, StoreError, apply_baselines
from ui.view import View


@st.cache_resource(show_spinner=False)
def _plan(plan_dir: str) -> Plan:
    return load_plan(plan_dir)


def plan() -> Plan:
    """The plan, or a page-stopping list of what is wrong with the plan files."""
    try:
        return _plan(str(settings.get("plan_dir")))
    except PlanError as exc:
        st.error("规划文件有误,看板无法加载。请按以下提示修改规划目录中的文件后刷新页面:")
        st.dataframe(pd.DataFrame({"位置": [f.location for f in exc.findings], "说明": [f.message for f in exc.findings]}), hide_index=True)
        st.stop()


@st.cache_resource(show_spinner="正在打开数据库…")
def store() -> Store:
    """One store per process, scoped to the plan shown; on first start it loads the plans and sample data."""
    return ready_store(plan())


@dataclass(frozen=True)
class Data:
    """Everything the store says that feeds the assessment, at one data version."""
    plan: Plan                     # with the planning office's baselines applied
    version: tuple                 # the store's data_version these frames were read at (cache key)
    progress: pd.DataFrame
    task_progress: pd.DataFrame
    annual_targets: pd.DataFrame

    @property
    def periods(self) -> list[Period]:
        """Plan quarters up to the latest one with data (the as-of choices)."""
        latest = default_as_of(self.plan, self.progress, self.task_progress)
        return [q for q in self.plan.periods if q <= latest]

    @property
    def sample_rows(self) -> int:
        return int(self.progress["note"].fillna("").str.contains("示例").sum())


@st.cache_data(show_spinner=False, max_entries=8)
def _read_store(version: tuple) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    s = store()
    return s.effective_indicator_progress(), s.effective_task_progress(), s.annual_targets(), s.baselines()


def data() -> Data:
    """The store's current data; re-read only when its data_version changes."""
    try:
        s = store()
        version = s.data_version()
        progress, tasks, targets, baselines = _read_store(version)
    except StoreError as exc:
        st.error(f"数据库无法使用:{exc.message}")
        st.stop()
    return Data(apply_baselines(plan(), baselines), version, progress, tasks, targets)


@st.cache_data(show_spinner=False, max_entries=64)
def _assess(version: tuple, as_of: str, tol_path: float, tol_pp: float, _d: Data) -> tuple[pd.DataFrame, pd.DataFrame]:
    period = Period.parse(as_of)
    ind = assess_indicators(_d.plan, _d.progress, period, Tolerance(tol_path, tol_pp), _d.annual_targets)
    tasks = assess_tasks(_d.plan, _d.task_progress, period)
    return ind, tasks


def assessment(d: Data, as_of: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicator results, task results) as of a quarter, cached per data version and tolerance."""
    return _assess(d.version, str(as_of), float(settings.get("tolerance")), float(settings.get("tolerance_pp")), d)


def filter_results(d: Data, view: View, indicators: pd.DataFrame, tasks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the sidebar filters: category to indicators, section to tasks (and to task-linked K indicators),
    unit to both (responsible in any role, directly, by alias or via a group)."""
    if view.category:
        indicators = indicators[indicators["category"] == view.category]
    if view.section is not None:
        tasks = tasks[tasks["section_no"] == view.section]
        section_tasks = set(d.plan.tasks.loc[d.plan.tasks["section_no"] == view.section, "task_id"])
        indicators = indicators[indicators["task_id"].isin(section_tasks)]
    if view.unit:
        mine = set(d.plan.responsibilities(view.unit)["item_id"])
        indicators = indicators[indicators["indicator_id"].isin(mine)]
        tasks = tasks[tasks["task_id"].isin(mine)]
    return indicators, tasks


@st.cache_data(show_spinner=False, max_entries=32)
def _contributions(version: tuple, as_of: str, _d: Data) -> pd.DataFrame:
    return task_contributions(_d.plan, _d.task_progress, Period.parse(as_of))


def contributions(d: Data, as_of: Period) -> pd.DataFrame:
    """Other units' rows for the as-of quarter (never used for a task's status), cached per data version."""
    return _contributions(d.version, str(as_of), d)


@st.cache_data(show_spinner=False, max_entries=32)
def _task_history(version: tuple, as_of: str, _d: Data) -> pd.DataFrame:
    """Every task's status at each quarter up to as_of (one assess_tasks per quarter: 20 at most)."""
    frames = []
    last = Period.parse(as_of)
    for q in _d.plan.periods:
        if q > last:
            break
        res = assess_tasks(_d.plan, _d.task_progress, q)
        frames.append(res.assign(period=str(q))[["task_id", "title", "period", "status"]])
    return pd.concat(frames, ignore_index=True)


def task_history(d: Data, view: View, task_ids: set[str]) -> pd.DataFrame:
    history = _task_history(d.version, str(view.as_of), d)
    return history[history["task_id"].isin(task_ids)]


@st.cache_data(show_spinner=False, max_entries=32)
def _reporting(version: tuple, as_of: str, deadline_days: int, today: str, _d: Data) -> pd.DataFrame:
    from datetime import date

    from lib.reporting import reporting_status
    period = Period.parse(as_of)
    return reporting_status(_d.plan, period, store().reported_items(period.year, period.quarter), deadline_days,
                            date.fromisoformat(today), task_progress=_d.task_progress)


def reporting_status(d: Data, as_of: Period) -> pd.DataFrame:
    from datetime import date
    return _reporting(d.version, str(as_of), int(settings.get("report_deadline_days")), date.today().isoformat(), d)
