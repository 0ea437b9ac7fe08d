"""规划管理 in headless Chromium against a real `streamlit run` server, at 1366×768 and 390×844: the planning
office uploads the seed notice, sees the draft tables with the findings beside them, fills in the plan's
identity and publishes it; then opens the version history. Screenshots go to artifacts/screenshots/
(plan-admin-draft-W.png, plan-admin-published-W.png, plan-admin-history-W.png)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import LONG, demo_server_env, new_page, sign_in, streamlit_server
from tests.conftest import ALL_PLAN_DIRS, DATA
from tests.test_browser_upload import shot, top

pytestmark = pytest.mark.browser

NOTICE = DATA / "source" / "shashi-14th-five-year-plan-task-division.txt"


@pytest.fixture
def server(tmp_path):
    """A server of its own per run: each run publishes the notice as 示例区's 14th plan (its office may publish
    only for its own district, and a district's periods may not overlap)."""
    with streamlit_server({**demo_server_env(tmp_path), "PLANMON_PLAN_DIRS": ALL_PLAN_DIRS}) as url:
        yield url


@pytest.mark.parametrize("width, height, plan_id", [(1366, 768, "notice-wide"), (390, 844, "notice-narrow")])
def test_the_office_publishes_a_notice_as_a_plan(server, browser, width, height, plan_id):
    context, page = new_page(browser)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, server, "shili.planner")
    page.goto(f"{server}/plan-admin")
    page.get_by_role("heading", name="规划管理").wait_for(timeout=LONG)
    page.locator("input[type=file]").set_input_files(str(NOTICE))
    read = page.get_by_role("button", name="读取通知")
    expect(read).to_be_enabled(timeout=LONG)   # the file has reached the server
    read.click()
    heading = page.get_by_role("heading", name="2. 核对草稿")
    heading.wait_for(timeout=LONG)
    page.get_by_text("须核对 36 处").wait_for(timeout=LONG)
    top(page, heading)
    shot(page, f"plan-admin-draft-{width}.png")

    page.get_by_label("规划编号").fill(plan_id)
    page.get_by_label("区县名称").fill("示例区")
    page.get_by_label("区县编号").fill("shili")
    page.get_by_label("区县编号").press("Enter")
    page.wait_for_timeout(500)   # the last input's value reaches the server before the click (typing, not a race)
    page.get_by_role("button", name="发布为新规划").click()
    done = page.get_by_text(f"已发布规划 {plan_id} 第 1 版")
    done.wait_for(timeout=LONG)
    top(page, page.get_by_role("heading", name="规划管理"))
    shot(page, f"plan-admin-published-{width}.png")

    page.get_by_text("版本历史", exact=True).click()
    page.get_by_text("查看某一版的逐行修改").wait_for(timeout=LONG)
    page.wait_for_timeout(300)
    shot(page, f"plan-admin-history-{width}.png")
    assert page.console_errors == []
    context.close()
