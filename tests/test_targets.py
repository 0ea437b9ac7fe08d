"""The office's annual-target override (lib/targets.py), the one rule behind the store's effective progress,
the upload preview and the assessment's per-year targets."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from lib.targets import with_office_targets


def frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"indicator_id": str})


ROWS = frame("""indicator_id,year,quarter,annual_target
B01,2022,2,3.0
B01,2022,4,3.0
B01,2023,4,
B02,2022,4,5.0
""")


@pytest.mark.parametrize("office, add_years, expected", [
    # no settings: the workbook's numbers stay
    (None, False, [3.0, 3.0, np.nan, 5.0]),
    ("indicator_id,year,annual_target\n", False, [3.0, 3.0, np.nan, 5.0]),
    # a setting replaces the year's number on every row of that year, and fills a row without one
    ("indicator_id,year,annual_target\nB01,2022,2.5\n", False, [2.5, 2.5, np.nan, 5.0]),
    ("indicator_id,year,annual_target\nB01,2023,2.0\n", False, [3.0, 3.0, 2.0, 5.0]),
    # ids compare trimmed and upper case (as the assessment reads workbooks); a cleared setting is none
    ("indicator_id,year,annual_target\n b02 ,2022,4.0\n", False, [3.0, 3.0, np.nan, 4.0]),
    ("indicator_id,year,annual_target\nB02,2022,\n", False, [3.0, 3.0, np.nan, 5.0]),
    # two settings for one year: the later wins
    ("indicator_id,year,annual_target\nB02,2022,4.0\nB02,2022,4.5\n", False, [3.0, 3.0, np.nan, 4.5]),
    # a year no row carries: ignored for rows, appended for the assessment's per-year targets
    ("indicator_id,year,annual_target\nB03,2024,1.0\n", False, [3.0, 3.0, np.nan, 5.0]),
    ("indicator_id,year,annual_target\nB03,2024,1.0\nB01,2022,2.5\n", True, [2.5, 2.5, np.nan, 5.0, 1.0]),
])
def test_office_setting_wins_for_its_indicator_and_year(office, add_years, expected):
    out = with_office_targets(ROWS, frame(office) if office is not None else None, add_years=add_years)
    np.testing.assert_array_equal(out["annual_target"].to_numpy(dtype=float), np.array(expected, dtype=float))


def test_appended_year_carries_its_key_and_the_input_is_not_changed():
    before = ROWS.copy()
    out = with_office_targets(ROWS, frame("indicator_id,year,annual_target\nB03,2024,1.0\n"), add_years=True)
    assert out.iloc[-1][["indicator_id", "year"]].tolist() == ["B03", 2024]
    assert np.isnan(out.iloc[-1]["quarter"])
    pd.testing.assert_frame_equal(ROWS, before)
