"""Full-page screenshots of the dashboard at 1366×768 and 390×844, for looking at (artifacts/screenshots/).

    flock /tmp/planmon-browser.lock .venv/bin/python scripts/page_screenshots.py [--only tasks,units] [--all-plans]

Every page with a chart, the 数据填报 page signed in as a department (both tabs), 报送情况 with its 催报
section (also filtered to a group of units), 任务推进 with a section's table open, 责任单位 for one unit (and
the sidebar's filter popover opened; the comparison's choices opened), 总览 with the quarter popover and 指标监测 with the indicator
picker opened, and the 简报导出 sign-in gate seen anonymously. With
--all-plans the server loads the sample plans too (so the default plan is 沙市区“十五五”), which adds
区县对比 and an indicator's cross-plan continuity chart."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import LONG, SCREENSHOTS, chromium, demo_server_env, sign_in, streamlit_server  # noqa: E402
from tests.conftest import ALL_PLAN_DIRS  # noqa: E402

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
# (name, url path, who is signed in, charts to wait for)
SHOTS = [("overview", "", None, 2), ("indicators", "indicators", None, 1), ("tasks", "tasks", None, 1),
         ("units", "units", None, 2), ("reporting", "reporting", "planner", 1), ("upload", "upload", "dept01", 0),
         ("briefing_gate", "briefing", None, 0),
         ("reporting_group", "reporting?unit=" + quote("区政府各部门"), "planner", 1),
         ("tasks_section", "tasks?section=8", None, 1), ("units_unit", "units?unit=" + quote("区发改局"), None, 2)]
# Shots that need two plans of one district, or two districts (--all-plans).
ALL_PLAN_SHOTS = [("compare", "compare", None, 4), ("continuity", "indicators?plan=shashi-15&id=Y04", None, 3)]


def whole_page(page, width: int, out: Path) -> None:
    """Streamlit scrolls inside its own container, so `full_page` shows one screen: grow the window to the
    content's height instead (same width, so the same layout), then shoot."""
    page.wait_for_timeout(800)  # let plotly finish its relayout (screenshots only, not a test)
    tall = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 12000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(out))


def shoot(browser, server: str, name: str, path: str, user: str | None, n_charts: int, size: str) -> Path:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    if user:
        sign_in(page, server, user)
    page.goto(f"{server}/{path}")
    page.locator("[data-testid='stMain']").wait_for(timeout=LONG)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_charts}", timeout=LONG)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=LONG)
    out = SCREENSHOTS / f"{name}_{size}.png"
    whole_page(page, width, out)
    if name == "upload":  # the second tab: 网页填报
        page.set_viewport_size({"width": width, "height": height})
        page.get_by_role("tab", name="网页填报").click()
        page.wait_for_timeout(1500)
        whole_page(page, width, SCREENSHOTS / f"upload_web_{size}.png")
    if name == "units_unit" and size == "desktop":  # the sidebar's filter popover, opened
        page.set_viewport_size({"width": width, "height": height})
        page.get_by_role("button", name="筛选").click()
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "filters_open_desktop.png"))
    if name == "units":       # the comparison's choices, opened
        _opened(page, width, height, "[data-testid=stMain] [data-testid=stPopover] button >> text=比较", f"units_compare_open_{size}.png")
    if name == "indicators":  # the indicator picker, opened
        _opened(page, width, height, "[data-testid=stMain] [data-testid=stPopover] button", f"indicator_pick_{size}.png")
    if name == "overview":    # the sidebar's quarter popover, opened (on a phone the sidebar is opened first)
        if size == "phone":
            page.set_viewport_size({"width": width, "height": height})
            page.locator("[data-testid=stExpandSidebarButton], [data-testid=stSidebarCollapsedControl] button").first.click()
        _opened(page, width, height, "[data-testid=stSidebar] [data-testid=stPopover] button >> text=截至", f"as_of_open_{size}.png")
    context.close()
    return out


def _opened(page, width: int, height: int, button: str, file: str) -> None:
    """A screenshot at the screen's size with the popover behind `button` open."""
    page.set_viewport_size({"width": width, "height": height})
    page.locator(button).first.click()
    page.wait_for_timeout(800)   # the popover's list is built when opened (screenshots only, not a test)
    page.screenshot(path=str(SCREENSHOTS / file))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated names from SHOTS (and ALL_PLAN_SHOTS)")
    parser.add_argument("--all-plans", action="store_true", help="load the sample plans too; adds ALL_PLAN_SHOTS")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = SHOTS + (ALL_PLAN_SHOTS if args.all_plans else [])
    with tempfile.TemporaryDirectory() as tmp:
        env = demo_server_env(Path(tmp)) | ({"PLANMON_PLAN_DIRS": ALL_PLAN_DIRS} if args.all_plans else {})
        with streamlit_server(env) as server, chromium() as browser:
            _shoot_all(browser, server, shots, only)


def _shoot_all(browser, server: str, shots: list, only: set[str]) -> None:
    for name, path, user, n in shots:
        if only and name not in only:
            continue
        for size in SIZES:
            print(shoot(browser, server, name, path, user, n, size))


if __name__ == "__main__":
    main()
