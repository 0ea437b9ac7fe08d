"""A real `streamlit run` server and headless Debian Chromium (Playwright), for browser tests and screenshots."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LONG = 60_000   # ms: generous, for a loaded CI machine; waits end as soon as the condition holds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, limit_s: float = 60, what: str = "streamlit") -> None:
    """Poll Streamlit's health endpoint at `url` (the server itself, or a proxy in front of it) until it answers
    200 (bounded), failing early if the process `what` died."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling interval, not a race workaround
    raise TimeoutError(f"{what} at {url} not healthy within {limit_s}s")


@contextmanager
def streamlit_server(env_extra: dict[str, str], script: Path = ROOT / "dashboard.py") -> Iterator[str]:
    with streamlit_process(env_extra, script) as (url, _):
        yield url


@contextmanager
def streamlit_process(env_extra: dict[str, str], script: Path = ROOT / "dashboard.py") -> Iterator[tuple[str, int]]:
    """`streamlit run script` on a free port, healthy: (its URL, its process id)."""
    port = free_port()
    env = {**os.environ, **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with serving(proc, f"http://127.0.0.1:{port}", "streamlit") as url:
        yield url, proc.pid


def charts_drawn(n: int) -> str:
    """A page condition (for wait_for_function): at least `n` plotly charts have drawn their SVG. Each chart
    draws three `.main-svg` layers, so counting those would already hold when the first chart alone is drawn."""
    return f"Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => p.querySelector('.main-svg')).length >= {n}"


@contextmanager
def serving(proc: subprocess.Popen, url: str, what: str, limit_s: float = 60) -> Iterator[str]:
    """`url` once the process `proc` (`what`: streamlit, or a proxy in front of it) answers there healthy;
    the process is stopped afterwards (killed if it does not stop within 10 s)."""
    try:
        wait_healthy(url, proc, limit_s, what)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def browser_env() -> dict[str, str]:
    """Chromium finds the repo's CJK font even on a server without Chinese fonts."""
    conf = ROOT / "fonts" / "fonts.conf"
    return {"FONTCONFIG_FILE": str(conf)} if conf.exists() else {}


@contextmanager
def sample_plans_server(tmp: Path) -> Iterator[str]:
    """A server of its own on a fresh store in `tmp` with both sample districts' plans (browsing, nobody signed in)."""
    from tests.conftest import ALL_PLAN_DIRS
    env = {"PLANMON_DB_URL": f"sqlite:///{tmp / 'planmon.sqlite'}", "PLANMON_ACCOUNTS_FILE": str(tmp / "accounts.yaml"),
           "PLANMON_PLAN_DIRS": ALL_PLAN_DIRS, **browser_env()}
    with streamlit_server(env) as url:
        yield url


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium under Playwright (no `playwright install`), with the repo's CJK font announced."""
    from playwright.sync_api import sync_playwright
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"需要 Chromium({CHROMIUM}):apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, **browser_env()})
        try:
            yield browser
        finally:
            browser.close()


def demo_server_env(tmp: Path) -> dict[str, str]:
    """A server of its own with demo accounts, a fresh store and review by the planning office."""
    return {"PLANMON_DB_URL": f"sqlite:///{tmp / 'planmon.sqlite'}", "PLANMON_ACCOUNTS_FILE": str(tmp / "accounts.yaml"),
            "PLANMON_DEMO_MODE": "true", "PLANMON_AUTO_ADOPT": "false", "PLANMON_PUBLIC_BROWSING": "true",
            "PLANMON_COOKIE_KEY": ""}


DESKTOP = {"width": 1366, "height": 768}


def new_page(browser, viewport: dict | None = None):
    """A fresh browser context (no cookies, 1366×768 unless told) that records page errors in
    `page.console_errors`. Every wait and click allows LONG: a loaded CI machine can take over 30 s (Playwright's
    default) to check an uploaded workbook; waits still end as soon as their condition holds."""
    context = browser.new_context(viewport=viewport or DESKTOP, locale="zh-CN")
    context.set_default_timeout(LONG)
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return context, page


def has_sign_in_cookie(page) -> bool:
    from lib.accounts import COOKIE_NAME
    return any(c["name"] == COOKIE_NAME for c in page.context.cookies())


def sign_in(page, server: str, username: str) -> None:
    """Through the sign-in form, as fast as a script can type; returns once the browser holds the cookie."""
    from lib.accounts import COOKIE_NAME, DEMO_PASSWORD
    page.goto(f"{server}/account")
    page.get_by_label("用户名").fill(username, timeout=LONG)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("已登录:").first.wait_for(timeout=LONG)
    page.get_by_role("button", name="退出登录").wait_for(timeout=LONG)
    # The cookie component writes the signed cookie once it has loaded, after the sign-in run: a page opened
    # before that starts a session that is not signed in. Wait for the cookie itself.
    page.wait_for_function(f"document.cookie.includes('{COOKIE_NAME}=')", timeout=LONG)
