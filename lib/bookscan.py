"""Open a progress workbook before it is checked: which sheets it has, what calamine's values hide, and
the cells themselves (part of lib.workbook's reader; docs/workbook-format.md).

    book = open_book(data)          # sheet names, SheetInfo per contract sheet, .xls sheets refused
    frames = read_sheets(data, [book.sheets[label].name for label in labels])

For .xlsx, each contract sheet's XML goes through lib.sheetxml (extent, merges, formulas without a cached
value, error cells, cells in a percent style from styles.xml) before calamine may read it. For .xls the
extents come from the BIFF records (lib.biff), and calamine is not started when a sheet is too big. The
cells are read with python-calamine: every cell as a Python object, frame row i is Excel row i + 1.
Damaged bytes raise (lib.workbook.READ_ERRORS lists what); nothing here catches them.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
import pandas as pd
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook

from lib.biff import Extent, sheet_extents
from lib.cells import column_map
from lib.filecheck import OLE2_MAGIC, WORKBOOK_PART
from lib.schema import INDICATOR_SHEET, TASK_SHEET, Table
from lib.sheetxml import (MAX_CELLS, MAX_COLUMNS, MAX_ROWS, QUICK_SCAN_MAX_BYTES, SheetInfo, column_letters,
                          scan_sheet, sheet_info)
from lib.units import normalise_name

_SHEETS: tuple[Table, ...] = (INDICATOR_SHEET, TASK_SHEET)
_BUILTIN_PERCENT_FORMATS = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@dataclass
class _Book:
    sheet_names: list[str]
    sheets: dict[str, SheetInfo]                          # contract label → info
    refused: list[SheetInfo] = field(default_factory=list)  # .xls sheets too big to load (nothing was read)


def _open(data: bytes) -> _Book:
    """The workbook's sheets and, per contract sheet, what its XML (or BIFF records) says."""
    if data.startswith(OLE2_MAGIC):
        return _open_xls(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = _sheet_parts(zf)
        percent_styles = _percent_styles(zf)
        sheets: dict[str, SheetInfo] = {}
        for table in _SHEETS:
            name = _match_sheet(list(parts), table.label)
            if name is not None and parts[name] is not None:
                sheets[table.label] = _scan_part(zf, parts[name], name, percent_styles)
        return _Book(list(parts), sheets)


def _scan_part(zf: zipfile.ZipFile, member: str, name: str, percent_styles: set[int]) -> SheetInfo:
    """The sheet's XML in memory for the quick check when it is of a size the upload limits allow for a
    sheet; streamed (never whole in memory) otherwise."""
    if zf.getinfo(member).file_size <= QUICK_SCAN_MAX_BYTES:
        return sheet_info(name, zf.read(member), percent_styles)
    with zf.open(member) as stream:
        return scan_sheet(name, stream, percent_styles)


def _open_xls(data: bytes) -> _Book:
    """The extents come from the BIFF records (lib.biff) before calamine opens the file: opening an .xls
    loads every sheet, which is what allocates rows × columns. When any sheet is past the limits,
    calamine is not started at all and those sheets are `refused`."""
    extents = sheet_extents(data)
    refused = [info for name, extent in extents.items() if (info := _extent_problem(name, extent))]
    if refused:
        return _Book(list(extents), {}, refused)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets: dict[str, SheetInfo] = {}
    for table in _SHEETS:
        name = _match_sheet(wb.sheet_names, table.label)
        if name is None:
            continue
        sheet = wb.get_sheet_by_name(name)
        merges = [((r1 + 1, c1), (r2 + 1, c2)) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
        sheets[table.label] = SheetInfo(name, merges=merges)
    return _Book(list(wb.sheet_names), sheets)


def _extent_problem(name: str, extent: Extent) -> SheetInfo | None:
    """A SheetInfo saying why the sheet is too big for calamine to load, or None."""
    if extent.max_row > MAX_ROWS or extent.max_column >= MAX_COLUMNS:
        return SheetInfo(name, too_large=f"A1:{column_letters(max(extent.max_column, 0))}{extent.max_row}")
    if extent.cells > MAX_CELLS:
        return SheetInfo(name, too_many_cells=True, cells=extent.cells)
    return None


def _match_sheet(names: list[str], label: str) -> str | None:
    return next((n for n in names if normalise_name(n) == label), None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str | None]:
    """Sheet name → zip member of its XML (None for chart sheets and dangling references)."""
    workbook = SafeET.fromstring(zf.read(WORKBOOK_PART))
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_name in zf.namelist():
        for rel in SafeET.fromstring(zf.read(rels_name)):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[rel.get("Id", "")] = path
    members = set(zf.namelist())
    parts: dict[str, str | None] = {}
    for el in workbook.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
        target = targets.get(rid)
        parts[el.get("name", "")] = target if target in members else None
    return parts


def _percent_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indices of cell formats (cellXfs) that display a percentage."""
    if "xl/styles.xml" not in zf.namelist():
        return set()
    styles = SafeET.fromstring(zf.read("xl/styles.xml"))
    custom: dict[int, str] = {}
    xfs: list[int] = []
    for el in styles.iter():
        tag = _local(el.tag)
        if tag == "numFmt":
            custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        elif tag == "cellXfs":
            xfs = [int(x.get("numFmtId", "0")) for x in el if _local(x.tag) == "xf"]

    def is_percent(fmt_id: int) -> bool:
        if fmt_id in _BUILTIN_PERCENT_FORMATS:
            return True
        return "%" in _QUOTED.sub("", custom.get(fmt_id, ""))

    return {i for i, fmt_id in enumerate(xfs) if is_percent(fmt_id)}


def _read_sheets(data: bytes, sheet_names: list[str]) -> dict[str, pd.DataFrame]:
    """Every cell as the Python object calamine gives (str, int, float, bool, datetime); '' for empty.
    Frame row i is Excel row i + 1 (leading and blank rows are kept).

    calamine is called directly rather than through pd.read_excel: the same cells, converted the way
    pandas' calamine reader converts them (_excel_value), without its text parser's pass over every cell
    (a second per-cell loop in Python, ~1 s on the largest sheet allowed)."""
    if not sheet_names:
        return {}
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    frames: dict[str, pd.DataFrame] = {}
    for name in sheet_names:
        cells = pd.DataFrame(book.get_sheet_by_name(name).to_python(skip_empty_area=False), dtype=object)
        frames[name] = pd.DataFrame({c: _excel_column(cells[c].tolist()) for c in cells.columns},
                                    index=cells.index, dtype=object)
    return frames


def _excel_column(values: list[object]) -> list[object] | np.ndarray:
    """_excel_value of each cell. It changes only floats and dates, so a column holding neither (a column
    of text) is returned as it is, without grouping its cells; in a column without dates, the whole floats
    are turned into int as arrays."""
    kinds = set(map(type, values))
    if float not in kinds and dt.date not in kinds:
        return values
    if dt.date in kinds:
        return column_map(_excel_value, values)
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    n = len(values)
    at = np.flatnonzero(np.fromiter(map(type, values), dtype=object, count=n) == float) if len(kinds) > 1 else np.arange(n)
    floats = cells[at].astype(np.float64)
    whole = np.isfinite(floats) & (floats == np.trunc(floats))
    small = whole & (np.abs(floats) < 2.0 ** 63)     # exact in int64; larger whole floats go one by one
    cells[at[small]] = floats[small].astype(np.int64).tolist()
    for i in at[whole & ~small].tolist():
        cells[i] = int(values[i])
    return cells


def _excel_value(value: object) -> object:
    """As pandas' calamine reader gives it: whole floats as int, a date as a datetime at midnight."""
    if type(value) is float:
        return int(value) if value.is_integer() else value
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value



open_book = _open
read_sheets = _read_sheets
