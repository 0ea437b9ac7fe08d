"""One worksheet's XML, streamed through a real XML parser before calamine may read the sheet.

What calamine's values hide is collected here in one pass: the sheet's extent, merged ranges, formulas
without a cached value, error cells and cells formatted as percentages. The extent is what keeps the
reader alive: calamine allocates (rows × columns) cells for the range its cells span, so one cell at
XFD1048576 makes it ask for 512 GiB and abort the process. The extent is therefore measured the way
calamine positions cells, however the XML spells them: a cell's `r` attribute (quoted either way, any
whitespace, the parser does not care) or, without `r`, the cell after the previous one; a row without `r`
follows the previous row. Parsing stops at the first row past a limit (rows, columns or cells), so a
hostile sheet costs no more than a legitimate sheet at the limit.

The parser is expat (the standard library's, through pyexpat) driven by callbacks: no tree is built, a
row's cell references are kept as a list of strings and judged when the next row starts (set and map
over the strings, in C). A DOCTYPE or entity declaration is refused (the pre-check refuses them too),
and parameter entities are never parsed. lxml's iterparse was measured 2.7 times slower here, because
it builds an element for every cell and value.
"""
from __future__ import annotations

import re
from itertools import product, repeat
from dataclasses import dataclass, field
from typing import IO

import pyexpat

Cell = tuple[int, int]   # (Excel row, 0-based column index)

MAX_ROWS = 100_001          # header + 100,000 data rows
MAX_COLUMNS = 64
# <c> elements per sheet: 1,000,000 cells is a full 100,000-row sheet with 10 columns (the contract has 8
# and 10). Parsing costs about 1 µs a cell, so this also bounds the time of the scan.
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


def parse_ref(ref: str) -> Cell | None:
    m = _REF.match(ref.strip())
    return (int(m.group(2)), column_index(m.group(1))) if m else None


def scan_sheet(name: str, stream: IO[bytes], percent_styles: set[int]) -> SheetInfo:
    """Stream the sheet XML once; stop at the first row that passes a limit (then `too_large` or
    `too_many_cells` is set and nothing else is reliable). Raises SheetXmlError on broken XML."""
    info = SheetInfo(name)
    scan = _Scanner(info, percent_styles)
    # No namespace processing (it costs per element): names are matched by their local part, whatever the
    # prefix, as calamine matches them.
    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.StartElementHandler = scan.start
    scan.parser = parser
    try:
        parser.ParseFile(stream)
        scan.flush()
    except _Stop:
        pass
    except pyexpat.ExpatError as exc:
        raise SheetXmlError(str(exc)) from exc
    return info


class _Stop(Exception):
    """A limit was passed: parsing ends here."""


def _refuse(*_: object) -> None:
    raise SheetXmlError("DOCTYPE or entity declaration in sheet XML")


class _Scanner:
    """expat callbacks. `refs` holds the r of each cell of the current row (None without r); `special`
    the indices of cells worth a closer look (error type, percent style, formula)."""

    def __init__(self, info: SheetInfo, percent_styles: set[int]):
        self.info = info
        self.percent = {str(s) for s in percent_styles}
        self.local: dict[str, str] = {}          # qualified name ("c", "x:c") → local name
        self.row_no = 0
        self.refs: list[str | None] = []
        self.special: dict[int, dict[str, str]] = {}
        self.capture: dict[str, str] | None = None   # the special cell being read (its f and v text)
        self.capture_tag = ""
        self.parser: pyexpat.XMLParserType | None = None

    # the callbacks -----------------------------------------------------------------------------------
    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self.local.get(name)
        if local is None:
            local = self.local[name] = name.rpartition(":")[2]
        if local == "c":
            self.refs.append(attrs.get("r"))
            if "t" in attrs or "s" in attrs:
                kind, style = attrs.get("t"), attrs.get("s")
                if kind == "e" or (style is not None and style in self.percent):
                    self.begin_capture({"t": kind or "", "s": style or ""})
        elif local == "v":
            if self.capture is not None:
                self.capture["v"] = self.capture.get("v", "")
                self.capture_tag = "v"
        elif local == "row":
            self.flush()
            r = attrs.get("r")
            try:
                self.row_no = int(r) if r is not None else self.row_no + 1
            except ValueError as exc:
                raise SheetXmlError(f"bad row number {r!r}") from exc
        elif local == "f" and self.refs:
            if self.capture is None:
                self.begin_capture({"t": "", "s": ""})
            self.capture["f"] = self.capture.get("f", "")
            self.capture_tag = "f"
        elif local == "mergeCell":
            self.merge(attrs.get("ref", ""))

    def begin_capture(self, cell: dict[str, str]) -> None:
        self.capture = cell
        self.special[len(self.refs) - 1] = cell
        self.parser.CharacterDataHandler = self.text
        self.parser.EndElementHandler = self.end

    def text(self, data: str) -> None:
        if self.capture is not None and self.capture_tag:
            self.capture[self.capture_tag] += data

    def end(self, name: str) -> None:
        local = self.local.get(name) or name.rpartition(":")[2]
        if local == "c":
            self.capture, self.capture_tag = None, ""
            self.parser.CharacterDataHandler = None
            self.parser.EndElementHandler = None
        elif local in ("f", "v"):
            self.capture_tag = ""

    # per row -----------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Account for the row just read; raise _Stop when a limit is passed."""
        refs, info = self.refs, self.info
        if not refs:
            info.max_row = max(info.max_row, self.row_no)
            return
        info.cells += len(refs)
        if None not in refs:
            try:
                max_col = max(map(_COLUMNS.__getitem__, set(map(str.rstrip, refs, repeat(_DIGITS)))))
                max_row = max(self.row_no, *map(int, set(map(str.lstrip, refs, repeat(_UPPER)))))
            except (KeyError, ValueError) as exc:
                raise SheetXmlError("bad cell reference") from exc
        else:
            max_row, max_col = self.positions_slow()
        info.max_row = max(info.max_row, max_row)
        info.max_column = max(info.max_column, max_col)
        if info.max_row > MAX_ROWS or info.max_column >= MAX_COLUMNS:
            info.too_large = f"A1:{column_letters(max(info.max_column, 0))}{info.max_row}"
            raise _Stop
        if info.cells > MAX_CELLS:
            info.too_many_cells = True
            raise _Stop
        if self.special:
            positions = dict(self.positions())
            for index, cell in self.special.items():
                self.note(positions[index], cell)
        self.refs, self.special = [], {}

    def positions(self):
        """(index, (row, column)) of each cell of the row, where calamine puts it: its own r, else one
        column right of the cell before it."""
        row_no, col = self.row_no, -1
        for index, ref in enumerate(self.refs):
            if ref is not None:
                parsed = parse_ref(ref)
                if parsed is None:
                    raise SheetXmlError(f"bad cell reference {ref!r}")
                row_no, col = parsed
            else:
                col += 1
            yield index, (row_no, col)

    def positions_slow(self) -> Cell:
        """Largest row and column of a row whose cells do not all carry r (valid OOXML, rare)."""
        max_row, max_col = self.row_no, -1
        for _, (row_no, col) in self.positions():
            max_row, max_col = max(max_row, row_no), max(max_col, col)
            if max_col >= MAX_COLUMNS:
                break
        return max_row, max_col

    def note(self, where: Cell, cell: dict[str, str]) -> None:
        value = cell.get("v", "")
        if "f" in cell and not value.strip():
            self.info.formulas_without_value[where] = "=" + cell["f"] if cell["f"] else "(共享公式)"
        if cell["t"] == "e":
            self.info.error_cells[where] = value or "#错误"
        if cell["s"] and cell["s"] in self.percent:
            self.info.percent_cells.add(where)

    def merge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        a, b = parse_ref(first), parse_ref(last or first)
        if a and b:
            self.info.merges.append((a, b))
