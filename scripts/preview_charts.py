"""Write every chart of lib/charts/ as a PNG, for eyeballing: python scripts/preview_charts.py [out_dir].

Uses data/progress.xlsx when it exists (sheets 指标进度 / 任务进度), otherwise a realistic hand-made
sample for 2021Q1–2023Q2 built here; both go through lib.assess, so the charts see real result frames.
Images are 1366 px wide (the leaders' laptop), as tall as each figure asks for; each chart is also written
in its export form (for_export: subtitle, source footer, 示例数据 mark).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib import charts  # noqa: E402
from lib.assess import assess_indicators, assess_tasks  # noqa: E402
from lib.images import figure_png, shutdown  # noqa: E402
from lib.periods import Period, plan_periods  # noqa: E402
from lib.plan import Plan, load_plan  # noqa: E402
from lib.rollup import by_unit  # noqa: E402
from lib.scope import task_history  # noqa: E402

AS_OF = Period(2023, 2)
WIDTH = 1366

# Year-end (Q4) values 2021, 2022 and the 2023Q2 value, per indicator; quarters in between interpolated.
_SAMPLE: dict[str, tuple[float, float, float]] = {
    "Y01": (11.0, 5.0, 6.5), "Y02": (10.2, 6.1, 7.0), "Y04": (14.0, 3.5, 8.2), "Y03": (86.1, 87.5, 87.9),
    "Y05": (23.5, 25.0, 25.8), "Y06": (3.0, 3.6, 3.9), "Y07": (9.8, 6.0, 6.0), "Y08": (5.0, 5.4, 5.2),
    "Y09": (3.4, 3.5, 3.5), "Y10": (96.0, 97.4, 97.8), "Y11": (1.2, 1.5, 1.6), "Y12": (78.5, 78.8, 78.9),
    "B01": (3.2, 3.1, 1.2), "B02": (4.0, 3.3, 1.5), "B03": (88.0, 85.0, 84.0), "B05": (34.0, 34.6, 34.8),
    "B06": (12.2, 12.6, 6.1), "K01": (290.0, 330.0, 180.0), "K02": (360.0, 430.0, 455.0), "K03": (140.0, 150.0, 80.0),
    "K04": (138.0, 152.0, 81.0), "K05": (70.0, 84.0, 46.0), "K06": (9000.0, 8500.0, 3900.0), "K07": (4.0, 5.0, 5.0),
    "K08": (2.0, 3.0, 3.0),
}  # B04 is left without data on purpose (数据缺失)
_QUOTA_TARGETS = {"B01": {2021: 3.0, 2022: 3.0}, "B02": {2021: 3.5, 2022: 3.5}, "B03": {2021: 86.0, 2022: 86.0, 2023: 86.0}}
_YTD_FLOW = {"K01", "K03", "K04", "K05", "B06", "K06", "B01", "B02"}  # year-to-date amounts: Q1 small, Q4 full


def sample_progress(plan: Plan) -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(7)
    for rec in plan.indicators.itertuples():
        if rec.indicator_id not in _SAMPLE:
            continue
        y21, y22, q23 = _SAMPLE[rec.indicator_id]
        year_end = {2021: y21, 2022: y22}
        for p in plan_periods(plan.base_year, plan.target_year):
            if p > AS_OF:
                break
            if p.year in year_end:
                full = year_end[p.year]
                if rec.indicator_id in _YTD_FLOW:
                    value = full * p.quarter / 4 * (1 + rng.normal(0, 0.03)) if p.quarter < 4 else full
                elif rec.kind in ("growth_rate", "in_step"):
                    value = full + rng.normal(0, 0.6) if p.quarter < 4 else full
                else:
                    start = rec.baseline_value if p.year == 2021 and not np.isnan(rec.baseline_value) else year_end.get(p.year - 1, full)
                    value = start + (full - start) * p.quarter / 4 if p.quarter < 4 else full
            else:  # 2023
                value = q23 * p.quarter / 2 if rec.indicator_id in _YTD_FLOW else q23
            target = _QUOTA_TARGETS.get(rec.indicator_id, {}).get(p.year)
            rows.append(dict(indicator_id=rec.indicator_id, year=p.year, quarter=p.quarter, value=round(float(value), 2),
                             annual_target=target, unit=rec.responsible_units[0], note=""))
    return pd.DataFrame(rows)


def sample_task_progress(plan: Plan) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    for i, rec in enumerate(plan.tasks.itertuples()):
        pace = rng.uniform(0.6, 1.4)
        for p in plan_periods(plan.base_year, plan.target_year):
            if p > AS_OF:
                break
            if i % 9 == 4 and p == AS_OF:
                continue  # not reported this quarter
            quarters = (p.year - plan.base_year - 1) * 4 + p.quarter
            percent = min(100.0, round(100 * quarters / 20 * pace, 0))
            state = "已完成" if percent >= 100 else ("未启动" if percent < 3 else ("滞后" if i % 11 == 7 and p.year >= 2022 else "推进中"))
            rows.append(dict(task_id=rec.task_id, year=p.year, quarter=p.quarter, state=state, percent=percent,
                             progress="按计划推进", problems="", next_steps="", unit=rec.lead_units[0]))
    return pd.DataFrame(rows)


def load_progress(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """(indicator rows, task rows, sample?): data/progress.xlsx read by lib.workbook, else the sample above."""
    workbook = ROOT / "data" / "progress.xlsx"
    if workbook.exists():
        from lib.workbook import read_workbook
        result = read_workbook(workbook, plan)
        if len(result.indicator_rows) and len(result.task_rows):
            print(f"data: {workbook.relative_to(ROOT)} ({len(result.indicator_rows)} + {len(result.task_rows)} rows)")
            return result.indicator_rows, result.task_rows, True
    print("data: hand-made sample in scripts/preview_charts.py")
    return sample_progress(plan), sample_task_progress(plan), True


def unit_counts(plan: Plan, results: pd.DataFrame) -> pd.DataFrame:
    rolled = by_unit(plan, results)
    codes = [c for c in rolled.columns if c in set(results["status"]) or c in (
        "achieved", "ahead", "on_track", "behind", "no_data", "done", "not_started", "not_reported")]
    return rolled.melt(id_vars="unit", value_vars=codes, var_name="status", value_name="count")


def responsibility(plan: Plan) -> pd.DataFrame:
    sections = plan.tasks.set_index("task_id")[["section_no", "section_title"]]
    rows = []
    for unit in plan.units.reporting_units():
        resp = plan.responsibilities(unit)
        resp = resp[resp["item_type"] == "任务"].join(sections, on="item_id")
        for (no, title, role), n in resp.groupby(["section_no", "section_title", "role"]).size().items():
            rows.append(dict(unit=unit, section_no=no, section_title=title, role=role, count=n))
    return pd.DataFrame(rows)


def reporting(plan: Plan, ind_rows: pd.DataFrame, task_rows: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for unit in plan.units.reporting_units()[:30]:
        for rec in plan.responsibilities(unit).itertuples():
            state = rng.choice(["已报送", "逾期报送", "未报送"], p=[0.75, 0.1, 0.15])
            rows.append(dict(unit=unit, item_id=rec.item_id, item_name=rec.name, state=state))
    return pd.DataFrame(rows)


def main(out_dir: str = "/tmp/charts") -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = load_plan(ROOT / "data")
    ind_rows, task_rows, sample = load_progress(plan)
    results = assess_indicators(plan, ind_rows, AS_OF)
    tasks = assess_tasks(plan, task_rows, AS_OF)
    figures: list[tuple[str, object, str]] = [
        ("01_status_counts", charts.status_counts(results), "项"),
        ("02_achievement_vs_time", charts.achievement_vs_time(results), "%"),
        ("03_tasks_by_section", charts.tasks_by_section(tasks), "项"),
        ("05_task_heatmap", charts.task_heatmap(task_history(plan, task_rows, AS_OF)), ""),
        ("06_unit_ranking_task", charts.unit_ranking(unit_counts(plan, tasks), kind="task"), "项"),
        ("06_unit_ranking_indicator", charts.unit_ranking(unit_counts(plan, results), kind="indicator"), "项"),
        ("07_responsibility_matrix", charts.responsibility_matrix(responsibility(plan)), "项"),
        ("08_reporting_matrix", charts.reporting_matrix(reporting(plan, ind_rows, task_rows), as_of=str(AS_OF),
                                                        item_order=[*plan.indicators["indicator_id"], *plan.tasks["task_id"]]), ""),
        ("09_empty", charts.indicator_series(plan.indicators.iloc[15], ind_rows.iloc[0:0], None, 2020, 2025), ""),
    ]
    ind = plan.indicators.set_index("indicator_id", drop=False)
    res = results.set_index("indicator_id", drop=False)
    for iid in ("Y01", "Y03", "Y07", "Y08", "B01", "B06", "K01", "K06"):
        ref = ind.loc[iid, "ref_indicator"]
        fig = charts.indicator_series(
            ind.loc[iid], ind_rows[ind_rows["indicator_id"] == iid], res.loc[iid], plan.base_year, plan.target_year,
            ref_series=ind_rows[ind_rows["indicator_id"] == ref] if ref else None,
            ref_name=ind.loc[ref, "name"] if ref else "")
        figures.append((f"04_series_{iid}", fig, ind.loc[iid, "unit"]))
    # An annual flow reported every quarter (Q1–Q3 shown hollow, not judged): K01 with year-to-date amounts.
    k01 = pd.DataFrame([dict(indicator_id="K01", year=y, quarter=q, value=v, annual_target=None)
                        for (y, q, v) in [(2021, 1, 68.0), (2021, 2, 140.5), (2021, 3, 212.0), (2021, 4, 294.1),
                                          (2022, 1, 75.2), (2022, 2, 158.0), (2022, 3, 240.3), (2022, 4, 330.0),
                                          (2023, 1, 84.0), (2023, 2, 171.5)]])
    k01_result = assess_indicators(plan, k01, AS_OF).set_index("indicator_id", drop=False).loc["K01"]
    figures.append(("04_series_K01_quarterly", charts.indicator_series(ind.loc["K01"], k01, k01_result, plan.base_year,
                                                                        plan.target_year), "亿元"))
    started = time.perf_counter()
    for name, fig, unit in figures:
        height = int(fig.layout.height or 600)
        (out / f"{name}.png").write_bytes(figure_png(fig, width=WIDTH, height=height, scale=1))
        export = charts.for_export(fig, as_of=str(AS_OF), source=plan.config.source + ";各单位季度填报",
                                   sample_data=sample, units_note=unit)
        (out / f"{name}_export.png").write_bytes(
            figure_png(export, width=WIDTH, height=int(export.layout.height), scale=1))
        print(f"{name}: {WIDTH}×{height}")
    print(f"{len(figures) * 2} images in {out} ({time.perf_counter() - started:.1f} s)")
    shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:2])
