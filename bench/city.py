"""City-scale benchmark: one store holding a whole city, then the dashboard's server time on it.

    .venv/bin/python bench/city.py [--runs 5] [--no-browser]          # SQLite in a temp folder
    PLANMON_TEST_PG_URL=postgresql+psycopg://… .venv/bin/python bench/city.py   # and PostgreSQL too

The city (the contract's scale): 10 districts × 2 plans (a 14th plan 2021–2025 and a 15th 2026–2030, each a copy
of the seed plan: 26 indicators, 38 tasks, 47 reporting units), 20 quarters of reports per district
(2021Q4–2026Q3, the last three in the 15th plan), 5 submissions per unit and quarter (returned, adopted, revoked,
adopted, adopted: each a revision of the same rows) — 47,000 submissions and their value rows, written with bulk
inserts. District 0 is 沙市区 with the seed plan itself, so the dashboard (which shows the seed plan) reads
this district.

Measured, in one run:
1. overview rerun after a filter change (AppTest, warm caches: a cache hit), median server time;
2. overview rerun after a new adoption (one more adopted submission, so the data version changes), median;
3. with Chromium: the 区县对比 page and the one-chart floor page (bench/floor_app.py) from navigation to every
   chart drawn, as a ratio (bench/pages.py's method). Needs the browser lock when others run browsers:
   `flock /tmp/planmon-browser.lock .venv/bin/python bench/city.py`.
Prints markdown tables for the README. Exits 1 when a time misses its target (TARGET_MS).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.periods import Period  # noqa: E402
from lib.plan import Plan, load_plan  # noqa: E402
from lib.plan_catalog import load_plan_version  # noqa: E402
from lib.reporting import expected_reports  # noqa: E402
from lib.store import SubmissionState, open_store  # noqa: E402
from lib.store_schema import INDICATOR_VALUES, SUBMISSION_EVENTS, SUBMISSIONS, TASK_VALUES  # noqa: E402
from bench.common import filter_rerun_seconds  # noqa: E402
from tests.pg import new_pg_database  # noqa: E402

DISTRICTS = 10
QUARTERS = [Period.from_index(Period(2021, 4).index + i) for i in range(20)]   # 2021Q4 … 2026Q3
REVISIONS = (SubmissionState.RETURNED, SubmissionState.ADOPTED, SubmissionState.REVOKED, SubmissionState.ADOPTED,
             SubmissionState.ADOPTED)
TARGET_MS = {"filter": 300, "adoption": 1500}
ACCOUNT = "bench"


# --- the city's plans -----------------------------------------------------------------------------------

def _plan_folder(out: Path, district: int, fifteenth: bool) -> Path:
    """A copy of the seed plan as district `district`'s 14th or 15th plan (district 0, 14th: the seed itself)."""
    if district == 0 and not fifteenth:
        return ROOT / "data"
    slug = "shashi" if district == 0 else f"d{district:02d}"
    name = "沙市区" if district == 0 else f"基准区{district:02d}"
    plan_id = f"{slug}-{15 if fifteenth else 14}"
    folder = out / plan_id
    folder.mkdir(parents=True)
    for f in ("indicators.csv", "tasks.csv", "units.csv"):
        shutil.copy(ROOT / "data" / f, folder / f)
    base = 2025 if fifteenth else 2020
    (folder / "plan.toml").write_text("\n".join([
        f'id = "{plan_id}"', f'name = "{name}第{"十五" if fifteenth else "十四"}个五年规划(基准测试)"',
        f'short_name = "{name}“{"十五五" if fifteenth else "十四五"}”规划(基准测试)"', 'source = "基准测试数据"',
        f'district = "{name}"', f'district_id = "{slug}"', 'city = "荆州市"', 'city_id = "jingzhou"',
        f"base_year = {base}", f"target_year = {base + 5}", "sample = true", ""]), encoding="utf-8")
    return folder


def load_city(store, out: Path) -> list[tuple[Plan, Plan]]:  # noqa: ANN001 - lib.store.Store
    """Both plans of every district, loaded into the store."""
    city = []
    for d in range(DISTRICTS):
        pair = tuple(load_plan_version(store, _plan_folder(out, d, f), ACCOUNT).plan for f in (False, True))
        city.append(pair)
    return city


# --- progress rows ----------------------------------------------------------------------------------------

def _ranges(plan: Plan) -> dict[str, tuple[float, float]]:
    """indicator_id → (low, high) of its plausible values, where sample values are drawn from."""
    out = {}
    for rec in plan.indicators.itertuples(index=False):
        lo = float(rec.plausible_min) if rec.plausible_min == rec.plausible_min else 0.0
        hi = float(rec.plausible_max) if rec.plausible_max == rec.plausible_max else lo + 100.0
        out[rec.indicator_id] = (lo, hi)
    return out


def _owed(plan: Plan, period: Period) -> dict[str, list[tuple[str, str]]]:
    """unit → [(item_type, item_id)] it reports for the quarter; a unit owing nothing contributes to one task."""
    owed = expected_reports(plan, period)
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for rec in owed.itertuples(index=False):
        by_unit.setdefault(rec.unit, []).append((rec.item_type, rec.item_id))
    tasks = list(plan.tasks["task_id"])
    for i, unit in enumerate(plan.units.reporting_units()):
        by_unit.setdefault(unit, [("任务", tasks[i % len(tasks)])])
    return by_unit


def write_progress(store, city: list[tuple[Plan, Plan]], seed: int = 0) -> int:  # noqa: ANN001 - lib.store.Store
    """5 submissions per unit and quarter for every district; returns how many submissions were written."""
    rng = np.random.default_rng(seed)
    sub_id = event_id = 0
    with store.engine.connect() as conn:
        sub_id = conn.execute(sa.select(sa.func.coalesce(sa.func.max(SUBMISSIONS.c.id), 0))).scalar_one()
        event_id = conn.execute(sa.select(sa.func.coalesce(sa.func.max(SUBMISSION_EVENTS.c.id), 0))).scalar_one()
    written = 0
    ranges = {p.config.id: _ranges(p) for pair in city for p in pair}
    for fourteenth, fifteenth in city:
        subs, events, ind_rows, task_rows = [], [], [], []
        for period in QUARTERS:
            plan = fifteenth if period.year > fourteenth.target_year else fourteenth
            when = datetime.combine(period.end, datetime.min.time()) + timedelta(days=5)
            for unit, items in _owed(plan, period).items():
                for k, state in enumerate(REVISIONS):
                    sub_id += 1
                    indicators = [i for t, i in items if t == "指标"]
                    tasks = [i for t, i in items if t == "任务"]
                    sha = hashlib.sha256(f"{plan.config.id}|{unit}|{period}|{k}".encode()).hexdigest()
                    created = when + timedelta(hours=k)
                    reviewed = state is not SubmissionState.PENDING
                    subs.append(dict(id=sub_id, plan_id=plan.config.id, unit=unit, account=ACCOUNT, created_at=created,
                                     file_name=f"{unit}_{period}_{k}.xlsx", sha256=sha, indicator_rows=len(indicators),
                                     task_rows=len(tasks), state=state.value,
                                     state_reason="基准测试" if state in (SubmissionState.RETURNED, SubmissionState.REVOKED) else "",
                                     reviewed_by=ACCOUNT if reviewed else None, reviewed_at=created if reviewed else None))
                    for ev_state in ([SubmissionState.PENDING, SubmissionState.ADOPTED, SubmissionState.REVOKED]
                                     if state is SubmissionState.REVOKED else [SubmissionState.PENDING, state]):
                        event_id += 1
                        events.append(dict(id=event_id, plan_id=plan.config.id, submission_id=sub_id, state=ev_state.value,
                                           account=ACCOUNT, created_at=created, reason=""))
                    ind_rows += [dict(plan_id=plan.config.id, submission_id=sub_id, indicator_id=i, year=period.year,
                                      quarter=period.quarter, value=round(float(rng.uniform(*ranges[plan.config.id][i])), 2), annual_target=None,
                                      unit=unit, note="基准测试") for i in indicators]
                    task_rows += [dict(plan_id=plan.config.id, submission_id=sub_id, task_id=t, year=period.year,
                                       quarter=period.quarter, state="推进中", percent=min(100.0, 5.0 * (QUARTERS.index(period) + 1)),
                                       progress="基准测试", problems="", next_steps="", unit=unit) for t in tasks]
        with store.engine.begin() as conn:
            for table, rows in ((SUBMISSIONS, subs), (SUBMISSION_EVENTS, events), (INDICATOR_VALUES, ind_rows),
                                (TASK_VALUES, task_rows)):
                conn.execute(sa.insert(table), rows)
        written += len(subs)
    if store.engine.dialect.name == "postgresql":   # explicit ids: move the sequences past them
        with store.engine.begin() as conn:
            for table in ("submissions", "submission_events"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return written


def build_city(url: str, out: Path) -> tuple[int, float]:
    """The city in the store at `url`: (submissions, seconds taken)."""
    start = time.perf_counter()
    store = open_store(url, cached=False)
    city = load_city(store, out)
    n = write_progress(store, city)
    if store.engine.dialect.name == "sqlite":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    store.engine.dispose()
    return n, time.perf_counter() - start


# --- measurements ------------------------------------------------------------------------------------------

def _env(url: str, tmp: Path) -> dict[str, str]:
    return {"PLANMON_DB_URL": url, "PLANMON_ACCOUNTS_FILE": str(tmp / "accounts.yaml")}


def server_times(url: str, tmp: Path, runs: int) -> dict[str, float]:
    """Overview reruns (AppTest): after a filter change (cache hit) and after a new adoption (medians, ms)."""
    from streamlit.testing.v1 import AppTest

    import streamlit as st

    os.environ.update(_env(url, tmp))
    st.cache_resource.clear()   # a second backend in the same process must not reuse the first one's store
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    filter_times = filter_rerun_seconds(at, runs)
    store = open_store(url, cached=False).plan("shashi-14")
    plan = load_plan(ROOT / "data")
    adoption_times = []
    for i in range(runs):
        new = store.submit("区统计局", ACCOUNT, f"adopt_{i}.xlsx", f"adopt {i}".encode(), _one_row(plan, i), None)
        store.adopt(new.submission_id, ACCOUNT)
        start = time.perf_counter()
        at.run()
        adoption_times.append(time.perf_counter() - start)
    store.engine.dispose()
    assert not at.exception, at.exception
    return {"filter": statistics.median(filter_times) * 1000, "adoption": statistics.median(adoption_times) * 1000}


def _one_row(plan: Plan, i: int):  # noqa: ANN202 - a one-row indicator frame
    import pandas as pd
    return pd.DataFrame([{"indicator_id": "Y01", "year": 2025, "quarter": 4, "value": 6.0 + i / 10, "annual_target": None,
                          "unit": "区统计局", "note": "基准测试:新采纳"}])


def page_ratio(url: str, tmp: Path, runs: int) -> dict[str, float]:
    """区县对比 and the one-chart floor, navigation to every chart drawn (medians, s)."""
    from playwright.sync_api import sync_playwright

    from bench.pages import time_to_charts
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with streamlit_server(_env(url, tmp)) as base:
            time_to_charts(browser, f"{base}/compare", COMPARE_CHARTS)   # warm the server's caches
            out["区县对比"] = statistics.median(time_to_charts(browser, f"{base}/compare", COMPARE_CHARTS).wall for _ in range(runs))
        with streamlit_server(_env(url, tmp), script=ROOT / "bench" / "floor_app.py") as base:
            time_to_charts(browser, base, 1)
            out["空白页+1个图(下限)"] = statistics.median(time_to_charts(browser, base, 1).wall for _ in range(runs))
        browser.close()
    return out


COMPARE_CHARTS = 4


def measure(label: str, url: str, tmp: Path, runs: int, browser: bool) -> bool:
    n, seconds = build_city(url, tmp / f"plans-{label}")
    print(f"\n### {label}\n\n生成 {n:,} 份报送(10 个区县 × 2 个规划):{seconds:.0f} s\n")
    times = server_times(url, tmp, runs)
    print("| 测量 | 中位数 | 目标 |\n|---|---:|---:|")
    print(f"| 总览页切换筛选后重跑(缓存命中) | {times['filter']:.0f} ms | < {TARGET_MS['filter']} ms |")
    print(f"| 总览页新采纳一份报送后重跑 | {times['adoption']:.0f} ms | < {TARGET_MS['adoption']} ms |")
    if browser:
        pages = page_ratio(url, tmp, runs)
        floor = pages["空白页+1个图(下限)"]
        for name, t in pages.items():
            print(f"| {name}:打开到图表全部显示 | {t:.2f} s({t / floor:.2f}× 下限) | |")
    return all(times[k] < TARGET_MS[k] for k in TARGET_MS)


@contextmanager
def fresh_pg_database(base_url: str) -> Iterator[str]:
    """A new, empty database on the server of `base_url` (never the one others' tests use), dropped afterwards."""
    with contextmanager(new_pg_database)(base_url, "planmon_city_") as url:
        try:
            yield url
        finally:
            open_store(url).close()   # the cached engine's pool, before the database is dropped


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="only the server times (no Chromium)")
    parser.add_argument("--backends", default="sqlite,postgres", help="which of sqlite,postgres to measure "
                        "(postgres only when PLANMON_TEST_PG_URL is set)")
    parser.add_argument("--keep", type=Path, help="build the SQLite city in this (new) folder and keep it")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep:
            args.keep.mkdir(parents=True)
            tmp = str(args.keep.resolve())
        backends = {b.strip() for b in args.backends.split(",")}
        if "sqlite" in backends:
            ok &= measure("SQLite", f"sqlite:///{tmp}/city.sqlite", Path(tmp), args.runs, not args.no_browser)
        pg = os.environ.get("PLANMON_TEST_PG_URL")
        if pg and "postgres" in backends:
            with fresh_pg_database(pg) as url:
                ok &= measure("PostgreSQL", url, Path(tmp), args.runs, not args.no_browser)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
