import math

import pytest

from lib import fmt


@pytest.mark.parametrize("value,unit,expected", [
    (9.5, "%", "9.5%"), (9.0, "%", "9%"), (87.46, "%", "87.5%"), (250.03, "亿元", "250.03亿元"), (400.0, "亿元", "400亿元"),
    (40000, "人", "4万人"), (21400, "人", "2.14万人"), (9000, "人", "9,000人"), (12.11, "万吨", "12.1万吨"),
    (-6.4, "%", "-6.4%"), (math.nan, "%", "—"), (None, "%", "—"),
])
def test_with_unit(value, unit, expected):
    assert fmt.with_unit(value, unit) == expected


@pytest.mark.parametrize("kind,target,unit,ref,expected", [
    ("growth_rate", 9, "%", "", "年均增长 9%"), ("level_up", 90, "%", "", "达到 90%"), ("ceiling", 5.5, "%", "", "控制在 5.5% 以内"),
    ("cumulative", 40000, "人", "", "五年累计 4万人"), ("in_step", None, "%", "Y01", "与 Y01 基本同步"), ("quota", None, "%", "", "完成上级下达指标"),
])
def test_target_phrase(kind, target, unit, ref, expected):
    assert fmt.target_phrase(kind, target, unit, ref) == expected


def test_percent():
    assert fmt.percent(0.4285) == "42.9%" and fmt.percent(math.nan) == "—"
