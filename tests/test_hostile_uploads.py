"""Hostile or damaged uploads (issue 9, points 1–5): each class gives its code, in bounded memory, and a
parser that aborts takes only the reading process down.

Fixtures come from scripts/make_hostile_fixtures.py (small ones committed in tests/fixtures/hostile/, big
ones written into tmp_path here). Memory: in-process checks are measured with tracemalloc; for the
reading process, its peak resident size (RUSAGE_CHILDREN) must stay under its address-space limit.
No wall-clock assertions: subprocess timeouts only guard against hangs.
"""
from __future__ import annotations

import io
import resource
import struct
import tracemalloc
import zipfile

import pytest

from lib import settings
from lib.biff import Extent, sheet_extents
from lib.filecheck import check_file
from lib.findings import FindingCap, Severity
from lib.readworker import read_isolated
from lib.sheetxml import MAX_CELLS, scan_sheet
from lib.workbook import read_workbook
from scripts.make_bad_fixtures import GOOD_INDICATORS, good_bytes, minimal_xls
from scripts.make_hostile_fixtures import FIXTURES, HOSTILE, lying_member_bytes, rows_without_r
from tests.conftest import ROOT

MAX_PEAK_BYTES = 64 * 1024 * 1024     # in-process checks (tracemalloc)
UNIT = "区发改局"


def peak_bytes(fn, *args, **kwargs):
    tracemalloc.start()
    try:
        out = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


def child_peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def test_every_class_has_a_committed_fixture():
    assert sorted(p.name for p in HOSTILE.iterdir() if p.name in FIXTURES) == sorted(FIXTURES)
    assert all((HOSTILE / name).stat().st_size < 100 * 1024 for name in FIXTURES)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_class_gives_its_code_in_the_reading_process(plan, name):
    result = read_isolated(HOSTILE / name, plan, unit=UNIT)
    assert FIXTURES[name][1] in codes(result)
    assert not result.ok
    assert child_peak_mb() < settings.get("reader_memory_mb")


@pytest.mark.parametrize("name", sorted(n for n, (_, code) in FIXTURES.items() if code != "file.unsafe"))
def test_each_class_is_refused_in_bounded_memory_in_process(plan, name):
    """Everything but the deliberate abort can also be checked in this process, without the worker."""
    result, peak = peak_bytes(read_workbook, HOSTILE / name, plan, unit=UNIT)
    assert FIXTURES[name][1] in codes(result)
    assert peak < MAX_PEAK_BYTES, f"{peak / 2**20:.0f} MB"


@pytest.mark.parametrize("name, expected", [
    ("far-cell-single-quotes.xlsx", [("wb.sheet_too_large", "A1:XFD1048576")]),
    ("far-cell-tab-before-r.xlsx", [("wb.sheet_too_large", "A1:XFD1048576")]),
    ("wide-row-without-r.xlsx", [("wb.sheet_too_large", "A1:BM9")]),
    ("xls-far-cell.xls", [("wb.sheet_too_large", "A1:IV65536")]),
    ("xls-huge-dimensions.xls", [("wb.sheet_too_large", "A1:IV4294967295")]),
    ("corrupt-deflate.xlsx", [("file.truncated", "corrupt-deflate.xlsx")]),
    ("missing-year-column.xlsx", [("wb.column_missing", "年份")]),
    ("missing-quarter-column.xlsx", [("wb.column_missing", "季度")]),
])
def test_exact_findings(plan, name, expected):
    result = read_workbook(HOSTILE / name, plan, unit=UNIT)
    assert [(f.code, f.value) for f in result.findings] == expected


def test_whole_sheet_merges_are_clipped_to_the_data_area(plan):
    result = read_workbook(HOSTILE / "merged-whole-sheet-5.xlsx", plan, unit=UNIT)
    merged = [f for f in result.findings if f.code == "wb.merged_cells"]
    assert [(f.row, f.value) for f in merged] == [(3, "A3:XFD1048576")] * 5
    assert list(result.indicator_rows["row"]) == [2]   # rows 3… are all inside the merge


def test_a_million_rows_without_r_stop_at_the_row_limit(plan, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANMON_VALIDATE_BUDGET_S", "600")   # tracemalloc slows the parse severalfold
    path = rows_without_r(tmp_path / "rows.xlsx")
    assert path.stat().st_size < settings.get("max_upload_mb") * 2**20
    result, peak = peak_bytes(read_workbook, path, plan, unit=UNIT)
    assert [(f.code, f.value) for f in result.findings] == [("wb.sheet_too_large", "A1:H100002")]
    assert peak < MAX_PEAK_BYTES, f"{peak / 2**20:.0f} MB"


def test_member_inflating_to_two_gigabytes_stops_at_its_declared_size(tmp_path):
    data = lying_member_bytes(inflated=2 * 1024**3)
    assert len(data) < 3 * 2**20
    found, peak = peak_bytes(check_file, data, "lies.xlsx")
    assert (found.code, found.value) == ("file.member_size", "lies.xlsx")
    assert "xl/worksheets/sheet1.xml" in found.message
    assert peak < MAX_PEAK_BYTES, f"{peak / 2**20:.0f} MB"


def test_a_dead_reader_is_one_message_and_this_process_lives_on(plan):
    """calamine aborts on this file (SIGABRT); only the reading process dies."""
    result = read_isolated(HOSTILE / "shared-strings-count-aborts.xlsx", plan, unit=UNIT)
    assert codes(result) == ["file.unsafe"] and not result.readable
    assert "无法安全读取" in result.findings[0].message
    assert codes(read_isolated(ROOT / "tests" / "fixtures" / "good" / "progress-good.xlsx", plan, unit=UNIT)) == []


def test_the_reading_process_has_the_memory_limit(plan, monkeypatch):
    """With too little address space the reader cannot even start: the limit is applied, and a child
    that fails for it is the same one message."""
    monkeypatch.setenv("PLANMON_READER_MEMORY_MB", "64")
    result = read_isolated(ROOT / "tests" / "fixtures" / "good" / "progress-good.xlsx", plan, unit=UNIT)
    assert codes(result) == ["file.unsafe"]


def test_isolated_and_in_process_answers_are_the_same(plan):
    for path in sorted((ROOT / "tests" / "fixtures" / "bad").glob("*.xlsx"))[:6]:
        inside, outside = read_workbook(path, plan, unit=UNIT), read_isolated(path, plan, unit=UNIT)
        assert [(f.code, f.row, f.message) for f in outside.findings] == [(f.code, f.row, f.message) for f in inside.findings]
        assert outside.indicator_rows.equals(inside.indicator_rows)


def test_validation_budget(plan, monkeypatch):
    monkeypatch.setenv("PLANMON_VALIDATE_BUDGET_S", "0")
    result = read_workbook(good_bytes(), plan, unit=UNIT, file_name="good.xlsx")
    assert [(f.code, f.value) for f in result.findings] == [("file.check_timeout", "good.xlsx")]
    assert not result.readable


def test_findings_are_capped_per_code(plan):
    from scripts.make_bad_fixtures import with_rows
    from lib.xlsx import workbook_bytes

    def many_unknown(frame):
        for k in range(250):
            frame.loc[k] = dict(GOOD_INDICATORS.iloc[0], indicator_id=f"Z{k:03d}")   # rows 2…251
    data = workbook_bytes(with_rows(many_unknown))
    result = read_workbook(data, plan, unit=UNIT)
    unknown = [f for f in result.findings if f.code == "wb.unknown_indicator"]
    assert len(unknown) == 200 and unknown[-1].row == 201
    summary = [f for f in result.findings if f.code == "wb.more_findings"]
    assert [(f.sheet, f.value, f.severity) for f in summary] == [("指标进度", "50", Severity.ERROR)]


def test_finding_cap_counts_per_sheet_and_code():
    cap = FindingCap(per_code=2)
    admitted = [cap.admit(code, Severity.ERROR, sheet) for sheet, code in
                [("A", "x"), ("A", "x"), ("A", "x"), ("B", "x"), ("A", "y"), ("A", "x")]]
    assert admitted == [True, True, False, True, True, False]
    assert [(f.sheet, f.value) for f in cap.summary()] == [("A", "2")]


# --- the streaming extent check, cell by cell -----------------------------------------------------------

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(rows: str, extra: str = "") -> io.BytesIO:
    return io.BytesIO(f"<worksheet {NS}><sheetData>{rows}</sheetData>{extra}</worksheet>".encode())


@pytest.mark.parametrize("rows, max_row, max_column", [
    ('<row r="1"><c r="A1"/><c r="H1"/></row>', 1, 7),
    ("<row><c/><c/><c/></row><row><c/></row>", 2, 2),                       # no r anywhere
    ('<row r="5"><c r="C5"/><c/><c/></row>', 5, 4),                          # r, then two without
    ("<row r='7'><c r='B7'/></row>", 7, 1),                                   # single quotes
    ('<row\tr="3"><c\n r="D3"/></row>', 3, 3),                               # tab and newline before r
    ('<row r="2"><c r="A9"/></row>', 9, 0),                                   # the cell's r wins
    ('<row r="1"><c r="B1"/><c r="A1"/></row>', 1, 1),                        # out of order
])
def test_extent_as_calamine_places_cells(rows, max_row, max_column):
    info = scan_sheet("s", sheet(rows), set())
    assert (info.max_row, info.max_column, info.too_large) == (max_row, max_column, "")


@pytest.mark.parametrize("rows, too_large", [
    ('<row r="100002"><c r="A100002"/></row>', "A1:A100002"),
    ('<row r="1"><c r="BM1"/></row>', "A1:BM1"),
    ('<row r="1"><c r="BL1"/></row>', ""),
    ("<row>" + "<c/>" * 65 + "</row>", "A1:BM1"),
])
def test_extent_limits(rows, too_large):
    assert scan_sheet("s", sheet(rows), set()).too_large == too_large


def test_cell_count_limit_stops_the_parse():
    row = "<row>" + "<c/>" * 10 + "</row>"
    info = scan_sheet("s", sheet(row * (MAX_CELLS // 10 + 1)), set())
    assert info.too_many_cells and info.cells == MAX_CELLS + 10


def test_formulas_errors_percent_cells_and_merges_with_and_without_r():
    rows = ('<row r="2"><c r="A2"><f>1+1</f></c><c t="e"><v>#DIV/0!</v></c><c s="3"><v>0.5</v></c>'
            '<c><f>2</f><v>2</v></c></row>')
    info = scan_sheet("s", sheet(rows, '<mergeCells><mergeCell ref="A3:C4"/></mergeCells>'), {3})
    assert info.formulas_without_value == {(2, 0): "=1+1"}
    assert info.error_cells == {(2, 1): "#DIV/0!"}
    assert info.percent_cells == {(2, 2)}
    assert info.merges == [((3, 0), (4, 2))]


# --- .xls records -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, extent", [
    ("old-format.xls", Extent(8, 7, 52)),
    ("xls-far-cell.xls", Extent(65536, 255, 53)),
    ("xls-huge-dimensions.xls", Extent(4294967295, 255, 52)),
])
def test_biff_extents(name, extent):
    assert sheet_extents((HOSTILE / name).read_bytes()) == {"指标进度": extent}


def test_biff_record_past_the_end_is_damage(plan):
    data = bytearray(minimal_xls())
    at = data.index(struct.pack("<HH", 0x0200, 14))          # DIMENSIONS: claim a length past the stream
    data[at + 2:at + 4] = struct.pack("<H", 0xFFFF)
    assert codes(read_workbook(bytes(data), plan)) == ["file.corrupt"]


def test_zip_member_shorter_than_declared(plan):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good_bytes())) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
    data = bytearray(buf.getvalue())
    # Declared size (central directory) of the first member one byte larger than its stream.
    end = data.rfind(b"PK\x05\x06")
    (central,) = struct.unpack_from("<I", data, end + 16)
    (size,) = struct.unpack_from("<I", data, central + 24)
    data[central + 24:central + 28] = struct.pack("<I", size + 1)
    assert check_file(bytes(data), "x.xlsx").code == "file.member_size"
