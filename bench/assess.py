"""Benchmark assess_indicators: the sample plan, then synthetic plans of 260, 2,600 and 26,000 indicators.

    .venv/bin/python bench/assess.py

Each synthetic plan is written into a temporary plan folder (plan.toml + the three CSVs) and loaded with
lib.plan.load_plan, like `--plan-dir`; its indicators cycle through the six kinds, one unit answers for
all of them, and every indicator reports all 20 quarters 2021Q1–2025Q4. Times are warm (the first run is
discarded) and the median of several runs, as of 2023Q2. Prints a markdown table, and exits 1 when a
plan size misses its target (TARGET_MS; the README's 性能 table states the same targets).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.assess import assess_indicators  # noqa: E402
from lib.cli import read_progress  # noqa: E402
from lib.periods import Period  # noqa: E402
from lib.plan import Plan, load_plan  # noqa: E402

KINDS = ["growth_rate", "level_up", "ceiling", "cumulative", "in_step", "quota"]
TARGETS = {"growth_rate": "9", "level_up": "90", "ceiling": "5.5", "cumulative": "40000"}
AS_OF = Period(2023, 2)
# Targets in ms by plan size (None: the sample plan): interactive for a district, a few seconds for a province.
TARGET_MS = {None: 50, 2_600: 1_000, 26_000: 3_000}


def write_synthetic_plan(folder: Path, n: int) -> Path:
    lines = ["indicator_id,category,name,target_text,kind,target_value,unit,direction,ref_indicator,annual,"
             "baseline_value,baseline_source,responsible_units"]
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        ref = "X000000" if kind == "in_step" else ""
        base = "85" if kind == "level_up" else ""
        annual = "true" if i % 7 == 0 else "false"
        lines.append(f"X{i:06d},预期性,指标{i},目标,{kind},{TARGETS.get(kind, '')},%,up,{ref},{annual},{base},示例值,区发改局")
    (folder / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "plan.toml").write_text('name = "基准测试规划"\nbase_year = 2020\ntarget_year = 2025\n', encoding="utf-8")
    (folder / "tasks.csv").write_text("task_id,section_no,section_title,title,description,lead_units,responsible_units\n"
                                      "T01-01,1,第一篇,任务,内容,区发改局,\n", encoding="utf-8")
    (folder / "units.csv").write_text("unit,kind,aliases,members\n区发改局,区直部门,,\n", encoding="utf-8")
    return folder


def synthetic_progress(plan: Plan, seed: int = 0) -> pd.DataFrame:
    n = len(plan.indicators)
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "indicator_id": np.repeat(plan.indicators["indicator_id"].to_numpy(), 20),
        "year": np.tile(np.repeat(np.arange(2021, 2026), 4), n),
        "quarter": np.tile([1, 2, 3, 4], 5 * n),
        "value": rng.uniform(1, 95, 20 * n).round(1),
        "annual_target": np.where(rng.random(20 * n) < 0.5, 5.0, np.nan),
        "unit": "区发改局", "note": "",
    })


def time_it(plan: Plan, progress: pd.DataFrame, runs: int) -> float:
    assess_indicators(plan, progress, AS_OF)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        assess_indicators(plan, progress, AS_OF)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    rows = []
    plan = load_plan(ROOT / "data")
    progress, _ = read_progress(ROOT / "data" / "progress.xlsx", plan)
    rows.append(("sample plan (data/)", len(plan.indicators), len(progress), time_it(plan, progress, 20), TARGET_MS[None]))
    for n in (260, 2_600, 26_000):
        with tempfile.TemporaryDirectory() as tmp:
            synthetic = load_plan(write_synthetic_plan(Path(tmp), n))
        progress = synthetic_progress(synthetic)
        rows.append((f"synthetic {n:,}", n, len(progress), time_it(synthetic, progress, 5 if n > 10_000 else 10),
                     TARGET_MS.get(n)))
    print("| plan | indicators | progress rows | assess_indicators (warm, median) | target |")
    print("|---|---:|---:|---:|---:|")
    for name, n, m, ms, target in rows:
        print(f"| {name} | {n:,} | {m:,} | {ms:,.1f} ms | {'' if target is None else f'< {target:,} ms'} |")
    missed = [name for name, _, _, ms, target in rows if target is not None and ms >= target]
    if missed:
        print(f"missed the target: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
