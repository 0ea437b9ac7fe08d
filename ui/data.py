"""The store, the plan it is scoped to, its effective progress and the assessment, cached per data version."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from lib import scope, settings
from lib.assess import (
    Tolerance,
    assess_indicators,
    assess_tasks,
    default_as_of,
    task_contributions,
)
from lib.periods import Period, today
from lib.plan import Plan, PlanError, load_plan
from lib.accounts import visible_plan_ids
from lib.continuity import PlanPart, continuous_series
from lib.plan_catalog import (
    STATE_ARCHIVED,
    catalog_stamp,
    current_plan_id,
    latest_version,
    list_plans,
    predecessor_id,
    ready_store,
    stored_plan,
)
from lib.store import Store, StoreError, assessment_inputs
from ui.view import View, mirror_param


def shared_frames(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """st.cache_resource for functions that return data frames (or tuples holding them): each call gets its own
    shallow copy of every frame. Why not st.cache_data: it unpickles its value on every hit, and unpickling a
    frame of Arrow-backed text columns costs ~2 ms a column (a quarter of a page's server time went there).
    A shallow copy is enough: pandas' copy-on-write keeps a caller's writes out of the cached frame."""
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        cached = st.cache_resource(show_spinner=False, **options)(fn)

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            return _own_copy(cached(*args, **kwargs))
        call.clear = cached.clear  # type: ignore[attr-defined]
        return call
    return decorate


def _own_copy(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_own_copy(v) for v in value)
    return value


@st.cache_resource(show_spinner=False)
def _plan_folder(plan_dir: str) -> Plan:
    return load_plan(plan_dir)


def _seed_plan() -> Plan:
    """The plan folder of the `plan_dir` setting (loaded into the store at start), or a page-stopping list of
    what is wrong with its files."""
    try:
        return _plan_folder(str(settings.get("plan_dir")))
    except PlanError as exc:
        st.error("规划文件有误,看板无法加载。请按以下提示修改规划目录中的文件后刷新页面:")
        st.dataframe(pd.DataFrame({"位置": [f.location for f in exc.findings], "说明": [f.message for f in exc.findings]}), hide_index=True)
        st.stop()


@st.cache_resource(show_spinner="正在打开数据库…")
def root_store() -> Store:
    """One store per process holding every plan; on first start it loads the configured plans and sample data."""
    return Store(ready_store(_seed_plan()).engine)


# --- the chosen plan: 规划 (and 区县) in the sidebar, `?plan=` in the URL -----------------------------------

PLAN_KEY, DISTRICT_KEY, PLAN_PARAM = "pm_plan", "pm_district", "plan"


@shared_frames(max_entries=8)
def _catalog(url: str, stamp: tuple) -> pd.DataFrame:
    return list_plans(root_store())


def all_plans() -> pd.DataFrame:
    """Every stored plan (`lib.plan_catalog.list_plans` rows), re-read only when the catalogue changes."""
    try:
        return _catalog(root_store().url, catalog_stamp(root_store()))
    except StoreError as exc:
        st.error(f"数据库无法使用:{exc.message}")
        st.stop()


def plans() -> pd.DataFrame:
    """The plans the visitor may read (lib.accounts.visible_plan_ids): an account's district, a city account's
    city; every plan when browsing publicly."""
    from ui.auth import current_account
    frame = all_plans()
    return frame[frame["plan_id"].isin(visible_plan_ids(current_account(), frame))].reset_index(drop=True)


def _home_district(frame: pd.DataFrame) -> str:
    """The district shown first: the account's own, else the seed plan's (the first configured plan folder)."""
    from ui.auth import current_account
    own = getattr(current_account(), "district_id", None)
    if own and own in set(frame["district_id"]):
        return own
    seed = frame[frame["plan_id"] == _seed_plan().config.id]
    return str((seed if not seed.empty else frame).iloc[0]["district_id"])


def plan_id(readable: pd.DataFrame | None = None) -> str:
    """The plan the pages show: the sidebar's choice, else a shared link's `?plan=`, else the district's
    current plan (its period contains today's year, else its latest). `readable`: `plans()`, when the caller
    has it already."""
    frame = plans() if readable is None else readable
    if frame.empty:
        from lib.messages import render
        st.warning(render("catalog.none_readable"))
        st.stop()
    ids = frame["plan_id"].tolist()
    for chosen in (st.session_state.get(PLAN_KEY), st.query_params.get(PLAN_PARAM)):
        if chosen in ids:
            return str(chosen)
    district = st.session_state.get(DISTRICT_KEY)
    district = district if district in set(frame["district_id"]) else _home_district(frame)
    return current_plan_id(frame, today(), district) or ids[0]


def plan_label(row: pd.Series) -> str:
    """'“十五五”规划(2026—2030,示例)' for the selector: the district is the 区县 selector's (or the account's),
    so the name drops it, which keeps the label within the sidebar's width."""
    name = str(row["short_name"]).removeprefix(str(row["district"])).replace("(示例)", "").strip() or str(row["plan_id"])
    notes = [row["period"]] + (["示例"] if row["sample"] else []) + (["已归档"] if row["state"] == STATE_ARCHIVED else [])
    return f"{name}({','.join(notes)})"


def _on_district_change() -> None:
    st.session_state.pop(PLAN_KEY, None)   # a new district starts on its current plan, whatever the link said
    if PLAN_PARAM in st.query_params:
        del st.query_params[PLAN_PARAM]


def plan_sidebar() -> str | None:
    """Render 区县 (when the visitor may read several districts) and 规划 in the sidebar; mirror the plan in
    the URL; return the chosen plan id (None, and nothing drawn, when the visitor may read no plan: e.g. not
    signed in without public browsing, on the sign-in page)."""
    frame = plans()
    if frame.empty:
        return None
    chosen = plan_id(frame)
    districts = dict(zip(frame["district_id"], frame["district"]))
    district = str(frame.loc[frame["plan_id"] == chosen, "district_id"].iloc[0])
    mine = frame[frame["district_id"] == district]
    labels = {r["plan_id"]: plan_label(r) for _, r in mine.iterrows()}
    several = len(districts) > 1
    # Radios in one popover labelled with the choice, not dropdowns: a dropdown on the page costs every page's
    # load about 20 more scripts (bench/pages.py); a popover's widgets are built only when it is opened.
    button = (f"{districts[district]} · " if several else "") + labels[chosen]
    with st.sidebar, st.popover(button, icon=":material/account_tree:", width="stretch"):
        if several:
            st.session_state[DISTRICT_KEY] = district
            st.radio("区县", list(districts), key=DISTRICT_KEY, format_func=districts.get, on_change=_on_district_change)
        st.session_state[PLAN_KEY] = chosen
        st.radio("规划", list(labels), key=PLAN_KEY, format_func=labels.get)
        st.caption("各页面显示所选规划的指标、任务和报送;默认是当前正在实施的规划。")
    current = current_plan_id(frame, today(), district)
    mirror_param(PLAN_PARAM, chosen, default=current)
    return chosen


@shared_frames(max_entries=32)
def _series(url: str, code: str, key: tuple) -> pd.DataFrame:
    root = root_store()
    parts = [PlanPart(_stored(url, pid, version), root.plan(pid).effective_indicator_progress()) for pid, version, _ in key]
    return continuous_series(code, parts)


def district_series(code: str) -> pd.DataFrame:
    """One measure (`code`) over every plan of the chosen plan's district (lib.continuity), cached until any
    of those plans changes; its `plan_id` column says which plan each value belongs to."""
    frame, root = all_plans(), root_store()
    district = frame.loc[frame["plan_id"] == plan_id(), "district_id"].iloc[0]
    ids = frame.loc[frame["district_id"] == district, "plan_id"].tolist()
    key = tuple((pid, latest_version(root, pid), root.plan(pid).data_version()) for pid in ids)
    return _series(root.url, code, key)


@st.cache_resource(show_spinner=False, max_entries=32)
def _stored(url: str, plan_id_: str, version: int) -> Plan:
    return stored_plan(root_store(), plan_id_)


def plan() -> Plan:
    """The chosen plan as the store keeps it (its latest version)."""
    return stored_plan_of(plan_id())


def stored_plan_of(pid: str) -> Plan:
    """A stored plan (its latest version), cached per version; a page-stopping message when unreadable."""
    try:
        return _stored(root_store().url, pid, latest_version(root_store(), pid))
    except PlanError as exc:
        st.error("所选规划无法读取:" + ";".join(f.message for f in exc.findings))
        st.stop()


def store() -> Store:
    """The store scoped to the chosen plan (cheap: shares the process's engine)."""
    return root_store().plan(plan_id())


@dataclass(frozen=True)
class Data:
    """Everything the store says that feeds the assessment of the chosen plan, at one data version."""
    plan: Plan                     # with inherited and the planning office's baselines applied
    version: tuple                 # plan id, plan version and data versions these frames were read at (cache key)
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


@shared_frames(max_entries=8)
def _read_store(version: tuple, _plan: Plan) -> tuple[Plan, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    plan_, progress, tasks, targets = assessment_inputs(root_store().plan(version[0]), _plan)
    return plan_, progress, tasks, targets


def data_version() -> tuple:
    """The chosen plan's cache key: its id and version, its data version, and its predecessor's (whose final
    values are the new plan's inherited baselines)."""
    pid, root = plan_id(), root_store()
    previous = predecessor_id(all_plans(), pid)
    return (pid, latest_version(root, pid), root.plan(pid).data_version(),
            root.plan(previous).data_version() if previous else None)


def data() -> Data:
    """The chosen plan's current data; re-read only when its data version changes."""
    try:
        version = data_version()
        plan_, progress, tasks, targets = _read_store(version, plan())
    except StoreError as exc:
        st.error(f"数据库无法使用:{exc.message}")
        st.stop()
    return Data(plan_, version, progress, tasks, targets)


@shared_frames(max_entries=64)
def _assess(version: tuple, as_of: str, tol_path: float, tol_pp: float, _d: Data) -> tuple[pd.DataFrame, pd.DataFrame]:
    period = Period.parse(as_of)
    ind = assess_indicators(_d.plan, _d.progress, period, Tolerance(tol_path, tol_pp), _d.annual_targets)
    tasks = assess_tasks(_d.plan, _d.task_progress, period)
    return ind, tasks


def assessment(d: Data, as_of: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicator results, task results) as of a quarter, cached per data version and tolerance."""
    return _assess(d.version, str(as_of), float(settings.get("tolerance")), float(settings.get("tolerance_pp")), d)


def filter_results(d: Data, view: View, indicators: pd.DataFrame, tasks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the sidebar filters (lib.scope: the rule the briefing and the report use too)."""
    return scope.filter_results(d.plan, indicators, tasks, category=view.category, section=view.section, unit=view.unit)


def filter_reporting(d: Data, view: View, status: pd.DataFrame) -> pd.DataFrame:
    """Apply the sidebar filters to 报送情况 rows (lib.scope: the same items, units, aliases and groups)."""
    return scope.filter_reporting(d.plan, status, category=view.category, section=view.section, unit=view.unit)


@shared_frames(max_entries=32)
def _contributions(version: tuple, as_of: str, _d: Data) -> pd.DataFrame:
    return task_contributions(_d.plan, _d.task_progress, Period.parse(as_of))


def contributions(d: Data, as_of: Period) -> pd.DataFrame:
    """Other units' rows for the as-of quarter (never used for a task's status), cached per data version."""
    return _contributions(d.version, str(as_of), d)


@shared_frames(max_entries=32)
def _task_history(version: tuple, as_of: str, _d: Data) -> pd.DataFrame:
    """Every task's status at each quarter up to as_of (lib.scope.task_history), cached per data version."""
    return scope.task_history(_d.plan, _d.task_progress, Period.parse(as_of))


def task_history(d: Data, view: View, task_ids: set[str]) -> pd.DataFrame:
    history = _task_history(d.version, str(view.as_of), d)
    return history[history["task_id"].isin(task_ids)]


@shared_frames(max_entries=32)
def _reporting(version: tuple, as_of: str, deadline_days: int, today: str, _d: Data) -> pd.DataFrame:
    from datetime import date

    from lib.reporting import reporting_status
    period = Period.parse(as_of)
    return reporting_status(_d.plan, period, store().reported_items(period.year, period.quarter), deadline_days,
                            date.fromisoformat(today), task_progress=_d.task_progress)


def reporting_status(d: Data, as_of: Period) -> pd.DataFrame:
    return _reporting(d.version, str(as_of), int(settings.get("report_deadline_days")), today().isoformat(), d)
