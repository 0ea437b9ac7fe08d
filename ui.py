"""The one streamlit-aware helper module: cached loaders, error display, shared widgets.

Page scripts stay thin: read widgets → call lib → render with these helpers. The data store lives in
`lib.store`; `st.session_state` holds widget state only.
"""
from __future__ import annotations

import hashlib as _hashlib
import sys as _sys
import html
import threading as _threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import accounts as _acc
from lib import charts, fmt, settings
from lib import export as _export
from lib.assess import Tolerance, assess_indicators, assess_tasks, default_as_of, task_contributions
from lib.dates import chinese_date
from lib.periods import Period, time_elapsed
from lib.plan import Plan, PlanError, load_plan
from lib.schema import CATEGORIES
from lib import verdict
from lib.status import AT_RISK_LIGHT, LEGEND_AMBER, STATUS_LOOK, Status, light_look, outlook_label, status_label
from lib.plan_catalog import ready_store
from lib.store import Store, StoreError, apply_baselines


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


# --- a broken set-up: one page that says what is wrong (lib/setupcheck.py) -------------------------------

def _setup_stamp() -> tuple:
    """What the check depends on besides the database: the settings and the plan files' stamps."""
    names = ("plan_dir", "db_url", "accounts_file", "demo_mode", "cookie_key")
    plan_dir = Path(str(settings.get("plan_dir")))
    files = []
    for name in ("plan.toml", "indicators.csv", "tasks.csv", "units.csv"):
        try:
            st_ = (plan_dir / name).stat()
            files.append((name, st_.st_mtime_ns, st_.st_size))
        except OSError:
            files.append((name, 0, -1))
    return tuple(str(settings.get(n)) for n in names) + tuple(files)


@st.cache_resource(show_spinner="正在检查设置…", max_entries=8)
def _checked_setup(stamp: tuple) -> tuple:
    from lib.setupcheck import check_setup
    return tuple(check_setup())


def setup_problems() -> list:
    """The set-up's problems ([] once it is fine: then checked once per process and settings). A failed
    check is not kept, so the page recovers on the next refresh after the administrator fixes it."""
    problems = _checked_setup(_setup_stamp())
    if problems:
        _checked_setup.clear()
    return list(problems)


def setup_problem_page(problems: list) -> None:
    """Instead of the navigation: what is wrong with the set-up and what to do, then stop."""
    st.title("看板暂时无法使用")
    st.markdown("安装或设置有问题,看板无法打开。请管理员按下面的提示处理,然后刷新本页。")
    for p in problems:
        st.error(escape_markdown(p.message), icon="🛠️")
        st.caption(f"代码 {p.code}")
    st.caption("命令行 python -m lib … 会给出同样的提示(退出码 2)。")
    st.stop()


@st.cache_resource(show_spinner=False)
def _demo_exposure(address: str, demo_mode: bool) -> str | None:
    from lib.setupcheck import demo_exposure_warning
    warning = demo_exposure_warning(address, demo_mode)
    if warning:
        print(warning, file=_sys.stderr, flush=True)   # once per process, in the server's log
    return warning


def warn_demo_exposure() -> None:
    """Demo accounts (published password) on a non-loopback address: say so in the server log."""
    _demo_exposure(str(st.get_option("server.address") or ""), bool(settings.get("demo_mode")))


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


def _index_from_url(key: str, param: str, options: list) -> int:
    """A shared link picks the widget's initial option; afterwards the widget owns the value."""
    raw = st.query_params.get(param)
    if key in st.session_state or raw is None:
        return 0
    texts = [str(o) for o in options]
    return texts.index(raw) if raw in texts else 0


def _options(p: Plan, periods: list[Period]) -> dict[str, list]:
    return {
        "as_of": list(reversed(periods or p.periods[:1])),
        "category": [ALL, *CATEGORIES],
        "section": [ALL, *p.sections["section_no"].tolist()],
        "unit": [ALL, *unit_options(p)],
    }


def _view_from_state(options: dict[str, list]) -> View:
    value = {name: st.session_state.get(key, options[name][0]) for name, key in _VIEW_KEYS.items()}
    return View(value["as_of"], None if value["category"] == ALL else value["category"],
                None if value["section"] == ALL else int(value["section"]), None if value["unit"] == ALL else value["unit"])


def view_sidebar(p: Plan, periods: list[Period]) -> View:
    """Render the global as-of selector and filters in the sidebar (from the entry script, so the widgets
    and their state are shared by every page); mirror them into the URL; return the view."""
    options = _options(p, periods)
    index = {}
    for name, key in _VIEW_KEYS.items():
        if key in st.session_state and st.session_state[key] not in options[name]:
            del st.session_state[key]  # e.g. a period that no longer has data
        index[name] = _index_from_url(key, name, options[name])
    titles = dict(zip(p.sections["section_no"], p.sections["section_title"]))
    with st.sidebar:
        st.markdown("**查看范围**")
        st.selectbox("截至季度", options["as_of"], index["as_of"], key=_VIEW_KEYS["as_of"], format_func=period_label,
                     help="评估以该季度末为准,之后的数据不计入;默认是数据中最新的季度")
        st.selectbox("指标类别", options["category"], index["category"], key=_VIEW_KEYS["category"])
        st.selectbox("任务篇章", options["section"], index["section"], key=_VIEW_KEYS["section"],
                     format_func=lambda s: s if s == ALL else charts.section_label(s, titles[s]))
        st.selectbox("责任单位", options["unit"], index["unit"], key=_VIEW_KEYS["unit"],
                     help="只看该单位牵头或负责的指标和任务(含通过别名、组团分到的);「责任单位」页据此显示该单位")
    view = _view_from_state(options)
    _mirror_to_url(view, options["as_of"][0])
    return view


def url_widget_value(key: str, param: str, default: str = "") -> None:
    """Before a page's own widget is drawn: on first show, take its value from the URL (a shared link)."""
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(param, default)


def mirror_param(param: str, value: str | None, default: str | None = None) -> None:
    """Write a page's widget value into the URL (dropped when it is the default), so a copied link keeps it."""
    if value is None or value == default or value == "":
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


def current_view(d: "Data") -> View:
    """The view the sidebar (rendered by dashboard.py) currently shows."""
    return _view_from_state(_options(d.plan, d.periods))


def _mirror_to_url(view: View, latest: Period) -> None:
    wanted = {"as_of": str(view.as_of) if view.as_of != latest else None, "category": view.category,
              "section": None if view.section is None else str(view.section), "unit": view.unit}
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def period_label(p: Period) -> str:
    return f"{p.year}年第{charts.chinese_numeral(p.quarter)}季度"


# --- data: the store, its effective progress, and the assessment for a view ----------------------------

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


@dataclass(frozen=True)
class BrowsePage:
    """What a monitoring page works on: the data, the sidebar view, and the assessment before and after filters."""
    d: Data
    view: View
    indicators: pd.DataFrame
    tasks: pd.DataFrame
    all_indicators: pd.DataFrame
    all_tasks: pd.DataFrame


def browse_page(title: str) -> BrowsePage:
    """The common head of the monitoring pages: title, as-of caption, sample-data banner; returns their data."""
    d = data()
    view = current_view(d)
    ind_all, tasks_all = assessment(d, view.as_of)
    ind, tasks = filter_results(d, view, ind_all, tasks_all)
    page_head(d.plan, view.as_of)
    st.title(title)
    st.caption(escape_markdown(time_caption(d, view)))
    sample_banner(d)
    return BrowsePage(d, view, ind, tasks, ind_all, tasks_all)


# --- page head: screen, phone and print rules, the print-only header -------------------------------------

# Phones (≤ 640 px): the parts keyed "pm_wide_*" give way to their "pm_narrow_*" twins (e.g. the task ×
# quarter heatmap → a short list). Print (A4): no sidebar, header bar, widgets or chart toolbars; charts
# kept within the page width (`_PRINT_FIT_JS`); a header naming the plan, the as-of quarter and the date.
PAGE_CSS = """<style>
[class*="st-key-pm_narrow_"]{display:none}
@media (max-width:640px){[class*="st-key-pm_wide_"]{display:none}[class*="st-key-pm_narrow_"]{display:block}}
.pm-print-head{display:none}
@media print{
@page{size:A4;margin:12mm}
[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stHeader"],
[data-testid="stToolbar"],[data-testid="stDecoration"],[data-testid="stStatusWidget"],
[data-testid="stSelectbox"],[data-testid="stTextInput"],[data-testid="stRadio"],[data-testid="stCheckbox"],
[data-testid="stButton"],[data-testid="stDownloadButton"],[data-testid="stPageLink"],[data-testid="stPageLink-NavLink"],
.modebar-container{display:none !important}
[data-testid="stMain"],[data-testid="stAppViewContainer"]{margin:0 !important;padding:0 !important;overflow:visible !important}
[data-testid="stMainBlockContainer"]{max-width:100% !important;padding:0 !important}
.pm-print-head{display:block;border-bottom:1px solid #999;margin:0 0 6px;padding:0 0 4px;font-size:11pt}
.pm-print-head b{font-size:13pt}
[data-testid="stPlotlyChart"],.pm-card,tr{break-inside:avoid}
[data-testid="stPlotlyChart"],[data-testid="stPlotlyChart"] *{max-width:100% !important}
}
</style>"""


# Charts are drawn at the screen's width, and printing does not redraw them: before printing, the page is
# zoomed so that the widest content fits an A4 page (210 mm less 2 × 12 mm margins ≈ 700 CSS px).
PRINT_WIDTH_PX = 700
_PRINT_FIT_JS = """<script>
if (!window.pmPrintFit) {
  window.pmPrintFit = true;
  const main = () => document.querySelector('[data-testid="stMainBlockContainer"]');
  window.addEventListener('beforeprint', () => {
    const m = main(); if (!m) return;
    m.style.zoom = '';
    const pad = getComputedStyle(m), inner = m.clientWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight);
    const wide = Math.max(inner, ...[...m.querySelectorAll('.js-plotly-plot')].map(e => e.offsetWidth));
    m.style.zoom = String(Math.min(1, %d / wide));
  });
  window.addEventListener('afterprint', () => { const m = main(); if (m) m.style.zoom = ''; });
}
</script>""" % PRINT_WIDTH_PX


def print_header_html(plan: Plan, as_of: Period, printed: _date) -> str:
    """The print-only header: plan name, 截至 quarter, print date (escaped: the name comes from plan.toml)."""
    return (f'<div class="pm-print-head"><b>{escape(plan.config.name)}</b><br>'
            f'截至 {escape(period_label(as_of))} · 打印日期 {escape(chinese_date(printed))}</div>')


def page_head(plan: Plan, as_of: Period | None) -> None:
    """Screen/phone/print rules for the page and, when it has an as-of quarter, the print-only header."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    st.html(PAGE_CSS)
    header = "" if as_of is None else print_header_html(plan, as_of, datetime.now(ZoneInfo("Asia/Shanghai")).date())
    st.html(header + _PRINT_FIT_JS, unsafe_allow_javascript=True)   # our own constant script, no user text


def sample_banner(d: Data) -> None:
    """Say plainly when what is on screen is sample or illustrative data."""
    notes = []
    if d.sample_rows:
        notes.append(f"进度数据中有 {d.sample_rows} 条为示例数据(备注“示例数据”)")
    if d.plan.uses_illustrative_baselines:
        notes.append("部分基期值为示例值")
    if notes:
        st.warning("**演示数据**:" + ";".join(notes) + "。正式使用前请由各单位报送真实数据、区发改局核定基期值。", icon="⚠️")


@st.cache_data(show_spinner=False, max_entries=256)
def _figure(version: tuple, key: str, depends: str, _build: Callable[[], go.Figure]) -> go.Figure:
    return charts.for_browser(_build())


def chart(build: Callable[[], go.Figure], title: str, as_of: Period, key: str, depends: tuple = (), *,
          version: tuple) -> None:
    """A plotly chart with its own PNG button named after the chart and the as-of period.

    Building a figure costs ~0.1 s of plotly validation, so figures are cached per data version (the page's
    `Data.version`, read once per run), chart key and `depends` — which must name every input the builder
    reads besides the store's data (the view, a picked indicator …)."""
    fig = _figure(version, key, repr(depends), _build=build)
    st.plotly_chart(fig, width="stretch", config=charts.chart_config(title, str(as_of)), key=key)


def escape(text: object) -> str:
    return html.escape("" if text is None else str(text))


# --- for newcomers: what this is, who does what; the methodology as a page ------------------------------

METHODOLOGY_PAGE = "app_pages/methodology.py"
METHODOLOGY_FILE = settings.PROJECT_ROOT / "docs" / "methodology.md"


def newcomer_intro(p: Plan) -> None:
    """Two lines under the overview's title: what this dashboard is, and what each role does next."""
    st.markdown(f"**{escape_markdown(p.config.name)}** 实施监测看板:汇总各单位按季度报送的进度,"
                "用红黄绿灯显示主要指标和重点任务离规划目标还有多远。  \n"
                "**下一步** 领导:浏览本页和左侧各监测页面;各单位:到「数据填报」下载模板、上传本季度进度;"
                "区发改局:在「审核与历史」采纳数据,在「简报导出」生成汇报材料。")
    links = st.columns(4)
    links[0].page_link(UPLOAD_PAGE, label="数据填报", icon=":material/upload_file:")
    links[1].page_link(REVIEW_PAGE, label="审核与历史", icon=":material/fact_check:")
    links[2].page_link("app_pages/briefing.py", label="简报导出", icon=":material/slideshow:")
    links[3].page_link(METHODOLOGY_PAGE, label="测算方法", icon=":material/menu_book:")


@st.cache_data(show_spinner=False, max_entries=4)
def _methodology(path: str, stamp: tuple[int, int]) -> str:
    return Path(path).read_text(encoding="utf-8")


def methodology_markdown() -> str:
    """docs/methodology.md as it is now (re-read when the file changes; cached otherwise)."""
    try:
        info = METHODOLOGY_FILE.stat()
    except FileNotFoundError:
        return ""
    return _methodology(str(METHODOLOGY_FILE), (info.st_mtime_ns, info.st_size))


# --- shared renderings -----------------------------------------------------------------------------------

def time_caption(d: Data, view: View) -> str:
    tau = time_elapsed(view.as_of.year, view.as_of.quarter, d.plan.base_year, d.plan.target_year)
    scope = [x for x in (view.category, view.section and f"第{charts.chinese_numeral(view.section)}篇", view.unit) if x]
    text = (f"截至 {period_label(view.as_of)} · 时间进度 {tau:.0%}"
            f"(规划期 {d.plan.base_year + 1}—{d.plan.target_year} 年)")
    return text + (f" · 筛选:{' / '.join(scope)}" if scope else "")


def _card(row: pd.Series) -> str:
    """One traffic-light card: the light (colour; amber when not behind but at risk), status icon + words,
    name, the value that matters first (a five-year total before its year-to-date part), target, progress."""
    light = light_look(row["status"], row.get("outlook"))
    look = STATUS_LOOK[Status(row["status"])]
    label = status_label(row["status"], row["time_elapsed"])
    caption, latest = verdict.latest_text(row)
    target = fmt.target_phrase(row["kind"], row["target_value"], row["unit"], row["ref_indicator"])
    if row["kind"] == "quota" and pd.notna(row["assigned_target"]):
        target += f"(当年 {fmt.with_unit(row['assigned_target'], row['unit'])})"
    tags = ""
    if light is AT_RISK_LIGHT:
        tags += f'<div class="pm-tag" style="color:#8a5a00">{light.icon} {escape(outlook_label(row["outlook"]))}</div>'
    if verdict.judged_earlier(row):
        tags += f'<div class="pm-tag">数据截至 {escape(row["latest_period"])}</div>'
    meter = ""
    progress = verdict.progress_text(row)
    if pd.notna(row["achievement"]):
        p = max(0.0, min(float(row["achievement"]), 1.0))
        meter = (f'<div class="pm-meter" title="完成度 {fmt.percent(row["achievement"])},时间进度 {fmt.percent(row["time_elapsed"])}">'
                 f'<div class="pm-fill" style="width:{p:.0%};background:{light.colour}"></div>'
                 f'<div class="pm-tick" style="left:{float(row["time_elapsed"]):.0%}"></div></div>'
                 f'<div class="pm-small">{escape(progress)} · 时间进度 {fmt.percent(row["time_elapsed"])}</div>')
    elif row["status"] == "no_data":
        meter = f'<div class="pm-small">{escape(row["reason"])}</div>'
    elif progress:
        meter = f'<div class="pm-small">{escape(progress)}</div>'
    return (f'<div class="pm-card" style="border-top:5px solid {light.colour}">'
            f'<div class="pm-status" style="color:{look.colour if light is not AT_RISK_LIGHT else "#8a5a00"}">'
            f'{look.icon} {escape(label)}</div>{tags}'
            f'<div class="pm-name" title="{escape(row["name"])}">{escape(row["indicator_id"])} {escape(row["name"])}</div>'
            f'<div class="pm-line">{caption}:{escape(latest)}</div><div class="pm-line">目标:{escape(target)}</div>{meter}</div>')


_CARD_CSS = """<style>
.pm-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:10px;margin:4px 0 12px}
.pm-card{border:1px solid #ddd;border-radius:6px;padding:8px 10px;background:#fff;min-height:128px}
.pm-status{font-weight:700;font-size:0.95rem}.pm-name{font-weight:600;margin:2px 0 4px;line-height:1.3;
overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}
.pm-line{font-size:0.85rem;color:#333}.pm-small{font-size:0.78rem;color:#555;margin-top:2px}
.pm-tag{display:inline-block;font-size:0.78rem;font-weight:600;color:#444;margin-right:6px}
.pm-meter{position:relative;height:8px;background:#eee;border-radius:4px;margin-top:6px}
.pm-fill{height:8px;border-radius:4px}.pm-tick{position:absolute;top:-3px;width:2px;height:14px;background:#222}
</style>"""


def indicator_cards(indicators: pd.DataFrame) -> None:
    """The traffic-light grid. Text is escaped: names come from plan files, reasons from the engine."""
    if indicators.empty:
        st.info("没有符合筛选条件的指标。")
        return
    cards = "".join(_card(r) for _, r in indicators.iterrows())
    st.html(_CARD_CSS + f'<div class="pm-grid">{cards}</div>')


_TABLE_CSS = """<style>
.pm-table{border-collapse:collapse;width:100%;font-size:0.88rem;margin:2px 0 12px}
.pm-table th,.pm-table td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.pm-table thead th{background:#f3f4f6;font-weight:600;white-space:nowrap}.pm-table tbody th{font-weight:600}
</style>"""


def _cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return escape(text).replace("\n", "<br>")


def html_table(frame: pd.DataFrame) -> None:
    """A static table that wraps long Chinese text and prints, the first column as row headers. Plain HTML
    (st.html, no Markdown pass), every cell escaped: departments type the 存在问题 text. Lighter in the
    browser than st.table, whose Arrow decoder is the largest script the overview would otherwise load."""
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    short = [frame[c].map(lambda v: len(_cell(v))).max() <= 10 for c in frame.columns[1:]]   # e.g. 状态: never wrapped
    td = ['<td style="white-space:nowrap">' if s else "<td>" for s in short]
    rows = "".join(f"<tr><th scope=\"row\">{_cell(r[0])}</th>" + "".join(f"{t}{_cell(v)}</td>" for t, v in zip(td, r[1:]))
                   + "</tr>" for r in frame.itertuples(index=False))
    st.html(f'{_TABLE_CSS}<table class="pm-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')


def status_legend(final: bool = False) -> str:
    """What the colours and icons mean: the status labels (final-evaluation ones at the plan's end) and amber."""
    tau = 1.0 if final else None
    shown = [s for s in Status if not (final and s is Status.AHEAD)]  # 快于预期 cannot occur at τ = 1
    labels = " ".join(f"{STATUS_LOOK[s].icon} {status_label(s, tau)}" for s in shown)
    return f"{labels};{AT_RISK_LIGHT.icon} {LEGEND_AMBER}"


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


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on `colour` ("#RRGGBB")."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#fff"


_LIST_CSS = """<style>
.pm-hl{width:100%;border-collapse:collapse;font-size:0.86rem}.pm-hl th{font-weight:600;text-align:left;
padding:2px 4px;border-bottom:1px solid #ccc;white-space:nowrap}.pm-hl td{padding:3px 4px;border-bottom:1px solid #eee;
vertical-align:middle}.pm-hl-note{font-size:0.78rem;color:#555;margin:0 0 4px}.pm-hl td.c{text-align:center;width:2.6em}.pm-hl span{display:inline-block;min-width:1.7em;
border-radius:3px;text-align:center;font-weight:700;line-height:1.5}
</style>"""


def task_history_list(history: pd.DataFrame) -> None:
    """The task × quarter history as a list for phones: full task names, the last quarters' status icons."""
    from lib.heatlist import RECENT_QUARTERS, recent_states, short_period
    from lib.status import TASK_STATUS_LOOK, TaskStatus
    grid = recent_states(history)
    if grid.empty:
        st.info("暂无任务推进记录。")
        return
    periods = [c for c in grid.columns if c != "title"]
    head = "<th>任务</th>" + "".join(f'<th class="c">{escape(short_period(p))}</th>' for p in periods)

    def cell(code: str, period: str) -> str:
        if not code:
            return '<td class="c" title="无记录">—</td>'
        look = TASK_STATUS_LOOK[TaskStatus(code)]
        return (f'<td class="c" title="{escape(period)}:{escape(look.label)}"><span style="background:{look.colour};'
                f'color:{_ink(look.colour)}">{look.icon}</span></td>')

    rows = "".join(f"<tr><td><b>{escape(t)}</b> {escape(r['title'])}</td>" + "".join(cell(r[p], p) for p in periods)
                   + "</tr>" for t, r in grid.iterrows())
    legend = " ".join(f"{lk.icon} {lk.label}" for lk in TASK_STATUS_LOOK.values())
    st.html(f'{_LIST_CSS}<div class="pm-hl-note">最近 {RECENT_QUARTERS} 个季度;图例:{escape(legend)}。'
            f'完整的逐季热力图请在电脑上查看。</div><table class="pm-hl"><thead><tr>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table>')


def task_heatmap(d: Data, view: View, history: pd.DataFrame, key: str) -> None:
    """The task × quarter heatmap on wider screens; on a phone the short list instead (PAGE_CSS)."""
    with st.container(key=f"pm_wide_{key}"):
        chart(lambda: charts.task_heatmap(history), "重点任务逐季状态", view.as_of, key=key, depends=(view,),
              version=d.version)
    with st.container(key=f"pm_narrow_{key}"):
        task_history_list(history)


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


# --- sign-in and roles -----------------------------------------------------------------------------------
# streamlit-authenticator 0.4.2 does the sign-in (bcrypt check, signed cookie); lib/accounts.py owns the
# accounts file and the permission rules. The signed-in account is looked up afresh in the accounts file on
# every run, so a removed account is signed out at once. Upload-flow helpers live here too: pages stay thin.

ACCOUNT_PAGE = "app_pages/account.py"
UPLOAD_PAGE = "app_pages/upload.py"
REVIEW_PAGE = "app_pages/review.py"
_RUN = _threading.local()   # the authenticator built for the current script run (one per run: see sign_in_gate)


@st.cache_resource(show_spinner="正在准备演示账号…")
def _demo_accounts(path: str, plan_dir: str) -> tuple[_acc.DemoAccount, ...]:
    """Once per process and accounts file: in demo mode, create the missing demo accounts."""
    return tuple(_acc.ensure_demo_accounts(path, plan(), demo_mode=True))


def demo_accounts() -> list[_acc.DemoAccount]:
    """The demo accounts present (created on first call); [] outside demo mode."""
    if not settings.get("demo_mode"):
        return []
    return list(_demo_accounts(str(_acc.default_accounts_path()), str(settings.get("plan_dir"))))


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_accounts(path: str, stamp: tuple[int, int]) -> _acc.Accounts:
    return _acc.load_accounts(path)


def accounts() -> _acc.Accounts:
    """The accounts file, re-read whenever it changes (e.g. `python -m lib user add`)."""
    demo_accounts()
    path = _acc.default_accounts_path()
    try:
        st_ = path.stat()
        stamp = (st_.st_mtime_ns, st_.st_size)
    except FileNotFoundError:
        stamp = (0, 0)
    try:
        return _load_accounts(str(path), stamp)
    except _acc.AccountError as exc:
        st.error(exc.message)
        st.stop()


def _authenticator_config() -> dict:
    """Raises AccountError (e.g. no cookie key outside demo mode: nobody can sign in)."""
    return _acc.authenticator_config(accounts(), _acc.cookie_key(_acc.default_accounts_path()))


def _build_authenticator():
    import streamlit_authenticator as stauth
    # login_sleep_time: 0.4.2 sleeps 0.7 s before every un-signed-in run to wait for its cookie component,
    # but it reads the cookie from st.context.cookies (the request headers), so there is nothing to wait for.
    return stauth.Authenticate(**_authenticator_config(), login_sleep_time=0)


def current_account() -> _acc.Account | None:
    """The signed-in account, or None (not signed in, sign-in unavailable, or the account no longer exists)."""
    if getattr(_RUN, "authenticator", True) is None or not st.session_state.get("authentication_status"):
        return None
    return accounts().get(st.session_state.get("username"))


def role_label(account: _acc.Account) -> str:
    """'dept01 · 区发改局 · 填报单位': username, name, role (unless the name already says it), unit if not the name."""
    parts = [account.username, account.name]
    if account.role.label not in account.name:
        parts.append(account.role.label)
    if account.unit and account.unit not in account.name and account.role is _acc.Role.DEPARTMENT:
        parts.append(account.unit)
    return " · ".join(parts)


# Sign-in and sign-out happen in widget callbacks, which Streamlit runs before the script body. The library's
# cookie component reports the browser's cookies once it has loaded, and that report starts a new run that
# interrupts the current one: a click handled in the body (the library's own login form) was lost whenever
# the report came in while the click's run was still checking the password. The password check and the
# session state stay the library's (AuthenticationController); only the form is ours. The cookie is then
# written (or deleted) by the library's component, rendered on every run until the browser confirms it.
# The session itself lives in the store (lib/sessions.py): the cookie names it, every run checks it is live,
# 退出登录 revokes it, so a copied cookie is signed out; an unreadable cookie is simply no sign-in.
_COOKIE_PENDING = "pm_cookie_pending"   # "set" after sign-in, "delete" after sign-out, until confirmed
_SESSION_ID = "pm_session_id"           # the server-side session this browser session signed in with
# st.context.cookies is what the browser sent when it connected: after the cookie is removed it still shows
# the old one until a reload. A cookie refused once is not checked (and removed) again on every run.
_REFUSED_COOKIE = "pm_refused_cookie"
_SIGN_IN_ERROR = "pm_sign_in_error"
_SIGNED_OUT = "pm_signed_out"           # shows 已退出登录 above the form until the next attempt
LOGIN_USER_KEY, LOGIN_PASSWORD_KEY = "pm_login_user", "pm_login_password"


def _controller():
    from streamlit_authenticator.controllers import AuthenticationController
    return AuthenticationController(_authenticator_config()["credentials"], auto_hash=False)


def _on_sign_in() -> None:
    from lib.messages import render
    from streamlit_authenticator.utilities.exceptions import LoginError
    username = str(st.session_state.get(LOGIN_USER_KEY) or "").strip()
    password = str(st.session_state.get(LOGIN_PASSWORD_KEY) or "")
    st.session_state[LOGIN_PASSWORD_KEY] = ""          # the typed password is not kept in the session
    st.session_state.pop(_SIGN_IN_ERROR, None)
    st.session_state.pop(_SIGNED_OUT, None)
    if not username or not password:
        st.session_state[_SIGN_IN_ERROR] = render("auth.sign_in_incomplete")
        return
    try:
        ok = _controller().login(username, password)
    except (LoginError, _acc.AccountError):
        ok = False
    if ok:
        from lib.sessions import start_session
        st.session_state[_SESSION_ID] = start_session(store(), _acc.normalise_username(username),
                                                      _acc.COOKIE_EXPIRY_DAYS)
        st.session_state[_COOKIE_PENDING] = "set"
    else:
        st.session_state["authentication_status"] = False
        st.session_state[_SIGN_IN_ERROR] = render("auth.sign_in_failed")


def _on_sign_out() -> None:
    from lib.sessions import end_session
    end_session(store(), st.session_state.pop(_SESSION_ID, None))   # every copy of the cookie is signed out
    _sign_out_here()
    st.session_state[_SIGNED_OUT] = True


def _sign_out_here() -> None:
    """Clear this browser session's sign-in (as the library's logout does) and remove the cookie."""
    st.session_state.pop(_SESSION_ID, None)
    for key in ("name", "username", "roles", "email"):
        st.session_state[key] = None
    st.session_state["authentication_status"] = None
    st.session_state["logout"] = True
    st.session_state[_COOKIE_PENDING] = "delete"


def sign_in_form() -> None:
    """The sign-in form (用户名, 密码, 登录) and, after a failed attempt, what went wrong. Stops the page with
    the reason when sign-in is unavailable (e.g. no cookie key outside demo mode)."""
    try:
        _authenticator_config()
    except _acc.AccountError as exc:
        st.error(exc.message)
        st.stop()
    if st.session_state.get(_SIGNED_OUT):
        st.success("已退出登录。")
    with st.form("pm_login"):
        st.subheader("登录")
        st.text_input("用户名", key=LOGIN_USER_KEY, autocomplete="username")
        st.text_input("密码", type="password", key=LOGIN_PASSWORD_KEY, autocomplete="current-password")
        st.form_submit_button("登录", type="primary", on_click=_on_sign_in)
    if error := st.session_state.get(_SIGN_IN_ERROR):
        st.error(error)


def sign_out_button() -> None:
    st.button("退出登录", key="pm_logout", on_click=_on_sign_out)


def _write_cookie(auth) -> None:
    """Render the library's cookie writer (or remover) until the browser confirms (the component's value,
    under the library's fixed keys 'set' / 'delete', is true once it has run)."""
    pending = st.session_state.get(_COOKIE_PENDING)
    if pending is None:
        return
    if st.session_state.get(pending) is True:
        del st.session_state[_COOKIE_PENDING]
    elif pending == "set" and st.session_state.get("authentication_status"):
        _set_session_cookie(auth)
    elif pending == "delete":
        auth.cookie_controller.delete_cookie()
    else:   # signed out again before the cookie was written: nothing left to write
        del st.session_state[_COOKIE_PENDING]


def _served_over_https() -> bool:
    """The browser's address is https (directly, or behind a proxy that says so): the cookie gets Secure."""
    url = str(getattr(st.context, "url", "") or "")
    proto = str(st.context.headers.get("X-Forwarded-Proto", "") or "")
    return url.startswith("https://") or proto.split(",")[0].strip().lower() == "https"


def _set_session_cookie(auth) -> None:
    """The library's cookie component writes our cookie: it names the server-side session (lib/sessions.py)."""
    from datetime import datetime

    from lib.sessions import encode_cookie, session_expiry
    session_id = st.session_state.get(_SESSION_ID)
    expires = session_expiry(store(), session_id) if session_id else None
    if expires is None:   # no session on record (cannot happen after _on_sign_in): write nothing
        del st.session_state[_COOKIE_PENDING]
        return
    token = encode_cookie(_acc.cookie_key(_acc.default_accounts_path()), st.session_state["username"], session_id, expires)
    auth.cookie_controller.cookie_model.cookie_manager.set(
        _acc.COOKIE_NAME, token, expires_at=datetime.fromtimestamp(expires), secure=_served_over_https() or None,
        same_site="strict")


def _session_check() -> None:
    """Every run: a signed-in browser session whose server-side session ended (退出登录 elsewhere with a
    copy of the cookie, a password change, expiry) is signed out here too."""
    from lib.sessions import session_live
    if st.session_state.get("authentication_status") and not session_live(
            store(), st.session_state.get(_SESSION_ID), st.session_state.get("username")):
        _sign_out_here()


def _restore_from_cookie(cookie: object) -> None:
    """A cookie naming a live session of an existing account signs this browser session in; any other
    cookie (forged, another algorithm, garbage, expired, revoked) is removed and the visitor stays out."""
    from lib.sessions import decode_cookie, session_live
    try:
        key = _acc.cookie_key(_acc.default_accounts_path())
    except _acc.AccountError:
        return
    claims = decode_cookie(key, cookie)
    account = accounts().get(claims.username) if claims else None
    if claims is None or account is None or not session_live(store(), claims.session_id, account.username):
        st.session_state[_REFUSED_COOKIE] = cookie
        st.session_state[_COOKIE_PENDING] = "delete"
        return
    st.session_state.update({"email": account.email, "name": account.name, "roles": [account.role.value],
                             "authentication_status": True, "username": account.username,
                             _SESSION_ID: claims.session_id})


def sign_in_gate() -> _acc.Account | None:
    """Called by dashboard.py on every run, before the page: restores a session from the sign-in cookie,
    writes or removes the cookie after signing in or out, shows who is signed in in the sidebar."""
    cookie = st.context.cookies.get(_acc.COOKIE_NAME)
    has_cookie = isinstance(cookie, str)   # (AppTest's stand-in is no str)
    _session_check()
    nothing_to_restore = not has_cookie or cookie == st.session_state.get(_REFUSED_COOKIE)
    if not st.session_state.get("authentication_status") and _COOKIE_PENDING not in st.session_state and nothing_to_restore:
        # A visitor with no (usable) sign-in cookie: nothing to restore. Building the authenticator would render its
        # cookie component on every page (a second run once it reports, before the charts settle).
        _RUN.authenticator = None
        st.sidebar.page_link(ACCOUNT_PAGE, label="登录", icon=":material/login:")
        return None
    try:
        _RUN.authenticator = _build_authenticator()
    except _acc.AccountError as exc:   # e.g. no cookie key outside demo mode: nobody can sign in, browsing goes on
        _RUN.authenticator = None
        st.sidebar.error(exc.message)
        return None
    if (not st.session_state.get("authentication_status") and has_cookie and st.session_state.get(_COOKIE_PENDING) is None
            and cookie != st.session_state.get(_REFUSED_COOKIE)):
        _restore_from_cookie(cookie)   # cookie → session (our check, not the library's: see lib/sessions.py)
    _write_cookie(_RUN.authenticator)
    account = current_account()
    with st.sidebar:
        if account:
            st.caption(f"已登录:{role_label(account)}")
        else:
            st.page_link(ACCOUNT_PAGE, label="登录", icon=":material/login:")
    return account


def public_browsing_gate(page) -> None:
    """With public_browsing off, every page but sign-in needs a signed-in account."""
    if settings.get("public_browsing") or current_account() is not None or page.url_path == "account":
        return
    st.info("本看板需要登录后查看。请先登录。")
    st.page_link(ACCOUNT_PAGE, label="前往登录", icon=":material/login:")
    st.stop()


def require_role(*roles: _acc.Role) -> _acc.Account:
    """The signed-in account if its role is one of `roles`; otherwise a Chinese refusal and st.stop()."""
    from lib.messages import render
    account = current_account()
    if account is None:
        st.warning(render("auth.sign_in_required") + ":本页面只对登录用户开放。")
        st.page_link(ACCOUNT_PAGE, label="前往登录", icon=":material/login:")
        st.stop()
    if account.role not in roles:
        if account.role is _acc.Role.LEADER:
            st.warning(render("auth.read_only") + "。")
        elif _acc.Role.PLANNING in roles and _acc.Role.DEPARTMENT not in roles:
            st.warning(render("auth.review_denied") + f"。当前账号:{role_label(account)}。")
        else:
            st.warning(f"当前账号({role_label(account)})无权使用本页面。")
        st.page_link(ACCOUNT_PAGE, label="切换账号", icon=":material/login:")
        st.stop()
    return account


# --- upload flow and shared widgets of the sign-in pages --------------------------------------------------

def sha256(data: bytes) -> str:
    return _hashlib.sha256(data).hexdigest()


# A cached result is bounded (at most 100,000 rows per sheet, findings capped per code); few are kept, and
# not for long: each holds the frames of one upload.
@st.cache_data(show_spinner="正在检查文件…", max_entries=4, ttl=1800)
def _validate(sha: str, unit: str | None, file_name: str, version: tuple, _data: bytes):
    from lib.readworker import read_isolated
    return read_isolated(_data, plan(), unit=unit, file_name=file_name, known_targets=store().annual_targets())


def validate_upload(data: bytes, file_name: str, unit: str | None):
    """lib.workbook.read_workbook in a separate, limited process (lib.readworker: a parser that aborts
    takes only that process down), cached by the file's SHA-256 (and unit, and the store's data version,
    since the annual targets on record feed a warning): a rerun does not re-validate."""
    return _validate(sha256(data), unit, file_name, store().data_version(), data)


@st.cache_data(show_spinner="正在生成模板…", max_entries=32)
def _template(unit: str, year: int, quarter: int, version: tuple) -> bytes:
    from lib.template import unit_template
    return unit_template(plan(), unit, year, quarter, last_values=store().effective_indicator_progress())


def unit_template_bytes(unit: str, year: int, quarter: int) -> bytes:
    return _template(unit, year, quarter, store().data_version())


def beijing_times(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy with UTC timestamp columns shown as '2024-04-15 09:30' 北京时间 text (empty where missing)."""
    from lib.store import display_time
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(display_time).astype(object)
    return out


def downloads(frame: pd.DataFrame, stem: str, key: str, sheet: str = "数据") -> None:
    """CSV and Excel downloads of a table; formula-leading text is neutralised (lib.export)."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("下载 CSV", _export.csv_bytes(frame), file_name=f"{stem}.csv", mime="text/csv",
                         key=f"{key}_csv", on_click="ignore", icon="⬇️")
    right.download_button("下载 Excel", _export.xlsx_bytes({sheet: frame}), file_name=f"{stem}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", on_click="ignore", icon="⬇️")


def flash(key: str, kind: str, text: str) -> None:
    """Remember a one-off confirmation for the next run (set from a widget callback)."""
    st.session_state[key] = (kind, text)


def show_flash(key: str) -> None:
    """Show and forget the confirmation a callback left. Text goes through st.text-like rendering only."""
    kind, text = st.session_state.pop(key, (None, None))
    if kind is None:
        return
    box = {"success": st.success, "info": st.info, "error": st.error, "warning": st.warning}[kind]
    box(escape_markdown(text))


def escape_markdown(text: object) -> str:
    """Text shown in st.success/st.error etc. (which render Markdown) without any Markdown or HTML effect."""
    import re
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", "" if text is None else str(text))


@st.cache_data(show_spinner="正在复核…", max_entries=32)
def _recheck(submission_id: int, version: tuple) -> tuple[pd.DataFrame, bool]:
    from lib.findings import findings_frame
    from lib.store import SYSTEM_ACCOUNT
    from lib.workbook import read_workbook
    from lib.xlsx import workbook_bytes, write_progress_workbook
    s = store()
    record = s.submission(submission_id)
    original = s.submission_file(submission_id)
    # The seeded sample holds every unit's rows; an upload was checked against its own unit.
    unit = None if record["account"] == SYSTEM_ACCOUNT else record["unit"]
    if original is not None:
        from lib.readworker import read_isolated   # the stored file as uploaded: read in the limited process
        result = read_isolated(original, plan(), unit=unit, file_name=str(record["file_name"]),
                               known_targets=s.annual_targets())
        return findings_frame(result.findings), True
    rows = s.submission_rows(submission_id)
    data = workbook_bytes(write_progress_workbook(rows.indicator_rows, rows.task_rows if len(rows.task_rows) else None))
    result = read_workbook(data, plan(), unit=unit, file_name=str(record["file_name"]), known_targets=s.annual_targets())
    frame = findings_frame(result.findings)
    where = {("指标进度", n + 2): (r.indicator_id, f"{r.year}Q{r.quarter}") for n, r in enumerate(rows.indicator_rows.itertuples())}
    where |= {("任务进度", n + 2): (r.task_id, f"{r.year}Q{r.quarter}") for n, r in enumerate(rows.task_rows.itertuples())}
    keys = [where.get((sheet, row), ("", "")) if pd.notna(row) else ("", "") for sheet, row in zip(frame["工作表"], frame["行"])]
    frame.insert(2, "编号", [k[0] for k in keys])
    frame.insert(3, "期间", [k[1] for k in keys])
    return frame.drop(columns=["行"]), False


def recheck_submission(submission_id: int) -> tuple[pd.DataFrame, bool]:
    """The findings of a stored submission, checked again against today's plan and targets, and whether
    they come from the file as uploaded (True: the department's own sheet and row numbers).

    Submissions stored before the store kept files (schema version 1) have only their rows: those are
    written back into a contract workbook and read by the same validator; row numbers of that workbook
    mean nothing to anyone, so each finding names the item and period instead."""
    return _recheck(int(submission_id), store().data_version())


# --- 数据填报 display: findings, the Chinese drop zone, returned submissions ------------------------------

_FINDINGS_CSS = """<style>
.pm-findings td{overflow-wrap:anywhere}.pm-findings td:nth-child(4){min-width:14em}
.pm-findings .pm-error{color:#D55E00;font-weight:600}.pm-findings .pm-warn{color:#8a6100;font-weight:600}
</style>"""
_SEVERITY_CLASS = {"错误": "pm-error", "警告": "pm-warn"}
_SEVERITY_ICON = {"错误": "✖", "警告": "▲"}


def findings_table(frame: pd.DataFrame) -> None:
    """lib.findings.findings_display as a wrapped, escaped HTML table: the 说明 (how to fix) is never cut off,
    at 1366 px or on a phone. 级别 carries an icon as well as its colour (Okabe–Ito vermilion / dark yellow)."""
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    body = "".join(
        f'<tr><td class="{_SEVERITY_CLASS.get(r[0], "")}" style="white-space:nowrap">{_SEVERITY_ICON.get(r[0], "")} {_cell(r[0])}</td>'
        + "".join(f"<td>{_cell(v)}</td>" for v in r[1:]) + "</tr>"
        for r in frame.itertuples(index=False))
    st.html(f'{_TABLE_CSS}{_FINDINGS_CSS}<table class="pm-table pm-findings"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _dropzone_css(max_mb: int) -> str:
    """Streamlit 1.67's uploader writes "Upload" and "10MB per file • XLSX, XLS" in English and has no option
    for them: hide those texts and show Chinese ones in their place (CSS only; the widget works unchanged)."""
    return ("<style>"
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p{font-size:0}'
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after'
            '{content:"选择文件";font-size:0.875rem}'
            '[data-testid="stFileUploaderDropzoneInstructions"] span{font-size:0}'
            '[data-testid="stFileUploaderDropzoneInstructions"] span::after'
            f'{{content:"拖入文件或点击“选择文件” · .xlsx 或 .xls,不超过 {max_mb} MB";font-size:0.8rem}}'
            "</style>")


def chinese_uploader(label: str, key: str, help: str | None = None, on_change: Callable[[], None] | None = None):
    """st.file_uploader for .xlsx/.xls with its drop-zone texts in Chinese."""
    st.html(_dropzone_css(int(settings.get("max_upload_mb"))))
    return st.file_uploader(label, type=["xlsx", "xls"], key=key, help=help, on_change=on_change)


def returned_notice(s: Store, unit: str) -> bool:
    """If the unit's latest submission was returned by the office: say so with the reason, at once (the
    clerk must not have to scroll to the record list to learn it). Returns whether a notice was shown."""
    mine = s.submissions(unit=unit)
    if mine.empty or mine.iloc[0]["state"] != "returned":
        return False
    latest = mine.iloc[0]
    st.warning(f"最近一次报送(第 {latest['id']} 号,{escape_markdown(latest['file_name'])})已被区发改局退回,"
               "请按以下原因修改后重新上传:", icon="↩️")
    st.text(latest["state_reason"])
    return True


def preview_table(preview: pd.DataFrame, p: Plan, flags: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """Store.preview as shown to the clerk and to the reviewer: old → new per row with names, measure units
    and (when given) the steps-backwards flags of lib.review in a 提示 column."""
    names = {**dict(zip(p.indicators["indicator_id"], p.indicators["name"])),
             **dict(zip(p.tasks["task_id"], p.tasks["title"]))}
    measure = {**dict(zip(p.indicators["indicator_id"], p.indicators["unit"])),
               **{t: "%(完成进度)" for t in p.tasks["task_id"]}}
    shown = pd.DataFrame({
        "变化": preview["change"], "工作表": preview["sheet"], "行": preview["row"],
        "编号": preview["item_id"], "名称": preview["item_id"].map(names),
        "期间": preview["period"], "原值": preview["old"].replace("", "—"), "新值": preview["new"],
        "计量单位": preview["item_id"].map(measure), "变更项": preview["changed"],
    })
    if flags is not None:
        shown["提示"] = [("⚠ " + flags[k]) if k in flags else "" for k in zip(preview["item_id"], preview["period"])]
    if preview["row"].isna().all():
        shown = shown.drop(columns="行")
    return shown


@st.cache_data(show_spinner=False, max_entries=32)
def _web_entry_tables(unit: str, year: int, quarter: int, version: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    from lib.webentry import entry_tables
    return entry_tables(plan(), unit, year, quarter, last_values=store().effective_indicator_progress())


def web_entry_tables(unit: str, year: int, quarter: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 网页填报 tables (lib.webentry.entry_tables); the same frames on every rerun, so the editor keeps
    the clerk's edits."""
    return _web_entry_tables(unit, int(year), int(quarter), store().data_version())


def entry_editor(frame: pd.DataFrame, key: str, kind: str) -> None:
    """st.data_editor over a 网页填报 table: ids and names locked, 进展状态 a list, numbers checked as typed."""
    from lib.schema import INDICATOR_SHEET, TASK_SHEET, TASK_STATES
    from lib.webentry import READ_ONLY
    if kind == "indicators":
        config = {INDICATOR_SHEET.label_of("value"): st.column_config.NumberColumn(format="%.2f", help="只填数字;百分数填百分数本身,如 9.5"),
                  INDICATOR_SHEET.label_of("annual_target"): st.column_config.NumberColumn(
                      format="%.2f", help="仅「完成上级下达指标」类填写上级下达的本年度目标值"),
                  INDICATOR_SHEET.label_of("note"): st.column_config.TextColumn(width="medium", max_chars=500)}
    else:
        config = {TASK_SHEET.label_of("state"): st.column_config.SelectboxColumn(options=list(TASK_STATES)),
                  TASK_SHEET.label_of("percent"): st.column_config.NumberColumn(
                      min_value=0, max_value=100, format="%.0f", help="任务五年总体完成的百分比,0–100"),
                  **{TASK_SHEET.label_of(c): st.column_config.TextColumn(width="medium", max_chars=2000)
                     for c in ("progress", "problems", "next_steps")}}
    st.data_editor(frame, key=key, hide_index=True, width="stretch", num_rows="fixed",
                   disabled=[c for c in READ_ONLY if c in frame.columns], column_config=config)


def edited_table(base: pd.DataFrame, key: str) -> pd.DataFrame:
    """The editor's table with the clerk's edits applied (st.data_editor keeps them in session state as
    {"edited_rows": {row: {column: value}}}; in a callback that is all there is)."""
    out = base.copy()
    state = st.session_state.get(key) or {}
    for row, changes in (state.get("edited_rows") or {}).items():
        for column, value in changes.items():
            if column in out.columns:
                if pd.api.types.is_float_dtype(out[column]) and value is not None:
                    try:
                        value = float(value)
                    except (TypeError, ValueError):
                        pass
                out.iloc[int(row), out.columns.get_loc(column)] = value
    return out


def require_sign_in(what: str) -> _acc.Account:
    """Any signed-in account, else a Chinese prompt with the sign-in link and st.stop(). For work that costs
    the server (building the briefing pack) rather than a permission of one role."""
    account = current_account()
    if account is None:
        st.info(f"{what}需要登录。请先登录(任何账号均可)。")
        st.page_link(ACCOUNT_PAGE, label="前往登录", icon=":material/login:")
        st.stop()
    return account


def export_buttons(files: list[tuple[str, bytes, str, str]], key: str) -> None:
    """Download buttons side by side: (label, bytes, file name, extension) each."""
    mime = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "txt": "text/plain",
            "csv": "text/csv"}
    for n, (col, (label, data, name, ext)) in enumerate(zip(st.columns(len(files) + 1), files)):
        col.download_button(label, data, file_name=name, mime=mime.get(ext, "application/octet-stream"),
                            key=f"{key}_{n}", on_click="ignore", icon="⬇️", width="stretch")
