"""The sign-in cookie's Secure flag (issue 9): set when the browser's address is https, which behind the
reverse proxy the app learns from X-Forwarded-Proto (deploy/nginx-planmon.conf sends it); not set on plain
http, where a Secure cookie would never be sent back. Either way it stays SameSite=Strict and the browser is
signed in on the next page."""
from __future__ import annotations

import pytest

from lib.accounts import COOKIE_NAME
from tests.browser import LONG, demo_server_env, new_page, sign_in, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with streamlit_server(demo_server_env(tmp_path_factory.mktemp("secure-cookie-server"))) as url:
        yield url


@pytest.mark.parametrize("forwarded, secure", [
    (None, False),               # plain http, no proxy
    ("http", False),             # a proxy serving http
    ("https", True),             # a proxy that terminates TLS
    ("https, http", True),       # several proxies: the first (the browser's side) counts
])
def test_the_cookie_is_secure_exactly_when_the_browser_uses_https(server, browser, forwarded, secure):
    context, page = new_page(browser)
    if forwarded is not None:
        context.set_extra_http_headers({"X-Forwarded-Proto": forwarded})
    sign_in(page, server, "dept01")
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    assert (cookie["secure"], cookie["sameSite"]) == (secure, "Strict")
    page.goto(f"{server}/upload")                 # a new session: the cookie signs it in
    page.get_by_text("① 下载本单位填报模板").wait_for(timeout=LONG)
    assert page.console_errors == []
    context.close()
