"""The upload happy path in headless Chromium against a real `streamlit run` server: sign in through the
sign-in form, open a new session (the signed cookie keeps the account), upload a file with errors (findings),
upload a good one (preview), confirm and take the file back; the planning office downloads the original and
adopts it on the review page. Screenshots at
1366×768 go to artifacts/screenshots/ (upload-findings.png, upload-preview.png, review.png)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import LONG, SCREENSHOTS, demo_server_env, new_page, sign_in, streamlit_server
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

FIXTURES = ROOT / "tests" / "fixtures"
GOOD = FIXTURES / "good" / "progress-good.xlsx"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with streamlit_server(demo_server_env(tmp_path_factory.mktemp("upload-server"))) as url:
        yield url


def top(page, locator) -> None:
    """Scroll Streamlit's main container so that `locator` is at the top of the viewport."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)   # let the canvas-drawn dataframes repaint after scrolling (screenshot only)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def downloaded(page, button: str) -> bytes:
    with page.expect_download(timeout=LONG) as download:
        page.get_by_role("button", name=button).click()
    return Path(download.value.path()).read_bytes()


def test_department_uploads_and_the_office_adopts(server, browser):
    context, page = new_page(browser)
    sign_in(page, server, "dept01")
    page.goto(f"{server}/upload")                      # a new session: the signed cookie signs it in
    page.get_by_text("① 下载本单位填报模板").wait_for(timeout=LONG)
    uploader = page.locator("input[type=file]")
    drop = page.locator('[data-testid="stFileUploaderDropzoneInstructions"] span').first   # before any file
    assert "不超过 10 MB" in drop.evaluate("e => getComputedStyle(e, '::after').content")
    assert drop.evaluate("e => getComputedStyle(e).fontSize") == "0px"          # the English text is hidden
    button = page.locator('[data-testid="stFileUploaderDropzone"] button p').first
    assert button.evaluate("e => getComputedStyle(e, '::after').content") == '"选择文件"'
    top(page, page.get_by_text("② 报送本季度数据,核对后提交"))
    shot(page, "upload-empty.png")

    uploader.set_input_files(str(FIXTURES / "bad" / "value-not-number.xlsx"))
    page.get_by_text("检查结果(1 个错误、0 个警告)").wait_for(timeout=LONG)
    fix = page.locator("table.pm-findings td").filter(has_text="不是数字").first
    fix.wait_for(timeout=LONG)
    assert page.locator("table.pm-findings").get_by_text("wb.not_number").count() == 0   # codes stay in the download
    box = fix.bounding_box()
    assert box["x"] + box["width"] <= 1366                     # the 说明 (how to fix) is not cut off: it wraps
    assert page.get_by_role("button", name="确认提交").is_disabled()
    top(page, page.get_by_text("② 报送本季度数据,核对后提交"))
    shot(page, "upload-findings.png")

    uploader.set_input_files(str(GOOD))
    page.get_by_text("提交后的变化(与当前已采纳数据相比)").wait_for(timeout=LONG)
    page.locator("td[role=gridcell]", has_text="地区生产总值年均增速").first.wait_for(state="attached", timeout=LONG)
    top(page, page.get_by_text("提交后的变化(与当前已采纳数据相比)"))
    shot(page, "upload-preview.png")
    assert page.locator("[data-testid=stFileUploader]").get_by_text("progress-good.xlsx").count() == 1          # the file, before submitting
    page.get_by_role("button", name="确认提交").click()
    page.get_by_text("已提交,报送编号").first.wait_for(timeout=LONG)
    assert page.get_by_role("button", name="确认提交").count() == 0              # file, preview and button are gone
    assert page.locator("[data-testid=stFileUploader]").get_by_text("progress-good.xlsx").count() == 0         # the uploader is empty again
    top(page, page.get_by_text("② 报送本季度数据,核对后提交"))
    shot(page, "upload-submitted.png")
    assert downloaded(page, "下载该文件") == GOOD.read_bytes()       # the clerk can take the file back
    assert page.console_errors == []
    context.close()

    context, page = new_page(browser)
    sign_in(page, server, "planner")
    page.goto(f"{server}/review")
    page.get_by_role("heading", name="审核与历史").wait_for(timeout=LONG)
    page.get_by_text("区发改局 · 账号 dept01").wait_for(timeout=LONG)
    page.locator("td[role=gridcell]", has_text="progress-good.xlsx").first.wait_for(state="attached", timeout=LONG)
    page.locator("td[role=gridcell]", has_text="B01").first.wait_for(state="attached", timeout=LONG)
    shot(page, "review.png")
    assert downloaded(page, "下载原文件") == GOOD.read_bytes()
    top(page, page.get_by_role("heading").filter(has_text="号报送(待审核)").first)
    shot(page, "review-detail.png")
    page.get_by_role("button", name="采纳", exact=True).click()
    page.get_by_text("其数据已计入监测结果").wait_for(timeout=LONG)
    assert page.console_errors == []
    context.close()


def test_a_visitor_is_refused_on_upload_and_review(server, browser):
    context, page = new_page(browser)
    for path in ("upload", "review"):
        page.goto(f"{server}/{path}")
        page.get_by_text("请先登录:本页面只对登录用户开放。").wait_for(timeout=LONG)
    context.close()


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_an_upload_that_aborts_its_parser_leaves_the_server_running(server, browser, width, height):
    """calamine aborts on this file; the reading process dies, the server answers with one message and keeps
    serving the next page. Screenshots: upload-unsafe-WIDTH.png, after-unsafe-WIDTH.png."""
    context, page = new_page(browser)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, server, "dept01")
    page.goto(f"{server}/upload")
    page.get_by_text("① 下载本单位填报模板").wait_for(timeout=LONG)
    page.locator("input[type=file]").set_input_files(str(FIXTURES / "hostile" / "shared-strings-count-aborts.xlsx"))
    message = page.get_by_text("无法安全读取(读取进程异常退出)")
    message.wait_for(timeout=LONG)
    top(page, page.get_by_text("② 报送本季度数据,核对后提交"))
    shot(page, f"upload-unsafe-{width}.png")
    page.goto(f"{server}/")
    page.locator(".js-plotly-plot").first.wait_for(timeout=LONG)
    shot(page, f"after-unsafe-{width}.png")
    assert page.console_errors == []
    context.close()
