"""The briefing's files: the chart images as one ZIP, the assessment and the effective progress as .xlsx and
CSV with Chinese headers (formula-leading text neutralised, `lib.export`), and `pack_files`, everything the
CLI writes (deck from `lib.briefing_deck`, summary text, data exports).
"""
from __future__ import annotations

import io
import zipfile

import pandas as pd

from lib import charts, export
from lib.assess import explain
from lib.briefing import Briefing, ProgressCallback, _noop
from lib.schema import INDICATOR_SHEET, KIND_LABELS, TASK_SHEET

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
    ind = briefing.progress if len(briefing.progress) else pd.DataFrame(columns=INDICATOR_SHEET.stored)
    tasks = briefing.task_progress if len(briefing.task_progress) else pd.DataFrame(columns=TASK_SHEET.stored)
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
        from lib.briefing_deck import deck_pptx   # python-pptx only when a deck is made
        files[f"{briefing.stem('简报')}.pptx"] = deck_pptx(briefing)
        cb(0.97, "正在打包图片…")
        files[f"{briefing.stem('图表')}.zip"] = charts_zip(briefing)
    files[f"{briefing.stem('摘要')}.txt"] = (briefing.summary_text + "\n").encode("utf-8")
    files.update(data_exports(briefing))
    if progress_cb:
        progress_cb(1.0, "简报已生成")
    return files
