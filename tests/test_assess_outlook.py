"""The kind reduction_total and the outlook (spec "reduction_total", "Outlook"): hand-computed tables, edges
included — no L′, L′ not computable, an annual indicator, τ(L) = 1 — on a small plan in a temporary folder."""
from __future__ import annotations

import math

import pytest

from lib.plan import PlanError, load_plan
from tests.test_assess import CASE_INDICATORS, NAN, assess_one, write_plan

R1 = "R1,约束性,碳排放强度,五年累计降低17%,reduction_total,17,%,up,,false,,,区发改局\n"
R2 = "R2,约束性,能耗强度(年度),五年累计降低13.5%,reduction_total,13.5,%,up,,true,,,区发改局\n"
INDICATORS = CASE_INDICATORS + R1 + R2


@pytest.fixture(scope="module")
def plan14(tmp_path_factory):
    return load_plan(write_plan(tmp_path_factory.mktemp("outlook14"), 2020, 2025, indicators=INDICATORS))


@pytest.fixture(scope="module")
def plan15(tmp_path_factory):
    return load_plan(write_plan(tmp_path_factory.mktemp("outlook15"), 2025, 2030, indicators=INDICATORS))


def lam(*parts: tuple[float, float]) -> float:
    """Σ weight·ln(1 − r/100) over (r, weight) pairs."""
    return sum(w * math.log(1 - r / 100) for r, w in parts)


# --- reduction_total ---------------------------------------------------------------------------------

EXAMPLE_LAMBDA = lam((3.5, 1), (3.6, 1), (1.8, 0.5))

# (indicator, progress, as_of, status, P, latest period, reason)
REDUCTION_CASES = [
    ("R1", "2026Q4 3.5, 2027Q4 3.6, 2028Q2 1.8", "2028Q2", "behind", EXAMPLE_LAMBDA / math.log(0.83), "2028Q2", ""),
    ("R1", "2026Q4 3.6", "2026Q4", "on_track", math.log(0.964) / math.log(0.83), "2026Q4", ""),
    ("R1", "2026Q4 5, 2027Q4 5, 2028Q4 5", "2028Q4", "ahead", 3 * math.log(0.95) / math.log(0.83), "2028Q4", ""),
    ("R1", "2026Q4 10, 2027Q4 9", "2027Q4", "achieved", lam((10, 1), (9, 1)) / math.log(0.83), "2027Q4", ""),
    ("R1", "2026Q4 -1", "2026Q4", "behind", math.log(1.01) / math.log(0.83), "2026Q4", ""),   # intensity rose
    ("R1", "2026Q4 3.5, 2028Q2 1.8", "2028Q2", "no_data", NAN, "2028Q2", "缺少2027年第四季度数据"),
    ("R1", "2026Q4 100", "2026Q4", "no_data", NAN, "2026Q4", "降低率不能大于或等于 100%,无法测算"),
    ("R1", "2030Q4 3", "2030Q4", "no_data", NAN, "2030Q4", "缺少2026年、2027年、2028年、2029年第四季度数据"),
    ("R2", "2026Q4 3, 2027Q2 1.5", "2027Q2", "on_track", math.log(0.97) / math.log(0.865), "2026Q4", ""),  # annual: Q2 ignored
]


@pytest.mark.parametrize("iid,spec,as_of,status,p,latest,reason", REDUCTION_CASES)
def test_reduction_total(plan15, iid, spec, as_of, status, p, latest, reason):
    row = assess_one(plan15, iid, spec, as_of)
    assert (row["status"], row["latest_period"], row["reason"]) == (status, latest, reason)
    assert math.isnan(row["achievement"]) if math.isnan(p) else row["achievement"] == pytest.approx(p, abs=1e-9)


def test_reduction_total_worked_example_numbers(plan15):
    row = assess_one(plan15, "R1", "2026Q4 3.5, 2027Q4 3.6, 2028Q2 1.8", "2028Q2")
    assert (round(row["log_growth"], 6), round(row["achievement"], 4), row["time_elapsed"]) == (-0.081373, 0.4367, 0.5)
    assert round(row["cumulative_reduction"], 2) == 7.82
    assert row["inputs"] == "2026Q4 3.5、2027Q4 3.6、2028Q2 1.8"


def test_reduction_total_plan_file(tmp_path):
    plan = load_plan(write_plan(tmp_path / "ok", 2025, 2030, indicators=INDICATORS))
    assert plan.indicators.set_index("indicator_id").loc["R1", "kind"] == "reduction_total"
    no_target = INDICATORS.replace("reduction_total,17,", "reduction_total,,")
    with pytest.raises(PlanError) as err:
        load_plan(write_plan(tmp_path / "bad", 2025, 2030, indicators=no_target))
    assert [(f.code, f.row, f.column) for f in err.value.findings if f.is_error] == [("plan.missing_target", 13, "target_value")]


# --- outlook ---------------------------------------------------------------------------------------

def p_growth(*parts: tuple[float, float], target: float = 9.0) -> float:
    return sum(w * math.log(1 + g / 100) for g, w in parts) / (5 * math.log(1 + target / 100))


def projected(p: float, tau: float, p0: float, tau0: float) -> float:
    return p + (p - p0) / (tau - tau0) * (1 - tau)


# (plan, indicator, progress, as_of, status, L′, P(L′), τ(L′), P_T, outlook)
OUTLOOK_CASES = [
    # level_up X0 = 85, X* = 90 (spec example): ahead, yet at risk
    ("14", "L1", "2021Q4 86.8, 2022Q4 87.5", "2023Q2", "ahead", "2021Q4", 0.36, 0.2, 0.92, "at_risk"),
    # behind, yet the last year's pace reaches the target
    ("14", "L1", "2021Q4 85, 2023Q2 87.2", "2023Q2", "behind", "2021Q4", 0.0, 0.2, projected(0.44, 0.5, 0, 0.2), "likely"),
    # L′ is at least four quarters back: 2022Q3 is too recent, 2022Q2 is taken
    ("14", "L1", "2022Q2 86, 2022Q3 87, 2023Q2 87.5", "2023Q2", "on_track", "2022Q2", 0.2, 0.3, projected(0.5, 0.5, 0.2, 0.3), "likely"),
    # no L′: the base (P = τ = 0); P_T = 1 exactly takes the better outlook
    ("14", "G1", "2021Q4 9", "2021Q4", "on_track", None, 0.0, 0.0, 1.0, "likely"),
    ("14", "L1", "2022Q2 86", "2022Q2", "behind", None, 0.0, 0.0, projected(0.2, 0.3, 0, 0), "at_risk"),
    # L′ not computable (a rate of −100% there): the base
    ("14", "G1", "2021Q2 -100, 2021Q4 9, 2022Q2 4", "2022Q2", "behind", None, 0.0, 0.0,
     projected(p_growth((9, 1), (4, 0.5)), 0.3, 0, 0), "at_risk"),
    # annual indicator (X0 = 250, X* = 400): L = 2022Q4, L′ = 2021Q4, the Q2 values play no part
    ("14", "L4", "2021Q4 280, 2022Q2 150, 2022Q4 310, 2023Q2 180", "2023Q2", "on_track", "2021Q4", 0.2, 0.2, 1.0, "likely"),
    ("14", "L4", "2021Q4 280, 2022Q4 300, 2023Q2 180", "2023Q2", "behind", "2021Q4", 0.2, 0.2, projected(1 / 3, 0.4, 0.2, 0.2), "at_risk"),
    # cumulative (spec example shape): L′ = 2022Q2
    ("14", "S1", "2021Q4 9000, 2022Q2 4100, 2022Q4 8500, 2023Q2 3900", "2023Q2", "on_track", "2022Q2", 0.3275, 0.3, 1.05375, "likely"),
    # growth_rate: L′ = 2022Q2, with 2021Q4 as its full year
    ("14", "G1", "2021Q4 11, 2022Q2 5.5, 2022Q4 5, 2023Q2 6.5", "2023Q2", "behind", "2022Q2", p_growth((11, 1), (5.5, 0.5)), 0.3,
     projected(p_growth((11, 1), (5, 1), (6.5, 0.5)), 0.5, p_growth((11, 1), (5.5, 0.5)), 0.3), "at_risk"),
    # reduction_total, the worked example: L′ = 2026Q4
    ("15", "R1", "2026Q4 3.5, 2027Q4 3.6, 2028Q2 1.8", "2028Q2", "behind", "2026Q4", math.log(0.965) / math.log(0.83), 0.2,
     projected(EXAMPLE_LAMBDA / math.log(0.83), 0.5, math.log(0.965) / math.log(0.83), 0.2), "at_risk"),
]


@pytest.mark.parametrize("which,iid,spec,as_of,status,l_prime,p0,tau0,pt,outlook", OUTLOOK_CASES)
def test_outlook(plan14, plan15, which, iid, spec, as_of, status, l_prime, p0, tau0, pt, outlook):
    row = assess_one(plan14 if which == "14" else plan15, iid, spec, as_of)
    assert (row["status"], row["outlook_from"], row["outlook"]) == (status, l_prime, outlook)
    assert (row["outlook_achievement"], row["outlook_time_elapsed"]) == pytest.approx((p0, tau0), abs=1e-9)
    assert row["projected_achievement"] == pytest.approx(pt, abs=1e-9)
    v = (row["achievement"] - p0) / (row["time_elapsed"] - tau0)
    assert row["pace"] == pytest.approx(v, abs=1e-9)
    assert row["outlook_label"] == {"likely": "预计可完成", "at_risk": "预计难以完成"}[outlook]


# (indicator, progress, as_of): no outlook — judged at τ(L) = 1, achieved, no P, or no data
NO_OUTLOOK = [
    ("G1", "2021Q4 5, 2022Q4 5, 2023Q4 5, 2024Q4 5, 2025Q4 5", "2025Q4"),      # τ(L) = 1 (behind there)
    ("L1", "2021Q4 86, 2025Q4 89.8", "2025Q4"),                                 # τ(L) = 1, on_track
    ("L1", "2022Q4 90", "2023Q2"),                                              # achieved
    ("L2", "2022Q4 83", "2023Q2"),                                              # target not above base: no P
    ("C1", "2023Q2 5.2", "2023Q2"),                                             # ceiling: no P
    ("I1", "2021Q4 9.8, G1:2021Q4 11", "2021Q4"),                               # in_step: no P
    ("G1", "2021Q4 11, 2023Q2 6.5", "2023Q2"),                                  # no_data
    ("G1", "", "2023Q2"),
]


@pytest.mark.parametrize("iid,spec,as_of", NO_OUTLOOK)
def test_no_outlook(plan14, iid, spec, as_of):
    row = assess_one(plan14, iid, spec, as_of)
    assert (row["outlook"], row["outlook_from"], row["outlook_label"]) == (None, None, "")
    assert math.isnan(row["pace"]) and math.isnan(row["projected_achievement"])


def test_final_labels_at_the_end(plan14):
    assert assess_one(plan14, "L1", "2021Q4 86, 2025Q4 89.8", "2025Q4")["status_label"] == "基本完成"
    assert assess_one(plan14, "L1", "2021Q4 86, 2025Q4 88", "2025Q4")["status_label"] == "未完成"
    assert assess_one(plan14, "L1", "2025Q4 90", "2025Q4")["status_label"] == "已完成"
    assert assess_one(plan14, "L1", "2025Q3 89.5", "2025Q4")["status_label"] == "基本符合预期"   # judged at 2025Q3


# issue 12, as of 2025Q4 on the seed plan: final words, and a value never displayed on its target
ISSUE_12 = [
    ("K02", "2025Q4 590", "on_track", "基本完成", "590家"),        # X0 = 300: P = 0.9655
    ("Y06", "2025Q4 5.9", "on_track", "基本完成", "5.9件"),        # X0 = 2.5: P = 0.9714
    ("Y12", "2025Q4 79.45", "on_track", "基本完成", "79.45岁"),    # X0 = 78.3: P = 0.9583, not achieved
    ("Y12", "2025Q4 79.5", "achieved", "已完成", "79.5岁"),
    ("Y12", "2025Q4 79", "behind", "未完成", "79岁"),
]


@pytest.mark.parametrize("iid,spec,status,label,shown", ISSUE_12)
def test_issue_12_end_of_plan(plan, iid, spec, status, label, shown):
    from lib import fmt
    row = assess_one(plan, iid, spec, "2025Q4")
    assert (row["status"], row["status_label"], fmt.with_unit(row["latest_value"], row["unit"])) == (status, label, shown)
    assert row["outlook"] is None
