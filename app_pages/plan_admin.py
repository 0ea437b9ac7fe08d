"""规划管理 (planning office only): read a task-division notice into a draft plan, correct it in tables with the
findings beside them, publish it as a new plan; correct a stored plan (a target, a unit's name, an alias), which
publishes its next version; the version history, with who changed what and when.

Every publication goes through lib.plan_editor → lib.plan_catalog.load_plan_texts: the checks of
`python -m lib plan load`. The working copy of a draft or an edit is page state until it is published."""
import streamlit as st

import ui
from ui import plan_admin as pa
from lib import plan_editor as ed
from lib.accounts import Role
from lib.notice import NoticeError

NEW, EDIT, HISTORY = "由通知新建规划", "修改已有规划", "版本历史"

account = ui.require_role(Role.PLANNING)
store = pa.catalog_store()

st.title("规划管理")
st.caption("由任务分工方案生成规划草稿并发布;修改已有规划(目标值、单位名称、别名)即发布新版本。"
           "发布前按载入规划的全部规则检查,有误之处逐行列出,改正后再发布。")
ui.show_flash(pa.FLASH)
mode = st.radio("操作", [NEW, EDIT, HISTORY], horizontal=True, key="pa_mode", label_visibility="collapsed")

if mode == NEW:
    st.subheader("1. 读取任务分工方案")
    data, name = pa.notice_input()
    if st.button("读取通知", key="pa_read", type="primary", disabled=not data):
        try:
            pa.start_draft(ed.draft_from_upload(data, name), name, store, account.district_id)
        except NoticeError as exc:
            st.error(ui.escape_markdown(exc.message))
    work = pa.working(pa.DRAFT)
    if work is not None:
        st.subheader("2. 核对草稿")
        tables = pa.identity_form(work, "pa_new")
        tables = pa.table_editors(work, tables, "pa_new")
        st.subheader("3. 发布为新规划")
        note = st.text_input("发布说明(可选)", key="pa_new_note")
        if st.button("发布为新规划", key="pa_publish_new", type="primary"):
            pa.publish(lambda: ed.publish_new(store, tables, account.username, note, district_id=account.district_id), pa.DRAFT)

elif mode == EDIT:
    plan_id = pa.chosen_plan(store)
    if plan_id is not None and pa.editable(store, plan_id):
        work = pa.edit_copy(store, plan_id)
        tables = pa.identity_form(work, "pa_edit", fixed_id=True)
        tables = pa.table_editors(work, tables, "pa_edit")
        pa.unit_tools(work, tables, "pa_edit")
        pa.pending_changes(store, plan_id, tables)
        note = st.text_input("修改说明(记入版本历史)", key="pa_edit_note", placeholder="如:上级调整城镇化率目标")
        if st.button("发布为新版本", key="pa_publish_version", type="primary"):
            pa.publish(lambda: ed.publish_version(store, plan_id, tables, account.username, note, district_id=account.district_id), pa.EDIT)

else:
    plan_id = pa.chosen_plan(store)
    if plan_id is not None:
        pa.version_history(store, plan_id)
