"""Quarters: how one is written and when it ends (report deadlines count from the end)."""
from __future__ import annotations

from datetime import date

import pytest

from lib.periods import Period


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
