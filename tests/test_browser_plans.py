"""The 规划 / 区县 choice (radios in a sidebar popover) in headless Chromium: a shared link opens its plan, a choice lands in the address bar
(and survives a reload), a district switch starts on that district's current plan. Screenshots at 1366×768 and
390×844 go to artifacts/screenshots/ (plans-*.png)."""
from __future__ import annotations

import re

import pytest

from tests.browser import LONG, SCREENSHOTS, new_page, sample_plans_server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with sample_plans_server(tmp_path_factory.mktemp("plans")) as url:
        yield url


def open_page(browser, url: str, viewport: dict):
    context, page = new_page(browser, viewport)
    page.goto(url)
    page.locator("h1").first.wait_for(timeout=LONG)
    return context, page


def selector(page, label: str):
    """The sidebar's popover button that holds the radios labelled `label`: 区县 and 规划 share one (it names
    both), 截至季度 has its own ("截至 2025年第四季度")."""
    buttons = page.locator("[data-testid=stSidebar] [data-testid=stPopover] button")
    return buttons.filter(has_text="截至 ").first if label == "截至季度" else buttons.filter(has_text="规划").first


def wait_value(page, label: str, text: str) -> None:
    """Until the popover button for `label` names `text` (the button shows the choice)."""
    page.wait_for_function("([q, t]) => [...document.querySelectorAll('[data-testid=stSidebar] [data-testid=stPopover] button')]"
                           ".some(b => b.textContent.includes(q) && b.textContent.includes(t))",
                           arg=["截至 " if label == "截至季度" else "规划", text], timeout=LONG)


def choose(page, label: str, option: str) -> None:
    """As a user: open the popover, click the option in the radio list labelled `label`, close it (Escape)."""
    selector(page, label).click()
    group = page.get_by_role("radiogroup", name=label)
    group.wait_for(timeout=LONG)
    group.get_by_text(option, exact=True).click()
    wait_value(page, label, option)
    page.keyboard.press("Escape")


def screenshot(page, name: str, viewport: dict) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"plans-{name}-{viewport['width']}.png"))


def open_sidebar(page, viewport: dict) -> None:
    """On phones the sidebar starts collapsed (also after a reload): open it when its expand button shows."""
    page.locator("h1").first.wait_for(timeout=LONG)
    expand = page.locator("[data-testid=stExpandSidebarButton], [data-testid=stSidebarCollapsedControl] button").first
    if viewport is PHONE and expand.is_visible():
        expand.click()
        selector(page, "规划").wait_for(timeout=LONG)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_shared_link_choice_and_reload(server, browser, viewport):
    context, page = open_page(browser, f"{server}/?plan=shashi-14", viewport)
    open_sidebar(page, viewport)
    expect_text = "“十四五”规划(2021—2025)"
    wait_value(page, "规划", expect_text)
    wait_value(page, "截至季度", "2025年第四季度")        # the seed plan's last quarter
    screenshot(page, "shared-link", viewport)
    choose(page, "规划", "“十五五”规划(2026—2030,示例)")
    page.wait_for_function("!location.search.includes('plan=')", timeout=LONG)   # the default needs no parameter
    wait_value(page, "截至季度", "2026年第三季度")
    choose(page, "规划", expect_text)
    page.wait_for_function("location.search.includes('plan=shashi-14')", timeout=LONG)
    page.reload()
    open_sidebar(page, viewport)
    wait_value(page, "规划", expect_text)
    context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_district_switch_and_continuity_chart(server, browser, viewport):
    context, page = open_page(browser, f"{server}/indicators?id=Y04", viewport)
    page.wait_for_function("[...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => t.textContent.includes('跨规划接续'))",
                           timeout=LONG)
    page.get_by_text(re.compile("基期值来源:上期规划期末值")).first.wait_for(timeout=LONG)
    page.locator(".js-plotly-plot", has_text="跨规划接续").first.scroll_into_view_if_needed()
    screenshot(page, "continuity", viewport)
    open_sidebar(page, viewport)
    choose(page, "区县", "示例区")
    wait_value(page, "规划", "“十五五”规划(2026—2030,示例)")
    screenshot(page, "district", viewport)
    context.close()
