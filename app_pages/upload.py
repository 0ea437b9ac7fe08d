"""数据填报: download the unit's template for a quarter; upload a filled workbook → every finding → a preview of
what would change → confirm → stored as a submission; the unit's own submissions with state and return reason.

Departments upload for their own unit only (the validator refuses rows of items the unit does not answer
for); the planning office picks the unit. Leaders and visitors are refused by ui.require_role."""
import datetime as dt

import pandas as pd
import streamlit as st

import ui
from lib import settings
from lib.accounts import Role, can_upload
from lib.findings import findings_frame
from lib.periods import Period
from lib.store import CHANGE_CHANGED, CHANGE_NEW, CHANGE_SAME, SUBMISSION_LABELS, SYSTEM_ACCOUNT, StoreError
from lib.template import report_deadline, template_file_name

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

# --- ② upload → findings → preview → confirm --------------------------------------------------------------


def _submit(data: bytes, file_name: str, unit: str, rows: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Confirm button callback: a last permission check, then one store transaction."""
    indicators, tasks = rows
    ids = set(indicators.get("indicator_id", pd.Series(dtype=object))) | set(tasks.get("task_id", pd.Series(dtype=object)))
    denied = sorted(i for i in ids if not can_upload(account, i, plan))
    if denied:
        ui.flash(FLASH, "error", f"本账号不能填报 {'、'.join(denied)}(不是{unit}负责的指标或任务),文件未保存。")
        return
    try:
        outcome = store.submit(unit, account.username, file_name, data, indicators, tasks)
    except StoreError as exc:
        ui.flash(FLASH, "error", exc.message)
        return
    ui.flash(FLASH, "info" if outcome.duplicate else "success", outcome.message)


st.markdown("**② 上传填好的工作簿,核对后提交**")
with st.container():
    ui.show_flash(FLASH)
    upload = st.file_uploader("选择填好的进度工作簿", type=["xlsx", "xls"], key="up_file",
                              help=f"Excel 工作簿(.xlsx,或旧版 .xls),不超过 {settings.get('max_upload_mb')} MB。"
                                   "系统会先逐项检查,确认无误后才会保存。")
    if upload is None:
        st.caption("上传后会列出检查发现的全部问题(错误须修改,警告可确认后提交),并预览与现有数据相比将新增、变更的数值。")
    else:
        data = upload.getvalue()
        result = ui.validate_upload(data, upload.name, unit)
        errors, warnings = result.errors, result.warnings
        if not result.readable:
            st.error("文件无法读取,未保存任何内容:")
            for f in result.findings:
                st.text(f.message)
        else:
            n_rows = len(result.indicator_rows) + len(result.task_rows)
            if errors:
                st.error(f"发现 {len(errors)} 个错误" + (f"、{len(warnings)} 个警告" if warnings else "")
                         + ":有错误的文件不能提交。请按下表逐项修改后重新上传。")
            elif warnings:
                st.warning(f"没有错误,有 {len(warnings)} 个警告:请逐项核对,确认无误后可以提交。")
            else:
                st.success(f"检查通过:指标 {len(result.indicator_rows)} 行、任务 {len(result.task_rows)} 行,没有发现问题。")
            if result.findings:
                table = findings_frame(result.findings)
                st.subheader(f"检查结果({len(errors)} 个错误、{len(warnings)} 个警告)")
                st.dataframe(table, hide_index=True, width="stretch", key="up_findings",
                             column_config={"说明": st.column_config.TextColumn(width="large"),
                                            "行": st.column_config.NumberColumn(format="%d"),
                                            "代码": st.column_config.TextColumn(width="small")})
                ui.downloads(table, f"检查结果_{upload.name.rsplit('.', 1)[0]}", "up_findings_dl", "检查结果")
            if result.ok and n_rows:
                preview = store.preview(result.indicator_rows, result.task_rows)
                counts = preview["change"].value_counts()
                st.subheader("提交后的变化(与当前已采纳数据相比)")
                c1, c2, c3 = st.columns(3)
                c1.metric("新增", f"{counts.get(CHANGE_NEW, 0)} 行")
                c2.metric("变更", f"{counts.get(CHANGE_CHANGED, 0)} 行")
                c3.metric("未变", f"{counts.get(CHANGE_SAME, 0)} 行")
                names = {**dict(zip(plan.indicators["indicator_id"], plan.indicators["name"])),
                         **dict(zip(plan.tasks["task_id"], plan.tasks["title"]))}
                measure = {**dict(zip(plan.indicators["indicator_id"], plan.indicators["unit"])),
                           **{t: "%(完成进度)" for t in plan.tasks["task_id"]}}
                shown = pd.DataFrame({
                    "变化": preview["change"], "工作表": preview["sheet"], "行": preview["row"],
                    "编号": preview["item_id"], "名称": preview["item_id"].map(names),
                    "期间": preview["period"], "原值": preview["old"].replace("", "—"), "新值": preview["new"],
                    "计量单位": preview["item_id"].map(measure), "变更项": preview["changed"],
                })
                if st.checkbox("只看新增和变更的行", value=len(shown) > 20, key=f"up_only_changes_{ui.sha256(data)[:12]}"):
                    shown = shown[shown["变化"] != CHANGE_SAME]
                st.dataframe(shown, hide_index=True, width="stretch", key="up_preview",
                             column_config={"名称": st.column_config.TextColumn(width="medium"),
                                            "行": st.column_config.NumberColumn(format="%d")})
                ack = True
                if warnings:
                    ack = st.checkbox("我已阅读警告,仍要提交", key=f"up_ack_{ui.sha256(data)[:12]}")
                st.button("确认提交", type="primary", disabled=not ack, key="up_confirm", icon=":material/send:",
                          on_click=_submit, args=(data, upload.name, unit, (result.indicator_rows, result.task_rows)),
                          help=None if ack else "请先勾选“我已阅读警告,仍要提交”")
            elif not result.ok:
                st.button("确认提交", type="primary", disabled=True, key="up_confirm", icon=":material/send:",
                          help="文件有错误,不能提交")
            else:
                st.info("文件中没有可提交的数据行。")

# --- ③ the unit's own submissions ---------------------------------------------------------------------------
st.markdown(f"**③ {ui.escape_markdown(unit)}的报送记录**")
with st.container():
    mine = store.submissions(unit=unit)
    if mine.empty:
        st.info(f"{ui.escape_markdown(unit)}还没有报送记录。")
    else:
        returned = mine[mine["state"] == "returned"]
        if not returned.empty and returned.iloc[0]["id"] == mine.iloc[0]["id"]:
            latest = returned.iloc[0]
            st.warning(f"最近一次报送(第 {latest['id']} 号)已被区发改局退回,请按以下原因修改后重新上传:")
            st.text(latest["state_reason"])
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

