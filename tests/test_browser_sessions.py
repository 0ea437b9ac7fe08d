"""Sessions in a real browser: a copy of the sign-in cookie replayed after 退出登录 is signed out, and a
cookie with a forged algorithm (alg none, HS512) leaves the visitor signed out on a page that renders."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from lib.accounts import COOKIE_KEY_FILE, COOKIE_NAME
from tests.browser import LONG, demo_server_env, new_page, sign_in, streamlit_server

pytestmark = pytest.mark.browser

SIGNED_OUT_UPLOAD = "请先登录:本页面只对登录用户开放。"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sessions-server")
    with streamlit_server(demo_server_env(tmp)) as url:
        yield url, tmp


def _sign_in_cookie(context) -> dict:
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    return cookie


def _replay(browser, cookie: dict, url: str):
    """A fresh browser (no history, no session) that holds only `cookie`, at `url`."""
    context, page = new_page(browser)
    context.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "expires", "sameSite")}])
    page.goto(url)
    return context, page


def test_a_cookie_copied_before_sign_out_is_signed_out_after_it(server, browser):
    url, _ = server
    context, page = new_page(browser)
    sign_in(page, url, "dept01")
    copied = _sign_in_cookie(context)
    assert (copied["httpOnly"], copied["secure"], copied["sameSite"]) == (False, False, "Strict")

    before, replayed = _replay(browser, copied, f"{url}/account")   # the copy works while the session is live
    replayed.get_by_text("已登录:dept01").first.wait_for(timeout=LONG)
    before.close()

    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("已退出登录。").wait_for(timeout=LONG)

    after, replayed = _replay(browser, copied, f"{url}/upload")
    replayed.get_by_text(SIGNED_OUT_UPLOAD).wait_for(timeout=LONG)
    replayed.wait_for_function(f"!document.cookie.includes('{COOKIE_NAME}=')", timeout=LONG)   # and removed
    assert replayed.get_by_text("已登录:").count() == 0
    assert replayed.console_errors == [] and page.console_errors == []
    after.close()
    context.close()


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ["none", "HS512"])
def test_a_forged_algorithm_cookie_is_signed_out_and_the_page_renders(server, browser, alg):
    url, tmp = server
    context, page = new_page(browser)
    sign_in(page, url, "planner")                 # a real session, so only the algorithm is wrong
    real = _sign_in_cookie(context)
    claims = jwt.decode(real["value"], options={"verify_signature": False})
    key = (tmp / COOKIE_KEY_FILE).read_text(encoding="utf-8").strip()
    forged = (f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}." if alg == "none"
              else jwt.encode(claims, key * 2, algorithm="HS512"))
    context.close()

    other, visitor = _replay(browser, {**real, "value": forged, "expires": time.time() + 3600}, f"{url}/review")
    visitor.get_by_text(SIGNED_OUT_UPLOAD).wait_for(timeout=LONG)
    visitor.goto(f"{url}/overview")
    visitor.get_by_role("heading", name="总览").wait_for(timeout=LONG)
    assert visitor.locator('[data-testid="stException"]').count() == 0
    assert visitor.get_by_text("InvalidAlgorithmError").count() == 0
    assert visitor.get_by_text("已登录:").count() == 0
    assert visitor.console_errors == []
    other.close()
