"""The 区县对比 page in headless Chromium at 1366×768 and 390×844: all four charts drawn, each legend clear of
its chart's title and plot area, nothing wider than the screen. Screenshots go to artifacts/screenshots/."""
from __future__ import annotations

import pytest

from tests.browser import LONG, SCREENSHOTS, charts_drawn, new_page, sample_plans_server

pytestmark = pytest.mark.browser

VIEWPORTS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
CHARTS = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with sample_plans_server(tmp_path_factory.mktemp("compare")) as url:
        yield url


def _overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_compare_page_draws_its_charts_with_clear_legends(server, browser, name):
    viewport = VIEWPORTS[name]
    context, page = new_page(browser, viewport)
    page.goto(f"{server}/compare")
    page.get_by_role("heading", name="区县对比").first.wait_for(timeout=LONG)
    page.wait_for_function(charts_drawn(CHARTS), timeout=LONG)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"compare-{name}.png"))
    plots = page.locator(".js-plotly-plot")
    assert plots.count() == CHARTS
    for i in range(CHARTS):
        plot = plots.nth(i)
        plot.scroll_into_view_if_needed()
        box = plot.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, (i, box)
        legend = plot.locator(".legend").first.bounding_box()
        title = plot.locator(".gtitle").first.bounding_box()
        area = plot.locator(".nsewdrag").first.bounding_box()   # the first plot area (the first panel)
        assert legend and title and area
        assert not _overlap(legend, title), (name, i, legend, title)
        assert not _overlap(legend, area), (name, i, legend, area)
    page.set_viewport_size({"width": viewport["width"], "height": 5200})   # Streamlit scrolls inside its container
    page.wait_for_timeout(300)   # let plotly redraw after the resize before the picture (not a race fix)
    page.screenshot(path=str(SCREENSHOTS / f"compare-{name}-full.png"))
    context.close()
