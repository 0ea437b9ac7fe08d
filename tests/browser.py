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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, limit_s: float = 60) -> None:
    """Poll the health endpoint until it answers (bounded), failing early if the server died."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling interval, not a race workaround
    raise TimeoutError(f"streamlit at {url} not healthy within {limit_s}s")


@contextmanager
def streamlit_server(env_extra: dict[str, str], script: Path = ROOT / "dashboard.py") -> Iterator[str]:
    port = free_port()
    env = {**os.environ, **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
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
