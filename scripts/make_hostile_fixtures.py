"""Generate the damaged and hostile uploads of tests/fixtures/hostile/ (one per class of attack), and the
large ones the tests build in a temporary folder instead of committing them.

    .venv/bin/python scripts/make_hostile_fixtures.py

Each class comes from a security probe of the upload (the probe's own files were kept back, so these are
written from the description of each class): references far outside the sheet however they are spelled,
cells without `r`, old-format files whose records claim a huge sheet, a corrupted deflate stream, a zip
member that inflates past its declared size, merged ranges that cover the whole sheet, and a workbook
record that makes calamine abort (the reading process dies; the server must not). Every file here is
small (< 100 KB); `rows_without_r(path)` and `lying_member(path, inflated)` write the big ones.
"""
from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.make_bad_fixtures import (GOOD_INDICATORS, _biff8_workbook, _cfb, _record,  # noqa: E402
                                       good_bytes)
from lib.schema import INDICATOR_SHEET  # noqa: E402

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
SHEET = "xl/worksheets/sheet1.xml"   # 指标进度 in the files lib.xlsx writes
FAR = "XFD1048576"                   # the last cell Excel has


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _with_sheet(edit: Callable[[bytes], bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    members = _members(good_bytes())
    members[SHEET] = edit(members[SHEET])
    return _zip(members, method)


def _before_sheet_data_end(xml: bytes, extra: bytes) -> bytes:
    assert b"</sheetData>" in xml
    return xml.replace(b"</sheetData>", extra + b"</sheetData>", 1)


def far_cell_single_quotes() -> bytes:
    """r='XFD1048576': the old pattern looked only for double quotes."""
    return _with_sheet(lambda x: _before_sheet_data_end(x, f"<row r='1048576'><c r='{FAR}'><v>1</v></c></row>".encode()))


def far_cell_tab_before_r() -> bytes:
    """A tab (not a space) before r: still one attribute to an XML parser."""
    return _with_sheet(lambda x: _before_sheet_data_end(x, f'<row\tr="1048576"><c\tr="{FAR}"><v>1</v></c></row>'.encode()))


def wide_row_without_r() -> bytes:
    """One row of 16,384 cells without r (valid OOXML): calamine places them A…XFD."""
    cells = b"<c><v>1</v></c>" * 16_384
    return _with_sheet(lambda x: _before_sheet_data_end(x, b"<row>" + cells + b"</row>"))


def huge_merge(count: int = 1) -> Callable[[], bytes]:
    """`count` merged ranges A3:XFD1048576: a check that lists their cells builds 17 billion of them."""
    def make() -> bytes:
        merges = b"".join(b'<mergeCell ref="A3:XFD1048576"/>' for _ in range(count))
        block = b'<mergeCells count="%d">' % count + merges + b"</mergeCells>"
        return _with_sheet(lambda x: x.replace(b"</sheetData>", b"</sheetData>" + block, 1))
    return make


def corrupt_deflate() -> bytes:
    """The sheet member's deflate stream with bytes flipped in the middle (sizes and CRC untouched)."""
    data = bytearray(good_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(SHEET)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for k in range(middle, middle + 16):
        data[k] ^= 0xFF
    return bytes(data)


def lying_member_bytes(inflated: int, declared: int = 1024) -> bytes:
    """A workbook whose sheet member declares `declared` bytes but inflates to `inflated` (zeros after the
    real XML): directory size and ratio checks see a tiny member. Written by patching the sizes."""
    members = _members(good_bytes())
    body = members[SHEET]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts = [compressor.compress(body)]
    chunk = b" " * (1 << 20)
    left = inflated - len(body)
    while left > 0:
        parts.append(compressor.compress(chunk[:min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(compressor.flush())
    raw = b"".join(parts)
    members.pop(SHEET)
    head = _zip(members)
    # Append the lying member by hand: local header, data, then a rebuilt central directory.
    with zipfile.ZipFile(io.BytesIO(head)) as zf:
        infos = zf.infolist()
    body_end = _central_start(head)
    out = bytearray(head[:body_end])
    offset = len(out)
    crc = zlib.crc32(body[:declared])
    name = SHEET.encode()
    out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(raw), declared, len(name), 0) + name + raw
    entries = [(i.filename.encode(), i.header_offset, i.CRC, i.compress_size, i.file_size, i.compress_type) for i in infos]
    entries.append((name, offset, crc, len(raw), declared, 8))
    central = bytearray()
    for fname, off, crc_, csize, usize, method in entries:
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc_, csize, usize,
                               len(fname), 0, 0, 0, 0, 0, off) + fname
    start = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


def _central_start(data: bytes) -> int:
    end = data.rfind(b"PK\x05\x06")
    (start,) = struct.unpack_from("<I", data, end + 16)
    return start


def lying_member() -> bytes:
    return lying_member_bytes(inflated=20 * 1024 * 1024)


def _xls_stream(edit: Callable[[bytes], bytes]) -> bytes:
    rows: list[list[object]] = [INDICATOR_SHEET.labels]
    for rec in GOOD_INDICATORS.reindex(columns=INDICATOR_SHEET.names).itertuples(index=False):
        rows.append([None if (v is None or (isinstance(v, float) and v != v)) else v for v in rec])
    return _cfb("Workbook", edit(_biff8_workbook(INDICATOR_SHEET.label, rows)))


def xls_far_cell() -> bytes:
    """An old-format workbook with one more NUMBER record at IV65536 (the last cell of BIFF8)."""
    far = _record(0x0203, struct.pack("<HHHd", 65535, 255, 0, 1.0))
    return _xls_stream(lambda s: s[:-4] + far + s[-4:])


def xls_huge_dimensions() -> bytes:
    """The sheet's DIMENSIONS record claims 4 billion rows × 256 columns (what a fuzzer finds)."""
    def edit(stream: bytes) -> bytes:
        at = stream.index(struct.pack("<HH", 0x0200, 14))
        return stream[:at + 4] + struct.pack("<IIHH", 0, 0xFFFFFFFF, 0, 256) + stream[at + 16:]
    return _xls_stream(edit)


def shared_strings_count() -> bytes:
    """sharedStrings.xml claims 4 billion unique strings: calamine reserves room for them all while
    opening the file and the process aborts ("memory allocation of 96000000000 bytes failed"). No
    pre-check reads this attribute; the reading process's memory limit is what keeps the server alive."""
    import xlsxwriter
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(INDICATOR_SHEET.label)
    sheet.write_row(0, 0, INDICATOR_SHEET.labels)
    for r, rec in enumerate(GOOD_INDICATORS.reindex(columns=INDICATOR_SHEET.names).itertuples(index=False), start=1):
        sheet.write_row(r, 0, [None if (isinstance(v, float) and v != v) else v for v in rec])
    book.close()
    members = _members(buf.getvalue())
    members["xl/sharedStrings.xml"] = re.sub(rb'(uniqueCount|count)="\d+"', rb'\1="4000000000"',
                                             members["xl/sharedStrings.xml"])
    return _zip(members)


def without_column(label: str) -> Callable[[], bytes]:
    """The 指标进度 sheet without one required column (a clerk deleted it)."""
    def make() -> bytes:
        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(good_bytes()))
        ws = wb[INDICATOR_SHEET.label]
        col = next(c.column for c in ws[1] if c.value == label)
        ws.delete_cols(col)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    return make


def rows_without_r(path: Path, rows: int = 1_048_575) -> Path:
    """A header row, then `rows` one-cell rows without r (valid OOXML; ~4 MB): calamine counts them all."""
    def edit(xml: bytes) -> bytes:
        head, _, tail = xml.partition(b"</sheetData>")
        first_row_end = head.index(b"</row>") + len(b"</row>")
        body = b"".join(b"<row><c><v>%d</v></c></row>" % (k % 9973) for k in range(rows))
        return head[:first_row_end] + body + b"</sheetData>" + tail
    path.write_bytes(_with_sheet(edit))
    return path


# file name → (generator, expected code)
FIXTURES: dict[str, tuple[Callable[[], bytes], str]] = {
    "far-cell-single-quotes.xlsx": (far_cell_single_quotes, "wb.sheet_too_large"),
    "far-cell-tab-before-r.xlsx": (far_cell_tab_before_r, "wb.sheet_too_large"),
    "wide-row-without-r.xlsx": (wide_row_without_r, "wb.sheet_too_large"),
    "merged-whole-sheet.xlsx": (huge_merge(1), "wb.merged_cells"),
    "merged-whole-sheet-5.xlsx": (huge_merge(5), "wb.merged_cells"),
    "corrupt-deflate.xlsx": (corrupt_deflate, "file.truncated"),
    "member-inflates-past-size.xlsx": (lying_member, "file.member_size"),
    "xls-far-cell.xls": (xls_far_cell, "wb.sheet_too_large"),
    "xls-huge-dimensions.xls": (xls_huge_dimensions, "wb.sheet_too_large"),
    "shared-strings-count-aborts.xlsx": (shared_strings_count, "file.unsafe"),
    "missing-year-column.xlsx": (without_column("年份"), "wb.column_missing"),
    "missing-quarter-column.xlsx": (without_column("季度"), "wb.column_missing"),
}


def main() -> None:
    HOSTILE.mkdir(parents=True, exist_ok=True)
    for name, (make, _) in FIXTURES.items():
        data = make()
        assert len(data) < 100 * 1024, (name, len(data))
        (HOSTILE / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
