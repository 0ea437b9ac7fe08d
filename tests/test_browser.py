"""Pages in headless Chromium: they render, show Chinese text, and log no console errors. Screenshots go to
artifacts/screenshots/ for a human to look at."""
from __future__ import annotations

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, browser_env, streamlit_server

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "planmon.sqlite"
    with streamlit_server({"PLANMON_DB_URL": f"sqlite:///{db}"}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    import os
    assert os.path.exists(CHROMIUM), f"需要 Chromium({CHROMIUM}):apt-get install chromium"
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, **browser_env()})
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    yield pg
    context.close()


def test_plan_page_shows_indicators(server, page):
    page.goto(f"{server}/")
    page.get_by_text("规划目标与分工").first.wait_for(timeout=30_000)
    page.get_by_role("tab", name="主要指标").first.wait_for()
    page.get_by_text("预期性指标").first.wait_for(timeout=30_000)
    # st.dataframe paints on a canvas but keeps an accessible grid of the visible cells in the DOM
    page.locator("td[role=gridcell]", has_text="常住人口城镇化率").first.wait_for(state="attached", timeout=10_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "plan.png"), full_page=True)
    page.get_by_role("tab", name="重点任务").first.click()
    page.get_by_text("优化区域发展布局、提升现代城市发展水平").first.wait_for(timeout=10_000)
    assert page.console_errors == []
