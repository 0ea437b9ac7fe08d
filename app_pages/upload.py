"""数据填报: download the unit's template for a quarter; upload a filled workbook, or fill the same rows in the
browser (网页填报) → every finding → a preview of what would change (old → new, steps backwards flagged) →
confirm → stored as a submission; a returned submission's reason at the top; the unit's own submissions.

Departments upload for their own unit only (the validator refuses rows of items the unit does not answer
for); the planning office picks the unit. The rows go to the plan of the account's district whose period holds
their years (lib.ingest), which need not be the plan on screen: 2025 final figures reach the 14th plan while
the 15th is shown; the page says where they go before the clerk confirms. Leaders and visitors are refused by ui.require_role."""
import datetime as dt

import pandas as pd
import streamlit as st

import ui
from lib import ingest, settings
from lib.accounts import Role, can_upload
from lib.findings import findings_display, findings_frame
from lib.messages import render
from lib.periods import Period
from lib.review import backward_steps, flags_by_row
from lib.store import CHANGE_CHANGED, CHANGE_NEW, CHANGE_SAME, SUBMISSION_LABELS, SYSTEM_ACCOUNT, StoreError
from lib.template import report_deadline, template_file_name
from lib.webentry import entry_file_name, entry_workbook

FLASH = "up_flash"

account = ui.require_role(Role.DEPARTMENT, Role.PLANNING)
plan = ui.plan()
store = ui.store()

st.title("数据填报")
if account.role is Role.PLANNING:
    units = plan.units.reporting_units()
    default = units.index(account.unit) if account.unit in units else 0
    unit = st.selectbox("填报单位", units, index=default, key="up_unit",
                        help="区发改局账号可以代任何单位上传;文件中的「填报单位」须与此处一致")
else:
    unit = account.unit
st.caption(f"填报单位:{ui.escape_markdown(unit)} · 账号:{account.username}"
           + (" · 上传后由区发改局审核采纳" if not settings.get("auto_adopt") else " · 上传即自动采纳"))
ui.returned_notice(store, unit)   # a returned submission is the first thing the clerk reads


def _due_period(periods: list[Period], today: dt.date) -> Period:
    """The latest plan quarter that has ended by today (the one being reported), else the first."""
    ended = [p for p in periods if dt.date(p.year, 3 * p.quarter, 1) < today.replace(day=1)]
    return ended[-1] if ended else periods[0]


# --- ① template ---------------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown("**① 下载本单位填报模板**")
    periods = list(plan.periods)
    due = _due_period(periods, dt.date.today())
    pick_col, button_col = st.columns([1, 2], vertical_alignment="bottom")
    choice = pick_col.selectbox("填报季度", list(reversed(periods)), index=list(reversed(periods)).index(due),
                                key="up_tpl_period", format_func=ui.period_label)
    resp = plan.responsibilities(unit)
    n_ind = int((resp["item_type"] == "指标").sum())
    n_task = int((resp["item_type"] == "任务").sum())
    deadline = report_deadline(choice.year, choice.quarter)
    st.caption(f"模板已预填本单位负责的 {n_ind} 项指标、{n_task} 项任务,黄色单元格为需要填写的内容;"
               f"{ui.period_label(choice)}数据请于 {deadline.year}年{deadline.month}月{deadline.day}日前报送。")
    if n_ind + n_task == 0:
        st.info("本单位没有需要填报的指标或任务。")
    else:
        button_col.download_button("下载填报模板(.xlsx)", ui.unit_template_bytes(unit, choice.year, choice.quarter),
                                   file_name=template_file_name(unit, choice.year, choice.quarter),
                                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                   key="up_tpl_download", on_click="ignore", icon="⬇️")

# --- ② upload (or fill in the browser) → findings → preview → confirm -----------------------------------
# Both ways end in the same bytes → ui.validate_upload (lib.ingest: routed to the plan of the rows' years within
# the account's district) → preview → ingest.submit path. After a submission the
# uploader, the web-entry tables and the preview are cleared (their widget keys carry a generation number)
# and "已提交,报送编号 N" stays until the clerk starts the next upload or check.
DONE, GEN, WEB_DRAFT = "up_done", "up_gen", "up_web_draft"


def _forget_done() -> None:
    st.session_state.pop(DONE, None)


def _submit(checked: ingest.Checked, unit: str) -> None:
    """Confirm button callback: a last permission check, then one store transaction in the plan the rows'
    years belong to (lib.ingest); then clear the form."""
    target = ui.routed_plan(checked.plan_id)
    indicators, tasks = checked.indicator_rows, checked.task_rows
    ids = set(indicators.get("indicator_id", pd.Series(dtype=object))) | set(tasks.get("task_id", pd.Series(dtype=object)))
    denied = sorted(i for i in ids if not can_upload(account, i, target))
    if denied:
        ui.flash(FLASH, "error", f"本账号不能填报 {'、'.join(denied)}(不是{unit}负责的指标或任务),文件未保存。")
        return
    try:
        outcome = ingest.submit(store, checked, unit=unit, account=account.username, plan=target)
    except (StoreError, ingest.IngestError) as exc:
        ui.flash(FLASH, "error", exc.message)
        return
    headline = render("upload.submitted", submission_id=outcome.submission_id, indicator_rows=outcome.indicator_rows,
                      task_rows=outcome.task_rows, state=outcome.state.label)
    st.session_state[DONE] = ("info", outcome.message) if outcome.duplicate else ("success", headline)
    st.session_state[GEN] = st.session_state.get(GEN, 0) + 1
    st.session_state.pop(WEB_DRAFT, None)


def _preview(result: ingest.Checked, data: bytes, key: str) -> None:
    """What adopting the rows would change (old → new) in the plan they go to, with steps backwards flagged."""
    target, target_store = ui.routed_plan(result.plan_id), store.plan(result.plan_id)
    preview = ingest.preview(store, result)
    flags = flags_by_row(backward_steps(target, result.indicator_rows, result.task_rows,
                                        target_store.effective_indicator_progress(), target_store.effective_task_progress()))
    counts = preview["change"].value_counts()
    st.subheader("提交后的变化(与当前已采纳数据相比)")
    c1, c2, c3 = st.columns(3)
    c1.metric("新增", f"{counts.get(CHANGE_NEW, 0)} 行")
    c2.metric("变更", f"{counts.get(CHANGE_CHANGED, 0)} 行")
    c3.metric("未变", f"{counts.get(CHANGE_SAME, 0)} 行")
    shown = ui.preview_table(preview, target, flags)
    if key == "up_web":   # rows of the workbook built from the table mean nothing to the clerk
        shown = shown.drop(columns=["工作表", "行"], errors="ignore")
    if flags:
        st.warning(f"有 {len(flags)} 行数值后退(离目标更远、已完成的任务改为未完成或完成进度下降),见下表「提示」列;"
                   "如属更正请在备注中说明,区发改局审核时也会看到。")
    if st.checkbox("只看新增和变更的行", value=len(shown) > 20, key=f"{key}_only_changes_{result.upload.sha256[:12]}"):
        shown = shown[shown["变化"] != CHANGE_SAME]
    st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_preview",
                 column_config={"名称": st.column_config.TextColumn(width="medium"),
                                "提示": st.column_config.TextColumn(width="large"),
                                "行": st.column_config.NumberColumn(format="%d")})


def _check_and_confirm(data: bytes, file_name: str, unit: str, key: str,
                       row_labels: dict[tuple[str, int], str] | None = None) -> None:
    """Findings (wrapped, no codes on screen; the download keeps them), preview, 确认提交."""
    result = ui.validate_upload(data, file_name, unit, account)
    errors, warnings = result.errors, result.warnings
    if not result.readable:
        st.error("文件无法读取,未保存任何内容:")
        for f in result.findings:
            st.text(f.message)
        return
    n_rows = len(result.indicator_rows) + len(result.task_rows)
    if errors:
        st.error(f"发现 {len(errors)} 个错误" + (f"、{len(warnings)} 个警告" if warnings else "")
                 + ":有错误的内容不能提交。请按下表逐项修改后重新" + ("检查。" if row_labels is not None else "上传。"))
    elif warnings:
        st.warning(f"没有错误,有 {len(warnings)} 个警告:请逐项核对,确认无误后可以提交。")
    else:
        st.success(f"检查通过:指标 {len(result.indicator_rows)} 行、任务 {len(result.task_rows)} 行,没有发现问题。")
    if result.plan_id is not None:   # rows go to the plan of their years, which may not be the one on screen
        target = ui.routed_plan(result.plan_id).config
        other = "(不是页面上正在查看的规划)" if result.plan_id != plan.config.id else ""
        st.info(f"按数据年份,本文件报送到:{ui.escape_markdown(target.short_name)}"
                f"({target.base_year + 1}—{target.target_year} 年){other}", icon=":material/route:")
    if result.findings:
        st.subheader(f"检查结果({len(errors)} 个错误、{len(warnings)} 个警告)")
        ui.findings_table(findings_display(result.findings, row_labels))
        ui.downloads(findings_frame(result.findings), f"检查结果_{file_name.rsplit('.', 1)[0]}", f"{key}_findings_dl", "检查结果")
    confirm = f"{key}_confirm"
    if result.ok and n_rows:
        _preview(result, data, key)
        ack = True
        if warnings:
            ack = st.checkbox("我已阅读警告,仍要提交", key=f"{key}_ack_{result.upload.sha256[:12]}")
        st.button("确认提交", type="primary", disabled=not ack, key=confirm, icon=":material/send:",
                  on_click=_submit, args=(result, unit),
                  help=None if ack else "请先勾选“我已阅读警告,仍要提交”")
    elif not result.ok:
        st.button("确认提交", type="primary", disabled=True, key=confirm, icon=":material/send:",
                  help="有错误,不能提交")
    else:
        st.info("没有可提交的数据行。" if row_labels is None else "表中还没有填写任何内容。")


def _check_web_entry(unit: str, period: Period, ind_key: str, task_key: str, base: tuple) -> None:
    """检查并预览 callback: the edited tables → a contract workbook (the bytes a clerk would upload)."""
    _forget_done()
    indicators = ui.edited_table(base[0], ind_key)
    tasks = ui.edited_table(base[1], task_key)
    entry = entry_workbook(plan, unit, period.year, period.quarter, indicators, tasks)
    st.session_state[WEB_DRAFT] = (unit, str(period), entry)


gen = st.session_state.get(GEN, 0)
st.markdown("**② 报送本季度数据,核对后提交**")
with st.container():
    ui.show_flash(FLASH)
    if done := st.session_state.get(DONE):
        {"success": st.success, "info": st.info}[done[0]](ui.escape_markdown(done[1]), icon=":material/check_circle:")
    tab_file, tab_web = st.tabs(["上传工作簿", "网页填报"])
    with tab_file:
        upload = ui.chinese_uploader("选择填好的进度工作簿", key=f"up_file_{gen}", on_change=_forget_done,
                                     help=f"Excel 工作簿(.xlsx,或旧版 .xls),不超过 {settings.get('max_upload_mb')} MB。"
                                          "系统会先逐项检查,确认无误后才会保存。")
        if upload is None:
            ui.prepare_reader()
            st.caption("上传后会列出检查发现的全部问题(错误须修改,警告可确认后提交),并预览与现有数据相比将新增、变更的数值。")
        else:
            _check_and_confirm(upload.getvalue(), upload.name, unit, "up")
    with tab_web:
        st.caption("不用 Excel:直接在下表填写本单位本季度的数值和任务进展(与模板相同的行),未填写的行不报送。"
                   "填好后点“检查并预览”,检查、预览和提交与上传工作簿完全相同,保存的是由本表生成的工作簿。")
        web_period = st.selectbox("填报季度", list(reversed(periods)), index=list(reversed(periods)).index(due),
                                  key="up_web_period", format_func=ui.period_label)
        base = ui.web_entry_tables(unit, web_period.year, web_period.quarter)
        ind_key, task_key = (f"up_web_{name}_{unit}_{web_period}_{gen}" for name in ("ind", "task"))
        if len(base[0]):
            st.markdown(f"**指标({len(base[0])} 项)**")
            ui.entry_editor(base[0], ind_key, kind="indicators")
        if len(base[1]):
            st.markdown(f"**重点任务({len(base[1])} 项)**")
            ui.entry_editor(base[1], task_key, kind="tasks")
        if len(base[0]) + len(base[1]) == 0:
            st.info("本单位没有需要填报的指标或任务。")
        else:
            st.button("检查并预览", key="up_web_check", icon=":material/fact_check:",
                      on_click=_check_web_entry, args=(unit, web_period, ind_key, task_key, base))
            draft = st.session_state.get(WEB_DRAFT)
            if draft is not None and draft[:2] == (unit, str(web_period)):
                entry = draft[2]
                if entry.indicator_rows + entry.task_rows == 0:
                    st.info("表中还没有填写任何内容:请在上表填写本季度的数值或任务进展,再点“检查并预览”。")
                else:
                    st.caption(f"将报送:指标 {entry.indicator_rows} 行、任务 {entry.task_rows} 行;未填写的 {entry.skipped} 行"
                               "不报送。修改上表后请再点“检查并预览”。")
                    _check_and_confirm(entry.data, entry_file_name(web_period.year, web_period.quarter), unit, "up_web",
                                       entry.row_labels)

# --- ③ the unit's own submissions ---------------------------------------------------------------------------
st.markdown(f"**③ {ui.escape_markdown(unit)}的报送记录**")
with st.container():
    mine = store.submissions(unit=unit)
    if mine.empty:
        st.info(f"{ui.escape_markdown(unit)}还没有报送记录。")
    else:
        columns = ["id", "created_at", "file_name", "account", "indicator_rows", "task_rows", "state_label",
                   "state_reason", "reviewed_by", "reviewed_at"]
        table = (ui.beijing_times(mine[columns], "created_at", "reviewed_at").fillna({"reviewed_by": ""})
                 .rename(columns=SUBMISSION_LABELS))
        st.dataframe(table, hide_index=True, width="stretch", key="up_mine",
                     column_config={"文件名": st.column_config.TextColumn(width="medium"),
                                    "退回/撤销原因": st.column_config.TextColumn(width="large")})
        st.caption(f"共 {len(mine)} 次报送;时间为北京时间。只有「已采纳」的报送计入监测结果。")
        ui.downloads(table, f"报送记录_{unit}", "up_mine_dl", "报送记录")
        # Retrieve a file sent earlier (e.g. to correct a returned one). Seeded sample rows are not an upload
        # of this unit: that file holds every unit's rows.
        sent = mine[mine["account"] != SYSTEM_ACCOUNT]
        if not sent.empty:
            labels = {int(r.id): f"第 {r.id} 号 · {r.file_name} · {r.state_label}" for r in sent.itertuples()}
            pick_col, file_col = st.columns([3, 1], vertical_alignment="bottom")
            pick = pick_col.selectbox("取回已报送的文件", list(labels), format_func=labels.get, key="up_mine_pick",
                                      help="例如被退回后,取回原文件修改再上传")
            original = store.submission_file(pick)
            if original is None:
                file_col.caption("该报送早于系统保存原文件,无法取回。")
            else:
                file_col.download_button("下载该文件", original, file_name=str(sent.set_index("id").at[pick, "file_name"]),
                                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                         key="up_mine_file", on_click="ignore", icon="⬇️", width="stretch")

