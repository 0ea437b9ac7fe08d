"""A broken set-up shows one page saying what to fix (lib/setupcheck.py); demo accounts on a network are logged."""
from __future__ import annotations

import sys as _sys
from pathlib import Path

import streamlit as st

from lib import settings
from ui.widgets import escape_markdown


def _setup_stamp() -> tuple:
    """What the check depends on besides the database: the settings and the plan files' stamps."""
    names = ("plan_dir", "db_url", "accounts_file", "demo_mode", "cookie_key")
    plan_dir = Path(str(settings.get("plan_dir")))
    files = []
    for name in ("plan.toml", "indicators.csv", "tasks.csv", "units.csv"):
        try:
            st_ = (plan_dir / name).stat()
            files.append((name, st_.st_mtime_ns, st_.st_size))
        except OSError:
            files.append((name, 0, -1))
    return tuple(str(settings.get(n)) for n in names) + tuple(files)


@st.cache_resource(show_spinner="正在检查设置…", max_entries=8)
def _checked_setup(stamp: tuple) -> tuple:
    from lib.setupcheck import check_setup
    return tuple(check_setup())


def setup_problems() -> list:
    """The set-up's problems ([] once it is fine: then checked once per process and settings). A failed
    check is not kept, so the page recovers on the next refresh after the administrator fixes it."""
    problems = _checked_setup(_setup_stamp())
    if problems:
        _checked_setup.clear()
    return list(problems)


def setup_problem_page(problems: list) -> None:
    """Instead of the navigation: what is wrong with the set-up and what to do, then stop."""
    st.title("看板暂时无法使用")
    st.markdown("安装或设置有问题,看板无法打开。请管理员按下面的提示处理,然后刷新本页。")
    for p in problems:
        st.error(escape_markdown(p.message), icon=":material/build:")
        st.caption(f"代码 {p.code}")
    st.caption("命令行 python -m lib … 会给出同样的提示(退出码 2)。")
    st.stop()


@st.cache_resource(show_spinner=False)
def _demo_exposure(address: str, demo_mode: bool) -> str | None:
    from lib.setupcheck import demo_exposure_warning
    warning = demo_exposure_warning(address, demo_mode)
    if warning:
        print(warning, file=_sys.stderr, flush=True)   # once per process, in the server's log
    return warning


def warn_demo_exposure() -> None:
    """Demo accounts (published password) on a non-loopback address: say so in the server log."""
    _demo_exposure(str(st.get_option("server.address") or ""), bool(settings.get("demo_mode")))
