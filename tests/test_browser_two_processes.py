"""More than one machine: two `streamlit run` processes on one PostgreSQL server (started by the test on
loopback), each with its own folder for local files and the same settings (database, cookie key). A department
signs in on process A and uploads, the planning office signs in on B and adopts; both browsers show the new
value on their next run. The planning office's sign-in cookie from B is signed in on A as well, and 退出登录 on
A signs B out. Then the shipped nginx site in front of both: one browser's page, websocket and upload all reach
one process, and different browsers are spread over both."""
from __future__ import annotations

import secrets
import urllib.request
from collections import Counter
from contextlib import ExitStack

import pytest

from lib.accounts import COOKIE_NAME
from tests.browser import LONG, SCREENSHOTS, demo_server_env, free_port, new_page, sign_in, streamlit_server
from tests.conftest import ROOT, SEED_PLAN
from tests.nginx import nginx_proxy, served
from tests.pg import fresh_database

pytestmark = pytest.mark.browser

GOOD = ROOT / "tests" / "fixtures" / "good" / "progress-good.xlsx"
# Y01 (地区生产总值年均增速) in 2023Q1: 7.1% in the sample data, 8.5% in GOOD. The page's fact line shows it.
Y01_PAGE = f"/indicators?plan={SEED_PLAN}&id=Y01&as_of=2023Q1"
BEFORE, AFTER = "7.1%", "8.5%"


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    """(url A, url B, their ports): two app processes, one database, one cookie key, separate local folders."""
    key = secrets.token_urlsafe(32)
    with ExitStack() as stack:
        db = stack.enter_context(_database())
        urls = []
        for name in ("a", "b"):
            env = {**demo_server_env(tmp_path_factory.mktemp(f"process-{name}")), "PLANMON_DB_URL": db,
                   "PLANMON_COOKIE_KEY": key}
            urls.append(stack.enter_context(streamlit_server(env)))
        yield urls[0], urls[1]


def _database():
    from contextlib import contextmanager

    @contextmanager
    def opened():
        gen = fresh_database()
        url = next(gen)
        try:
            yield url
        finally:
            gen.close()
    return opened()


def fact(page, text: str) -> None:
    """Wait for the indicator page's fact line (最新值) to read `text`."""
    page.locator(".pm-fact-v", has_text=text).first.wait_for(timeout=LONG)


def rerun(page) -> None:
    """A next run of the same browser session (no reload): leave the page through the sidebar and come back."""
    page.get_by_role("link", name="总览").first.click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=LONG)
    page.get_by_role("link", name="指标监测").first.click()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def test_upload_on_one_process_adopt_on_the_other_both_show_the_value(processes, browser):
    a, b = processes
    dept_context, dept = new_page(browser)
    sign_in(dept, a, "dept01")
    dept.goto(f"{a}/upload")
    dept.get_by_text("① 下载本单位填报模板").wait_for(timeout=LONG)
    dept.locator("input[type=file]").set_input_files(str(GOOD))
    dept.get_by_role("button", name="确认提交").click()
    dept.get_by_text("已提交,报送编号").first.wait_for(timeout=LONG)
    dept.goto(f"{a}{Y01_PAGE}")
    fact(dept, BEFORE)                                     # waiting for review: not counted yet

    office_context, office = new_page(browser)
    sign_in(office, b, "planner")
    office.goto(f"{b}{Y01_PAGE}")
    fact(office, BEFORE)                                   # B has read (and cached) the data before the adoption
    office.get_by_role("link", name="审核与历史").first.click()
    office.get_by_text("区发改局 · 账号 dept01").wait_for(timeout=LONG)   # A's upload, on B
    office.get_by_role("button", name="采纳", exact=True).click()
    office.get_by_text("其数据已计入监测结果").wait_for(timeout=LONG)
    office.goto(f"{b}{Y01_PAGE}")                         # B's cache from before the adoption is not used
    fact(office, AFTER)
    shot(office, "two-processes-b.png")

    rerun(dept)                                            # A's session, next run: the adoption made on B
    fact(dept, AFTER)
    shot(dept, "two-processes-a.png")
    assert dept.console_errors == [] and office.console_errors == []
    dept_context.close()

    # The same account on both processes: B's cookie signs A in (shared key, session in the database) ...
    (cookie,) = [c for c in office_context.cookies() if c["name"] == COOKIE_NAME]
    on_a_context, on_a = new_page(browser)
    on_a_context.add_cookies([{**{k: cookie[k] for k in ("name", "value", "path", "expires", "sameSite")},
                               "domain": "127.0.0.1"}])
    on_a.goto(f"{a}/account")
    on_a.get_by_text("已登录:planner").first.wait_for(timeout=LONG)
    # ... and 退出登录 on A ends the session for B too, on B's next run.
    on_a.get_by_role("button", name="退出登录").click()
    on_a.get_by_text("已退出登录。").wait_for(timeout=LONG)
    office.get_by_role("link", name="审核与历史").first.click()
    office.get_by_text("请先登录:本页面只对登录用户开放。").wait_for(timeout=LONG)
    assert office.get_by_text("已登录:").count() == 0
    on_a_context.close()
    office_context.close()


@pytest.fixture(scope="module")
def proxy(processes, tmp_path_factory):
    folder = tmp_path_factory.mktemp("nginx")
    ports = tuple(int(u.rsplit(":", 1)[1]) for u in processes)
    with nginx_proxy(folder, free_port(), ports) as url:
        yield url, folder, {f"127.0.0.1:{p}" for p in ports}


def _get(url: str, route: str | None = None) -> tuple[int, str, list[str]]:
    """(status, body, Set-Cookie headers) of a GET, sent with a route cookie when given."""
    request = urllib.request.Request(url, headers={"Cookie": f"planmon_route={route}"} if route else {})
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status, r.read().decode(), r.headers.get_all("Set-Cookie") or []


def test_the_proxy_answers_the_health_check_and_hands_out_a_route(proxy):
    url, _, _ = proxy
    status, body, cookies = _get(f"{url}/_stcore/health")
    assert (status, body) == (200, "ok")
    (route,) = [c for c in cookies if c.startswith("planmon_route=")]
    assert "HttpOnly" in route and "Path=/" in route
    _, _, again = _get(f"{url}/_stcore/health", route="browser-1")
    assert "planmon_route=browser-1; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax" in again   # kept, not replaced


def test_one_route_keeps_one_process_and_routes_spread_over_both(proxy):
    url, folder, backends = proxy
    for n in range(20):
        for _ in range(3):
            _get(f"{url}/?n={n}", route=f"browser-{n}")   # (the health check is not logged)
    by_route: dict[str, set[str]] = {}
    for route, backend, _, uri in served(folder):
        if uri.startswith("/?n="):
            by_route.setdefault(route, set()).add(backend)
    assert len(by_route) == 20 and all(len(s) == 1 for s in by_route.values())    # each browser: one process
    assert set().union(*by_route.values()) == backends                            # both processes get browsers


def test_a_browser_behind_the_proxy_keeps_its_page_websocket_and_upload_on_one_process(proxy, browser):
    url, folder, backends = proxy
    context, page = new_page(browser)
    sign_in(page, url, "dept01")                           # the websocket through the proxy: the form works
    page.goto(f"{url}/upload")
    page.get_by_text("① 下载本单位填报模板").wait_for(timeout=LONG)
    page.locator("input[type=file]").set_input_files(str(GOOD))
    page.get_by_text("提交后的变化(与当前已采纳数据相比)").wait_for(timeout=LONG)   # the upload reached the tab's process
    (route,) = {c["value"] for c in context.cookies() if c["name"] == "planmon_route"}
    context.close()                                        # closes the websocket: its log line is written
    mine = [(backend, uri) for r, backend, _, uri in served(folder) if r == route]
    kinds = Counter(("stream" if uri.startswith("/_stcore/stream") else
                     "upload" if uri.startswith("/_stcore/upload_file") else "other") for _, uri in mine)
    assert kinds["stream"] >= 1 and kinds["upload"] >= 1
    assert len({backend for backend, _ in mine}) == 1 and {backend for backend, _ in mine} <= backends
