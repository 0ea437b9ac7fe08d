"""Set-up shared by the AppTest page tests: a temp store per test, the dashboard app, and who may open the office's
pages. AppTest runs the app in this process, so the store (cached per process) and Streamlit's caches are reset
here for each test."""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.accounts import DEMO_PASSWORD
from tests.conftest import ROOT

DEPT_FAGAI = "dept01"      # demo department account of 区发改局, the unit of the fixtures
# The demo accounts and review by the planning office (auto_adopt off), as a real demo server runs them.
DEMO_SETTINGS = {"PLANMON_DEMO_MODE": "true", "PLANMON_PUBLIC_BROWSING": "true", "PLANMON_AUTO_ADOPT": "false"}


def temp_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: str) -> str:
    """A database and accounts file of this test's own (plus any PLANMON_* `settings`); returns the database URL."""
    db = f"sqlite:///{tmp_path / 'app.sqlite'}"
    for name, value in {"PLANMON_DB_URL": db, "PLANMON_ACCOUNTS_FILE": str(tmp_path / "accounts.yaml"), **settings}.items():
        monkeypatch.setenv(name, value)
    import ui
    ui.root_store.clear()  # the store is cached per process; each test gets its own database
    return db


def demo_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: str) -> Iterator[str]:
    """A temp store with the demo accounts and review by the office; Streamlit's caches cleared before and after
    (they are process-wide), the store closed afterwards. Yields the database URL (a fixture's body)."""
    from lib.store import open_store
    db = f"sqlite:///{tmp_path / 'planmon.sqlite'}"
    for name, value in {"PLANMON_DB_URL": db, "PLANMON_ACCOUNTS_FILE": str(tmp_path / "accounts.yaml"),
                        **DEMO_SETTINGS, **settings}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PLANMON_COOKIE_KEY", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield db
    st.cache_data.clear()
    st.cache_resource.clear()
    open_store(db).close()


def dashboard(timeout: float = 60, **params: str) -> AppTest:
    """The whole app (st.navigation), not yet run, with these query parameters in its URL."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    for name, value in params.items():
        at.query_params[name] = value
    return at


def plain(text: str) -> str:
    """Message text without the backslashes that keep Markdown from interpreting it."""
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest, kind: str) -> list[str]:
    return [plain(e.value) for e in getattr(at, kind)]


def sign_in(at: AppTest, username: str, password: str = DEMO_PASSWORD) -> AppTest:
    """Through the sign-in page's form: fill 用户名 and 密码, press 登录."""
    at.switch_page("app_pages/account.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["用户名"].input(username)
    fields["密码"].input(password)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception, at.exception
    return at


def page_as(username: str | None, page: str) -> AppTest:
    """`page` opened by `username` after signing in through the form (None: nobody signed in)."""
    at = dashboard()
    at.run()
    assert not at.exception, at.exception
    if username is not None:
        sign_in(at, username)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


# Who is turned away from a planning-office page, and the warning each reads: (username or None, message).
OFFICE_ONLY_REFUSALS = [
    (None, "请先登录:本页面只对登录用户开放。"),
    ("leader", "领导账号只能浏览,不能上传或审核。"),
    (DEPT_FAGAI, "只有区发改局(规划办)账号可以审核报送、设定目标和导出。当前账号:dept01 · 区发改局 · 填报单位 · 沙市区。"),
]


class _Table(HTMLParser):
    """Cells of the HTML tables st.html renders (ui.html_table, ui.findings_table), as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parsed(body: str) -> pd.DataFrame:
    parser = _Table()
    parser.feed(body)
    head, *rows = parser.rows
    return pd.DataFrame(rows, columns=head)


def html_table(at: AppTest, css_class: str) -> pd.DataFrame:
    """The first st.html table with this class, as a frame of its cell texts."""
    return _parsed(next(h.proto.body for h in at.get("html") if f'class="pm-table {css_class}"' in h.proto.body))


def html_tables(at: AppTest) -> list[pd.DataFrame]:
    """Every static table on the page (ui.html_table), as frames of their cell texts."""
    return [_parsed(h.proto.body) for h in at.get("html") if 'class="pm-table' in h.proto.body]


def open_task_sections(at: AppTest) -> AppTest:
    """Open every section on 任务推进 (their tables are built only while open) and rerun."""
    import ui
    for no in ui.plan().sections["section_no"]:
        at.session_state[ui.section_key(int(no), False)] = True
    return at.run()


def open_indicator_detail(at: AppTest) -> AppTest:
    """Open 指标监测's 状态是怎么算出来的 (built only while open) and rerun."""
    at.session_state["ind_explain"] = True
    return at.run()


def frame(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page (st.dataframe, then the static tables as text) that has all these columns."""
    tables = [d.value for d in at.dataframe] + html_tables(at)
    return next(t for t in tables if set(columns) <= set(t.columns))


def popover(root: object, prefix: str) -> object | None:
    """The first popover block under `root` (at.sidebar, at.main) whose label starts with `prefix`."""
    for child in getattr(root, "children", {}).values():
        if getattr(child, "type", None) == "popover" and child.proto.popover.label.startswith(prefix):
            return child
        if (found := popover(child, prefix)) is not None:
            return found
    return None


def figures(at: AppTest) -> list[dict]:
    """The page's plotly charts as figure dicts, in page order."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def tiles(at: AppTest) -> dict[str, str]:
    """The headline numbers (ui.tiles) on the page, label → value; empty when the page shows none."""
    found = {}
    for body in (h.proto.body for h in at.get("html") if 'class="pm-tiles"' in h.proto.body):
        labels = re.findall(r'<div class="pm-tile-k">(.*?)</div>', body)
        values = re.findall(r'<div class="pm-tile-v">(.*?)</div>', body)
        found |= {html.unescape(k): html.unescape(v) for k, v in zip(labels, values)}
    return found
