"""What leaders ran into, in headless Chromium: phones (390 px), printing to A4, the toolbar over titles.
Screenshots of every page at 1366×768 and 390×844 go to artifacts/screenshots/ for a human to look at."""
from __future__ import annotations

import subprocess

import pytest

from tests.browser import LONG, SCREENSHOTS, browser_env, charts_drawn, new_page, streamlit_server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
# (url path, heading, plotly charts drawn at 1366 px)
PAGES = [("", "总览", 2), ("indicators", "指标监测", 1), ("tasks", "任务推进", 2), ("units", "责任单位", 2),
         ("plan", "规划目标与分工", 0), ("methodology", "评估方法说明", 0)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leader")
    env = {"PLANMON_DB_URL": f"sqlite:///{tmp / 'planmon.sqlite'}", "PLANMON_ACCOUNTS_FILE": str(tmp / "accounts.yaml"),
           **browser_env()}
    with streamlit_server(env) as url:
        yield url


def open_page(browser, server: str, path: str, viewport: dict, charts: int = 0, query: str = "as_of=2023Q2"):
    context, page = new_page(browser, viewport)
    page.goto(f"{server}/{path}?{query}")
    page.locator("h1").first.wait_for(timeout=LONG)
    if charts:
        page.wait_for_function(charts_drawn(charts), timeout=LONG)
    return context, page


def screenshots(page, name: str, viewport: dict) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tag = f"{viewport['width']}"
    page.screenshot(path=str(SCREENSHOTS / f"leader-{name}-{tag}.png"))
    # Streamlit scrolls inside its main container: a tall viewport shows the whole page
    page.set_viewport_size({"width": viewport["width"], "height": 4200})
    page.wait_for_timeout(300)   # let plotly redraw after the resize before the picture (not a race fix)
    page.screenshot(path=str(SCREENSHOTS / f"leader-{name}-{tag}-full.png"))
    page.set_viewport_size(viewport)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("path,heading,n_charts", PAGES)
def test_pages_at_laptop_and_phone_width(server, browser, path, heading, n_charts, viewport):
    context, page = open_page(browser, server, path, viewport, n_charts if viewport is LAPTOP else min(n_charts, 1))
    page.get_by_role("heading", name=heading).first.wait_for(timeout=LONG)
    if path == "plan":   # its widgets and tables come after the heading
        page.get_by_role("tab", name="主要指标").first.wait_for(timeout=LONG)
        page.locator("td[role=gridcell]", has_text="常住人口城镇化率").first.wait_for(state="attached", timeout=LONG)
    screenshots(page, path or "overview", viewport)
    context.close()


# Scroll a chart's top to just below Streamlit's sticky header (a chart taller than a phone's screen would
# otherwise start under the header, which then takes the pointer): the nearest scrolling ancestor, 120 px back.
BELOW_HEADER = """e => { e.scrollIntoView({block: 'start'}); let p = e.parentElement;
  while (p && p.scrollHeight <= p.clientHeight) p = p.parentElement; if (p) p.scrollTop -= 120; }"""


def boxes_overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("path,n_charts", [("", 2), ("indicators", 1), ("units", 2)])
def test_chart_toolbar_never_covers_a_chart_title(server, browser, path, n_charts, viewport):
    context, page = open_page(browser, server, path, viewport, n_charts if viewport is LAPTOP else 1)
    if path == "indicators":   # the all-indicators chart is drawn when its expander is opened
        page.get_by_text("全部指标:完成度与时间进度").first.click()
        page.wait_for_function(charts_drawn(2), timeout=LONG)
    plots = page.locator(".js-plotly-plot:visible")   # on phones the matrix gives way to a list
    for i in range(plots.count()):
        plot = plots.nth(i)
        plot.evaluate(BELOW_HEADER)
        plot.hover(position={"x": 40, "y": 60})   # the toolbar shows while the pointer is over the chart
        bar = plot.locator(".modebar").bounding_box()
        title = plot.locator(".gtitle").bounding_box()
        assert bar and title and bar["width"] > 0
        assert not boxes_overlap(bar, title), (path, i, bar, title)
    context.close()


def test_task_history_is_a_list_on_phones_and_a_heatmap_on_laptops(server, browser):
    context, page = open_page(browser, server, "tasks", PHONE)
    narrow = page.locator(".st-key-pm_narrow_tasks_heatmap")
    narrow.locator("table.pm-hl").wait_for(timeout=LONG)
    assert narrow.is_visible() and not page.locator(".st-key-pm_wide_tasks_heatmap").is_visible()
    rows = narrow.locator("tbody tr")
    assert rows.count() == 38
    assert rows.first.locator("td").count() == 1 + 4                     # name + the last four quarters
    headers = [h.strip() for h in narrow.locator("thead th").all_inner_texts()]
    assert headers == ["任务", "22年Q3", "22年Q4", "23年Q1", "23年Q2"]
    box = narrow.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]     # no sideways scrolling
    context.close()
    context, page = open_page(browser, server, "units", PHONE)
    matrix = page.locator(".st-key-pm_narrow_unit_matrix")
    matrix.locator("table.pm-hl").wait_for(timeout=LONG)
    assert not page.locator(".st-key-pm_wide_unit_matrix").is_visible()
    assert matrix.locator("tbody tr").first.inner_text().startswith("区发改局")
    context.close()
    context, page = open_page(browser, server, "tasks", LAPTOP, 2)
    assert page.locator(".st-key-pm_wide_tasks_heatmap .js-plotly-plot").is_visible()
    assert not page.locator(".st-key-pm_narrow_tasks_heatmap").is_visible()
    context.close()


def test_tables_with_long_text_are_cards_on_phones_and_tables_on_laptops(server, browser):
    """任务推进 with a section open: on a phone each task is a card (no header row, "列名:值" lines, nothing
    wider than the screen); at 1366 px the same rows are a table with its header."""
    context, page = open_page(browser, server, "tasks", PHONE, query="as_of=2023Q2&section=8")
    table = page.locator("table.pm-stack").first
    table.wait_for(timeout=LONG)
    assert not table.locator("thead").is_visible()
    cell = table.locator("tbody tr").first.locator("td[data-label='牵头单位']")
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") == '"牵头单位:"'
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]      # no sideways scrolling
    context.close()
    context, page = open_page(browser, server, "tasks", LAPTOP, query="as_of=2023Q2&section=8")
    table = page.locator("table.pm-stack").first
    table.wait_for(timeout=LONG)
    assert table.locator("thead").is_visible()
    assert table.locator("tbody tr").first.locator("td").first.evaluate("e => getComputedStyle(e).display") == "table-cell"
    context.close()


def test_overview_prints_to_a4_with_header_without_sidebar_and_charts_within_the_page(server, browser, tmp_path):
    from ui import PRINT_WIDTH_PX
    context, page = open_page(browser, server, "", LAPTOP, 2)
    pdf = tmp_path / "overview.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)     # Chromium fires beforeprint/afterprint
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    first_page = text.split("\f")[0]
    assert "荆州市沙市区国民经济和社会发展第十四个五年规划" in first_page.splitlines()[0]
    assert "截至 2023年第二季度 · 打印日期 " in first_page
    assert "查看范围" not in text and "截至季度" not in text                  # no sidebar
    assert "各类指标进展情况" in text and "需要关注" in text
    # the zoom applied before printing brings the widest chart within the printable width
    # (widths measured unzoomed: inside a zoomed container Chromium reports them in other units)
    widest = page.evaluate("Math.max(...[...document.querySelectorAll('.js-plotly-plot')].map(e => e.offsetWidth))")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    zoom = float(page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').style.zoom"))
    assert 0.5 < zoom < 1 and zoom * widest <= PRINT_WIDTH_PX + 0.5
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').style.zoom") == ""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(SCREENSHOTS / "leader-print-overview")], check=True)
    context.close()


def _popover_buttons(page) -> list[str]:
    """The sidebar popovers' button texts without their icons ("截至 2023年第二季度", "筛选:全部", …)."""
    texts = page.locator("[data-testid=stSidebar] [data-testid=stPopover] button").all_inner_texts()
    return [t.split("\n\n")[1] for t in texts]


MONITORING = [("", 2), ("indicators", 1), ("tasks", 2), ("units", 2), ("reporting", 0)]


@pytest.mark.parametrize("path,n_charts", MONITORING)
def test_monitoring_pages_load_no_widget_scripts_until_a_popover_opens(server, browser, path, n_charts):
    """bench/pages.py: a dropdown on the page makes the browser fetch about 20 more scripts, st.metric 7, a
    radio and a toggle 14; the choices are popovers of radios (built when opened), the headline numbers
    static tiles."""
    context, page = open_page(browser, server, path, LAPTOP, n_charts)
    page.locator("[data-testid=stSidebar] [data-testid=stPopover] button", has_text="截至 ").first.wait_for(timeout=LONG)
    scripts = page.evaluate("performance.getEntriesByType('resource').map(r => r.name.split('/').pop())")
    assert not [s for s in scripts if s.startswith(("Selectbox.", "Metric.", "Radio.", "Checkbox."))], scripts
    assert "截至 2023年第二季度" in _popover_buttons(page)   # the button names the quarter the link chose
    context.close()


def test_a_linked_quarter_and_filter_survive_every_page_and_a_new_choice_too(server, browser):
    """Streamlit drops the query string on a sidebar link and keeps a never-opened widget's value for one page
    switch only: the view is held apart from its widgets (ui.view), so it survives any number of pages."""
    context, page = open_page(browser, server, "indicators", LAPTOP, 1, "as_of=2023Q1&unit=区发改局")
    shown = ["截至 2023年第一季度", "筛选:区发改局"]
    assert _popover_buttons(page)[-2:] == shown
    for name in ("总览", "任务推进", "指标监测", "责任单位"):
        page.get_by_role("link", name=name).first.click()
        page.get_by_role("heading", name=name).first.wait_for(timeout=LONG)
        page.wait_for_function("location.search.includes('as_of=2023Q1')", timeout=LONG)   # mirrored back
        assert _popover_buttons(page)[-2:] == shown, name
    page.locator("[data-testid=stSidebar] [data-testid=stPopover] button", has_text="截至 ").click()
    page.get_by_role("radiogroup", name="截至季度").get_by_text("2024年第二季度", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("location.search.includes('as_of=2024Q2')", timeout=LONG)
    for name in ("总览", "指标监测"):
        page.get_by_role("link", name=name).first.click()
        page.get_by_role("heading", name=name).first.wait_for(timeout=LONG)
        page.wait_for_function("location.search.includes('as_of=2024Q2')", timeout=LONG)
        assert _popover_buttons(page)[-2:] == ["截至 2024年第二季度", "筛选:区发改局"], name
    context.close()


def test_indicator_picker_lists_every_indicator_and_switches(server, browser):
    context, page = open_page(browser, server, "indicators", LAPTOP, 1)
    button = page.locator("[data-testid=stMain] [data-testid=stPopover] button").first
    assert "指标:Y01 地区生产总值年均增速" in button.inner_text()
    button.click()
    group = page.get_by_role("radiogroup", name="选择指标")
    group.wait_for(timeout=LONG)
    assert group.get_by_role("radio").count() == 26           # 18 main indicators and 8 inside tasks
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "leader-indicator-pick-1366.png"))
    group.get_by_text("Y02", exact=False).first.click()
    page.wait_for_function("location.search.includes('id=Y02')", timeout=LONG)
    page.keyboard.press("Escape")
    page.locator("[data-testid=stMain] [data-testid=stPopover] button", has_text="指标:Y02").first.wait_for(timeout=LONG)
    context.close()


def test_units_comparison_switches_from_its_popover(server, browser):
    context, page = open_page(browser, server, "units", LAPTOP, 2)
    chart_title = page.locator("[data-testid=stPlotlyChart] .gtitle").first
    assert chart_title.text_content().startswith("各单位重点任务进展")
    page.locator("[data-testid=stMain] [data-testid=stPopover] button", has_text="比较任务").click()
    page.get_by_role("radiogroup", name="比较对象").get_by_text("指标", exact=True).click()
    page.keyboard.press("Escape")
    page.locator("[data-testid=stMain] [data-testid=stPopover] button", has_text="比较指标").wait_for(timeout=LONG)
    page.wait_for_function("[...document.querySelectorAll('[data-testid=stPlotlyChart] .gtitle')]"
                           ".some(t => t.textContent.startsWith('各单位指标进展'))", timeout=LONG)
    context.close()
