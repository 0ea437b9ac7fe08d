"""报送情况: who owes what for a quarter, and the on-time / late / missing / not-yet-due rule."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib.periods import Period
from lib.reporting import (STATE_LATE, STATE_MISSING, STATE_NOT_DUE, STATE_ON_TIME, completeness, deadline,
                           expected_reports, quarter_end, reporting_status)


@pytest.mark.parametrize("period,end", [(Period(2023, 1), date(2023, 3, 31)), (Period(2023, 2), date(2023, 6, 30)),
                                         (Period(2023, 4), date(2023, 12, 31)), (Period(2024, 1), date(2024, 3, 31))])
def test_quarter_end(period, end):
    assert quarter_end(period) == end
    assert deadline(period, 15) == end + pd.Timedelta(days=15).to_pytimedelta()


def test_who_owes_what(plan):
    q2 = expected_reports(plan, Period(2023, 2)).set_index(["item_type", "item_id"])["unit"]
    assert q2[("指标", "Y03")] == "区发改局"                 # first responsible unit of a main indicator
    assert q2[("指标", "K02")] == "区发改局"                 # task target: the task's lead
    assert ("指标", "K01") not in q2.index                  # annual: owed in Q4 only
    assert q2[("任务", "T07-01")] == "区生态环境分局"         # lead named by alias → canonical unit
    assert sorted(q2[("任务", "T09-01")]) == sorted(["区人大常委会办公室", "区政协办公室", "区委统战部", "区民政局"])
    q4 = expected_reports(plan, Period(2023, 4))
    assert ("K01" in set(q4["item_id"])) and len(q4) > len(q2)


def _reported(rows):
    return pd.DataFrame(rows, columns=["item_type", "item_id", "unit", "account", "created_at"]).assign(
        created_at=lambda f: pd.to_datetime(f["created_at"]).dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC"))


def test_states(plan):
    period = Period(2023, 2)  # deadline 2023-07-15
    reported = _reported([
        ("指标", "Y01", "区发改局", "dept", "2023-07-10 09:00"),     # on time
        ("指标", "Y04", "区财政局", "dept", "2023-07-20 09:00"),     # 5 days late
        ("指标", "Y03", "区公安分局", "dept", "2023-07-01 09:00"),   # not owed by 公安 but counted
        ("任务", "T01-01", "区发改局", "system", "2026-11-27 09:00"),  # seeded sample: no real time, never late
    ])
    status = reporting_status(plan, period, reported, 15, today=date(2023, 8, 1)).set_index(["unit", "item_id"])
    assert status.at[("区发改局", "Y01"), "state"] == STATE_ON_TIME
    assert (status.at[("区财政局", "Y04"), "state"], status.at[("区财政局", "Y04"), "days_late"]) == (STATE_LATE, 5)
    assert status.at[("区公安分局", "Y03"), "state"] == STATE_ON_TIME
    assert status.at[("区发改局", "T01-01"), "state"] == STATE_ON_TIME
    assert (status.at[("区人社局", "Y08"), "state"], status.at[("区人社局", "Y08"), "days_late"]) == (STATE_MISSING, 17)
    early = reporting_status(plan, period, reported, 15, today=date(2023, 7, 5)).set_index(["unit", "item_id"])
    assert early.at[("区人社局", "Y08"), "state"] == STATE_NOT_DUE


def test_completeness(plan):
    reported = _reported([("指标", "Y08", "区人社局", "dept", "2023-07-01"), ("指标", "Y10", "区人社局", "dept", "2023-07-30")])
    status = reporting_status(plan, Period(2023, 2), reported, 15, today=date(2023, 9, 1))
    row = completeness(status).set_index("unit").loc["区人社局"]
    owed = int((expected_reports(plan, Period(2023, 2))["unit"] == "区人社局").sum())
    assert (row[STATE_ON_TIME], row[STATE_LATE], row["应报"]) == (1, 1, owed)
    assert row["报送率"] == pytest.approx(2 / owed)


def _tasks(spec: str) -> pd.DataFrame:
    """"T09-03 区委政法委 2025Q3 已完成 100; …" → task progress rows."""
    rows = []
    for item in filter(None, (s.strip() for s in spec.split(";"))):
        task, unit, period, state, percent = item.split()
        p = Period.parse(period)
        rows.append({"task_id": task, "year": p.year, "quarter": p.quarter, "state": state, "percent": float(percent),
                     "progress": "", "problems": "", "next_steps": "", "unit": unit})
    return pd.DataFrame(rows)


# (task progress, quarter, (unit, task) pair, owed?) — the lead units that decide a task owe its report
OWED_CASES = [
    ("", "2025Q4", ("区委政法委", "T09-03"), True),
    ("T09-03 区委政法委 2025Q3 已完成 100", "2025Q4", ("区委政法委", "T09-03"), False),        # done stays done
    ("T09-03 区委政法委 2025Q3 已完成 100", "2025Q3", ("区委政法委", "T09-03"), True),         # the quarter it is reported
    ("T09-03 区委政法委 2024Q1 已完成 100; T09-03 区委政法委 2024Q2 推进中 70", "2024Q3", ("区委政法委", "T09-03"), True),
    ("T10-05 区人社局 2025Q3 已完成 100", "2025Q4", ("区委政法委", "T10-05"), True),          # a contribution finishes nothing
    ("T10-05 区人社局 2025Q3 已完成 100", "2025Q4", ("区人社局", "T10-05"), False),           # contributors are never owed
    ("T09-01 区民政局 2023Q1 已完成 100", "2023Q2", ("区委统战部", "T09-01"), True),          # each lead on its own
    ("T09-01 区民政局 2023Q1 已完成 100", "2023Q2", ("区民政局", "T09-01"), False),
]


@pytest.mark.parametrize("spec,quarter,pair,owed", OWED_CASES)
def test_owed_task_reports_follow_the_lead_rule(plan, spec, quarter, pair, owed):
    expected = expected_reports(plan, Period.parse(quarter), _tasks(spec) if spec else None)
    assert (pair in set(zip(expected["unit"], expected["item_id"]))) is owed


def test_reporting_status_takes_task_progress(plan):
    progress = _tasks("T09-03 区委政法委 2025Q3 已完成 100")
    status = reporting_status(plan, Period(2025, 4), _reported([]), 15, today=date(2026, 2, 1), task_progress=progress)
    assert ("区委政法委", "T09-03") not in set(zip(status["unit"], status["item_id"]))
    assert ("区委政法委", "T10-05") in set(zip(status["unit"], status["item_id"]))
