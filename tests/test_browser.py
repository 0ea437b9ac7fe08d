"""Pages in headless Chromium: they render, show Chinese text, and log no console errors. Screenshots go to
artifacts/screenshots/ for a human to look at."""
from __future__ import annotations

import pytest

from tests.browser import SCREENSHOTS, charts_drawn, new_page, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "planmon.sqlite"
    with streamlit_server({"PLANMON_DB_URL": f"sqlite:///{db}"}) as url:
        yield url


def _base_path_probe(url: str) -> bool:
    path = url.split("://", 1)[-1].split("/", 1)[-1]
    return path.count("/") >= 2 and path.endswith(("_stcore/health", "_stcore/host-config"))


@pytest.fixture
def page(browser):
    context, pg = new_page(browser)
    errors = pg.console_errors          # page errors already go here
    # A page opened at /indicators first probes /indicators/_stcore/health (404), then the root: Streamlit's
    # own base-path discovery. Failed requests are checked by URL below; other console errors count.
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not _base_path_probe(r.url) else None)
    pg.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
    yield pg
    context.close()


# (url path, heading, number of plotly charts the page shows with the sample data)
PAGES = [("", "总览", 2), ("indicators", "指标监测", 1), ("tasks", "任务推进", 2), ("units", "责任单位", 2),
         ("reporting", "报送情况", 1)]


@pytest.mark.parametrize("path,heading,n_charts", PAGES)
def test_page_renders_its_charts_without_console_errors(server, page, path, heading, n_charts):
    page.goto(f"{server}/{path}?as_of=2023Q2")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
    charts = page.locator(".js-plotly-plot .main-svg")
    page.wait_for_function(charts_drawn(n_charts), timeout=30_000)
    assert charts.first.is_visible()
    page.get_by_text("截至 2023年第二季度").filter(visible=True).first.wait_for(timeout=10_000)   # not the print-only header
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"))
    # Streamlit scrolls inside its main container, so a tall viewport shows the whole page for review
    page.set_viewport_size({"width": 1366, "height": 3200})
    page.wait_for_function(charts_drawn(n_charts))
    page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}-full.png"))
    assert page.console_errors == []


def test_plan_page_shows_indicators(server, page):
    page.goto(f"{server}/plan")
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
