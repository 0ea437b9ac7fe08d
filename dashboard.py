"""规划实施监测看板: entry point. Declares the pages; each page script is thin and calls lib/."""
import streamlit as st

st.set_page_config(page_title="规划实施监测看板", page_icon="📊", layout="wide")

PAGES = [
    st.Page("app_pages/plan.py", title="规划目标与分工", icon="📋", url_path="plan", default=True),
]

st.navigation(PAGES).run()
