"""规划实施监测看板: entry point. Declares the pages and the global sidebar; each page script is thin."""
import streamlit as st

import ui

st.set_page_config(page_title="规划实施监测看板", page_icon="📊", layout="wide")

BROWSE = [
    st.Page("app_pages/overview.py", title="总览", icon=":material/traffic:", url_path="overview", default=True),
    st.Page("app_pages/indicators.py", title="指标监测", icon=":material/monitoring:", url_path="indicators"),
    st.Page("app_pages/tasks.py", title="任务推进", icon=":material/task_alt:", url_path="tasks"),
    st.Page("app_pages/units.py", title="责任单位", icon=":material/account_balance:", url_path="units"),
    st.Page("app_pages/reporting.py", title="报送情况", icon=":material/outbox:", url_path="reporting"),
    st.Page("app_pages/plan.py", title="规划目标与分工", icon=":material/description:", url_path="plan"),
]
CITY = [  # city accounts and public browsing: the districts side by side (no sidebar view: each its own plan)
    st.Page("app_pages/compare.py", title="区县对比", icon=":material/compare_arrows:", url_path="compare"),
]
ABOUT = [  # no sidebar view: the methodology, rendered from docs/methodology.md
    st.Page("app_pages/methodology.py", title="测算方法", icon=":material/menu_book:", url_path="methodology"),
]
WORK = [  # listed for everyone; each page refuses (message + sign-in link + st.stop) roles without access
    st.Page("app_pages/upload.py", title="数据填报", icon=":material/upload_file:", url_path="upload"),
    st.Page("app_pages/review.py", title="审核与历史", icon=":material/fact_check:", url_path="review"),
    st.Page("app_pages/plan_admin.py", title="规划管理", icon=":material/edit_note:", url_path="plan-admin"),
    st.Page("app_pages/account.py", title="登录/账号", icon=":material/key:", url_path="account"),
]
REPORT = [  # own as-of and scope widgets, no global sidebar view
    st.Page("app_pages/briefing.py", title="简报导出", icon=":material/slideshow:", url_path="briefing"),
]
PAGES = {"监测": BROWSE + CITY + ABOUT, "汇报": REPORT, "填报与审核": WORK}

WITH_VIEW = {p.title for p in BROWSE[:-1]}  # the plan page has its own unit filter and no as-of

if problems := ui.setup_problems():   # a broken set-up: one page saying what to fix, no navigation
    ui.setup_problem_page(problems)
ui.warn_demo_exposure()
page = st.navigation(PAGES, expanded=True)   # every page listed: the work pages must not hide behind "View more"
ui.sign_in_gate()
ui.public_browsing_gate(page)
ui.plan_sidebar()
if page.title in WITH_VIEW:
    d = ui.data()
    ui.view_sidebar(d.plan, d.periods)
page.run()
