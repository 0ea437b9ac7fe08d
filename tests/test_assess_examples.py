"""Every worked example of docs/methodology.md (seed plan, as of 2023Q2, δ = 0.05), with its exact numbers."""
from __future__ import annotations

import pytest

from lib.assess import assess_indicators
from lib.periods import Period, time_elapsed
from tests.test_assess import progress_rows

EXAMPLES = (
    "Y01:2021Q4 11.0, Y01:2022Q4 5.0, Y01:2023Q2 6.5, Y03:2022Q4 87.5, "
    "Y07:2021Q4 9.8, Y07:2022Q4 6.0, Y07:2023Q2 6.0, Y08:2023Q2 5.2, "
    "B01:2022Q4 3.1/3.0, B01:2023Q2 1.2, K01:2022Q4 330, K01:2023Q2 180, "
    "K06:2021Q4 9000, K06:2022Q4 8500, K06:2023Q2 3900"
)


@pytest.fixture(scope="module")
def result(plan):
    return assess_indicators(plan, progress_rows(EXAMPLES, ""), Period(2023, 2)).set_index("indicator_id")


@pytest.mark.parametrize("period,tau", [((2021, 4), 0.2), ((2023, 2), 0.5), ((2025, 4), 1.0), ((2020, 4), 0.0), ((2026, 1), 1.0)])
def test_time_elapsed(plan, period, tau):
    assert time_elapsed(*period, plan.base_year, plan.target_year) == pytest.approx(tau)


# indicator, status, P, τ(L), latest period
STATUSES = [
    ("Y01", "behind", 0.4285, 0.5, "2023Q2"),
    ("Y03", "ahead", 0.5, 0.4, "2022Q4"),
    ("Y07", "on_track", None, 0.5, "2023Q2"),
    ("Y08", "on_track", None, 0.5, "2023Q2"),
    ("B01", "on_track", None, 0.4, "2022Q4"),
    ("K01", "ahead", 0.5332, 0.4, "2022Q4"),
    ("K06", "on_track", 0.535, 0.5, "2023Q2"),
]


@pytest.mark.parametrize("iid,status,p,tau,latest", STATUSES)
def test_worked_example(result, iid, status, p, tau, latest):
    row = result.loc[iid]
    assert (row["status"], row["latest_period"]) == (status, latest)
    assert row["time_elapsed"] == pytest.approx(tau)
    if p is None:
        assert row["achievement"] != row["achievement"]  # NaN: no P for this kind
    else:
        assert row["achievement"] == pytest.approx(p, abs=5e-5)


def test_y01_numbers(result):
    y01 = result.loc["Y01"]
    assert y01["log_growth"] == pytest.approx(0.184638, abs=5e-7)
    assert round(y01["avg_growth"], 2) == 7.67


def test_y07_in_step_numbers(result):
    y07 = result.loc["Y07"]
    assert (round(y07["avg_growth"], 2), round(y07["ref_avg_growth"], 2), round(y07["diff_pp"], 2)) == (7.50, 7.67, -0.16)
    assert y07["ref_indicator"] == "Y01"


def test_b01_judged_at_2022q4(result):
    b01 = result.loc["B01"]
    assert (b01["assigned_target"], b01["latest_value"], b01["lag_quarters"]) == (3.0, 3.1, 2)


def test_k01_q2_value_shown_not_judged(result):
    k01 = result.loc["K01"]
    assert (k01["latest_value"], k01["latest_reported_period"], k01["latest_reported_value"]) == (330, "2023Q2", 180)
    assert k01["baseline_value"] == 250.03 and k01["target_value"] == 400


def test_k06_cumulative_total(result):
    assert result.loc["K06", "cumulative_total"] == 21400


def test_everything_else_has_no_data(result):
    others = result.drop(index=[s[0] for s in STATUSES])
    assert set(others["status"]) == {"no_data"} and set(others["reason"]) == {"无填报数据"}


# --- outlook (spec "Outlook", seed-plan examples) ----------------------------------------------------

OUTLOOK_DATA = ("Y03:2021Q4 86.8, Y03:2022Q4 87.5, "
                "K06:2021Q4 9000, K06:2022Q2 4100, K06:2022Q4 8500, K06:2023Q2 3900")

# indicator, status, P, L′, P(L′), τ(L′), v, P_T, outlook
OUTLOOKS = [
    ("Y03", "ahead", 0.5, "2021Q4", 0.36, 0.2, 0.70, 0.92, "at_risk"),
    ("K06", "on_track", 0.535, "2022Q2", 0.3275, 0.3, 1.0375, 1.05375, "likely"),
]


@pytest.mark.parametrize("iid,status,p,l_prime,p0,tau0,v,pt,outlook", OUTLOOKS)
def test_outlook_example(plan, iid, status, p, l_prime, p0, tau0, v, pt, outlook):
    row = assess_indicators(plan, progress_rows(OUTLOOK_DATA, ""), Period(2023, 2)).set_index("indicator_id").loc[iid]
    assert (row["status"], row["outlook_from"], row["outlook"]) == (status, l_prime, outlook)
    assert (row["achievement"], row["outlook_achievement"], row["outlook_time_elapsed"]) == pytest.approx((p, p0, tau0))
    assert (row["pace"], row["projected_achievement"]) == pytest.approx((v, pt))
