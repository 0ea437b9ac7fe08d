"""The quick sheet check (lib.sheetxml.quick_scan) answers only when it can prove scan_sheet's answer.

Each canonical sheet must give scan_sheet's findings (cells, merges, no hidden cells); each sheet that is
spelled another way, needs a closer look or passes a limit must make it give up (None), so that
scan_sheet measures it. `sheet_info` must agree with scan_sheet on every case.
"""
from __future__ import annotations

import io
import re

import pytest

from lib.sheetxml import (MAX_CELLS, MAX_COLUMNS, MAX_ROWS, _at_most, _columns_below, column_letters,
                          quick_scan, scan_sheet, sheet_info)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def xml(rows: str, extra: str = "", decl: str = DECL) -> bytes:
    return f"{decl}<worksheet {NS}><sheetData>{rows}</sheetData>{extra}</worksheet>".encode()


def comparable(info) -> tuple:
    return (info.too_large, info.too_many_cells, info.cells, info.merges, info.formulas_without_value,
            info.error_cells, info.percent_cells)


CANONICAL = [
    ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="H1"/></row>', "", 2, []),
    ('<row r="2" spans="1:2"><c r="B2"><v>5</v></c></row>', '<mergeCells count="1"><mergeCell ref="A3:C4"/></mergeCells>',
     1, [((3, 0), (4, 2))]),
    (f'<row r="{MAX_ROWS}"><c r="{column_letters(MAX_COLUMNS - 1)}{MAX_ROWS}"/></row>', "", 1, []),   # at the limits
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;c r=&quot;XFD1&quot;&gt;</t></is></c></row>', "", 1, []),
]


@pytest.mark.parametrize("rows, extra, cells, merges", CANONICAL)
def test_canonical_sheets_are_answered_quickly(rows, extra, cells, merges):
    info = quick_scan("s", xml(rows, extra), set())
    assert info is not None and not info.exact_extent
    assert comparable(info) == ("", False, cells, merges, {}, {}, set())
    assert comparable(info) == comparable(scan_sheet("s", io.BytesIO(xml(rows, extra)), set()))


GIVE_UP = {
    "single quotes": "<row r='1'><c r='A1'/></row>",
    "tab before r": '<row r="1"><c\tr="A1"/></row>',
    "r not first": '<row r="1"><c s="0" r="A1"/></row>',
    "cell without r": '<row r="1"><c/></row>',
    "row without r": '<row><c r="A1"/></row>',
    "leading zero": '<row r="1"><c r="A01"/></row>',
    "character reference in r": '<row r="1"><c r="&#88;FD1"/></row>',
    "row past the limit": f'<row r="{MAX_ROWS + 1}"><c r="A1"/></row>',
    "cell row past the limit": f'<row r="1"><c r="A{MAX_ROWS + 1}"/></row>',
    "column past the limit": f'<row r="1"><c r="{column_letters(MAX_COLUMNS)}1"/></row>',
    "far cell": '<row r="1"><c r="XFD1048576"/></row>',
    "prefixed cell": '<row r="1"><x:c xmlns:x="urn:x" r="A1"/></row>',
    "formula": '<row r="1"><c r="A1"><f>1+1</f></c></row>',
    "error cell": '<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c></row>',
    "error cell, other quotes": "<row r=\"1\"><c r=\"A1\" t='e'><v>#N/A</v></c></row>",
    "comment": '<row r="1"><!-- x --><c r="A1"/></row>',
    "CDATA": '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="XFD1">]]></t></is></c></row>',
    "processing instruction": '<row r="1"><?x y?><c r="A1"/></row>',
    "not well-formed": '<row r="1"><c r="A1"></row>',
    "merge written otherwise": '<row r="1"><c r="A1"/></row>',   # with extra below
}
GIVE_UP_EXTRA = {"merge written otherwise": "<mergeCells><mergeCell ref='A1:B2'/></mergeCells>"}


@pytest.mark.parametrize("case", sorted(GIVE_UP))
def test_anything_else_is_left_to_the_full_scan(case):
    assert quick_scan("s", xml(GIVE_UP[case], GIVE_UP_EXTRA.get(case, "")), set()) is None


def test_percent_styled_cell_is_left_to_the_full_scan():
    data = xml('<row r="1"><c r="A1" s="3"><v>0.5</v></c></row>')
    assert quick_scan("s", data, {3}) is None
    assert quick_scan("s", data, {4}) is not None
    assert sheet_info("s", data, {3}).percent_cells == {(1, 0)}


@pytest.mark.parametrize("decl, quick", [
    ('<?xml version="1.0" encoding="UTF-8"?>', True),
    ('<?xml version="1.0"?>', True),
    ("", True),
    ('<?xml version="1.0" encoding="ISO-8859-1"?>', False),
])
def test_only_utf8_is_searched_as_bytes(decl, quick):
    assert (quick_scan("s", xml('<row r="1"><c r="A1"/></row>', decl=decl), set()) is not None) is quick


def test_utf16_is_left_to_the_full_scan():
    text = f'<?xml version="1.0" encoding="UTF-16"?><worksheet {NS}><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>'
    assert quick_scan("s", text.encode("utf-16"), set()) is None


def test_too_many_cells_is_left_to_the_full_scan():
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{column_letters(c)}{r}"/>' for c in range(10)) + "</row>"
                   for r in range(1, MAX_CELLS // 10 + 2))
    data = xml(rows)
    assert quick_scan("s", data, set()) is None
    info = sheet_info("s", data, set())
    assert info.too_many_cells and info.cells == MAX_CELLS + 10


@pytest.mark.parametrize("case", sorted(GIVE_UP))
def test_sheet_info_agrees_with_scan_sheet(case):
    data = xml(GIVE_UP[case], GIVE_UP_EXTRA.get(case, ""))
    try:
        expected = comparable(scan_sheet("s", io.BytesIO(data), set()))
    except ValueError as exc:
        with pytest.raises(type(exc)):
            sheet_info("s", data, set())
        return
    assert comparable(sheet_info("s", data, set())) == expected


@pytest.mark.parametrize("limit, inside, outside", [
    (5, ["1", "5"], ["0", "6", "10", "05"]),
    (10, ["1", "9", "10"], ["0", "11", "99"]),
    (345, ["1", "99", "299", "339", "344", "345"], ["346", "350", "400", "1000", "0345"]),
    (MAX_ROWS, ["1", "99999", "100000", str(MAX_ROWS)], [str(MAX_ROWS + 1), "200000", "1048576", "0"]),
])
def test_at_most(limit, inside, outside):
    pattern = re.compile(_at_most(limit) + "$")
    assert [bool(pattern.match(n)) for n in inside + outside] == [True] * len(inside) + [False] * len(outside)


@pytest.mark.parametrize("limit, inside, outside", [
    (26, ["A", "Z"], ["AA"]),
    (64, ["A", "Z", "AA", "AZ", "BA", "BL"], ["BM", "CA", "ZZ", "AAA"]),
])
def test_columns_below(limit, inside, outside):
    pattern = re.compile(_columns_below(limit) + "$")
    assert [bool(pattern.match(c)) for c in inside + outside] == [True] * len(inside) + [False] * len(outside)


@pytest.mark.parametrize("rows, quick", [
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>&#25351;&#26631;</t></is></c></row>', True),   # openpyxl's text
    ('<row r="1"><c r="A1" t="&#101;"><v>#N/A</v></c></row>', False),                            # t="e" in disguise
    ('<row r="1"><c r="A1" s = \'&#51;\'><v>0.5</v></c></row>', False),                        # s="3" in disguise
])
def test_character_references_only_matter_in_attribute_values(rows, quick):
    assert (quick_scan("s", xml(rows), {3}) is not None) is quick
    assert comparable(sheet_info("s", xml(rows), {3})) == comparable(scan_sheet("s", io.BytesIO(xml(rows)), {3}))


def _fixture_sheets():
    import glob
    import zipfile

    from lib.workbook import _percent_styles, _sheet_parts
    for path in sorted(glob.glob("tests/fixtures/**/*.xlsx", recursive=True)):
        try:
            with zipfile.ZipFile(path) as zf:
                parts, styles = _sheet_parts(zf), _percent_styles(zf)
                for name, member in parts.items():
                    if member:
                        yield pytest.param(zf.read(member), styles, id=f"{path.rsplit('/', 1)[-1]}:{name}")
        except Exception:  # noqa: BLE001 - files that are not readable zips are the upload check's business
            continue


@pytest.mark.parametrize("data, styles", list(_fixture_sheets()))
def test_every_fixture_sheet_reads_the_same_either_way(data, styles):
    try:
        expected = comparable(scan_sheet("s", io.BytesIO(data), styles))
    except ValueError as exc:
        with pytest.raises(type(exc)):
            sheet_info("s", data, styles)
        return
    assert comparable(sheet_info("s", data, styles)) == expected
