"""Benchmark the briefing pack (lib/briefing.py): a full pack for the whole plan, and one chart PNG warm.

    .venv/bin/python bench/briefing.py [--as-of 2023Q4] [--runs 3]

Reads the sample data through a temporary store (as `python -m lib briefing` does). Prints a markdown table.
Targets: full pack (assessment, 6 + up to 8 charts as PNG, deck, ZIP, summary, tables) < 15 s with a warm
browser; one chart PNG warm < 0.3 s. The first pack also pays the browser's start (reported separately).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import exported_sample_inputs  # noqa: E402

PACK_TARGET_S = 15.0
PNG_TARGET_S = 0.3
IDLE_S = 0.5  # pause between single exports, as between a user's clicks (not timed)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2023Q4")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    plan, progress, tasks, targets = exported_sample_inputs("bench-briefing-")

    from lib import briefing, images

    def pack() -> tuple[float, briefing.Briefing, dict[str, bytes]]:
        t = time.perf_counter()
        b = briefing.build_briefing(plan, progress, tasks, targets, args.as_of, sample_data=True,
                                    source=briefing.default_source(plan), render_images=False)
        files = briefing.pack_files(b)
        return time.perf_counter() - t, b, files

    images.shutdown()
    cold, b, files = pack()
    warm = [pack()[0] for _ in range(args.runs)]
    fig = b.export_figure(b.charts[0])
    singles = []
    for _ in range(10):
        time.sleep(IDLE_S)
        t = time.perf_counter()
        images.figure_png(fig, width=briefing.IMAGE_WIDTH, height=int(fig.layout.height), scale=briefing.IMAGE_SCALE)
        singles.append(time.perf_counter() - t)
    images.shutdown()

    size = sum(len(v) for v in files.values()) / 1e6
    pack_med, png_med = statistics.median(warm), statistics.median(singles)
    print(f"Briefing pack, whole plan, as of {args.as_of}: {len(b.charts)} charts, {len(files)} files, {size:.1f} MB\n")
    print("| measurement | median | max | target | ok |")
    print("|---|---|---|---|---|")
    print(f"| full pack, first (incl. browser start) | {cold:.2f} s | — | — | — |")
    print(f"| full pack, warm browser ({args.runs} runs) | {pack_med:.2f} s | {max(warm):.2f} s | < {PACK_TARGET_S:.0f} s | "
          f"{'yes' if pack_med < PACK_TARGET_S else 'NO'} |")
    print(f"| one chart PNG, warm (10 runs) | {png_med:.3f} s | {max(singles):.3f} s | < {PNG_TARGET_S} s | "
          f"{'yes' if png_med < PNG_TARGET_S else 'NO'} |")
    return 0 if pack_med < PACK_TARGET_S and png_med < PNG_TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
