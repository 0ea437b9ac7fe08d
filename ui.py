"""The one streamlit-aware helper module: cached loaders, error display, shared widgets.

Page scripts stay thin: read widgets → call lib → render with these helpers. The data store lives in
`lib.store`; `st.session_state` holds widget state only.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import charts, settings
from lib.assess import Tolerance, assess_indicators, assess_tasks, default_as_of
from lib.periods import Period
from lib.plan import Plan, PlanError, load_plan
from lib.schema import CATEGORIES
from lib.store import Store, StoreError, apply_baselines, open_store

ROOT = Path(__file__).resolve().parent


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


def unit_options(p: Plan) -> list[str]:
    """Reporting units first (departments, towns, subdistricts), then groups."""
    return p.units.reporting_units() + [u for u, info in p.units.units.items() if info.is_group]


def search_mask(frame: pd.DataFrame, text: str, columns: list[str]) -> pd.Series:
    """Case-insensitive substring match over the given text columns; regex characters are literal."""
    if not text.strip():
        return pd.Series(True, index=frame.index)
    needle = text.strip().lower()
    hay = frame[columns].astype(str).agg(" ".join, axis=1).str.lower()
    return hay.str.contains(needle, regex=False)


# --- the global view: as-of period and filters, mirrored in the URL -----------------------------------

ALL = "全部"
_VIEW_KEYS = {"as_of": "v_as_of", "category": "v_category", "section": "v_section", "unit": "v_unit"}


@dataclass(frozen=True)
class View:
    as_of: Period
    category: str | None
    section: int | None
    unit: str | None

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.category, self.section, self.unit))


def _seed_from_url(key: str, param: str, options: list) -> None:
    """A shared link sets the widget once per session; afterwards the widget owns the value."""
    if key in st.session_state:
        return
    raw = st.query_params.get(param)
    if raw is None:
        return
    by_text = {str(o): o for o in options}
    if raw in by_text:
        st.session_state[key] = by_text[raw]


def view_sidebar(p: Plan, periods: list[Period]) -> View:
    """Render the global as-of selector and filters in the sidebar; return the current view."""
    periods = periods or p.periods[:1]
    options = {
        "as_of": list(reversed(periods)),
        "category": [ALL, *CATEGORIES],
        "section": [ALL, *p.sections["section_no"].tolist()],
        "unit": [ALL, *unit_options(p)],
    }
    for name, key in _VIEW_KEYS.items():
        _seed_from_url(key, name, options[name])
        if key in st.session_state and st.session_state[key] not in options[name]:
            del st.session_state[key]  # e.g. a period that no longer has data
    titles = dict(zip(p.sections["section_no"], p.sections["section_title"]))
    with st.sidebar:
        st.markdown("**查看范围**")
        as_of = st.selectbox("截至季度", options["as_of"], key=_VIEW_KEYS["as_of"], format_func=_period_label,
                             help="评估以该季度末为准,之后的数据不计入;默认是数据中最新的季度")
        category = st.selectbox("指标类别", options["category"], key=_VIEW_KEYS["category"])
        section = st.selectbox("任务篇章", options["section"], key=_VIEW_KEYS["section"],
                               format_func=lambda s: s if s == ALL else f"{_numeral(s)}、{titles[s]}")
        unit = st.selectbox("责任单位", options["unit"], key=_VIEW_KEYS["unit"],
                            help="只看该单位牵头或负责的指标和任务(含通过别名、组团分到的)")
    view = View(as_of, None if category == ALL else category, None if section == ALL else int(section), None if unit == ALL else unit)
    _mirror_to_url(view, periods[-1])
    return view


def _mirror_to_url(view: View, latest: Period) -> None:
    wanted = {"as_of": str(view.as_of) if view.as_of != latest else None, "category": view.category,
              "section": None if view.section is None else str(view.section), "unit": view.unit}
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def _numeral(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def section_label(n: int, title: str) -> str:
    return f"{_numeral(n)}、{title}"


def _period_label(p: Period) -> str:
    return f"{p.year}年第{_numeral(p.quarter)}季度({p})"


# --- data: the store, its effective progress, and the assessment for a view ----------------------------

@st.cache_resource(show_spinner="正在打开数据库…")
def store() -> Store:
    """One store per process; on first start it is seeded with the sample workbook."""
    s = open_store()
    s.seed_if_empty(plan(), settings.get("sample_progress"))
    return s


@dataclass(frozen=True)
class Data:
    """Everything the store says that feeds the assessment, at one data version."""
    plan: Plan                     # with the planning office's baselines applied
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
        progress, tasks, targets, baselines = _read_store(s.data_version())
    except StoreError as exc:
        st.error(f"数据库无法使用:{exc.message}")
        st.stop()
    return Data(apply_baselines(plan(), baselines), progress, tasks, targets)


@st.cache_data(show_spinner=False, max_entries=64)
def _assess(version: tuple, as_of: str, tol_path: float, tol_pp: float, _d: Data) -> tuple[pd.DataFrame, pd.DataFrame]:
    period = Period.parse(as_of)
    ind = assess_indicators(_d.plan, _d.progress, period, Tolerance(tol_path, tol_pp), _d.annual_targets)
    tasks = assess_tasks(_d.plan, _d.task_progress, period)
    return ind, tasks


def assessment(d: Data, as_of: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicator results, task results) as of a quarter, cached per data version and tolerance."""
    return _assess(store().data_version(), str(as_of), float(settings.get("tolerance")), float(settings.get("tolerance_pp")), d)


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


def sample_banner(d: Data) -> None:
    """Say plainly when what is on screen is sample or illustrative data."""
    notes = []
    if d.sample_rows:
        notes.append(f"进度数据中有 {d.sample_rows} 条为示例数据(备注“示例数据”)")
    if d.plan.uses_illustrative_baselines:
        notes.append("部分基期值为示例值")
    if notes:
        st.warning("**演示数据**:" + ";".join(notes) + "。正式使用前请由各单位报送真实数据、区发改局核定基期值。", icon="⚠️")


def chart(fig: go.Figure, title: str, as_of: Period, key: str | None = None) -> None:
    """A plotly chart with its own PNG button named after the chart and the as-of period."""
    st.plotly_chart(fig, width="stretch", config=charts.chart_config(title, str(as_of)), key=key)


def escape(text: object) -> str:
    return html.escape("" if text is None else str(text))
