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

Three modules: this one is the content (what the pack says and shows), `lib/briefing_deck.py` the deck (the
only importer of python-pptx), `lib/briefing_exports.py` the files (ZIP, data exports, `pack_files`). The
scope rule is `lib.scope`. Every name stays importable from `lib.briefing`.

Without a browser (`lib.images.export_available()` is False) the summary and data exports still work;
only the images (and so the ZIP and the deck) raise `lib.images.ExportError` with the install message.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go

from lib import charts, fmt, images, rollup, settings
from lib.assess import Tolerance, assess_indicators, assess_tasks, explain
from lib.narrative import (  # noqa: F401  (re-exported: the deck's sentences are the report's)
    MAX_LISTED, _count_phrase, _listing, _pct, _units, indicator_counts, lagging_indicators, period_text, summary_paragraphs,
    summary_text, task_counts,
)
from lib.periods import TIME_ZONE, Period, time_elapsed
from lib.plan import Plan
from lib.scope import SCOPE_KINDS, Scope, ScopeError, filter_to_scope, task_history  # noqa: F401  (re-exported)
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


# --- the deck (lib/briefing_deck.py) and the files (lib/briefing_exports.py) --------------------------------
# Their names stay importable from here, loaded on first use: python-pptx is imported by the deck module only.
_MOVED = {
    "lib.briefing_deck": ("DECK_FONT", "SLIDE_W_IN", "SLIDE_H_IN", "MARGIN_IN", "TITLE_TOP_IN", "TITLE_H_IN",
                          "BODY_TOP_IN", "FOOTER_H_IN", "SUMMARY_TITLE", "deck_pptx"),
    "lib.briefing_exports": ("charts_zip", "data_exports", "indicator_table", "pack_files", "progress_tables",
                             "task_table"),
}


def __getattr__(name: str):
    for module, names in _MOVED.items():
        if name in names:
            import importlib
            return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'lib.briefing' has no attribute {name!r}")


__all__ = [
    "Briefing", "BriefingChart", "Scope", "ScopeError", "build_briefing", "build_charts", "charts_zip", "data_exports",
    "deck_pptx", "default_source", "filter_to_scope", "indicator_counts", "is_sample_data", "lagging_indicators",
    "pack_files", "period_text", "summary_paragraphs", "summary_text", "task_counts", "task_history",
]

