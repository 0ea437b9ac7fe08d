"""Write the sample progress workbook data/progress.xlsx: 2021Q1–2025Q4, all 26 indicators, all 38 tasks.

Reproducible (fixed seed, no network):

    .venv/bin/python scripts/make_sample_progress.py            # writes data/progress.xlsx
    .venv/bin/python scripts/make_sample_progress.py --out X.xlsx

Real published figures are used where one fits (GDP growth 2021, tertiary value added 2021, grain 2021;
see data/source/public-figures.csv) and 备注 names the source; everything else is illustrative and
says 示例数据. The series are designed so that, as of 2023Q2 and as of 2025Q4, every indicator status
occurs, and every task status that the rules allow at that time (未启动 only counts as not_started while
τ < 0.2, so the sample shows it as of 2021Q1–2021Q3). The worked examples of docs/methodology.md are
kept (Y01, Y03, Y07, Y08, B01, K01, K06), except K01's 2023Q2 value of 180, which lies below the
indicator's plausible minimum. Values are year-to-date at quarter end: growth rates and counts for the
year so far, levels at the end of the quarter; annual indicators are reported only in Q4.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.plan import Plan, load_plan  # noqa: E402
from lib.xlsx import write_progress_workbook  # noqa: E402

SEED = 20220328  # the date of the task-division notice
ILLUSTRATIVE = "示例数据"
SHASHI_2021 = "http://www.shashi.gov.cn/ssgk/ssmp/202306/t20230613_840775.shtml"
PUBLIC_NOTE = "公开数据:沙市区人民政府网站公布的沙市区2021年经济运行数据 " + SHASHI_2021

# Real 2021 figures (data/source/public-figures.csv): (indicator, year) → value.
PUBLIC = {("Y01", 2021): 11.0, ("K01", 2021): 294.36, ("B06", 2021): 12.31}


@dataclass(frozen=True)
class Series:
    """One indicator's sample series: year-end values, how it is reported, and fixed points."""
    shape: str  # "rate": YTD growth; "level": end of quarter, moving towards the year-end value;
                # "flat": end of quarter, wobbling around the year-end value; "count": YTD count
    q4: dict[int, float]                        # the year-end value (or annual total); a missing year is not reported
    quarters: tuple[int, ...] = (1, 2, 3, 4)    # quarters in which it is reported
    digits: int = 1
    fixed: dict[tuple[int, int], float] = field(default_factory=dict)  # (year, quarter) → value, wins
    targets: dict[int, float] = field(default_factory=dict)           # quota: target assigned for the year (Q4 row)
    skip: tuple[tuple[int, int], ...] = ()      # quarters deliberately not reported


Y = (2021, 2022, 2023, 2024, 2025)


def _years(*values: float) -> dict[int, float]:
    return {y: v for y, v in zip(Y, values) if v is not None}


SERIES: dict[str, Series] = {
    # Worked example: 2021Q4 11.0 (public), 2022Q4 5.0, 2023Q2 6.5 → behind as of 2023Q2.
    "Y01": Series("rate", _years(11.0, 5.0, 6.8, 6.0, 5.8), fixed={(2023, 2): 6.5}),
    "Y02": Series("rate", _years(10.5, 9.0, 9.6, 9.8, 9.7), quarters=(4,)),
    "Y03": Series("level", _years(86.3, 87.5, 88.3, 89.2, 90.1), quarters=(4,)),          # worked example: 2022Q4 87.5
    # 2022Q4 missing → no_data ("缺少2022年第四季度数据") at every later as-of period.
    "Y04": Series("rate", _years(12.0, 7.0, 8.0, 7.5, 8.2), skip=((2022, 4),)),
    "Y05": Series("level", _years(23.0, 24.1, 25.0, 25.8, 26.5), quarters=(2, 4)),
    "Y06": Series("level", _years(3.1, 3.8, 4.5, 5.2, 5.9), digits=2),
    "Y07": Series("rate", _years(9.8, 6.0, 7.5, 7.2, 7.6), fixed={(2023, 2): 6.0}),       # worked example
    "Y08": Series("flat", _years(5.3, 5.4, 5.2, 5.1, 5.1), fixed={(2023, 2): 5.2}),      # worked example
    # Statistics lag: 2025 not yet published, so judged at 2024Q4 as of 2025Q4 (lag shown, not punished).
    "Y09": Series("level", _years(3.45, 3.6, 3.75, 3.9, None), quarters=(4,), digits=2),
    "Y10": Series("level", _years(97.0, 99.1, 99.2, 99.3, 99.4), quarters=(4,)),
    "Y11": Series("level", _years(1.2, 1.35, 1.5, 1.7, 1.85), quarters=(2, 4), digits=2),
    "Y12": Series("level", _years(78.5, 78.8, 79.1, 79.3, 79.45), quarters=(4,), digits=2),
    # Worked example: 2022Q4 3.1 against a 2022 target of 3.0; 2023Q2 1.2 with no 2023 target yet.
    "B01": Series("rate", _years(3.3, 3.1, 3.2, 2.9, 3.4), quarters=(2, 4), fixed={(2023, 2): 1.2},
                  targets=_years(3.0, 3.0, 3.0, 3.0, 3.2)),
    "B02": Series("rate", _years(4.2, 3.6, 4.3, 4.1, 4.4), quarters=(4,), targets=_years(4.0, 4.0, 4.0, 4.0, 4.2)),
    "B03": Series("level", _years(83.6, 82.5, 84.1, 85.3, 84.0), targets=_years(80.0, 82.0, 83.0, 84.0, 85.0)),
    # The higher level has assigned no target for surface water: values but no target → no_data.
    "B04": Series("level", _years(66.7, 66.7, 75.0, 75.0, 83.3), quarters=(4,)),
    "B05": Series("level", _years(34.2, 34.8, 35.2, 35.6, 36.1), quarters=(4,)),
    "B06": Series("level", _years(12.31, 12.45, 12.6, 12.7, 12.85), quarters=(4,), digits=2),
    "K01": Series("level", _years(294.36, 330.0, 362.0, 385.0, 405.0), quarters=(4,), digits=2),  # worked example: 2022Q4 330
    "K02": Series("level", _years(360, 420, 480, 540, 590), digits=0),
    "K03": Series("level", _years(135.0, 150.0, 168.0, 185.0, 203.0), quarters=(4,)),
    "K04": Series("level", _years(138.0, 146.0, 155.0, 165.0, 178.0), quarters=(4,)),
    "K05": Series("level", _years(68.0, 77.0, 85.0, 93.0, 101.0), quarters=(4,)),
    # Worked example: 2021Q4 9000, 2022Q4 8500, 2023Q2 3900 → C = 21400.
    "K06": Series("count", _years(9000, 8500, 8200, 8100, 7800), digits=-1, fixed={(2023, 2): 3900}),
    "K07": Series("level", _years(4, 6, 7, 9, 10), digits=0, fixed={(2023, 2): 7}),
    "K08": Series("level", _years(1, 2, 2, 3, 4), digits=0),
}

# Growth rates and YTD counts: share of the year's value reached by the end of each quarter.
YTD_SHARE = {1: 0.22, 2: 0.48, 3: 0.74, 4: 1.0}


def _baseline(plan: Plan, indicator_id: str) -> float:
    return float(pd.to_numeric(plan.indicator(indicator_id)["baseline_value"], errors="coerce"))


def _value(plan: Plan, iid: str, s: Series, year: int, quarter: int, rng: np.random.Generator) -> float:
    if (year, quarter) in s.fixed:
        return s.fixed[(year, quarter)]
    end = s.q4[year]
    if quarter == 4:
        return end
    if s.shape == "rate":
        # YTD growth wobbles around the year's figure.
        return round(end + rng.normal(0, 0.6), 1)
    if s.shape == "flat":
        return round(end + rng.uniform(-0.1, 0.1), s.digits)
    if s.shape == "count":
        return round(end * YTD_SHARE[quarter] * rng.uniform(0.95, 1.05), s.digits)
    start = s.q4.get(year - 1, _baseline(plan, iid))  # the level a year starts from
    if pd.isna(start):
        start = end
    value = start + (end - start) * quarter / 4 + rng.normal(0, abs(end - start) * 0.05)
    return round(value, s.digits) if s.digits > 0 else float(int(value))


def _reporting_unit(plan: Plan, names: tuple[str, ...]) -> str:
    """The first named unit that can report: a group is replaced by its first member in units.csv order."""
    for name in names:
        canonical = plan.units.resolve(name)
        if canonical and not plan.units.units[canonical].is_group:
            return canonical
        if canonical:
            members = [u for u in plan.units.reporting_units() if u in plan.units.members_of(canonical)]
            if members:
                return members[0]
    raise ValueError(f"no reporting unit among {names}")


def indicator_rows(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for rec in plan.indicators.itertuples(index=False):
        s = SERIES[rec.indicator_id]
        unit = _reporting_unit(plan, tuple(rec.lead_units) + tuple(rec.responsible_units))
        for year in range(plan.base_year + 1, plan.target_year + 1):
            for quarter in s.quarters:
                if year not in s.q4 or (year, quarter) in s.skip:
                    continue
                value = float(_value(plan, rec.indicator_id, s, year, quarter, rng))
                public = PUBLIC.get((rec.indicator_id, year)) if quarter == 4 else None
                rows.append({
                    "indicator_id": rec.indicator_id, "indicator_name": rec.name, "year": year, "quarter": quarter,
                    "value": public if public is not None else value,
                    "annual_target": s.targets.get(year) if quarter == 4 else None,
                    "unit": unit, "note": PUBLIC_NOTE if public is not None else ILLUSTRATIVE,
                })
    return pd.DataFrame(rows)


# --- tasks --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskPlan:
    profile: str = "steady"          # steady | ongoing | behind | lagging | done_early | slow_start
    skip: tuple[tuple[int, int], ...] = ()
    extra_unit: str = ""             # a town/subdistrict that also reports
    extra_state: str = ""            # what that unit reports (default: as the lead)
    lead_skips: tuple[tuple[int, int], ...] = ()  # quarters the lead does not report (the extra unit does)


TASK_PLANS: dict[str, TaskPlan] = {
    "T01-01": TaskPlan("slow_start"),                                     # 未启动 in 2021Q1–Q3
    "T01-02": TaskPlan("steady", extra_unit="胜利街道"),
    "T02-02": TaskPlan("behind"),                                         # reports 滞后
    "T03-01": TaskPlan("ongoing"),
    "T04-03": TaskPlan("steady", extra_unit="锣场镇", extra_state="滞后"),  # lead's row decides: on track
    "T05-02": TaskPlan("lagging"),                                        # 推进中 but far below 100·τ − 15
    "T06-01": TaskPlan("done_early"),
    "T07-01": TaskPlan("ongoing"),
    "T07-04": TaskPlan("steady", skip=((2023, 2),)),                     # not reported as of 2023Q2
    "T08-01": TaskPlan("steady", extra_unit="中山街道", lead_skips=((2023, 2),)),
    "T08-05": TaskPlan("ongoing"),
    "T09-03": TaskPlan("steady", skip=((2025, 4),)),                     # not reported as of 2025Q4
    "T10-02": TaskPlan("ongoing"),
    "T10-05": TaskPlan("lagging", skip=((2025, 4),)),
}

TEXTS = {
    "推进中": ("按年度计划推进{title}相关工作,完成进度{percent}%", "", "继续按计划推进,加强调度"),
    "已完成": ("{title}各项任务已完成", "", "巩固成果,转入常态化管理"),
    "滞后": ("{title}相关工作已部署,进度慢于计划", "项目前期手续和资金落实滞后", "倒排工期,每月调度一次"),
    "未启动": ("{title}正在开展前期研究", "", "制定实施方案"),
}


def _task_state(profile: str, tau: float, offset: float) -> tuple[str, int]:
    """(进展状态, 完成进度) of a task with this profile at time elapsed τ."""
    if profile == "slow_start" and tau < 0.2:
        return "未启动", 0
    if profile == "done_early" and tau >= 0.45:
        return "已完成", 100
    if profile == "behind":
        return ("推进中", round(100 * tau)) if tau < 0.3 else ("滞后", round(100 * tau * 0.55))
    if profile == "lagging":
        return "推进中", max(0, round(100 * tau - 25))
    cap = 92 if profile == "ongoing" else 100
    percent = min(cap, round(100 * tau + offset))
    return ("已完成", 100) if percent >= 100 else ("推进中", percent)


def task_rows(plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    B, T = plan.base_year, plan.target_year
    for rec in plan.tasks.itertuples(index=False):
        tp = TASK_PLANS.get(rec.task_id, TaskPlan())
        # Every lead unit reports: the task's status is its lead units' report, and is 未报送 while one is missing.
        leads = list(dict.fromkeys(_reporting_unit(plan, (name,)) for name in rec.lead_units))
        offset = float(rng.integers(1, 12))
        for year in range(B + 1, T + 1):
            for quarter in (1, 2, 3, 4):
                if (year, quarter) in tp.skip:
                    continue
                tau = ((year - (B + 1)) + quarter / 4) / (T - B)
                state, percent = _task_state(tp.profile, tau, offset)
                reporters = [] if (year, quarter) in tp.lead_skips else [(lead, state) for lead in leads]
                if tp.extra_unit:
                    reporters.append((tp.extra_unit, tp.extra_state or state))
                for unit, unit_state in reporters:
                    progress, problems, next_steps = TEXTS[unit_state]
                    rows.append({
                        "task_id": rec.task_id, "task_name": rec.title, "year": year, "quarter": quarter,
                        "state": unit_state, "percent": float(percent),
                        "progress": f"{ILLUSTRATIVE}:" + progress.format(title=rec.title, percent=percent),
                        "problems": problems, "next_steps": next_steps, "unit": unit,
                    })
    return pd.DataFrame(rows)


def build_sample(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample's indicator and task rows (schema names), identical on every call."""
    rng = np.random.default_rng(SEED)
    return indicator_rows(plan, rng), task_rows(plan, rng)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan-dir", default=str(ROOT / "data"))
    parser.add_argument("--out", default=str(ROOT / "data" / "progress.xlsx"))
    args = parser.parse_args(argv)
    indicators, tasks = build_sample(load_plan(args.plan_dir))
    write_progress_workbook(indicators, tasks).save(args.out)
    print(f"{args.out}: 指标 {len(indicators)} 行, 任务 {len(tasks)} 行")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
