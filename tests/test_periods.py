"""Quarters: how one is written and when it ends (report deadlines count from the end)."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib.periods import Period, period_labels


@pytest.mark.parametrize("period,label,end", [
    (Period(2023, 1), "2023Q1", date(2023, 3, 31)),
    (Period(2023, 2), "2023Q2", date(2023, 6, 30)),
    (Period(2023, 3), "2023Q3", date(2023, 9, 30)),
    (Period(2023, 4), "2023Q4", date(2023, 12, 31)),   # the next quarter starts in the next year
    (Period(2024, 1), "2024Q1", date(2024, 3, 31)),
    (Period(2030, 4), "2030Q4", date(2030, 12, 31)),
])
def test_label_and_end(period, label, end):
    assert (period.label, str(period), period.end) == (label, label, end)


@pytest.mark.parametrize("text", ["2023Q2", " 2023 q2 ", "2023q2"])
def test_label_round_trips_through_parse(text):
    assert Period.parse(text).label == "2023Q2"


@pytest.mark.parametrize("period,chinese,short", [
    (Period(2023, 1), "2023年第一季度", "23年Q1"), (Period(2025, 4), "2025年第四季度", "25年Q4"),
    (Period(2009, 2), "2009年第二季度", "09年Q2"),
])
def test_chinese_and_short_labels(period, chinese, short):
    assert (period.chinese, period.short_label) == (chinese, short)


@pytest.mark.parametrize("years,quarters,expected", [
    ([2023, 2024], [2, 4], ["2023Q2", "2024Q4"]),
    (np.array([8093]) // 4, np.array([8093]) % 4 + 1, ["2023Q2"]),           # from period indices
    (pd.Series([2023.0, 2024.0]), pd.Series([1.0, 3.0]), ["2023Q1", "2024Q3"]),   # float columns: no "2023.0"
    (pd.Series([2023, None], dtype="Int64"), pd.Series([1, 2], dtype="Int64"), ["2023Q1", ""]),
    ([], [], []),
])
def test_period_labels_of_whole_columns(years, quarters, expected):
    labels = period_labels(years, quarters)
    assert labels.dtype == object and labels.tolist() == expected
