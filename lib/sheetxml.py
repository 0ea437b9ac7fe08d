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

`sheet_info` first tries a quick check that gives the same answer without a Python call per element
(`quick_scan`, below); `scan_sheet` is what it falls back to, and what measures a sheet cell by cell. In the
reading worker, the quick check's proof of a large sheet runs in a forked copy beside its byte searches
(`allow_forked_proof`, at the end).
"""
from __future__ import annotations

import io
import os
import re
import select
import signal
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

PARSE_CHUNK = 1024 * 1024
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
    # False when quick_scan proved the extent inside the limits without measuring it: max_row and
    # max_column are then the limits (MAX_ROWS, MAX_COLUMNS - 1), not the sheet's own extent.
    exact_extent: bool = True


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


def sheet_info(name: str, xml: bytes, percent_styles: set[int]) -> SheetInfo:
    """What the reader needs to know about one sheet's XML: `quick_scan` when it can prove its answer,
    else the cell-by-cell `scan_sheet` (same result; raises SheetXmlError on broken XML)."""
    quick = quick_scan(name, xml, percent_styles)
    return quick if quick is not None else scan_sheet(name, io.BytesIO(xml), percent_styles)


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
        # Parse() in large chunks: ParseFile reads 2 KB at a time, which costs a read call per 2 KB.
        while chunk := stream.read(PARSE_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
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


# --- the quick check ------------------------------------------------------------------------------------
#
# Most sheets are written the way Excel and every library write them: each <c> and <row> carries r="…"
# as its first attribute, in double quotes, with no namespace prefix. For such a sheet, once expat has
# proved the XML well-formed (with no handler per element, so in C only), byte searches over the inflated
# XML give the same answer as scan_sheet:
#   * well-formed, and without comments, CDATA or processing instructions, every "<" starts a tag (text
#     and attribute values cannot hold a raw "<"), no attribute repeats, and values hold no raw quote of
#     their own kind: so `<c r="B7"` is a cell whose position is B7, exactly where calamine puts it;
#   * one search finds any <c> or <row> whose r is missing, written another way, or outside the limits;
#     the count of `<c r="` is then the cell count;
#   * anything that needs a closer look (formulas, error cells, a character reference in an attribute
#     value, cells in a percent style, a prefixed element, a non-UTF-8 encoding) makes it give up.
# Giving up is always safe: scan_sheet then measures the sheet (and stops at the limits). The quick check
# never says "too large" itself, so every message about a sheet's size comes from scan_sheet.

QUICK_SCAN_MAX_BYTES = 128 * 1024 * 1024   # the upload check already bounds a member by max_unzipped_mb


def _at_most(limit: int) -> str:
    """A regex for the decimal numbers 1 … limit, written without leading zeros."""
    digits = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, d in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(d) > int(low):
            parts.append(f"{digits[:i]}[{low}-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


def _columns_below(limit: int) -> str:
    """A regex for the column letters of indices 0 … limit - 1 (limit up to 702: two letters)."""
    last = column_letters(limit - 1)
    if len(last) == 1:
        return f"[A-{last}]"
    first, second = last
    earlier = f"|[A-{chr(ord(first) - 1)}][A-Z]" if first > "A" else ""
    return f"(?:[A-Z]{earlier}|{first}[A-{second}])"


_GOOD_ROW = _at_most(MAX_ROWS)
_GOOD_COLUMN = _columns_below(MAX_COLUMNS)
_ODD_CELL = re.compile(rb'<c(?=[\s/>])(?! r="%s%s"[\s/>])' % (_GOOD_COLUMN.encode(), _GOOD_ROW.encode()))
_ODD_ROW = re.compile(rb'<row(?=[\s/>])(?! r="%s"[\s/>])' % _GOOD_ROW.encode())
_PREFIXED = re.compile(rb":(?:c|row|f|v|mergeCell|mergeCells)[\s/>]")   # over-approximates: any such text
_MERGE = re.compile(rb'<mergeCell ref="([A-Z0-9:]*)"[\s/>]')
# Error cells (t="e", either quotes) and formulas. A value written with character references (t="&#101;")
# is caught by _REFERENCE_IN_VALUE; text may hold references (openpyxl writes Chinese as &#25351;).
_GIVE_UP_LITERALS = (b'"e"', b"'e'", b"<f")
_REFERENCE_IN_VALUE = re.compile(rb"""=\s*(?:"[^"]*&#|'[^']*&#)""")


def quick_scan(name: str, xml: bytes, percent_styles: set[int]) -> SheetInfo | None:
    """The SheetInfo scan_sheet would give, when the sheet is written canonically, fits the limits and
    has nothing that needs a closer look; None otherwise (then ask scan_sheet)."""
    if len(xml) > QUICK_SCAN_MAX_BYTES:
        return None
    proof = _Proof(xml)
    try:
        return _quick_answer(name, xml, percent_styles, proof)
    finally:
        proof.cancel()


def _quick_answer(name: str, xml: bytes, percent_styles: set[int], proof: "_Proof") -> SheetInfo | None:
    # The searches first: each can only make it give up, and a hostile sheet usually fails one within its
    # first bytes. The positive answer needs the well-formedness proof as well, which is awaited last.
    if _ODD_CELL.search(xml) or _ODD_ROW.search(xml) or _PREFIXED.search(xml):
        return None
    if any(literal in xml for literal in _GIVE_UP_LITERALS):
        return None
    if b"&#" in xml and _REFERENCE_IN_VALUE.search(xml):
        return None
    if percent_styles and re.search(rb"""s\s*=\s*["'](?:%s)["']""" % "|".join(map(str, percent_styles)).encode(), xml):
        return None
    cells = xml.count(b'<c r="')
    if cells > MAX_CELLS:
        return None
    merges = _MERGE.findall(xml)
    if xml.count(b"<mergeCell") != xml.count(b"<mergeCells") + len(merges) or not proof.result():
        return None
    info = SheetInfo(name, cells=cells, max_row=MAX_ROWS, max_column=MAX_COLUMNS - 1, exact_extent=False)
    scan = _Scanner(info, set())
    for ref in merges:
        scan.merge(ref.decode("ascii"))
    return info


def _plain_well_formed(xml: bytes) -> bool:
    """True when expat reads `xml` as well-formed UTF-8 with no DOCTYPE, comment, CDATA section or
    processing instruction (the XML declaration aside). No handler runs per element."""
    if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(xml) > 1 and 0 in xml[:2]):
        return False  # UTF-16: byte searches do not apply
    seen: list[str] = []
    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def note(kind: str):
        return lambda *_: seen.append(kind)

    def declaration(_version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            seen.append("encoding")

    parser.XmlDeclHandler = declaration
    parser.StartDoctypeDeclHandler = note("doctype")
    parser.EntityDeclHandler = note("entity")
    parser.CommentHandler = note("comment")
    parser.StartCdataSectionHandler = note("cdata")
    parser.ProcessingInstructionHandler = note("pi")
    try:
        parser.Parse(xml, True)
    except pyexpat.ExpatError:
        return False  # scan_sheet reports it
    return not seen


# --- the proof beside the searches -----------------------------------------------------------------------
#
# On a large sheet the well-formedness proof (expat, ~20 ms a MB) and the byte searches (~11 ms a MB) each
# hold the interpreter, so threads cannot overlap them. The reading worker (lib.readworker), a process that
# reads one upload and exits, allows the proof to run in a forked copy of itself: the copy parses the bytes
# it shares with its parent and answers with its exit status only. Nothing but exit status 0 counts as a
# proof; a copy that fails, dies or does not answer within PROOF_TIMEOUT_S proves nothing, and the sheet then
# goes to scan_sheet like any other the quick check gives up on. calamine still starts only after both the
# searches and the proof have passed.

FORKED_PROOF_MIN_BYTES = 2 * 1024 * 1024   # below this, a fork (~10 ms) costs about what it saves
PROOF_TIMEOUT_S = 30.0                     # the largest sheet the quick check takes is proved in ~3 s
_fork_allowed = False


def allow_forked_proof() -> None:
    """Let quick_scan prove large sheets in a forked copy of this process (for the reading worker only)."""
    global _fork_allowed
    _fork_allowed = True


class _Proof:
    """`_plain_well_formed(xml)`: started in a forked copy when that is allowed and worth it, else computed
    here when `result` is asked. `cancel` ends and reaps a copy whose answer is no longer needed."""

    def __init__(self, xml: bytes):
        self.xml = xml
        self.pid = _fork_proof(xml) if _fork_allowed and len(xml) >= FORKED_PROOF_MIN_BYTES else None

    def result(self) -> bool:
        if self.pid is None:
            return _plain_well_formed(self.xml)
        pid, self.pid = self.pid, None
        try:
            return _await_proof(pid, PROOF_TIMEOUT_S)
        except OSError:   # the copy cannot be awaited (no pidfd on this kernel): prove it here instead
            _end(pid)
            return _plain_well_formed(self.xml)

    def cancel(self) -> None:
        if self.pid is not None:
            pid, self.pid = self.pid, None
            _end(pid)


def _end(pid: int) -> None:
    """Kill and reap the copy `pid`, whether or not it is still running or already reaped."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _fork_proof(xml: bytes) -> int | None:
    """The pid of a copy of this process that exits 0 when `_plain_well_formed(xml)`; None when no process
    can be started (the proof then runs here)."""
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:   # the copy: it never returns into the caller's code, whatever happens
        code = 1
        try:
            code = 0 if _plain_well_formed(xml) else 1
        finally:
            os._exit(code)
    return pid


def _await_proof(pid: int, timeout: float) -> bool:
    """True only when the copy exited 0 within `timeout` seconds; it is killed if it has not, and reaped."""
    fd = os.pidfd_open(pid)
    try:
        answered = bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)
    if not answered:
        _end(pid)
        return False
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0
