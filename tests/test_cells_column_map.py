"""lib.cells.column_map: a function of each cell of a column, computed once per distinct (type, value).
It must give exactly what calling the function on every cell gives, type by type."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from lib.cells import clean_text, column_map, is_blank, parse_number, parse_year
from lib.bookscan import _excel_value

MIXED = [1, 1.0, True, 0, 0.0, False, None, math.nan, "", " ", "2023", 2023, 2023.0, "2023年", "1,234", "12%",
         dt.datetime(2023, 1, 1), dt.date(2023, 1, 1), 2.5, "2.5", -3, "Y01", "y01", "ＡＢ", 1e300, math.inf, None, 1]


@pytest.mark.parametrize("fn", [is_blank, parse_number, parse_year, clean_text, _excel_value, type, repr])
def test_column_map_equals_the_function_on_every_cell(fn):
    got = column_map(fn, MIXED).tolist()
    want = [fn(v) for v in MIXED]
    assert [(type(g), repr(g)) for g in got] == [(type(w), repr(w)) for w in want]


@pytest.mark.parametrize("column, calls", [([], 0), ([1, 1, 1.0, True, "1", "1"], 4), ([None, math.nan, None], 2),
                                           ([[1], [1]], 2)])
def test_column_map_calls_once_per_distinct_type_and_value(column, calls):
    seen = []
    out = column_map(lambda v: seen.append(v) or type(v).__name__, column)
    assert len(seen) == calls and out.tolist() == [type(v).__name__ for v in column]
