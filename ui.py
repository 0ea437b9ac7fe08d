"""The one streamlit-aware helper module: cached loaders, error display, shared widgets.

Page scripts stay thin: read widgets → call lib → render with these helpers.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from lib import settings
from lib.plan import Plan, PlanError, load_plan

ROOT = Path(__file__).resolve().parent


@st.cache_resource(show_spinner=False)
def _plan(plan_dir: str) -> Plan:
    return load_plan(plan_dir)


def plan() -> Plan:
    """The plan, or a page-stopping list of what is wrong with the plan files."""
    try:
        return _plan(str(settings.get("plan_dir")))
    except PlanError as exc:
        st.error("规划文件有误,看板无法加载。请按以下提示修改规划目录中的文件后刷新页面:")
        st.dataframe(pd.DataFrame({"位置": [f.location for f in exc.findings], "说明": [f.message for f in exc.findings]}), hide_index=True)
        st.stop()


def unit_options(p: Plan) -> list[str]:
    """Reporting units first (departments, towns, subdistricts), then groups."""
    return p.units.reporting_units() + [u for u, info in p.units.units.items() if info.is_group]


def search_mask(frame: pd.DataFrame, text: str, columns: list[str]) -> pd.Series:
    """Case-insensitive substring match over the given text columns; regex characters are literal."""
    if not text.strip():
        return pd.Series(True, index=frame.index)
    needle = text.strip().lower()
    hay = frame[columns].astype(str).agg(" ".join, axis=1).str.lower()
    return hay.str.contains(needle, regex=False)
