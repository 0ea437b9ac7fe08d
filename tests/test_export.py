import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from lib.export import csv_bytes, neutralise, xlsx_bytes

HOSTILE = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "正常文字", "-"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_leaders_are_quoted(text):
    out = neutralise(pd.DataFrame({"备注": [text]}))["备注"][0]
    assert out == (text if text == "正常文字" else "'" + text)


def test_numbers_stay_numbers_and_input_is_unchanged():
    frame = pd.DataFrame({"数值": [-6.4, 9.5], "备注": ["=1", "ok"]})
    out = neutralise(frame)
    assert out["数值"].tolist() == [-6.4, 9.5]
    assert frame["备注"].tolist() == ["=1", "ok"]


def test_csv_and_xlsx_carry_no_formulas():
    frame = pd.DataFrame({"备注": HOSTILE, "数值": range(len(HOSTILE))})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "\n=" not in text and "'=HYPERLINK" in text
    wb = load_workbook(io.BytesIO(xlsx_bytes({"进度": frame})))
    cells = [c.value for c in wb["进度"]["A"][1:]]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in cells)
    assert all(c.data_type != "f" for row in wb["进度"].iter_rows() for c in row)
    assert cells[0] == "'" + HOSTILE[0]
