"""Generate the workbook fixtures: tests/fixtures/good/, tests/fixtures/bad/ (one defect each, named after
it) and tests/fixtures/hostile/ (files that are not a readable workbook at all).

    .venv/bin/python scripts/make_bad_fixtures.py

Every bad fixture starts from the same valid rows (GOOD_INDICATORS / GOOD_TASKS, for 区发改局) and changes
exactly one thing; tests/test_workbook.py lists the (code, sheet, row, column) each must yield. The zip bomb
is not stored (it is built inside the test); everything else is small.

`minimal_xls` writes a real old-format .xls (BIFF8 in an OLE2 compound file) without any library, because
no .xls writer is installed.
"""
from __future__ import annotations

import datetime as dt
import io
import struct
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pandas as pd
from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.schema import INDICATOR_SHEET, TASK_SHEET  # noqa: E402
from lib.xlsx import workbook_bytes, write_progress_workbook  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
UNIT = "区发改局"

# Excel rows: header = 1, so GOOD_INDICATORS[i] is row i + 2.
GOOD_INDICATORS = pd.DataFrame([
    dict(indicator_id="Y01", indicator_name="地区生产总值年均增速", year=2023, quarter=1, value=8.5, unit=UNIT, note="统计快报"),
    dict(indicator_id="Y01", indicator_name="地区生产总值年均增速", year=2023, quarter=2, value=8.7, unit=UNIT),
    dict(indicator_id="Y02", indicator_name="全员劳动生产率年均增速", year=2023, quarter=2, value=9.1, unit=UNIT),
    dict(indicator_id="B01", indicator_name="单位生产总值能源消耗降低", year=2023, quarter=1, value=1.2, annual_target=3.0, unit=UNIT),
    dict(indicator_id="B01", indicator_name="单位生产总值能源消耗降低", year=2023, quarter=2, value=2.1, unit=UNIT),
    dict(indicator_id="K01", indicator_name="服务业增加值", year=2022, quarter=4, value=300, unit=UNIT),
    dict(indicator_id="Y03", indicator_name="常住人口城镇化率", year=2023, quarter=2, value=86.5, unit=UNIT),
])
GOOD_TASKS = pd.DataFrame([
    dict(task_id="T01-01", task_name="优化区域发展布局", year=2023, quarter=1, state="推进中", percent=40,
         progress="完成布局规划初稿", problems="", next_steps="征求意见", unit=UNIT),
    dict(task_id="T01-01", task_name="优化区域发展布局", year=2023, quarter=2, state="推进中", percent=55, unit=UNIT),
    dict(task_id="T03-01", task_name="提质发展现代服务业", year=2023, quarter=2, state="推进中", percent=60, unit=UNIT),
])

COLUMN = {c.name: i + 1 for i, c in enumerate(INDICATOR_SHEET.columns)}      # openpyxl column numbers
TASK_COLUMN = {c.name: i + 1 for i, c in enumerate(TASK_SHEET.columns)}


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return GOOD_INDICATORS.copy().astype(object), GOOD_TASKS.copy().astype(object)


def _set(frame: pd.DataFrame, excel_row: int, column: str, value: object) -> pd.DataFrame:
    frame.loc[excel_row - 2, column] = value
    return frame


def with_rows(edit_indicators: Callable[[pd.DataFrame], object] | None = None,
              edit_tasks: Callable[[pd.DataFrame], object] | None = None) -> Workbook:
    ind, tasks = _frames()
    if edit_indicators:
        edit_indicators(ind)
    if edit_tasks:
        edit_tasks(tasks)
    return write_progress_workbook(ind, tasks)


def with_sheet(edit: Callable[[Workbook], None]) -> Workbook:
    wb = with_rows()
    edit(wb)
    return wb


def _indicators(wb: Workbook):
    return wb[INDICATOR_SHEET.label]


def _tasks(wb: Workbook):
    return wb[TASK_SHEET.label]


def _missing_sheet(wb: Workbook) -> None:
    _indicators(wb).title = "Sheet1"
    del wb[TASK_SHEET.label]


def _missing_column(wb: Workbook) -> None:
    _indicators(wb).delete_cols(COLUMN["unit"])


def _duplicate_column(wb: Workbook) -> None:
    ws = _indicators(wb)
    col = ws.max_column + 1
    ws.cell(1, col, INDICATOR_SHEET.label_of("value"))


def _extra_column(wb: Workbook) -> None:
    ws = _indicators(wb)
    col = ws.max_column + 1
    ws.cell(1, col, "联系人")
    ws.cell(2, col, "张三")


def _title_row(wb: Workbook) -> None:
    ws = _indicators(wb)
    ws.insert_rows(1)
    ws.cell(1, 1, "2023年二季度指标进度")


def _formula(wb: Workbook) -> None:
    _indicators(wb).cell(4, COLUMN["value"], "=8.5+0.6")     # openpyxl stores no cached value


def _error_cell(wb: Workbook) -> None:
    _indicators(wb).cell(4, COLUMN["value"], "#DIV/0!")      # openpyxl writes it as an error cell (t="e")


def _merged(wb: Workbook) -> None:
    col = COLUMN["unit"]
    _indicators(wb).merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)


def _percent_value(wb: Workbook) -> None:
    cell = _indicators(wb).cell(3, COLUMN["value"], 0.087)
    cell.number_format = "0.0%"


def _percent_progress(wb: Workbook) -> None:
    cell = _tasks(wb).cell(4, TASK_COLUMN["percent"], 0.6)
    cell.number_format = "0%"


def _date_value(wb: Workbook) -> None:
    cell = _indicators(wb).cell(4, COLUMN["value"], dt.datetime(2023, 9, 1))
    cell.number_format = "yyyy-mm-dd"


def _far_cell(wb: Workbook) -> None:
    _indicators(wb).cell(1_048_576, 16_384, 1)


def _headers_only(wb: Workbook) -> None:
    for ws in wb.worksheets:
        ws.delete_rows(2, ws.max_row)


BAD: dict[str, Callable[[], Workbook]] = {
    # errors: indicators
    "unknown-id": lambda: with_rows(lambda f: _set(f, 4, "indicator_id", "Y13")),
    "unknown-unit": lambda: with_rows(lambda f: _set(f, 3, "unit", "区发该局")),
    "unit-is-group": lambda: with_rows(lambda f: _set(f, 3, "unit", "各镇、街道")),
    "not-responsible": lambda: with_rows(lambda f: (_set(f, 4, "indicator_id", "Y08"), _set(f, 4, "indicator_name", "城镇调查失业率"), _set(f, 4, "value", 5.2))),
    "year-outside-plan": lambda: with_rows(lambda f: _set(f, 3, "year", 2026)),
    "year-not-number": lambda: with_rows(lambda f: _set(f, 3, "year", "二〇二三")),
    "bad-quarter": lambda: with_rows(lambda f: _set(f, 3, "quarter", "第五季度")),
    "value-not-number": lambda: with_rows(lambda f: _set(f, 3, "value", "约8.7")),
    "value-boolean": lambda: with_rows(lambda f: _set(f, 3, "value", True)),
    # a note but no number: the clerk meant to report (a row with nothing typed is "not reported", a warning)
    "value-empty": lambda: with_rows(lambda f: (_set(f, 4, "value", None), _set(f, 4, "note", "统计局数据待发布"))),
    "date-in-number-cell": lambda: with_sheet(_date_value),
    "share-above-100": lambda: with_rows(lambda f: _set(f, 8, "value", 101.5)),
    "negative-count": lambda: with_rows(lambda f: (_set(f, 7, "indicator_id", "K02"), _set(f, 7, "indicator_name", "限上贸易业和规上服务业企业数"), _set(f, 7, "value", -3))),
    "percent-as-fraction": lambda: with_rows(lambda f: _set(f, 8, "value", 0.865)),
    "percent-formatted-value": lambda: with_sheet(_percent_value),
    "duplicate-period": lambda: with_rows(lambda f: _set(f, 3, "quarter", 1)),
    "target-conflict": lambda: with_rows(lambda f: _set(f, 6, "annual_target", 3.5)),
    "text-too-long": lambda: with_rows(lambda f: _set(f, 2, "note", "数" * 6000)),
    # errors: structure and hidden cells
    "missing-sheet": lambda: with_sheet(_missing_sheet),
    "missing-column": lambda: with_sheet(_missing_column),
    "duplicate-column": lambda: with_sheet(_duplicate_column),
    "header-not-first-row": lambda: with_sheet(_title_row),
    "no-rows": lambda: with_sheet(_headers_only),
    "sheet-too-large": lambda: with_sheet(_far_cell),
    "formula-without-cached-value": lambda: with_sheet(_formula),
    "error-cell": lambda: with_sheet(_error_cell),
    "merged-cells": lambda: with_sheet(_merged),
    # errors: tasks
    "unknown-task": lambda: with_rows(edit_tasks=lambda f: _set(f, 3, "task_id", "T11-01")),
    "unknown-task-state": lambda: with_rows(edit_tasks=lambda f: _set(f, 3, "state", "进行中")),
    "percent-complete-above-100": lambda: with_rows(edit_tasks=lambda f: _set(f, 4, "percent", 120)),
    "percent-complete-not-number": lambda: with_rows(edit_tasks=lambda f: _set(f, 4, "percent", "过半")),
    "task-duplicate-period": lambda: with_rows(edit_tasks=lambda f: _set(f, 3, "quarter", "Q1")),
    # warnings
    "implausible-value": lambda: with_rows(lambda f: _set(f, 3, "value", 35)),
    "name-mismatch": lambda: with_rows(lambda f: _set(f, 4, "indicator_name", "地区生产总值年均增速")),
    "quota-without-target": lambda: with_rows(lambda f: _set(f, 5, "annual_target", None)),
    "target-not-quota": lambda: with_rows(lambda f: _set(f, 2, "annual_target", 9)),
    "extra-column": lambda: with_sheet(_extra_column),
    "percent-formatted-progress": lambda: with_sheet(_percent_progress),
}


# --- hostile files ---------------------------------------------------------------------------------

def good_bytes() -> bytes:
    return workbook_bytes(with_rows())


def _rezip(data: bytes, replace: dict[str, Callable[[bytes], bytes]]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename in replace:
                content = replace[info.filename](content)
            dst.writestr(info.filename, content)
    return out.getvalue()


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
          + b"]>\n")


def _with_entities(xml: bytes) -> bytes:
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    return LAUGHS + body.replace(b"</sheetData>", b"</sheetData>", 1)


def billion_laughs(member: str) -> bytes:
    return _rezip(good_bytes(), {member: _with_entities})


def encrypted_xlsx() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good_bytes())).encrypt("secret", out)
    return out.getvalue()


def _record(kind: int, payload: bytes) -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _biff8_workbook(sheet_name: str, rows: list[list[object]]) -> bytes:
    """A BIFF8 workbook stream: globals (BOF, CODEPAGE, BOUNDSHEET, SST, EOF) + one worksheet."""
    strings: list[str] = []
    for row in rows:
        for v in row:
            if isinstance(v, str) and v not in strings:
                strings.append(v)
    bof = lambda dt_: _record(0x0809, struct.pack("<HHHHII", 0x0600, dt_, 0x0DBB, 0x07CC, 0, 0x0006))  # noqa: E731
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    name = sheet_name.encode("utf-16-le")

    def globals_(sheet_offset: int) -> bytes:
        boundsheet = struct.pack("<IBBBB", sheet_offset, 0, 0, len(sheet_name), 1) + name
        return bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + _record(0x0085, boundsheet) \
            + _record(0x00FC, sst) + _record(0x000A, b"")

    cells = b""
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                cells += _record(0x00FD, struct.pack("<HHHI", r, c, 0, strings.index(v)))
            else:
                cells += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(v)))
    width = max(len(r) for r in rows)
    sheet = bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells + _record(0x000A, b"")
    offset = len(globals_(0))
    stream = globals_(offset) + sheet
    return stream


def _cfb(stream_name: str, stream: bytes) -> bytes:
    """An OLE2 compound file (version 3, 512-byte sectors) holding one stream in regular sectors."""
    sector = 512
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    stream = stream + b"\x00" * (max(4096, -(-len(stream) // sector) * sector) - len(stream))  # ≥ mini cutoff
    n_stream = len(stream) // sector
    assert n_stream + 2 <= sector // 4, "stream too large for one FAT sector"
    fat = [fat_sect, end] + [2 + i + 1 for i in range(n_stream - 1)] + [end]
    fat += [free] * (sector // 4 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))
    assert len(header) == 512

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\x00").encode("utf-16-le") if name else b""
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", nostream, nostream, child)
                + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16 + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1, end, 0) + entry(stream_name, 2, nostream, 2, len(stream))
    directory += (b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", nostream, nostream, nostream) + b"\x00" * 36 + struct.pack("<IQ", 0, 0)) * 2
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + stream


def minimal_xls(indicators: pd.DataFrame | None = None) -> bytes:
    """A real .xls (BIFF8) with the 指标进度 sheet holding `indicators` (default: the good rows)."""
    frame = (GOOD_INDICATORS if indicators is None else indicators).reindex(columns=INDICATOR_SHEET.names)
    rows: list[list[object]] = [INDICATOR_SHEET.labels]
    for rec in frame.itertuples(index=False):
        rows.append([None if (v is None or (isinstance(v, float) and pd.isna(v))) else v for v in rec])
    return _cfb("Workbook", _biff8_workbook(INDICATOR_SHEET.label, rows))


def truncated() -> bytes:
    data = good_bytes()
    return data[: len(data) // 2]


HOSTILE: dict[str, Callable[[], bytes]] = {
    "empty.xlsx": lambda: b"",
    "csv-renamed.xlsx": lambda: "指标编号,年份,季度,数值\nY01,2023,1,8.5\n".encode("utf-8-sig"),
    "png-renamed.xlsx": lambda: b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64,
    "html-renamed.xlsx": lambda: "<html><body><table><tr><td>指标编号</td></tr></table></body></html>".encode(),
    "encrypted.xlsx": encrypted_xlsx,
    "truncated.xlsx": truncated,
    "entities-in-sheet.xlsx": lambda: billion_laughs("xl/worksheets/sheet1.xml"),
    "entities-in-workbook.xlsx": lambda: billion_laughs("xl/workbook.xml"),
    "old-format.xls": minimal_xls,
}


def _save(wb: Workbook, path: Path) -> None:
    wb.save(path)


def main() -> None:
    for folder in ("good", "bad", "hostile"):
        (FIXTURES / folder).mkdir(parents=True, exist_ok=True)
    _save(with_rows(), FIXTURES / "good" / "progress-good.xlsx")
    for name, build in BAD.items():
        _save(build(), FIXTURES / "bad" / f"{name}.xlsx")
    for name, build in HOSTILE.items():
        (FIXTURES / "hostile" / name).write_bytes(build())
    load_workbook(FIXTURES / "good" / "progress-good.xlsx")  # sanity: openpyxl can read what we wrote
    print(f"{len(BAD)} bad, 1 good, {len(HOSTILE)} hostile fixtures in {FIXTURES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
