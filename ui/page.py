"""The monitoring pages' common head: screen, phone and print rules, the print-only header, charts, methodology."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import charts, settings
from lib.dates import chinese_date
from lib.periods import Period, time_elapsed, today
from lib.plan import Plan
from ui.auth import REVIEW_PAGE, UPLOAD_PAGE
from ui.data import Data, assessment, data, filter_results
from ui.view import View, current_view, period_label
from ui.widgets import _LIST_CSS, escape, escape_markdown, task_history_list


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
[data-testid="stButton"],[data-testid="stDownloadButton"],[data-testid="stPopover"],[data-testid="stPageLink"],[data-testid="stPageLink-NavLink"],
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
    st.html(PAGE_CSS)
    header = "" if as_of is None else print_header_html(plan, as_of, today())
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


# cache_resource, not cache_data: cache_data hands out an unpickled copy on every hit, and unpickling a
# figure re-validates it (~50 ms a chart, more than drawing it into the page). The figure is shared
# read-only: st.plotly_chart only reads it (to_dict), nothing here changes it after it is built.
@st.cache_resource(show_spinner=False, max_entries=256)
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


def time_caption(d: Data, view: View) -> str:
    tau = time_elapsed(view.as_of.year, view.as_of.quarter, d.plan.base_year, d.plan.target_year)
    scope = [x for x in (view.category, view.section and f"第{charts.chinese_numeral(view.section)}篇", view.unit) if x]
    text = (f"截至 {period_label(view.as_of)} · 时间进度 {tau:.0%}"
            f"(规划期 {d.plan.base_year + 1}—{d.plan.target_year} 年)")
    return text + (f" · 筛选:{' / '.join(scope)}" if scope else "")


def section_key(section_no: int, filtered: bool) -> str:
    """The 任务推进 section expander's key (its open state); with the section filter on (`filtered`) a key apart,
    so that choosing a section opens it whatever it was in the full list."""
    return f"tasks_section_{section_no}_{'only' if filtered else 'all'}"


def task_heatmap(d: Data, view: View, history: pd.DataFrame, key: str) -> None:
    """The task × quarter heatmap on wider screens; on a phone the short list instead (PAGE_CSS)."""
    with st.container(key=f"pm_wide_{key}"):
        chart(lambda: charts.task_heatmap(history), "重点任务逐季状态", view.as_of, key=key, depends=(view,),
              version=d.version)
    with st.container(key=f"pm_narrow_{key}"):
        task_history_list(history)


def responsibility_matrix(d: Data, view: View, matrix: pd.DataFrame, key: str, depends: tuple) -> None:
    """The unit × section matrix on wider screens; on a phone one line per unit instead (PAGE_CSS)."""
    from lib.heatlist import unit_sections
    with st.container(key=f"pm_wide_{key}"):
        chart(lambda: charts.responsibility_matrix(matrix), "单位×篇章分工矩阵", view.as_of, key=key, depends=depends,
              version=d.version)
    with st.container(key=f"pm_narrow_{key}"):
        lines = unit_sections(matrix)
        rows = "".join(f"<tr><td><b>{escape(u)}</b></td><td>{escape(t)}</td></tr>"
                       for u, t in zip(lines["unit"], lines["sections"]))
        st.html(f'{_LIST_CSS}<div class="pm-hl-note">责任分工(单位 × 篇章):篇章序号,牵=牵头项数,责=责任项数。'
                f'完整矩阵请在电脑上查看。</div><table class="pm-hl"><tbody>{rows}</tbody></table>')
