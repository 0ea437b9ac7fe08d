"""简报导出: a meeting pack for one as-of quarter and one scope (the whole plan, a section, a unit).

Plain Python (no streamlit): the 简报导出 page and `python -m lib briefing` call the same functions.

- `build_briefing(...)` assesses indicators and tasks as of the quarter, keeps the scope's rows, writes the
  summary text (every number comes from the engine's result frames) and builds the charts, each with a
  Chinese explanation for the slide notes. With `render_images=True` (default) it also exports every chart
  once, as a standalone PNG (`charts.for_export`: title, as-of, source, units, 示例数据 mark), through the one
  browser of `lib.images`; the ZIP and the deck reuse those bytes.
- `charts_zip(b)`: the PNGs, numbered in slide order. `deck_pptx(b)`: a 16:9 PowerPoint deck (title slide,
  summary, one slide per chart with its explanation in the notes). `data_exports(b)`: the assessment
  tables and the effective progress as .xlsx and CSV with Chinese headers, formula-leading text neutralised.

Without a browser (`lib.images.export_available()` is False) the summary and data exports still work;
only the images (and so the ZIP and the deck) raise `lib.images.ExportError` with the install message.
"""
from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go

from lib import charts, export, fmt, images, rollup, settings
from lib.assess import Tolerance, assess_indicators, assess_tasks, explain
from lib.narrative import (  # noqa: F401  (re-exported: the deck's sentences are the report's)
    MAX_LISTED, _count_phrase, _listing, _pct, _units, indicator_counts, lagging_indicators, period_text, summary_paragraphs,
    summary_text, task_counts,
)
from lib.periods import TIME_ZONE, Period, time_elapsed
from lib.plan import Plan
from lib.scope import SCOPE_KINDS, Scope, ScopeError, filter_to_scope, task_history  # noqa: F401  (re-exported)
from lib.schema import INDICATOR_SHEET, KIND_LABELS, TASK_SHEET
from lib.status import TaskStatus, status_label

ProgressCallback = Callable[[float, str], None]

ISSUER = "区发改局"
DATA_SOURCE_SUFFIX = "各责任单位季度填报,区发改局汇总"
MAX_SERIES = 8             # indicator charts (most lagging first) per pack
HEATMAP_ROWS = 20          # tasks per heatmap slide (more would make unreadable rows on a projector)
RANKING_UNITS = 15         # units on the ranking slide
IMAGE_WIDTH = 1200         # layout px; PNGs are rendered at IMAGE_SCALE × this
IMAGE_SCALE = 2
DIRECT_VIAS = ("直接", "别名")  # the ranking leaves out what a unit answers for only through a group

ZH_TZ = TIME_ZONE


def _noop(_fraction: float, _text: str) -> None:
    return None


# --- small text helpers: lib/narrative.py (shared with the evaluation report) ----------------------

# --- charts and their explanations ---------------------------------------------------------------------

class BriefingChart(NamedTuple):
    title: str             # slide title and file name
    fig: go.Figure         # the dashboard figure; `export_figure` turns it into the standalone image
    explanation: str       # slide notes
    units_note: str = ""   # "单位:…" in the image footer


def _tolerance_rule(tol: float) -> str:
    return (f"判定方法:完成度 P(五年目标路径已完成的比例)与评估期时间进度 τ 比较,容差 δ = {_pct(tol)}:"
            f"P ≥ τ + δ 为快于预期,τ − δ ≤ P < τ + δ 为基本符合预期,P < τ − δ 为滞后;目标已达到为提前实现;"
            f"控制类、同步类、上级下达类指标按是否达标判定。")


def _explain_status_counts(ind: pd.DataFrame, tau: float) -> str:
    lines = []
    for cat, part in ind.groupby("category", sort=False):
        counts = {s: n for s, n in indicator_counts(part).items() if n}
        noun = cat if str(cat).endswith("指标") else f"{cat}指标"
        lines.append(f"{noun}{len(part)}项:" + _count_phrase(counts, lambda s: status_label(s, tau)) + "。")
    tol = float(ind["tolerance"].iloc[0]) if len(ind) else Tolerance().path
    return "\n".join([*lines, _tolerance_rule(tol)])


def _explain_achievement(ind: pd.DataFrame) -> str:
    lines = ["条形为各指标的完成度 P(100% 即达到五年目标),黑色竖线为该指标评估期的时间进度 τ;条形短于竖线越多,进度越落后。"]
    gaps = ind[ind["achievement"].notna()].assign(gap=lambda f: f["time_elapsed"] - f["achievement"]).sort_values("gap", ascending=False)
    worst = gaps[gaps["gap"] > 0].head(3)
    if len(worst):
        lines.append("差距最大的是:" + ";".join(f"{r.indicator_id} {r.name}(P {fmt.percent(r.achievement)},τ {_pct(r.time_elapsed)})"
                                            for r in worst.itertuples()) + "。")
    no_p = ind[ind["achievement"].isna()]
    if len(no_p):
        lines.append(f"另有{len(no_p)}项指标不计算完成度(控制类、同步类、上级下达类按是否达标判定,或数据缺失),未列入本图:"
                     + "、".join(no_p["indicator_id"]) + "。")
    return "\n".join(lines)


def _explain_tasks_by_section(tasks: pd.DataFrame) -> str:
    tau = float(tasks["time_elapsed"].iloc[0])
    lines = [f"按规划篇章统计重点任务状态。判定:本季度填报“滞后”或完成进度低于 100×τ − 15(本期为 {fmt.number(max(0.0, 100 * tau - 15))}%)"
             "为滞后;本季度未填报为未报送;“未启动”在时间进度 20% 以后计为滞后。"]
    late = tasks[tasks["status"] == TaskStatus.BEHIND.value]
    if len(late):
        per = late.groupby("section_no", sort=True).size()
        lines.append("滞后任务分布:" + "、".join(f"第{charts.chinese_numeral(n)}篇{c}项" for n, c in per.items()) + "。")
    else:
        lines.append("本期没有滞后的任务。")
    return "\n".join(lines)


def _explain_heatmap(history: pd.DataFrame, as_of: Period) -> str:
    lines = ["每行一项重点任务,每列一个季度,颜色和符号为当季状态:★已完成 ●正常推进 ◇未启动 ▼滞后 ○未报送。"]
    periods = sorted(pd.unique(history["period"]), key=lambda p: Period.parse(p).index)[-2:]
    if len(periods) == 2:
        last_two = history[history["period"].isin(periods)]
        both = last_two[last_two["status"] == TaskStatus.BEHIND.value].groupby("task_id").size()
        stuck = [t for t, n in both.items() if n == 2]
        if stuck:
            titles = history.drop_duplicates("task_id").set_index("task_id")["title"]
            lines.append(f"截至{as_of}连续两个季度滞后:" + "、".join(f"{t} {titles[t]}" for t in stuck) + "。")
    return "\n".join(lines)


def _explain_ranking(counts: pd.DataFrame) -> str:
    lines = ["按各单位直接点名或以别名点名负责的重点任务统计状态(不含通过“各镇、街道”“区政府各部门”等组团分到的),按滞后项数排序。"]
    behind = counts[counts["status"] == TaskStatus.BEHIND.value].sort_values("count", ascending=False, kind="stable")
    if len(behind):
        lines.append("滞后任务较多的单位:" + "、".join(f"{r.unit}({int(r.count)}项)" for r in behind.head(5).itertuples()) + "。")
    return "\n".join(lines)


def _series_chart(plan: Plan, row: pd.Series, progress: pd.DataFrame) -> BriefingChart:
    iid = row["indicator_id"]
    plan_row = plan.indicator(iid)
    series = progress[progress["indicator_id"] == iid]
    ref_series, ref_name = None, ""
    if row["kind"] == "in_step" and row["ref_indicator"]:
        ref_series = progress[progress["indicator_id"] == row["ref_indicator"]]
        ref_name = str(plan.indicator(row["ref_indicator"])["name"])
    fig = charts.indicator_series(plan_row, series, row, plan.base_year, plan.target_year, ref_series=ref_series, ref_name=ref_name)
    lines = explain(row) + [f"责任单位:{_units(row, 'lead_units', 'responsible_units')}。"]
    return BriefingChart(f"{iid} {row['name']}", fig, "\n".join(lines), str(row["unit"] or ""))


def _heatmap_charts(history: pd.DataFrame, as_of: Period) -> list[BriefingChart]:
    ids = list(dict.fromkeys(history["task_id"]))
    chunks = [ids[i:i + HEATMAP_ROWS] for i in range(0, len(ids), HEATMAP_ROWS)] or [[]]
    out = []
    for chunk in chunks:
        part = history[history["task_id"].isin(chunk)]
        fig = charts.task_heatmap(part)
        title = fig.layout.title.text
        if len(chunks) > 1:  # named by the task ids it covers ("/" would not survive as a file name)
            title = f"{title}({chunk[0]}至{chunk[-1]})"
            fig.update_layout(title_text=title)
        out.append(BriefingChart(title, fig, _explain_heatmap(part, as_of)))
    return out


def build_charts(plan: Plan, scope: Scope, indicators: pd.DataFrame, tasks: pd.DataFrame, history: pd.DataFrame,
                 progress: pd.DataFrame, as_of: Period) -> list[BriefingChart]:
    """The scope's charts, in slide order; charts with nothing to show are left out."""
    out: list[BriefingChart] = []
    tau = time_elapsed(as_of.year, as_of.quarter, plan.base_year, plan.target_year)
    if len(indicators):
        fig = charts.status_counts(indicators)
        out.append(BriefingChart(fig.layout.title.text, fig, _explain_status_counts(indicators, tau), "项"))
        if indicators["achievement"].notna().any():
            fig = charts.achievement_vs_time(indicators)
            out.append(BriefingChart(fig.layout.title.text, fig, _explain_achievement(indicators), "%"))
    if len(tasks):
        fig = charts.tasks_by_section(tasks)
        out.append(BriefingChart(fig.layout.title.text, fig, _explain_tasks_by_section(tasks), "项"))
        out += _heatmap_charts(history, as_of)
        if scope.kind != "unit":
            counts = rollup.status_counts_long(rollup.by_unit(plan, tasks, vias=DIRECT_VIAS))
            if len(counts):
                fig = charts.unit_ranking(counts, kind="task", top_n=RANKING_UNITS)
                out.append(BriefingChart(fig.layout.title.text, fig, _explain_ranking(counts), "项"))
    for _, row in lagging_indicators(indicators).head(MAX_SERIES).iterrows():
        out.append(_series_chart(plan, row, progress))
    return out


# --- the pack ----------------------------------------------------------------------------------------------

@dataclass
class Briefing:
    plan: Plan
    as_of: Period
    scope: Scope
    indicators: pd.DataFrame        # assess_indicators rows of the scope
    tasks: pd.DataFrame             # assess_tasks rows of the scope
    history: pd.DataFrame           # task status per quarter (scope's tasks)
    progress: pd.DataFrame          # effective indicator progress of the scope, up to as_of
    task_progress: pd.DataFrame     # effective task progress of the scope, up to as_of
    charts: list[BriefingChart]
    paragraphs: list[str]
    sample_data: bool
    source: str
    created: datetime = field(default_factory=lambda: datetime.now(ZH_TZ))
    pngs: list[bytes] | None = None  # one per chart, after `render_images`

    @property
    def summary_text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def scope_label(self) -> str:
        return self.scope.label(self.plan)

    @property
    def time_elapsed(self) -> float:
        return time_elapsed(self.as_of.year, self.as_of.quarter, self.plan.base_year, self.plan.target_year)

    def stem(self, kind: str) -> str:
        """File name stem: "简报_2023Q4", "图表_2023Q4_区人社局" …"""
        return f"{kind}_{self.as_of}{self.scope.file_suffix()}"

    def export_figure(self, chart: BriefingChart) -> go.Figure:
        return charts.for_export(chart.fig, as_of=period_text(self.as_of), source=self.source,
                                 sample_data=self.sample_data, units_note=chart.units_note)

    def image_names(self) -> list[str]:
        """ZIP member names in slide order: "01_各类指标进展情况_2023Q4.png"."""
        return [f"{i:02d}_{images.safe_filename(c.title, fallback=f'图表{i}')}_{self.as_of}.png"
                for i, c in enumerate(self.charts, start=1)]

    def render_images(self, progress_cb: ProgressCallback | None = None, start: float = 0.0, end: float = 1.0) -> list[bytes]:
        """Export every chart once (kept on the object); raises lib.images.ExportError."""
        if self.pngs is None:
            cb = progress_cb or _noop
            out = []
            n = max(len(self.charts), 1)
            for i, chart in enumerate(self.charts):
                cb(start + (end - start) * i / n, f"正在生成图片 {i + 1}/{len(self.charts)}:{chart.title}")
                fig = self.export_figure(chart)
                out.append(images.figure_png(fig, width=IMAGE_WIDTH, height=int(fig.layout.height or 675), scale=IMAGE_SCALE))
            self.pngs = out
        return self.pngs


def is_sample_data(plan: Plan, progress: pd.DataFrame | None) -> bool:
    """True when progress rows are marked 示例 in 备注, or the plan uses illustrative baselines."""
    sample_rows = progress is not None and "note" in progress.columns and progress["note"].fillna("").astype(str).str.contains("示例").any()
    return bool(sample_rows or plan.uses_illustrative_baselines)


def default_source(plan: Plan) -> str:
    return f"{plan.config.source};{DATA_SOURCE_SUFFIX}" if plan.config.source else DATA_SOURCE_SUFFIX


def _up_to(frame: pd.DataFrame, as_of: Period) -> pd.DataFrame:
    if frame is None or len(frame) == 0:
        return frame if frame is not None else pd.DataFrame()
    key = pd.to_numeric(frame["year"], errors="coerce") * 4 + pd.to_numeric(frame["quarter"], errors="coerce") - 1
    return frame[key <= as_of.index]


def build_briefing(plan: Plan, progress: pd.DataFrame, task_progress: pd.DataFrame, annual_targets: pd.DataFrame | None,
                   as_of: Period | str, scope: Scope = Scope(), *, sample_data: bool, source: str,
                   progress_cb: ProgressCallback | None = None, render_images: bool = True,
                   tolerance: Tolerance | None = None) -> Briefing:
    """Assess, summarise and chart one as-of quarter for one scope; with `render_images`, export the chart
    images too (the slow part: ~0.2 s a chart). `progress_cb(fraction, text)` is called as work proceeds."""
    cb = progress_cb or _noop
    tolerance = tolerance or Tolerance(float(settings.get("tolerance")), float(settings.get("tolerance_pp")))
    as_of = Period.parse(as_of) if isinstance(as_of, str) else as_of
    scope = scope.resolved(plan)
    cb(0.0, "正在评估指标和任务…")
    ind_all = assess_indicators(plan, progress, as_of, tolerance, annual_targets)
    tasks_all = assess_tasks(plan, task_progress, as_of)
    indicators, tasks = filter_to_scope(plan, scope, ind_all, tasks_all)
    cb(0.05, "正在计算各季度任务状态…")
    history = task_history(plan, task_progress, as_of, set(tasks["task_id"]))
    cb(0.1, "正在绘制图表…")
    scoped_progress = _up_to(progress, as_of)
    chart_list = build_charts(plan, scope, indicators, tasks, history, scoped_progress, as_of)
    briefing = Briefing(
        plan=plan, as_of=as_of, scope=scope, indicators=indicators, tasks=tasks, history=history,
        progress=scoped_progress[scoped_progress["indicator_id"].isin(set(indicators["indicator_id"]))].reset_index(drop=True)
        if len(scoped_progress) else scoped_progress,
        task_progress=_scoped_tasks(_up_to(task_progress, as_of), set(tasks["task_id"])),
        charts=chart_list,
        paragraphs=summary_paragraphs(plan, indicators, tasks, as_of, scope, sample_data=sample_data),
        sample_data=sample_data, source=source,
    )
    if render_images:
        briefing.render_images(cb, 0.15, 0.9)
    cb(0.9 if render_images else 0.2, "图表已就绪")
    return briefing


def _scoped_tasks(frame: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    if frame is None or len(frame) == 0:
        return frame if frame is not None else pd.DataFrame()
    return frame[frame["task_id"].isin(ids)].reset_index(drop=True)


# --- ZIP of images --------------------------------------------------------------------------------------------

def charts_zip(briefing: Briefing, progress_cb: ProgressCallback | None = None) -> bytes:
    """Every chart as a standalone PNG (rendered once, reused by the deck), numbered in slide order."""
    pngs = briefing.render_images(progress_cb)
    buf = io.BytesIO()
    stamp = briefing.created.timetuple()[:6]
    with zipfile.ZipFile(buf, "w") as zf:
        for name, png in zip(briefing.image_names(), pngs):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED  # PNG is already compressed
            zf.writestr(info, png)
    return buf.getvalue()


# --- PowerPoint deck ---------------------------------------------------------------------------------------------

# Text boxes name a CJK font for East Asian text (PowerPoint and LibreOffice otherwise pick a Latin theme font
# and fall back glyph by glyph). 微软雅黑 is on every Chinese Windows/Office; LibreOffice on Linux maps it to
# an installed CJK font (Noto Sans CJK SC with fonts-noto-cjk).
DECK_FONT = "Microsoft YaHei"
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
MARGIN_IN = 0.45
TITLE_TOP_IN, TITLE_H_IN = 0.3, 0.75
BODY_TOP_IN = 1.15
FOOTER_H_IN = 0.35
DARK, GREY_TEXT, ACCENT = "222222", "666666", "1F4E79"
SAMPLE_RED = "D55E00"


def _rgb(hex6: str):
    from pptx.dml.color import RGBColor
    return RGBColor.from_string(hex6)


def _style_run(run, size: float, *, bold: bool = False, colour: str = DARK) -> None:
    """Size, weight, colour, and the CJK font on the run's latin, ea (East Asian) and cs slots, lang zh-CN."""
    from lxml import etree
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = _rgb(colour)
    font.name = DECK_FONT  # <a:latin>
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    latin = rpr.find(qn("a:latin"))
    previous = latin
    for tag in ("a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = etree.SubElement(rpr, qn(tag))
            previous.addnext(el)
        el.set("typeface", DECK_FONT)
        previous = el


def _text_box(slide, left: float, top: float, width: float, height: float, paragraphs: list[str], size: float, *,
              bold: bool = False, colour: str = DARK, align: str = "left", space_after: float = 0, name: str = ""):
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        box.name = name
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.TOP
    for side in ("margin_left", "margin_right"):
        setattr(tf, side, Inches(0.05))
    for i, text in enumerate(paragraphs):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[align]
        p.space_after = Pt(space_after)
        p.line_spacing = 1.15
        _style_run(p.add_run(), size, bold=bold, colour=colour)
        p.runs[0].text = text
    return box


def _set_title(slide, text: str, *, top: float = TITLE_TOP_IN, height: float = TITLE_H_IN, size: float = 26,
               left: float = MARGIN_IN, width: float = SLIDE_W_IN - 2 * MARGIN_IN, align: str = "left") -> None:
    """Fill and place the layout's title placeholder (kept, so outline view and screen readers see the title)."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(left), Inches(top), Inches(width), Inches(height)
    tf = title.text_frame
    tf.clear()
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    p = tf.paragraphs[0]
    p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[align]
    run = p.add_run()
    run.text = text
    _style_run(run, size, bold=True, colour=ACCENT)


def _text_width_em(text: str) -> float:
    """Width of `text` in em: CJK and full-width characters 1, others about 0.55."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)


def _lines_needed(paragraphs: list[str], size_pt: float, width_in: float) -> float:
    per_line_em = width_in * 72 / size_pt
    return sum(max(1, math.ceil(_text_width_em(p) / per_line_em)) for p in paragraphs)


def _fit_size(paragraphs: list[str], width_in: float, height_in: float, sizes=(20, 18, 16, 15, 14, 13, 12)) -> float | None:
    """The largest font size at which the paragraphs fit the box (1.15 line spacing, 6 pt between
    paragraphs, a 10% safety margin for wrapping), or None."""
    for size in sizes:
        height_pt = _lines_needed(paragraphs, size, width_in * 0.95) * size * 1.15 * 1.2 + 6 * len(paragraphs)
        if height_pt <= height_in * 72 * 0.92:
            return size
    return None


def _split_to_fit(paragraphs: list[str], width_in: float, height_in: float) -> list[tuple[list[str], float]]:
    """Paragraphs grouped into slides that each fit (at ≥ 12 pt)."""
    pages: list[tuple[list[str], float]] = []
    current: list[str] = []
    for para in paragraphs:
        trial = [*current, para]
        if current and _fit_size(trial, width_in, height_in) is None:
            pages.append((current, _fit_size(current, width_in, height_in) or 12))
            current = [para]
        else:
            current = trial
    if current:
        pages.append((current, _fit_size(current, width_in, height_in) or 12))
    return pages


def _footer(slide, briefing: Briefing, number: int) -> None:
    left = f"{briefing.plan.config.short_name}实施监测 · 截至{period_text(briefing.as_of)} · {briefing.scope_label} · {ISSUER}"
    top = SLIDE_H_IN - FOOTER_H_IN - 0.05
    _text_box(slide, MARGIN_IN, top, 10.5, FOOTER_H_IN, [left], 10, colour=GREY_TEXT, name="页脚")
    _text_box(slide, SLIDE_W_IN - MARGIN_IN - 1.5, top, 1.5, FOOTER_H_IN, [str(number)], 10, colour=GREY_TEXT,
              align="right", name="页码")


def _sample_mark(slide) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches, Pt

    w, h = 1.35, 0.42
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(SLIDE_W_IN - MARGIN_IN - w), Inches(0.12), Inches(w), Inches(h))
    shape.name = "示例数据标记"
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb("FFFFFF")
    shape.line.color.rgb = _rgb(SAMPLE_RED)
    shape.line.width = Pt(2)
    tf = shape.text_frame
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    p = tf.paragraphs[0]
    p.alignment = PP_ALIGN.CENTER
    run = p.add_run()
    run.text = charts.SAMPLE_MARK
    _style_run(run, 14, bold=True, colour=SAMPLE_RED)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


SUMMARY_TITLE = "总体情况"


def deck_pptx(briefing: Briefing, progress_cb: ProgressCallback | None = None) -> bytes:
    """A 16:9 deck: title slide, summary slide(s), one slide per chart (picture + notes)."""
    from pptx import Presentation
    from pptx.util import Inches

    pngs = briefing.render_images(progress_cb)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    prs.core_properties.title = f"{briefing.plan.config.short_name}实施监测简报({period_text(briefing.as_of)})"
    prs.core_properties.author = ISSUER
    prs.core_properties.language = "zh-CN"
    title_layout, title_only = prs.slide_layouts[0], prs.slide_layouts[5]
    number = 0

    # title slide
    slide = prs.slides.add_slide(title_layout)
    number += 1
    _set_title(slide, briefing.plan.config.name, top=2.0, height=1.5, size=32, left=1.0, width=SLIDE_W_IN - 2.0, align="center")
    subtitle = slide.placeholders[1]
    subtitle.element.getparent().remove(subtitle.element)  # own text boxes instead: exact fonts and positions
    lines = ["规划实施监测简报", f"截至{period_text(briefing.as_of)}(时间进度{_pct(briefing.time_elapsed)}) · {briefing.scope_label}"]
    _text_box(slide, 1.0, 3.7, SLIDE_W_IN - 2.0, 1.2, lines, 22, colour=DARK, align="center", space_after=6, name="副标题")
    _text_box(slide, 1.0, 5.4, SLIDE_W_IN - 2.0, 0.9, [ISSUER, f"{briefing.created.year}年{briefing.created.month}月{briefing.created.day}日"], 18,
              colour=GREY_TEXT, align="center", name="发布单位")
    if briefing.sample_data:
        _sample_mark(slide)
    slide.notes_slide.notes_text_frame.text = briefing.summary_text

    # summary slide(s)
    body_w = SLIDE_W_IN - 2 * MARGIN_IN
    body_h = SLIDE_H_IN - BODY_TOP_IN - FOOTER_H_IN - 0.2
    pages = _split_to_fit(briefing.paragraphs, body_w, body_h)
    for i, (paras, size) in enumerate(pages):
        slide = prs.slides.add_slide(title_only)
        number += 1
        _set_title(slide, SUMMARY_TITLE if i == 0 else f"{SUMMARY_TITLE}(续)")
        _text_box(slide, MARGIN_IN, BODY_TOP_IN, body_w, body_h, paras, size, space_after=6, name="摘要")
        if briefing.sample_data:
            _sample_mark(slide)
        _footer(slide, briefing, number)
        slide.notes_slide.notes_text_frame.text = "\n".join(paras)

    # one slide per chart
    for chart, png in zip(briefing.charts, pngs):
        slide = prs.slides.add_slide(title_only)
        number += 1
        _set_title(slide, chart.title, size=24 if len(chart.title) <= 30 else 20)
        px_w, px_h = _png_size(png)
        box_w, box_h = SLIDE_W_IN - 2 * MARGIN_IN, body_h
        scale = min(box_w / px_w, box_h / px_h)
        w_in, h_in = px_w * scale, px_h * scale
        free = box_w - w_in
        if free >= 3.2:  # a tall picture leaves room: the key points beside it
            pic_left = MARGIN_IN
            side = chart.explanation.split("\n")
            side_w = free - 0.3
            size = _fit_size(side, side_w, box_h, sizes=(16, 15, 14, 13, 12, 11)) or 11
            _text_box(slide, MARGIN_IN + w_in + 0.3, BODY_TOP_IN, side_w, box_h, side, size, colour=DARK, space_after=6, name="要点")
        else:
            pic_left = MARGIN_IN + free / 2
        pic = slide.shapes.add_picture(io.BytesIO(png), Inches(pic_left), Inches(BODY_TOP_IN), Inches(w_in), Inches(h_in))
        pic.name = chart.title
        _footer(slide, briefing, number)
        slide.notes_slide.notes_text_frame.text = chart.explanation
    if progress_cb:
        progress_cb(1.0, "演示文稿已生成")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- data exports ---------------------------------------------------------------------------------------

def _joined(value: object) -> object:
    return "、".join(value) if isinstance(value, (tuple, list)) else value


def _share_pct(series: pd.Series) -> pd.Series:
    return (pd.to_numeric(series, errors="coerce") * 100).round(1)


def indicator_table(ind: pd.DataFrame) -> pd.DataFrame:
    """The assessment with Chinese headers, shares as percent numbers, and how each status was reached."""
    return pd.DataFrame({
        "指标编号": ind["indicator_id"], "指标名称": ind["name"], "指标类别": ind["category"],
        "测算方法": ind["kind"].map(KIND_LABELS).fillna(ind["kind"]), "计量单位": ind["unit"],
        "状态": ind["status_label"], "完成度(%)": _share_pct(ind["achievement"]), "时间进度(%)": _share_pct(ind["time_elapsed"]),
        "评估期": ind["latest_period"], "最新值": ind["latest_value"], "比测算期滞后(季度)": ind["lag_quarters"],
        "目标值": ind["target_value"], "基期值": ind["baseline_value"], "至今年均增速(%)": ind["avg_growth"],
        "与参照指标差距(百分点)": ind["diff_pp"], "当年上级下达目标": ind["assigned_target"],
        "规划期累计值": ind["cumulative_total"], "未能评估的原因": ind["reason"],
        "牵头单位": ind["lead_units"].map(_joined), "责任单位": ind["responsible_units"].map(_joined),
        "测算说明": [" ".join(explain(r)) for _, r in ind.iterrows()], "测算期": ind["as_of"],
    })


def task_table(tasks: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "任务编号": tasks["task_id"],
        "篇章": [f"{charts.chinese_numeral(n)}、{t}" for n, t in zip(tasks["section_no"], tasks["section_title"])],
        "任务名称": tasks["title"], "状态": tasks["status_label"], "填报进展状态": tasks["state"],
        "完成进度(%)": tasks["percent"], "最新填报期": tasks["latest_period"], "工作进展": tasks["progress"],
        "存在问题": tasks["problems"], "下步计划": tasks["next_steps"],
        "牵头单位": tasks["lead_units"].map(_joined), "责任单位": tasks["responsible_units"].map(_joined),
        "采用的填报单位": tasks["reporting_unit"], "测算期": tasks["as_of"],
    })


def _progress_table(frame: pd.DataFrame, sheet, names: dict[str, str], name_col: str) -> pd.DataFrame:
    labels = {c.name: c.label for c in sheet.columns}
    id_col = sheet.columns[0].name
    cols = [c.name for c in sheet.columns if c.name in frame.columns or c.name == name_col]
    out = frame.sort_values([id_col, "year", "quarter"], kind="stable").assign(**{name_col: lambda f: f[id_col].map(names)})
    out = out.reindex(columns=cols)
    if "submission_id" in frame.columns:
        out["报送编号"] = frame.loc[out.index, "submission_id"]
    return out.rename(columns=labels).reset_index(drop=True)


def progress_tables(briefing: Briefing) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The effective progress the assessment used (scope's items, up to as-of), headers as in the workbook."""
    plan = briefing.plan
    ind_names = dict(zip(plan.indicators["indicator_id"], plan.indicators["name"]))
    task_names = dict(zip(plan.tasks["task_id"], plan.tasks["title"]))
    ind = briefing.progress if len(briefing.progress) else pd.DataFrame(columns=[c.name for c in INDICATOR_SHEET.columns if c.name != "indicator_name"])
    tasks = briefing.task_progress if len(briefing.task_progress) else pd.DataFrame(columns=[c.name for c in TASK_SHEET.columns if c.name != "task_name"])
    return (_progress_table(ind, INDICATOR_SHEET, ind_names, "indicator_name"),
            _progress_table(tasks, TASK_SHEET, task_names, "task_name"))


def data_exports(briefing: Briefing) -> dict[str, bytes]:
    """{file name: bytes}: one .xlsx with four sheets, and each table as UTF-8 (BOM) CSV."""
    ind_prog, task_prog = progress_tables(briefing)
    sheets = {"指标评估": indicator_table(briefing.indicators), "任务评估": task_table(briefing.tasks),
              "指标进度": ind_prog, "任务进度": task_prog}
    suffix = f"_{briefing.as_of}{briefing.scope.file_suffix()}"
    out = {f"评估与进度{suffix}.xlsx": export.xlsx_bytes(sheets)}
    for name, frame in sheets.items():
        out[f"{name}{suffix}.csv"] = export.csv_bytes(frame)
    return out


def pack_files(briefing: Briefing, progress_cb: ProgressCallback | None = None, *, with_images: bool = True) -> dict[str, bytes]:
    """Everything the CLI writes: deck, ZIP, summary text, data exports ({file name: bytes})."""
    files: dict[str, bytes] = {}
    if with_images:
        cb = progress_cb or _noop
        briefing.render_images(cb, 0.15, 0.9)
        cb(0.92, "正在生成演示文稿…")
        files[f"{briefing.stem('简报')}.pptx"] = deck_pptx(briefing)
        cb(0.97, "正在打包图片…")
        files[f"{briefing.stem('图表')}.zip"] = charts_zip(briefing)
    files[f"{briefing.stem('摘要')}.txt"] = (briefing.summary_text + "\n").encode("utf-8")
    files.update(data_exports(briefing))
    if progress_cb:
        progress_cb(1.0, "简报已生成")
    return files


__all__ = [
    "Briefing", "BriefingChart", "Scope", "ScopeError", "build_briefing", "build_charts", "charts_zip", "data_exports",
    "deck_pptx", "default_source", "filter_to_scope", "indicator_counts", "is_sample_data", "lagging_indicators",
    "pack_files", "period_text", "summary_paragraphs", "summary_text", "task_counts", "task_history",
]

