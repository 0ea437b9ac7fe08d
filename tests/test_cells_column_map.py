"""lib.cells.column_map: a function of each cell of a column, computed once per distinct (type, value).
It must give exactly what calling the function on every cell gives, type by type."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from lib.cells import (_first_of_each, clean_text, column_map, group_codes, grouped_map, is_blank, joint_codes,
                       parse_number, parse_year)
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


@pytest.mark.parametrize("column, seen, out", [
    ([0.0, -0.0, 0.0], ["0.0"], ["0.0"] * 3),               # equal floats: one group, fn sees the first cell
    ([-0.0, 0.0], ["-0.0"], ["-0.0"] * 2),
    ([math.nan, None, math.nan, None], ["nan", "None"], ["nan", "None", "nan", "None"]),   # kept apart
    (["b", "a", "b", "c"], ["'b'", "'a'", "'c'"], ["'b'", "'a'", "'b'", "'c'"]),   # one type: by value alone
    ([2.5, "2.5", 2.5, True, 1, 1.0], ["2.5", "'2.5'", "True", "1", "1.0"], ["2.5", "'2.5'", "2.5", "True", "1", "1.0"]),
])
def test_column_map_calls_fn_on_the_first_cell_of_each_group(column, seen, out):
    calls = []
    got = column_map(lambda v: calls.append(repr(v)) or repr(v), column)
    assert calls == seen and got.tolist() == out


@pytest.mark.parametrize("codes, first", [([0, 0, 1, 0, 2], [0, 2, 4]), ([1, 0, 1], [1, 0]), ([2, 1, 0], [2, 1, 0])])
def test_first_of_each_group_whatever_order_the_codes_come_in(codes, first):
    assert _first_of_each(np.array(codes), len(set(codes))).tolist() == first


def test_joint_codes_group_rows_by_every_column_in_order_of_first_appearance():
    ids, units = ["Y01", "Y02", "Y01", "Y01", "Y02"], ["甲", "甲", "乙", "甲", "甲"]
    codes = joint_codes(group_codes(ids), group_codes(units))
    assert codes.tolist() == [0, 1, 2, 0, 1]
    assert joint_codes(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)).tolist() == []


def test_grouped_map_asks_a_rule_of_several_columns_once_per_combination():
    ids, units = ["Y01", "Y02", "Y01", "Y01", "Y02"], ["甲", "甲", "乙", "甲", "甲"]
    asked = []
    out = grouped_map(lambda i, u: asked.append((i, u)) or f"{i}{u}", joint_codes(group_codes(ids), group_codes(units)),
                      ids, units)
    assert out.tolist() == [f"{i}{u}" for i, u in zip(ids, units)]
    assert asked == [("Y01", "甲"), ("Y02", "甲"), ("Y01", "乙")]


def test_unhashable_cells_each_get_a_group_of_their_own():
    assert group_codes([[1], [1], "a"]).tolist() == [0, 1, 2]


@pytest.mark.parametrize("dtype, fn", [(bool, lambda v: v), (float, lambda v: float(len(str(v))) if v else float("nan"))])
def test_grouped_map_with_a_dtype_equals_converting_every_answer(dtype, fn):
    column = ["", "x", 0, 1.5, None, "x", "", True, 0]
    codes = group_codes(column)
    got = grouped_map(fn, codes, column, dtype=dtype)
    want = np.array([fn(v) for v in column], dtype=object).astype(dtype)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    assert grouped_map(fn, codes[:0], column, dtype=dtype).dtype == want.dtype
