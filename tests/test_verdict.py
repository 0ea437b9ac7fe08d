"""lib.verdict: the plain sentence for each kind (status first), and the outlook in words and in formula."""
from __future__ import annotations

import pytest

from lib.assess import explain
from lib.verdict import outlook_lines, outlook_sentence, status_sentence
from tests.test_assess import assess_one
from tests.test_assess_outlook import plan14, plan15  # noqa: F401  (fixtures)

# (plan, indicator, progress, as_of, status sentence)
SENTENCES = [
    ("14", "L1", "2021Q4 86.8, 2022Q4 87.5", "2023Q2", "从基期 85% 到目标 90%,2022Q4 为 87.5%,已完成 50%;时间已过 40%,快于预期。"),
    ("14", "L1", "2022Q4 90", "2023Q2", "2022Q4 为 90%,已达到目标 90%,提前实现。"),
    ("14", "L1", "2025Q4 89.95", "2025Q4", "从基期 85% 到目标 90%,2025Q4 为 89.95%,已完成 99%;时间已过 100%,基本完成。"),
    ("14", "G1", "2021Q4 11, 2022Q4 5, 2023Q2 6.5", "2023Q2",
     "规划以来年均增长 7.67%,目标年均 9%;按复合增长折算已完成五年目标的 42.9%,时间已过 50%,滞后。"),
    ("14", "S1", "2021Q4 9000, 2022Q4 8500, 2023Q2 3900", "2023Q2",
     "五年累计已完成 2.14万人(截至 2023Q2),是目标 4万人 的 53.5%;时间已过 50%,基本符合预期。"),
    ("15", "R1", "2026Q4 3.5, 2027Q4 3.6, 2028Q2 1.8", "2028Q2",
     "规划以来累计降低 7.82%,目标五年累计降低 17%;已完成 43.7%,时间已过 50%,滞后。"),
    ("14", "C1", "2023Q2 5.6", "2023Q2", "2023Q2 为 5.6%,要求控制在 5.5%,不符合要求,滞后。"),
    ("14", "I1", "2021Q4 9.8, 2022Q4 6, 2023Q2 6, G1:2021Q4 11, G1:2022Q4 5, G1:2023Q2 6.5", "2023Q2",
     "规划以来(五年平均口径)年均增长 7.5%,参照指标 G1 为 7.67%,相差 -0.16 个百分点(容差 ±0.5),基本符合预期。"),
    ("14", "Q1", "2022Q4 3.1/3.0", "2023Q2", "2022年上级下达目标 3%,2022Q4 为 3.1%,不低于目标,基本符合预期。"),
    ("14", "G1", "", "2023Q2", "暂时无法评估:无填报数据。"),
]


@pytest.mark.parametrize("which,iid,spec,as_of,sentence", SENTENCES)
def test_status_sentence(plan14, plan15, which, iid, spec, as_of, sentence):
    assert status_sentence(assess_one(plan14 if which == "14" else plan15, iid, spec, as_of)) == sentence


def test_outlook_in_words_and_formula(plan14):
    row = assess_one(plan14, "L1", "2021Q4 86.8, 2022Q4 87.5", "2023Q2")
    assert outlook_sentence(row) == "按近一年的进度,到 2025 年预计完成目标的 92%,预计难以完成。"
    lines = outlook_lines(row)
    assert "L′ = 2021Q4" in lines[0] and "P(L′) = 0.36" in lines[0]
    assert lines[1].endswith("= (0.5 − 0.36) ÷ (0.4 − 0.2) = 0.7。")
    assert "P_T = P + v × (1 − τ) = 0.5 + 0.7 × 0.6 = 0.92;P_T < 1,预计难以完成" in lines[2]


def test_outlook_from_the_base(plan14):
    row = assess_one(plan14, "G1", "2021Q4 9", "2021Q4")
    assert outlook_sentence(row) == "按规划以来的进度,到 2025 年预计完成目标的 100%,预计可完成。"
    assert "以基期为起点" in outlook_lines(row)[0]


def test_no_outlook_no_words(plan14):
    row = assess_one(plan14, "C1", "2023Q2 5.2", "2023Q2")
    assert (outlook_sentence(row), outlook_lines(row)) == ("", [])


def test_explain_reduction_total(plan15):
    text = "\n".join(explain(assess_one(plan15, "R1", "2026Q4 3.5, 2027Q4 3.6, 2028Q2 1.8", "2028Q2")))
    for fragment in ("= -0.081373", "P = Λ ÷ ln(1−17%) = 0.4367", "至今累计降低 7.82%", "判定为「滞后」"):
        assert fragment in text
