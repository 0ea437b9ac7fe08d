import math

import pytest

from lib import fmt


# Reported values keep the decimals they were reported with (at least the unit's usual ones).
@pytest.mark.parametrize("value,unit,expected", [
    (9.5, "%", "9.5%"), (9.0, "%", "9%"), (87.46, "%", "87.46%"), (250.03, "亿元", "250.03亿元"), (400.0, "亿元", "400亿元"),
    (40000, "人", "4万人"), (21400, "人", "2.14万人"), (21435, "人", "2.1435万人"), (9000, "人", "9,000人"),
    (12.11, "万吨", "12.11万吨"), (12.85, "万吨", "12.85万吨"), (1.85, "个", "1.85个"),
    (79.45, "岁", "79.45岁"),            # issue 12: never rounded onto its target 79.5
    (5.9, "个", "5.9个"), (0.1 + 0.2, "%", "0.3%"),   # arithmetic noise beyond 4 decimals is not a reported digit
    (-6.4, "%", "-6.4%"), (math.nan, "%", "—"), (None, "%", "—"),
])
def test_with_unit(value, unit, expected):
    assert fmt.with_unit(value, unit) == expected


# Computed values are rounded half-up to the digits asked for, trailing zeros dropped.
@pytest.mark.parametrize("value,unit,digits,expected", [
    (12.85, "万吨", 1, "12.9万吨"), (1.85, "个", 1, "1.9个"), (6.9, "%", 2, "6.9%"), (6.904, "%", 2, "6.9%"),
    (7.6712, "%", 2, "7.67%"), (7.675, "%", 2, "7.68%"), (-0.04, "%", 1, "0%"), (78.96, "%", 0, "79%"),
    (21449, "人", 1, "2.14万人"),
])
def test_with_unit_digits(value, unit, digits, expected):
    assert fmt.with_unit(value, unit, digits) == expected


@pytest.mark.parametrize("value,expected", [(79.45, 2), (12.0, 0), (40000, 0), (0.1 + 0.2, 4), (2.5e-3, 4), (-6.4, 1)])
def test_decimals(value, expected):
    assert fmt.decimals(value) == expected


@pytest.mark.parametrize("value,expected", [(-0.1649, "-0.16"), (0.5, "+0.5"), (0.0, "0"), (-0.001, "0"), (math.nan, "—")])
def test_signed(value, expected):
    assert fmt.signed(value) == expected


@pytest.mark.parametrize("kind,target,unit,ref,expected", [
    ("growth_rate", 9, "%", "", "年均增长 9%"), ("level_up", 90, "%", "", "达到 90%"), ("ceiling", 5.5, "%", "", "控制在 5.5% 以内"),
    ("cumulative", 40000, "人", "", "五年累计 4万人"), ("in_step", None, "%", "Y01", "与 Y01 基本同步"), ("quota", None, "%", "", "完成上级下达指标"),
    ("reduction_total", 17, "%", "", "五年累计降低 17%"),
])
def test_target_phrase(kind, target, unit, ref, expected):
    assert fmt.target_phrase(kind, target, unit, ref) == expected


@pytest.mark.parametrize("kind,target,unit,ref,expected", [
    ("growth_rate", 9, "%", "", "年均9%"), ("level_up", 90, "%", "", "90%"), ("ceiling", 5.5, "%", "", "≤5.5%"),
    ("cumulative", 40000, "人", "", "累计4万人"), ("in_step", None, "%", "地区生产总值增速", "与地区生产总值增速同步"),
    ("quota", None, "%", "", "完成上级下达指标"), ("reduction_total", 17, "%", "", "累计降低17%"),
    ("level_up", 80, None, "", "80"),
])
def test_target_phrase_compact_is_the_reports_table_cell(kind, target, unit, ref, expected):
    assert fmt.target_phrase(kind, target, unit, ref, compact=True) == expected


@pytest.mark.parametrize("share,expected", [(0.4285, "42.9%"), (0.5, "50%"), (0.92, "92%"), (1.05375, "105.4%"), (0.12345, "12.3%"), (0.00125, "0.1%"), (math.nan, "—")])
def test_percent(share, expected):
    assert fmt.percent(share) == expected
