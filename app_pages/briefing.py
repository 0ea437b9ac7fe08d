"""简报导出: for a chosen quarter and scope, the meeting pack — a PowerPoint deck, a ZIP of chart images, the
summary text to paste into a report, and the tables behind it (lib/briefing.py does the work). Beside it,
for the planning office only, the evaluation report (年度 / 中期 / 总结评估) as a Word draft (lib/report).

The pack is generated on request (button) and cached per (data version, tolerance, quarter, scope), so a
rerun or a second visitor asking for the same pack gets it at once. Without a browser for images the page
says how to install one and still offers the summary and the tables."""
from __future__ import annotations

import streamlit as st

import ui
from lib import briefing, charts, images, report, settings
from lib.accounts import Role

MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip",
    "txt": "text/plain",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
KIND_LABELS = {"all": "全区", "section": "按篇章", "unit": "按单位"}
REQUEST_KEY = "br_request"  # widget-like state: which pack this session asked for (not the pack itself)
GO_KEY = "br_go_clicked"     # set by the button's callback, consumed by the next run
REPORT_REQUEST_KEY = "rp_request"
REPORT_GO_KEY = "rp_go_clicked"
REPORT_KINDS = {"annual": "年度评估", "midterm": "中期评估", "final": "总结评估"}


@st.cache_data(show_spinner=False, max_entries=8)
def _pack(version: tuple, tolerance: tuple[float, float], as_of: str, scope: str, with_images: bool,
          _d: ui.Data) -> tuple[str, dict[str, bytes], tuple[str, ...]]:
    """(summary text, {file name: bytes}, chart titles). Plain types: the cache pickles them (a class defined
    in a page script would not unpickle). The progress bar is drawn inside, so a cached result shows it done."""
    bar = st.progress(0.0, text="正在准备…")

    def report(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    b = briefing.build_briefing(_d.plan, _d.progress, _d.task_progress, _d.annual_targets, as_of,
                                briefing.Scope.parse(scope), sample_data=briefing.is_sample_data(_d.plan, _d.progress),
                                source=briefing.default_source(_d.plan), progress_cb=report, render_images=False)
    files = briefing.pack_files(b, report, with_images=with_images)
    return b.summary_text, files, tuple(c.title for c in b.charts)


@st.cache_data(show_spinner=False, max_entries=8)
def _report(version: tuple, tolerance: tuple[float, float], kind: str, as_of: str, scope: str, with_images: bool,
            _d: ui.Data, _reporting) -> tuple[str, bytes]:
    """(file name, .docx bytes), cached like the pack; the progress bar is drawn inside."""
    bar = st.progress(0.0, text="正在准备评估报告…")

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    rep = report.build_report(_d.plan, _d.progress, _d.task_progress, _d.annual_targets, kind, as_of,
                              briefing.Scope.parse(scope), sample_data=briefing.is_sample_data(_d.plan, _d.progress),
                              source=briefing.default_source(_d.plan), reporting=_reporting, progress_cb=progress,
                              render_images=with_images)
    data = report.report_docx(rep)
    progress(1.0, "评估报告已生成")
    return rep.file_name(), data


def _report_as_of(kind: str, chosen) -> tuple[object | None, str]:
    """The report's quarter for the chosen one (annual: the latest Q4 up to it), or None and the reason."""
    if kind == "annual" and chosen.quarter != 4:
        q4 = [q for q in d.periods if q.quarter == 4 and q <= chosen]
        chosen = q4[-1] if q4 else chosen
    try:
        return report.report_as_of(plan, kind, d.progress, d.task_progress, chosen if kind == "annual" else None), ""
    except report.ReportError as exc:
        return None, str(exc)


def report_panel(box, scope: briefing.Scope, chosen, can_export: bool, version: tuple, tolerance: tuple) -> None:
    """评估报告: pick the kind, press the button (a callback, as 生成简报), download the .docx."""
    box.markdown("**评估报告(Word 初稿)**")
    kind = box.radio("评估类型", list(REPORT_KINDS), key="rp_kind", format_func=REPORT_KINDS.get, horizontal=True,
                     help="年度评估截至某年第四季度;中期评估截至规划期过半的季度;总结评估截至规划期最后一个季度")
    period, problem = _report_as_of(kind, chosen)
    if period is None:
        box.warning(problem, icon="⚠️")
        return
    box.caption(f"将生成:{report.report_title(plan, report.Kind(kind), period)},截至{ui.period_label(period)},"
                f"{scope.label(plan)}。")
    box.button("生成评估报告", key="rp_go", icon=":material/description:",
               on_click=lambda: st.session_state.__setitem__(REPORT_GO_KEY, True))
    req = (version, tolerance, kind, str(period), str(scope), can_export)
    if st.session_state.pop(REPORT_GO_KEY, False):
        st.session_state[REPORT_REQUEST_KEY] = req
    if st.session_state.get(REPORT_REQUEST_KEY) != req:
        return
    reporting = ui.reporting_status(d, period)
    with box:
        try:
            name, data = _report(version, tolerance, kind, str(period), str(scope), can_export, d, reporting)
        except images.ExportError as exc:  # the browser did not answer: the report without its figures
            st.error(f"{exc} 已改为生成不含图表的报告。")
            name, data = _report(version, tolerance, kind, str(period), str(scope), False, d, reporting)
    box.download_button("下载评估报告 DOCX", data, file_name=name, key="rp_dl", on_click="ignore", icon=":material/download:",
                        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", help=name)


d = ui.data()
plan = d.plan
st.title("简报导出")
st.caption("选择截至季度和范围,生成汇报材料:演示文稿(PPTX)、全部图表图片(ZIP,每张图自带标题、截至季度、数据来源和单位)、"
           "可直接粘贴的摘要文字,以及评估结果和进度数据表。")
# Building a pack costs the server ~15 s (images in a browser): signed-in accounts only. Browsing stays open.
ui.require_sign_in("生成简报(演示文稿、图表图片、摘要和数据表)")
ui.sample_banner(d)

periods = list(reversed(d.periods))
titles = dict(zip(plan.sections["section_no"].astype(int), plan.sections["section_title"]))
left, mid, right = st.columns([1, 1, 2])
as_of = left.selectbox("截至季度", periods, key="br_as_of", format_func=ui.period_label,
                       help="默认是数据中最新的季度;该季度之后的数据不计入")
kind = mid.radio("范围", list(KIND_LABELS), key="br_kind", format_func=KIND_LABELS.get, horizontal=True)
if kind == "section":
    value = right.selectbox("篇章", list(titles), key="br_section", format_func=lambda n: charts.section_label(n, titles[n], limit=40))
elif kind == "unit":
    value = right.selectbox("单位", plan.units.reporting_units(), key="br_unit",
                            help="该单位牵头或负责的指标和任务(含通过别名、组团分到的)")
else:
    value = None
scope = briefing.Scope(kind, value)

can_export, browser_message = images.export_available()
if not can_export:
    st.warning(browser_message + " 本页仍可生成摘要文字和数据表。", icon="⚠️")

version = d.version
tolerance = (float(settings.get("tolerance")), float(settings.get("tolerance_pp")))
request = (version, tolerance, str(as_of), str(scope), can_export)
# A callback, not `if st.button(...)`: it runs before the script body, so a rerun that interrupts the body
# (e.g. the sign-in cookie component reporting after page load) cannot swallow the click.
account = ui.current_account()
deck_box, report_box = st.columns(2) if account is not None and account.role is Role.PLANNING else (st.container(), None)
deck_box.markdown("**简报(演示文稿、图表、摘要、数据表)**")
deck_box.button("生成简报", type="primary", key="br_go", icon=":material/slideshow:",
                on_click=lambda: st.session_state.__setitem__(GO_KEY, True))
if report_box is not None:
    report_panel(report_box.container(border=True), scope, as_of, can_export, version, tolerance)
if st.session_state.pop(GO_KEY, False):
    st.session_state[REQUEST_KEY] = request
if st.session_state.get(REQUEST_KEY) != request:
    st.info(f"将生成:{ui.period_label(as_of)} · {ui.escape_markdown(scope.label(plan))}。点击“生成简报”开始(全区约需十几秒)。")
    st.stop()

try:
    summary, files, chart_titles = _pack(version, tolerance, str(as_of), str(scope), can_export, d)
except images.ExportError as exc:  # e.g. the browser did not answer: still offer text and tables
    st.error(f"{exc} 已改为只生成摘要文字和数据表。")
    summary, files, chart_titles = _pack(version, tolerance, str(as_of), str(scope), False, d)

st.subheader("下载")
downloads = list(files.items())
main = [(n, b) for n, b in downloads if not n.endswith(".csv")]
csvs = [(n, b) for n, b in downloads if n.endswith(".csv")]
labels = {"pptx": "演示文稿 PPTX", "zip": "图表图片 ZIP", "txt": "摘要文字 TXT", "xlsx": "数据表 Excel"}
icons = {"pptx": ":material/slideshow:", "zip": ":material/image:", "txt": ":material/notes:", "xlsx": ":material/table:"}
for col, (name, data) in zip(st.columns(len(main)), main):
    ext = name.rsplit(".", 1)[-1]
    col.download_button(labels[ext], data, file_name=name, mime=MIME[ext], key=f"br_dl_{ext}", on_click="ignore",
                        icon=icons[ext], help=name, width="stretch")
st.caption("CSV(UTF-8,Excel 可直接打开):")
for col, (name, data) in zip(st.columns(len(csvs)), csvs):
    col.download_button(name.rsplit(".", 1)[0].split("_")[0], data, file_name=name, mime=MIME["csv"],
                        key=f"br_dl_{name.split('_')[0]}", on_click="ignore", icon=":material/download:", help=name,
                        width="stretch")
if chart_titles and any(n.endswith(".pptx") for n in files):
    st.caption(f"演示文稿:封面、总体情况,以及 {len(chart_titles)} 页图表:" + "、".join(chart_titles) + "。每页备注中有该图的说明。")

st.subheader("摘要文字")
st.caption("点击右上角按钮复制,可直接粘贴到汇报材料中。")
st.code(summary, language=None, wrap_lines=True)
