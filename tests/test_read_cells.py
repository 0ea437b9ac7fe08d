"""lib.workbook reads cells with calamine directly: the frames must equal pd.read_excel's (engine calamine,
header=None, dtype=object, no NA guessing), cell by cell and type by type, on every fixture it may read."""
from __future__ import annotations

import datetime as dt
import glob
import io

import pandas as pd
import pytest

from lib.bookscan import _excel_column
from lib.workbook import _open, _read_sheets

TOO_LARGE = "tests/fixtures/bad/sheet-too-large.xlsx"     # refused before calamine runs: nothing to compare
FILES = sorted(set(glob.glob("tests/fixtures/good/*.xls*") + glob.glob("tests/fixtures/bad/*.xls*")
                   + ["tests/fixtures/hostile/old-format.xls"]) - {TOO_LARGE})


def cells(frame: pd.DataFrame) -> list[list[tuple[type, object]]]:
    return [[(type(v), "nan" if v != v else v) for v in row] for row in frame.itertuples(index=False)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_frames_equal_pandas_reader(path):
    data = open(path, "rb").read()
    book = _open(data)
    assert not book.refused and not any(i.too_large or i.too_many_cells for i in book.sheets.values())
    names = book.sheet_names
    expected = pd.read_excel(io.BytesIO(data), sheet_name=names, engine="calamine", header=None, dtype=object,
                             keep_default_na=False, na_filter=False)
    got = _read_sheets(data, names)
    assert {n: (got[n].shape, list(got[n].columns), cells(got[n])) for n in names} == \
           {n: (expected[n].shape, list(expected[n].columns), cells(expected[n])) for n in names}


@pytest.mark.parametrize("column, want", [
    (["指标编号", "Y01", ""], [(str, "指标编号"), (str, "Y01"), (str, "")]),       # text only: left as it is
    (["年份", 2023.0, 2.5, ""], [(str, "年份"), (int, 2023), (float, 2.5), (str, "")]),
    ([True, 1, 1.0], [(bool, True), (int, 1), (int, 1)]),
    ([dt.date(2023, 1, 2), "x"], [(dt.datetime, dt.datetime(2023, 1, 2)), (str, "x")]),
    ([dt.datetime(2023, 1, 2, 3, 4), 7], [(dt.datetime, dt.datetime(2023, 1, 2, 3, 4)), (int, 7)]),
])
def test_a_column_is_converted_as_pandas_converts_each_cell(column, want):
    assert [(type(v), v) for v in _excel_column(column)] == want


EDGE_FLOATS = [1.0, 2.5, -0.0, -3.0, 1e20, 2.0 ** 63, -(2.0 ** 63), 2.0 ** 62, 9.007199254740993e15, 0.1,
               float("inf"), float("-inf"), float("nan"), 1e308]


@pytest.mark.parametrize("column", [EDGE_FLOATS, ["年份", *EDGE_FLOATS, "", True, False], [0.0] * 3 + ["x"]],
                         ids=["floats only", "mixed", "zeros and text"])
def test_whole_floats_become_the_ints_excel_value_gives_at_every_magnitude(column):
    """The array path (a column with floats and no dates) gives each cell exactly what _excel_value gives."""
    from lib.bookscan import _excel_value
    got, want = list(_excel_column(column)), [_excel_value(v) for v in column]
    assert [type(v) for v in got] == [type(v) for v in want]
    assert [repr(v) for v in got] == [repr(v) for v in want]
