"""Sign-in and sign-out in headless Chromium against a real `streamlit run` server, with the library's cookie
component held back until after each click. Its first report starts a new run; when the click was handled in
the script body (the library's own login form), a report arriving during that run swallowed the click and the
clerk stayed signed out. Clicks are now handled in callbacks, before the body, so they survive the report."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from lib.accounts import COOKIE_NAME, DEMO_PASSWORD
from tests.browser import LONG, demo_server_env, has_sign_in_cookie, new_page, sign_in, streamlit_server

pytestmark = pytest.mark.browser

COMPONENTS = "**/component/**"   # where Streamlit serves custom components (the cookie manager's iframe)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with streamlit_server(demo_server_env(tmp_path_factory.mktemp("signin-server"))) as url:
        yield url


@contextmanager
def components_held(page):
    """Hold every component request of `page` until the block ends, then let them all through at once: the
    cookie component's first report then lands while the click's run is still going."""
    held, released = [], False

    def hold(route) -> None:
        route.continue_() if released else held.append(route)

    page.route(COMPONENTS, hold)
    try:
        yield
    finally:
        released = True
        for route in held:
            route.continue_()


def test_sign_in_and_out_survive_a_late_cookie_component(server, browser):
    context, page = new_page(browser)
    page.goto(f"{server}/account")
    with components_held(page):
        page.get_by_label("用户名").fill("dept01", timeout=LONG)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("已登录:dept01").first.wait_for(timeout=LONG)
    page.wait_for_function(f"document.cookie.includes('{COOKIE_NAME}=')", timeout=LONG)

    second = context.new_page()                       # a new session: the cookie signs it in
    second.goto(f"{server}/account")
    second.get_by_text("已登录:dept01").first.wait_for(timeout=LONG)
    with components_held(second):
        second.get_by_role("button", name="退出登录").click()
    second.get_by_text("已退出登录。").wait_for(timeout=LONG)
    second.wait_for_function(f"!document.cookie.includes('{COOKIE_NAME}=')", timeout=LONG)

    third = context.new_page()                        # and the next session is a visitor's
    third.goto(f"{server}/upload")
    third.get_by_text("请先登录:本页面只对登录用户开放。").wait_for(timeout=LONG)
    assert page.console_errors == []
    context.close()


def test_a_wrong_password_says_so_and_sets_no_cookie(server, browser):
    context, page = new_page(browser)
    page.goto(f"{server}/account")
    page.get_by_label("用户名").fill("dept01", timeout=LONG)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("用户名或密码不正确,请重新输入。").wait_for(timeout=LONG)
    assert page.get_by_label("密码").input_value() == ""      # the typed password is not sent back
    assert not has_sign_in_cookie(page)
    sign_in(page, server, "dept01")                          # and the next attempt goes through
    assert has_sign_in_cookie(page)
    context.close()
