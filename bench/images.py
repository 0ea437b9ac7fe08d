"""Benchmark chart PNG export (lib/images.py): cold start, warm exports, browser memory.

    .venv/bin/python bench/images.py [--warm N] [--cold N]

Prints a markdown table. Target: a warm export of one chart (1200×675 layout px, scale 2) < 0.3 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.graph_objects as go  # noqa: E402

from lib import images  # noqa: E402

WARM_TARGET_S = 0.3
IDLE_S = 0.5  # pause between single exports, as between a user's clicks (not timed)
TOWNS = ["中山街道", "崇文街道", "解放街道", "胜利街道", "朝阳街道", "岑河镇", "观音垱镇", "关沮镇", "立新乡"]


def chart() -> go.Figure:
    """A typical slide chart: bars per town, a target line, Chinese title, axis titles and legend."""
    fig = go.Figure()
    fig.add_bar(x=TOWNS, y=[3.1, 4.8, 2.2, 5.6, 4.1, 3.9, 6.2, 2.7, 4.4], name="完成值", marker_color="#009E73")
    fig.add_scatter(x=TOWNS, y=[4.5] * len(TOWNS), name="时间进度目标", mode="lines", line_color="#D55E00")
    fig.update_layout(title="2025年第三季度各镇(街道)地区生产总值增速", xaxis_title="镇(街道)", yaxis_title="增速(%)")
    return fig


def browser_pss_mib() -> float | None:
    """Proportional set size of the browser's process group (wrapper + Chromium processes): shared pages
    are split between the processes sharing them, so the sum is the group's real footprint. Linux only."""
    proc = getattr(getattr(images._browser, "_k", None), "subprocess", None)
    if proc is None:
        return None
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == proc.pid:  # field 5 of /proc/PID/stat: process group
                rollup = (stat.parent / "smaps_rollup").read_text()
                total += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return total / 1024


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--cold", type=int, default=3)
    args = parser.parse_args()

    ok, message = images.export_available()
    if not ok:
        print(message, file=sys.stderr)
        return 1
    fig = chart()

    cold = []
    for _ in range(args.cold):
        images.shutdown()
        cold.append(timed(lambda: images.figure_png(fig)))
    warm, small = [], []
    for _ in range(args.warm):  # one click at a time: the browser is idle between exports
        time.sleep(IDLE_S)
        warm.append(timed(lambda: images.figure_png(fig)))
    for _ in range(args.warm):
        time.sleep(IDLE_S)
        small.append(timed(lambda: images.figure_png(fig, width=900, height=500, scale=1)))
    back_to_back = [timed(lambda: images.figure_png(fig)) for _ in range(args.warm)]
    zip_s = timed(lambda: images.figures_zip([(f"图{i}", fig) for i in range(5)]))
    png_kib = len(images.figure_png(fig)) / 1024
    pss = browser_pss_mib()
    images.shutdown()

    def p95(xs: list[float]) -> float:
        return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]

    rows = [
        ("cold start + first PNG (1200×675 ×2)", f"{statistics.median(cold):.2f} s", f"max {max(cold):.2f} s, n={len(cold)}"),
        ("warm PNG 1200×675 ×2 (2400×1350 px), one at a time", f"{statistics.median(warm):.3f} s",
         f"p95 {p95(warm):.3f} s, n={len(warm)}, target < {WARM_TARGET_S} s: "
         f"{'met' if statistics.median(warm) < WARM_TARGET_S else 'MISSED'}"),
        ("warm PNG 900×500 ×1", f"{statistics.median(small):.3f} s", f"p95 {p95(small):.3f} s, n={len(small)}"),
        ("warm PNG 1200×675 ×2, back to back", f"{statistics.median(back_to_back):.3f} s",
         f"p95 {p95(back_to_back):.3f} s: each waits for the previous tab reload"),
        ("ZIP of 5 charts (1200×675 ×2)", f"{zip_s:.2f} s", ""),
        ("PNG size (1200×675 ×2)", f"{png_kib:.0f} KiB", ""),
        ("browser memory (PSS, all its processes)", f"{pss:.0f} MiB" if pss is not None else "n/a", "after the exports above"),
    ]
    print("| measurement | median | notes |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
