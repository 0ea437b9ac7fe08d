"""Benchmark the evaluation report (lib/report): the seed plan's final report with every chart.

    .venv/bin/python bench/report.py [--kind final] [--runs 3]

Reads the sample data through a temporary store (as `python -m lib report` does) and times the whole
report: assessment, sentences, every chart exported as PNG, and the .docx written. Prints a markdown table.
Target: the final report with all charts < 15 s with a warm browser; the first run also pays the
browser's start (reported separately). Run under the shared browser lock (see the README).
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

REPORT_TARGET_S = 15.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", default="final", choices=["annual", "midterm", "final"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    plan, progress, tasks, targets = exported_sample_inputs("bench-report-")

    from lib import briefing, images, report

    def one() -> tuple[float, report.Report, bytes]:
        t = time.perf_counter()
        rep = report.build_report(plan, progress, tasks, targets, args.kind, sample_data=True,
                                  source=briefing.default_source(plan))
        data = report.report_docx(rep)
        return time.perf_counter() - t, rep, data

    images.shutdown()
    cold, rep, data = one()
    warm = [one()[0] for _ in range(args.runs)]
    images.shutdown()
    med = statistics.median(warm)
    print(f"Evaluation report ({args.kind}), seed plan, as of {rep.as_of}: {len(rep.pack.charts)} charts, "
          f"{len(data) / 1e6:.1f} MB\n")
    print("| measurement | median | max | target | ok |")
    print("|---|---|---|---|---|")
    print(f"| report, first (incl. browser start) | {cold:.2f} s | — | — | — |")
    print(f"| report, warm browser ({args.runs} runs) | {med:.2f} s | {max(warm):.2f} s | < {REPORT_TARGET_S:.0f} s | "
          f"{'yes' if med < REPORT_TARGET_S else 'NO'} |")
    return 0 if med < REPORT_TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
