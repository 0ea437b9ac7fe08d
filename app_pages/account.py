"""登录/账号: the sign-in form (password check and cookie by streamlit-authenticator, see ui/auth.py), who am I
and what may I do, sign-out; in demo mode the demo accounts and their published password."""
import pandas as pd
import streamlit as st

import ui
from lib import settings
from lib.accounts import DEMO_PASSWORD, Role, can_review, can_upload

st.title("登录/账号")

account = ui.current_account()
if account is None:
    ui.sign_in_form()

if account is not None:
    st.success(f"已登录:{ui.escape_markdown(ui.role_label(account))}")
    if account.role is Role.DEPARTMENT and ui.returned_notice(ui.store(), account.unit):
        st.page_link(ui.UPLOAD_PAGE, label="去数据填报修改并重新上传", icon=":material/upload_file:")
    rights = []
    if can_upload(account):
        rights.append("上传本单位负责的指标和任务的季度进度" if account.role is Role.DEPARTMENT
                      else "为任何单位上传季度进度")
    if can_review(account):
        rights.append("审核(采纳、退回、撤销)报送,设定年度目标值和基期值,查看数值历史并导出")
    if not rights:
        rights.append("浏览全部监测页面(只读)")
    st.markdown("**本账号可以:**")
    for r in rights:
        st.markdown(f"- {r}")
    cols = st.columns(4)
    if can_upload(account):
        cols[0].page_link(ui.UPLOAD_PAGE, label="去填报", icon=":material/upload_file:")
    if can_review(account):
        cols[1].page_link(ui.REVIEW_PAGE, label="去审核", icon=":material/fact_check:")
    table = pd.DataFrame({"项目": ["用户名", "显示名称", "角色", "所属单位"],
                          "内容": [account.username, account.name, account.role.label, account.unit or "—"]})
    st.dataframe(table, hide_index=True, width=480)
    ui.sign_out_button()
elif not settings.get("public_browsing"):
    st.info("本看板需要登录后查看。")

demo = ui.demo_accounts()
if demo:
    with st.expander(f"演示账号(演示模式;密码均为 {DEMO_PASSWORD})", expanded=account is None):
        st.caption("演示模式下自动创建,正式使用前请关闭演示模式(PLANMON_DEMO_MODE=false)并用命令行创建真实账号,见 README「账号与登录」。")
        st.dataframe(pd.DataFrame({"用户名": [d.username for d in demo], "显示名称": [d.name for d in demo],
                                   "角色": [d.role.label for d in demo], "所属单位": [d.unit or "—" for d in demo],
                                   "密码": [d.password for d in demo]}), hide_index=True, width="stretch", height=280)
