"""lib.framepack: a result's frames cross the pipe with text columns as categoricals and come back exactly as
they were (values, dtypes, the type of every cell, column order, attrs); a table of frames → what is packed."""
from __future__ import annotations

import math
import pickle

import pandas as pd
import pytest

from lib.findings import finding
from lib.framepack import PACKED, pack, unpack
from lib.ingest import Routed
from lib.workbook import WorkbookResult


def texts(*cells: object) -> pd.Series:
    return pd.Series(list(cells), dtype=object)   # as lib.coerce makes text columns (not pandas' str dtype)


def text_and_numbers() -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": texts("Y01", "Y02", "Y01"), "year": [2023, 2023, 2024],
                         "value": [1.5, math.nan, 2.0], "note": texts("", "备注", "")})


# frame → the columns pack turns into categoricals
FRAMES = [
    (text_and_numbers(), ["indicator_id", "note"]),
    (pd.DataFrame({"a": texts("x", None)}), []),                                # None: sent as it is
    (pd.DataFrame({"a": texts("x", math.nan)}), []),                            # NaN: sent as it is
    (pd.DataFrame({"a": texts("1", 1)}), []),                                   # str and int: sent as it is
    (pd.DataFrame({"a": pd.Series(["x", "y"])}), []),                           # pandas' str dtype: sent as it is
    (pd.DataFrame({"a": texts("x"), "b": [1]}).set_axis(["a", "a"], axis=1), []),   # twin names
    (pd.DataFrame(columns=["indicator_id", "row"]), []),                       # empty
    (pd.DataFrame({"a": pd.Series(["x", "y"], dtype="category")}), []),        # a categorical already: untouched
]


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return (list(a.columns) == list(b.columns) and a.dtypes.astype(str).tolist() == b.dtypes.astype(str).tolist()
            and a.equals(b) and a.attrs == b.attrs and a.index.equals(b.index)
            and [[type(v) for v in col] for _, col in a.items()] == [[type(v) for v in col] for _, col in b.items()])


@pytest.mark.parametrize("frame, packed", FRAMES)
def test_a_frame_comes_back_exactly(frame, packed):
    sent = pack(frame)
    assert sent.attrs.get(PACKED, []) == packed
    assert [n for n in packed if isinstance(sent[n].dtype, pd.CategoricalDtype)] == packed
    assert same(unpack(pickle.loads(pickle.dumps(sent))), frame)


def test_a_frame_keeps_its_own_attrs():
    frame = text_and_numbers()
    frame.attrs["source"] = "上传"
    back = unpack(pickle.loads(pickle.dumps(pack(frame))))
    assert back.attrs == {"source": "上传"} and same(back, frame)


def test_results_are_walked_field_by_field():
    rows = text_and_numbers()
    result = WorkbookResult([finding("wb.no_rows", sheet="指标进度")], rows, pd.DataFrame(columns=["task_id"]))
    routed = Routed(result, "plan-a")
    sent = pack(routed)
    assert sent.plan_id == "plan-a" and sent.result.findings == result.findings
    assert sent.result.indicator_rows.attrs[PACKED] == ["indicator_id", "note"]
    back = unpack(pickle.loads(pickle.dumps(sent)))
    assert back.plan_id == "plan-a" and back.result.findings == result.findings and back.result.readable
    assert same(back.result.indicator_rows, rows) and same(back.result.task_rows, result.task_rows)
    assert pack("text") == "text" and unpack(None) is None
