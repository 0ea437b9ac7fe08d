"""One worksheet's XML, streamed through a real XML parser before calamine may read the sheet.

What calamine's values hide is collected here in one pass: the sheet's extent, merged ranges, formulas
without a cached value, error cells and cells formatted as percentages. The extent is what keeps the
reader alive: calamine allocates (rows × columns) cells for the range its cells span, so one cell at
XFD1048576 makes it ask for 512 GiB and abort the process. The extent is therefore measured the way
calamine positions cells, however the XML spells them: a cell's `r` attribute (quoted either way, any
whitespace, the parser does not care) or, without `r`, the cell after the previous one; a row without `r`
follows the previous row. Parsing stops at the first row past a limit (rows, columns or cells), so a
hostile sheet costs no more than a legitimate sheet at the limit.

lxml's iterparse builds one <row> at a time (cleared after use); the parser resolves no entities and opens
no network (the pre-check already refused any DOCTYPE).
"""
from __future__ import annotations

import re
from itertools import product, repeat
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

Cell = tuple[int, int]   # (Excel row, 0-based column index)

MAX_ROWS = 100_001          # header + 100,000 data rows
MAX_COLUMNS = 64
# <c> elements per sheet. Parsing costs about 1 µs per element on this machine; 1,000,000 cells is a full
# 100,000-row sheet with 10 columns (the contract has 8 and 10), and keeps the largest file within the
# limits under the benchmark's 5 s.
MAX_CELLS = 1_000_000

_DIGITS = "0123456789"
_LETTERS = re.compile(r"^[A-Z]{1,3}$")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class SheetXmlError(ValueError):
    """The sheet XML is not well-formed or a reference is not a cell reference."""


@dataclass
class SheetInfo:
    name: str                                            # as written in the workbook
    too_large: str = ""                                  # e.g. "A1:XFD1048576"; "" when fine
    too_many_cells: bool = False                         # more than MAX_CELLS <c> elements
    merges: list[tuple[Cell, Cell]] = field(default_factory=list)
    formulas_without_value: dict[Cell, str] = field(default_factory=dict)
    error_cells: dict[Cell, str] = field(default_factory=dict)
    percent_cells: set[Cell] = field(default_factory=set)
    max_row: int = 0
    max_column: int = -1
    cells: int = 0


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    out, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# Column letters → index for every column Excel has (A … XFD) and the rest of three letters: a dict lookup
# per distinct letters in a row, in C (map), instead of arithmetic per cell.
_COLUMNS = {"".join(p): column_index("".join(p)) for n in (1, 2, 3) for p in product(_UPPER, repeat=n)}


def _style_index(style: str) -> int:
    return int(style) if style.isdigit() else -1


def parse_ref(ref: str) -> Cell | None:
    m = _REF.match(ref.strip())
    return (int(m.group(2)), column_index(m.group(1))) if m else None


def scan_sheet(name: str, stream: IO[bytes], percent_styles: set[int]) -> SheetInfo:
    """Stream the sheet XML once; stop at the first row that passes a limit (then `too_large` or
    `too_many_cells` is set and nothing else is reliable). Raises SheetXmlError on broken XML."""
    info = SheetInfo(name)
    scanner = _RowScanner(info, percent_styles)
    parser = etree.iterparse(stream, events=("end",), tag=("{*}row", "{*}f", "{*}mergeCell"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
    try:
        for _, el in parser:
            local = etree.QName(el).localname
            if local == "f":
                scanner.formula(el)
                continue          # the row still needs it
            if local == "mergeCell":
                scanner.merge(el.get("ref", ""))
            elif not scanner.row(el):
                break
            el.clear(keep_tail=False)
            while el.getprevious() is not None:
                del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise SheetXmlError(str(exc)) from exc
    return info


class _RowScanner:
    def __init__(self, info: SheetInfo, percent_styles: set[int]):
        self.info = info
        self.percent_styles = percent_styles
        self.row_no = 0
        self.formula_cells: list[etree._Element] = []   # cells of the current row that hold a <f>

    def row(self, row: etree._Element) -> bool:
        """Account for one <row>; False when a limit is passed (stop reading)."""
        info = self.info
        r = row.get("r")
        try:
            self.row_no = int(r) if r is not None else self.row_no + 1
        except ValueError as exc:
            raise SheetXmlError(f"bad row number {r!r}") from exc
        # One pass over the children, attributes only: ~1 µs a cell (an XPath per row costs more).
        attrs = [(c.get("r"), c.get("t"), c.get("s")) for c in row]
        info.cells += len(attrs)
        max_row, max_col = self.row_no, -1
        refs = [a[0] for a in attrs]
        if attrs and None not in refs:
            try:
                max_col = max(map(_COLUMNS.__getitem__, set(map(str.rstrip, refs, repeat(_DIGITS)))))
                max_row = max(max_row, *map(int, set(map(str.lstrip, refs, repeat(_UPPER)))))
            except (KeyError, ValueError) as exc:
                raise SheetXmlError("bad cell reference") from exc
        elif attrs:
            max_row, max_col = self.positions_slow(row)
        info.max_row = max(info.max_row, max_row)
        info.max_column = max(info.max_column, max_col)
        if info.max_row > MAX_ROWS or info.max_column >= MAX_COLUMNS:
            info.too_large = f"A1:{column_letters(max(info.max_column, 0))}{info.max_row}"
            return False
        if info.cells > MAX_CELLS:
            info.too_many_cells = True
            return False
        styles = self.percent_styles
        special = {k for k, (_, kind, style) in enumerate(attrs)
                   if kind == "e" or (styles and style is not None and _style_index(style) in styles)}
        children = list(row) if self.formula_cells else []
        special |= {children.index(c) for c in self.formula_cells if c in children}
        self.formula_cells.clear()
        for k in sorted(special):
            self.special_cell(row, k)
        return True

    def formula(self, f: etree._Element) -> None:
        """A <f> (its end event comes before its row's): noted on the cell, judged with the row."""
        cell = f.getparent()
        if cell is not None and etree.QName(cell).localname == "c":
            self.formula_cells.append(cell)

    def cell_positions(self, row: etree._Element):
        """(element, (row, column)) for each child, where calamine puts it: its own r, else one column
        right of the cell before it."""
        row_no, col = self.row_no, -1
        for c in row:
            ref = c.get("r")
            if ref is not None:
                parsed = parse_ref(ref)
                if parsed is None:
                    raise SheetXmlError(f"bad cell reference {ref!r}")
                row_no, col = parsed
            else:
                col += 1
            yield c, (row_no, col)

    def positions_slow(self, row: etree._Element) -> Cell:
        """Largest row and column of a row whose cells do not all carry r (valid OOXML, rare)."""
        max_row, max_col = self.row_no, -1
        for _, (row_no, col) in self.cell_positions(row):
            max_row, max_col = max(max_row, row_no), max(max_col, col)
            if max_col >= MAX_COLUMNS:
                break
        return max_row, max_col

    def special_cell(self, row: etree._Element, index: int) -> None:
        cell, where = next(x for k, x in enumerate(self.cell_positions(row)) if k == index)
        value_text = ""
        formula_text = None
        for child in cell:
            name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if name == "v":
                value_text = child.text or ""
            elif name == "f":
                formula_text = child.text or ""
        if formula_text is not None and not value_text.strip():
            self.info.formulas_without_value[where] = "=" + formula_text if formula_text else "(共享公式)"
        if cell.get("t") == "e":
            self.info.error_cells[where] = value_text or "#错误"
        style = cell.get("s")
        if style is not None and _style_index(style) in self.percent_styles:
            self.info.percent_cells.add(where)

    def merge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        a, b = parse_ref(first), parse_ref(last or first)
        if a and b:
            self.info.merges.append((a, b))
