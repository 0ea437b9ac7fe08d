"""The upload flow: validation in a limited process, templates, the preview, web entry and re-checks."""
from __future__ import annotations

import hashlib as _hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from lib import settings
from lib.periods import Period
from lib.plan import Plan
from lib.store import Store
from ui.data import all_plans, data_version, plan, plan_id, store, stored_plan_of

if TYPE_CHECKING:
    from lib.ingest import Upload
from ui.widgets import escape_markdown


def sha256(data: bytes) -> str:
    return _hashlib.sha256(data).hexdigest()


def upload_district(account: object | None = None) -> str:
    """The district an upload belongs to: the account's (a department never reaches another district's plans),
    else the district of the plan on screen."""
    return getattr(account, "district_id", None) or plan().config.district_id


def _catalogue(district_id: str | None = None) -> tuple[tuple[str, int, str], ...]:
    """(plan id, latest version, state) of the store's plans (of one district): the cache key of routing."""
    rows = all_plans()
    if district_id is not None:
        rows = rows[rows["district_id"] == district_id]
    return tuple((r.plan_id, int(r.versions), r.state) for r in rows.itertuples())


def routed_plan(plan_id_: str) -> Plan:
    """A plan of the store (latest version), cached per version: where a checked upload goes."""
    return stored_plan_of(plan_id_)


# A cached result is bounded (at most 100,000 rows per sheet, findings capped per code); few are kept, and
# not for long: each holds the frames of one upload.
@st.cache_data(show_spinner="正在检查文件…", max_entries=4, ttl=1800)
def _validate(sha: str, unit: str | None, file_name: str, district_id: str, prefer: str, version: tuple,
              _upload: "Upload"):
    from lib import ingest
    plans = [(ingest.PlanOption.of_plan(routed_plan(pid), state == "archived"), routed_plan(pid))
             for pid, _, state in version[0]]
    return ingest.check(store(), _upload, district_id=district_id, unit=unit, prefer=prefer, plans=plans)


def prepare_reader() -> None:
    """A clerk has the upload form open: start the spare reading process now, so that the check of the file
    they choose does not wait for a new Python process to start (about a second here, far more under load)."""
    from lib.readworker import warm_up
    warm_up()


def validate_upload(data: bytes, file_name: str, unit: str | None, account: object | None = None):
    """lib.ingest.check: the upload read in a separate, limited process (lib.readworker) against the plans of
    the account's district and routed to the one that holds its years (a lib.ingest.Checked: the workbook
    result's fields plus `plan_id`). Cached by the file's SHA-256 (computed once here), unit, district, the
    district's plan versions and their data versions (the annual targets on record feed a warning): a rerun
    does not re-validate."""
    from lib.ingest import Upload
    prepare_reader()   # from now on a spare reading process is kept ready
    upload = Upload.of(data, file_name)
    district = upload_district(account)
    catalogue = _catalogue(district)
    version = (catalogue, tuple(store().plan(pid).data_version() for pid, _, _ in catalogue))
    return _validate(upload.sha256, unit, file_name, district, plan_id(), version, upload)


@st.cache_data(show_spinner="正在生成模板…", max_entries=32)
def _template(unit: str, year: int, quarter: int, version: tuple) -> bytes:
    from lib.template import unit_template
    return unit_template(plan(), unit, year, quarter, last_values=store().effective_indicator_progress())


def unit_template_bytes(unit: str, year: int, quarter: int) -> bytes:
    return _template(unit, year, quarter, data_version())


@st.cache_data(show_spinner="正在复核…", max_entries=32)
def _recheck(submission_id: int, version: tuple) -> tuple[pd.DataFrame, bool]:
    from lib.findings import findings_frame
    from lib.ingest import recheck
    done = recheck(store(), plan(), submission_id)
    frame = findings_frame(done.findings)
    if done.from_file:
        return frame, True
    rows = done.rows
    where = {("指标进度", n + 2): (r.indicator_id, Period(int(r.year), int(r.quarter)).label)
             for n, r in enumerate(rows.indicator_rows.itertuples())}
    where |= {("任务进度", n + 2): (r.task_id, Period(int(r.year), int(r.quarter)).label)
              for n, r in enumerate(rows.task_rows.itertuples())}
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
    return _recheck(int(submission_id), data_version())


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
               "请按以下原因修改后重新上传:", icon=":material/undo:")
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
    if flags is not None:   # beside 新值, not last: the widest column would otherwise sit off-screen at 1366 px
        shown.insert(shown.columns.get_loc("新值") + 1, "提示",
                     [("⚠ " + flags[k]) if k in flags else "" for k in zip(preview["item_id"], preview["period"])])
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
    return _web_entry_tables(unit, int(year), int(quarter), data_version())


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
    id_label = INDICATOR_SHEET.label_of("indicator_id") if kind == "indicators" else TASK_SHEET.label_of("task_id")
    config[id_label] = st.column_config.TextColumn(pinned=True)   # a phone scrolls sideways to the fill-in cells
    # An empty choice cell would read "None" (English) in the editor: show it blank. Only the display changes;
    # edited_table applies the clerk's edits to the untouched frame, where the cell stays empty (None).
    shown = frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), "") for c in frame.columns
                            if frame[c].dtype == object})
    st.data_editor(shown, key=key, hide_index=True, width="stretch", num_rows="fixed",
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
