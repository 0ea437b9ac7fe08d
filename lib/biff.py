"""The extent of each sheet of an old-format .xls (BIFF5/BIFF8), read from the records before calamine is.

calamine sizes a sheet from its DIMENSIONS record and from the cells it finds, and allocates rows × columns
cells: one cell at IV65536 costs 1.6 GB, a fuzzed DIMENSIONS record 247 GB (the process aborts). This
module walks the record stream (4-byte headers, bounded by the stream's length, nothing allocated per
cell) and reports, per sheet name, the largest row and column either source claims, so the reader can
refuse the sheet first. What the walk cannot judge (other damaged records) is left to the reading
process's memory limit (lib.readworker).
"""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import olefile

BOF, EOF, BOUNDSHEET, DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
BOF_RECORDS = {0x0009, 0x0209, 0x0409, BOF}   # BIFF2/3/4 and BIFF5/8
# Cell records that start with (row u16, column u16).
CELL_RECORDS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x0406}
MULTI_RECORDS = {0x00BD: 6, 0x00BE: 2}   # MULRK (6-byte RK entries), MULBLANK (2-byte xf entries)
_HEADER = struct.Struct("<HH")
_CELL = struct.Struct("<HH")


class BiffError(ValueError):
    """The record stream is damaged."""


@dataclass
class Extent:
    max_row: int = 0        # 1-based, as Excel shows it (0: no cells)
    max_column: int = -1    # 0-based
    cells: int = 0


def sheet_extents(data: bytes, stream_names: tuple[str, ...] = ("Workbook", "Book")) -> dict[str, Extent]:
    """Sheet name → extent. Raises BiffError (or olefile's OSError) on a damaged file."""
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        name = next((n for n in stream_names if ole.exists(n)), None)
        if name is None:
            raise BiffError("no workbook stream")
        stream = ole.openstream(name).read()
    sheets = _boundsheets(stream)
    return {sheet: _extent(stream, offset) for sheet, offset in sheets}


def _records(stream: bytes, pos: int):
    """(type, data start, data length) from `pos` on; a header that runs past the end is damage."""
    end = len(stream)
    while pos + 4 <= end:
        kind, size = _HEADER.unpack_from(stream, pos)
        start = pos + 4
        if start + size > end:
            raise BiffError("record past the end of the stream")
        yield kind, start, size
        pos = start + size


def _boundsheets(stream: bytes) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for kind, start, size in _records(stream, 0):
        if kind == EOF:
            break
        if kind != BOUNDSHEET:
            continue
        if size < 8:
            raise BiffError("short BOUNDSHEET")
        (offset,) = struct.unpack_from("<I", stream, start)
        out.append((_sheet_name(stream[start + 6:start + size]), offset))
    return out


def _sheet_name(raw: bytes) -> str:
    """BIFF8 ShortXLUnicodeString (cch, flags, chars); BIFF5 is cch + 8-bit text."""
    if not raw:
        return ""
    cch = raw[0]
    if len(raw) >= 2 + cch and len(raw) in (2 + cch, 2 + 2 * cch) and raw[1] in (0, 1):
        body = raw[2:]
        return body[:2 * cch].decode("utf-16-le", "replace") if raw[1] & 1 else body[:cch].decode("latin-1")
    return raw[1:1 + cch].decode("gbk", "replace")


def _extent(stream: bytes, offset: int) -> Extent:
    if not 0 <= offset < len(stream):
        raise BiffError("sheet offset outside the stream")
    extent = Extent()
    depth = 0
    for kind, start, size in _records(stream, offset):
        if kind in BOF_RECORDS:
            depth += 1
        elif kind == EOF:
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1:
            _account(extent, kind, stream, start, size)
    return extent


def _account(extent: Extent, kind: int, stream: bytes, start: int, size: int) -> None:
    if kind == DIMENSIONS:
        if size >= 14:    # BIFF8: rwMic u32, rwMac u32 (one past the last), colMic u16, colMac u16
            _, last_row, _, last_col = struct.unpack_from("<IIHH", stream, start)
        elif size >= 10:  # BIFF5: u16 each
            _, last_row, _, last_col = struct.unpack_from("<HHHH", stream, start)
        else:
            return
        extent.max_row = max(extent.max_row, last_row)
        extent.max_column = max(extent.max_column, last_col - 1)
    elif kind in CELL_RECORDS and size >= 4:
        row, col = _CELL.unpack_from(stream, start)
        extent.max_row, extent.max_column = max(extent.max_row, row + 1), max(extent.max_column, col)
        extent.cells += 1
    elif kind in MULTI_RECORDS and size >= 6:
        row, first = _CELL.unpack_from(stream, start)
        (last,) = struct.unpack_from("<H", stream, start + size - 2)
        count = (size - 6) // MULTI_RECORDS[kind]
        extent.max_row = max(extent.max_row, row + 1)
        extent.max_column = max(extent.max_column, last, first + count - 1)
        extent.cells += count
