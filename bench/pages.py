"""Page speed: time from navigation to all charts visible for each dashboard page, next to a bare page with
one plotly chart measured in the same run (the floor), the floor and the pages taken in turn in each round;
and server time of a filter change (AppTest rerun).

Each page's ratio is the median over rounds of (page ÷ the floor of the same round), so a change of the
machine's load between rounds cancels out. Beside the wall time: the CPU seconds one page load costs Chromium
(all its processes, from the DevTools protocol's SystemInfo.getProcessInfo) and the server (/proc), which a
busy machine inflates much less than the wall time — on a shared machine, the CPU ratio says whether a change
made the page cheaper.
`--server` measures only the server's side: each page's warm script run (AppTest, no browser), which is where
the 责任单位 page spent most of its time.

    flock /tmp/planmon-browser.lock .venv/bin/python bench/pages.py [--runs 5]
    .venv/bin/python bench/pages.py --server [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.common import filter_rerun_seconds  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, charts_drawn, streamlit_process  # noqa: E402

# (label, url path, charts the page shows with the sample data)
PAGES = [("总览", "", 2), ("指标监测", "indicators", 2), ("任务推进", "tasks", 2), ("责任单位", "units", 2), ("报送情况", "reporting", 1)]


FLOOR = "空白页+1个图(下限)"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Load:
    wall: float          # navigation → all charts drawn, seconds
    browser_cpu: float   # CPU seconds of every Chromium process meanwhile
    server_cpu: float    # CPU seconds of the page's Streamlit server meanwhile


def chromium_cpu(cdp) -> dict[int, float]:  # noqa: ANN001 - a browser-level CDPSession
    return {p["id"]: p["cpuTime"] for p in cdp.send("SystemInfo.getProcessInfo")["processInfo"]}


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS   # utime + stime


def time_to_charts(browser, url: str, n_charts: int, cdp=None, server_pid: int | None = None) -> Load:  # noqa: ANN001
    """Fresh context (no cache), navigate, wait until n plotly charts have drawn their SVG (each chart, not
    its first SVG layer: before 2026-12-02 the wait counted layers, three a chart, so it ended when the first
    chart was drawn)."""
    before = chromium_cpu(cdp) if cdp else {}
    server_before = process_cpu(server_pid) if server_pid else 0.0
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(charts_drawn(n_charts), timeout=60_000)
    elapsed = time.perf_counter() - start
    after = chromium_cpu(cdp) if cdp else {}   # before closing: a closed context's renderer is gone from the list
    context.close()
    browser_cpu = sum(t - before.get(pid, 0.0) for pid, t in after.items())
    return Load(elapsed, browser_cpu, process_cpu(server_pid) - server_before if server_pid else 0.0)


def browser_times(runs: int) -> dict[str, list[Load]]:
    """Every round opens the floor and then every page, so that a change in the machine's load between rounds
    moves the floor and the pages alike (the ratio is what is compared)."""
    samples: dict[str, list[Load]] = {label: [] for label, _, _ in PAGES} | {FLOOR: []}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cdp = browser.new_browser_cdp_session()
        env = {"PLANMON_DB_URL": f"sqlite:///{tmp}/bench.sqlite", "PLANMON_ACCOUNTS_FILE": f"{tmp}/accounts.yaml"}
        with streamlit_process(env) as (url, pid), streamlit_process(env, ROOT / "bench" / "floor_app.py") as (floor, floor_pid):
            targets = [(label, f"{url}/{path}", n, pid) for label, path, n in PAGES] + [(FLOOR, floor, 1, floor_pid)]
            for _, target, n, _ in targets:
                time_to_charts(browser, target, n)  # warm the servers' caches
            for _ in range(runs):
                for label, target, n, server in [targets[-1], *targets[:-1]]:
                    samples[label].append(time_to_charts(browser, target, n, cdp, server))
        browser.close()
    return samples


def ratio(loads: list[Load], floors: list[Load], measure: str) -> float:
    """Median over rounds of this page's measure ÷ the floor's in the same round."""
    return statistics.median(getattr(a, measure) / getattr(f, measure) for a, f in zip(loads, floors))


def filter_rerun_ms(runs: int) -> float:
    """Server time of one rerun after changing a sidebar filter on the overview (AppTest, warm caches)."""
    from streamlit.testing.v1 import AppTest
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PLANMON_DB_URL"] = f"sqlite:///{tmp}/rerun.sqlite"
        os.environ["PLANMON_ACCOUNTS_FILE"] = f"{tmp}/accounts.yaml"
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.run()
        return statistics.median(filter_rerun_seconds(at, runs)) * 1000


def page_run_ms(runs: int) -> dict[str, float]:
    """Server time of one warm script run of each page (AppTest: the page's script, its caches warm)."""
    from streamlit.testing.v1 import AppTest
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PLANMON_DB_URL"] = f"sqlite:///{tmp}/pages.sqlite"
        os.environ["PLANMON_ACCOUNTS_FILE"] = f"{tmp}/accounts.yaml"
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.run()
        for label, path, _ in PAGES:
            at.switch_page(f"app_pages/{path or 'overview'}.py").run()
            at.run()  # warm
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - start)
            out[label] = statistics.median(times) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--server", action="store_true", help="only the server time of each page's script run")
    args = parser.parse_args()
    if args.server:
        print("| 页面 | 服务器重跑一次(缓存已热,中位数) |\n|---|---:|")
        for label, ms in page_run_ms(args.runs).items():
            print(f"| {label} | {ms:.0f} ms |")
        return
    print(f"机器负载(1 分钟平均):{os.getloadavg()[0]:.1f}")
    samples = browser_times(args.runs)
    floors = samples[FLOOR]
    print("| 页面 | 打开到图表全部显示(中位数) | 相对下限(逐轮比值的中位数) | 浏览器 CPU 相对下限 | 服务器 CPU/次 |\n|---|---:|---:|---:|---:|")
    for label, loads in samples.items():
        wall = statistics.median(x.wall for x in loads)
        server = statistics.median(x.server_cpu for x in loads)
        print(f"| {label} | {wall:.2f} s | {ratio(loads, floors, 'wall'):.2f}× | {ratio(loads, floors, 'browser_cpu'):.2f}× "
              f"| {server:.2f} s |")
    print(f"机器负载(1 分钟平均,结束时):{os.getloadavg()[0]:.1f}")
    print(f"\n总览页切换筛选后服务器重跑时间(中位数):{filter_rerun_ms(args.runs):.0f} ms")


if __name__ == "__main__":
    main()
