"""Read and validate a quarterly progress workbook (docs/workbook-format.md).

    result = read_workbook(data, plan, unit="区发改局", file_name="2023Q2.xlsx")
    result.ok / result.readable / result.findings / result.indicator_rows / result.task_rows

How a file is read, in order:

1. `lib.filecheck.check_file`: is it a safe, readable workbook at all? If not: one `file.*` finding,
   `readable=False`, nothing else is looked at.
2. For .xlsx: the XML of the two contract sheets is streamed through a real XML parser (lib.sheetxml)
   for the sheet's extent (a single cell at XFD1048576 makes calamine try to allocate 512 GiB and abort
   the process; the parse stops at 100,000 rows, 64 columns or 1,000,000 cells) and for what calamine's
   values hide: merged cells, formulas without a cached value, error cells (#DIV/0! reads as empty) and
   cells formatted as percentages (styles.xml). For .xls the extents come from the BIFF records
   (lib.biff) before calamine opens the file.
3. The sheets are read with python-calamine through pandas (`header=None`, every cell as an object, no
   NA guessing), so frame row i is Excel row i + 1.
4. Each sheet is checked column by column and row by row; every problem is collected (never stopping at
   the first), with the Excel row the user sees and the column label.

Sheets: a unit may report only indicators (指标进度) or only tasks (任务进度); a file with neither sheet is
an error (`wb.sheet_missing`), and so is one whose sheets hold no data rows (`wb.no_rows`).

The tidy frames hold the rows that have no error (rows with only warnings included), with canonical ids
and unit names; when `ok` is False they are a preview only and must not be stored.

Free text (备注, 工作进展 …) is kept verbatim apart from control characters, which are removed; text that
starts with = + - @ is stored as text and never evaluated. Whoever exports it to a spreadsheet or CSV must
escape it there.

Damage: every exception class the readers are known to raise on damaged bytes (READ_ERRORS, calamine's
PanicException) becomes `file.corrupt`; validation stops after `validate_budget_s` CPU seconds
(`file.check_timeout`); at most 200 findings per sheet and code are listed (then `wb.more_findings`). A
parser that aborts cannot be caught here at all: callers that read uploads use lib.readworker.

Limits of the .xls path: an old-format workbook has no XML, so formulas without cached values, error
cells and percent formats are not detected there (BIFF always stores a cached value); merged cells come
from calamine.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import struct
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import pandas as pd
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineError, CalamineWorkbook

from lib import settings
from lib.biff import BiffError, Extent, sheet_extents
from lib.filecheck import MIB, OLE2_MAGIC, WORKBOOK_PART, check_file
from lib.findings import Finding, FindingCap, Severity, finding, has_errors
from lib.plan import Plan
from lib.schema import INDICATOR_SHEET, TASK_SHEET, TASK_STATES, Table
from lib.sheetxml import (MAX_CELLS, MAX_COLUMNS, MAX_ROWS, QUICK_SCAN_MAX_BYTES, Cell, SheetInfo,  # noqa: F401
                          SheetXmlError, column_index, column_letters, parse_ref, scan_sheet, sheet_info)
from lib.units import is_responsible, normalise_name

ENGINE = "calamine"
MAX_TEXT_CHARS = 5000
HEADER_SEARCH_ROWS = 10     # how far down to look for a header that is not in row 1
PERCENT_UNIT = "%"
QUOTA_KIND = "quota"
WARN = Severity.WARNING

_SHEETS: tuple[Table, ...] = (INDICATOR_SHEET, TASK_SHEET)
INDICATOR_COLUMNS = [*INDICATOR_SHEET.names, "row"]
TASK_COLUMNS = [*TASK_SHEET.names, "row"]
BUDGET_CHECK_ROWS = 2048    # rows between looks at the clock

# What damaged bytes make the readers raise (found by fuzzing valid files): each means "cannot be read".
# calamine's Rust panics arrive as pyo3_runtime.PanicException, a BaseException that cannot be imported;
# it is recognised by name (_is_panic). Aborts cannot be caught at all: lib.readworker runs this module
# in a separate process for that.
READ_ERRORS = (CalamineError, zipfile.BadZipFile, OSError, ValueError, KeyError, IndexError, SafeET.ParseError,
               EOFError, zlib.error, struct.error, SheetXmlError, BiffError, UnicodeError, OverflowError)


class BudgetExceeded(Exception):
    """Validation ran past settings `validate_budget_s`."""


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


@dataclass(frozen=True)
class WorkbookResult:
    findings: list[Finding]
    indicator_rows: pd.DataFrame
    task_rows: pd.DataFrame
    readable: bool = True

    @property
    def ok(self) -> bool:
        """Readable and without errors: the file may be committed (warnings are shown)."""
        return self.readable and not has_errors(self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


def read_workbook(source: bytes | Path, plan: Plan, *, unit: str | None = None, file_name: str = "",
                  known_targets: pd.DataFrame | None = None) -> WorkbookResult:
    """Check, read and validate one progress workbook. Never raises on bad input; never prints.

    `unit`: the submitting unit (signed-in department or --unit). Rows whose 填报单位 is another unit, and
    rows for items that unit does not answer for, are errors. `known_targets`: annual targets already on
    record (columns indicator_id, year, annual_target), for the quota warning.
    """
    data, file_name, problem = _load(source, file_name)
    if problem is None and data is not None:
        problem = check_file(data, file_name)
    if problem is not None or data is None:
        return _unreadable(problem)
    shown = file_name or "上传的文件"
    budget = settings.get("validate_budget_s")
    try:
        return _read_checked(data, plan, unit, shown, known_targets, time.process_time() + budget)
    except BudgetExceeded:
        return _unreadable(finding("file.check_timeout", value=shown, seconds=budget))
    except READ_ERRORS:
        return _unreadable(finding("file.corrupt", value=shown))
    except BaseException as exc:  # noqa: B036 - only calamine's panic is handled; anything else propagates
        if _is_panic(exc):
            return _unreadable(finding("file.corrupt", value=shown))
        raise


def _read_checked(data: bytes, plan: Plan, unit: str | None, file_name: str, known_targets: pd.DataFrame | None,
                  deadline: float) -> WorkbookResult:
    """read_workbook after the pre-check; raises READ_ERRORS on damage, BudgetExceeded past `deadline`."""
    book = _open(data)
    findings: list[Finding] = []
    context = _Context.build(plan, unit, known_targets, findings)
    context.deadline = deadline
    frames: dict[str, pd.DataFrame] = {}
    if book.refused:
        findings.extend(_too_big(info.name, info) for info in book.refused)
        return WorkbookResult(findings, pd.DataFrame(columns=INDICATOR_COLUMNS), pd.DataFrame(columns=TASK_COLUMNS))
    present = [t for t in _SHEETS if t.label in book.sheets]
    if not present:
        findings.append(finding("wb.sheet_missing",
                                value="、".join(book.sheet_names) or "无",
                                sheets="」或「".join(t.label for t in _SHEETS)))
    findings.extend(_too_big(t.label, book.sheets[t.label]) for t in present
                    if book.sheets[t.label].too_large or book.sheets[t.label].too_many_cells)
    readable = [t for t in present if not (book.sheets[t.label].too_large or book.sheets[t.label].too_many_cells)]
    raws = _read_sheets(data, [book.sheets[t.label].name for t in readable])
    data_rows = 0
    for table in readable:
        sheet = book.sheets[table.label]
        raw = raws[sheet.name]
        if not any(not is_blank(v) for v in raw.to_numpy().ravel()):
            continue  # an entirely empty sheet counts as absent
        checker = _IndicatorChecker if table is INDICATOR_SHEET else _TaskChecker
        frame, count = checker(table, sheet, raw, context, findings).run()
        frames[table.name] = frame
        data_rows += count
    if present and data_rows == 0 and not has_errors(findings):
        findings.append(finding("wb.no_rows", sheet=present[0].label))
    findings.extend(context.cap.summary())
    return WorkbookResult(findings,
                          frames.get(INDICATOR_SHEET.name, pd.DataFrame(columns=INDICATOR_COLUMNS)),
                          frames.get(TASK_SHEET.name, pd.DataFrame(columns=TASK_COLUMNS)))


def _too_big(sheet: str, info: SheetInfo) -> Finding:
    if info.too_large:
        return finding("wb.sheet_too_large", sheet=sheet, value=info.too_large, max_rows=MAX_ROWS - 1,
                       max_columns=MAX_COLUMNS)
    return finding("wb.sheet_too_many_cells", sheet=sheet, value=f"{info.cells:,}", max_cells=f"{MAX_CELLS:,}")


def _unreadable(problem: Finding | None) -> WorkbookResult:
    return WorkbookResult([problem] if problem else [], pd.DataFrame(columns=INDICATOR_COLUMNS),
                          pd.DataFrame(columns=TASK_COLUMNS), readable=False)


def _load(source: bytes | Path, file_name: str) -> tuple[bytes | None, str, Finding | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), file_name, None
    path = Path(source)
    name = file_name or path.name
    limit = settings.get("max_upload_mb")
    try:
        size = path.stat().st_size
        if size > limit * MIB:
            return None, name, finding("file.too_large", value=name, size_mb=f"{size / MIB:.1f}", max_mb=limit)
        return path.read_bytes(), name, None
    except FileNotFoundError:
        return None, name, finding("file.not_found", value=str(path))
    except OSError:
        return None, name, finding("file.corrupt", value=name)


# --- what calamine does not show: the sheet XML ---------------------------------------------------

_BUILTIN_PERCENT_FORMATS = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@dataclass
class _Book:
    sheet_names: list[str]
    sheets: dict[str, SheetInfo]                          # contract label → info
    refused: list[SheetInfo] = field(default_factory=list)  # .xls sheets too big to load (nothing was read)


def _open(data: bytes) -> _Book:
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
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        frames[name] = pd.DataFrame([list(map(_excel_value, row)) for row in rows], dtype=object)
    return frames


def _excel_value(value: object) -> object:
    """As pandas' calamine reader gives it: whole floats as int, a date as a datetime at midnight."""
    if type(value) is float:
        return int(value) if value.is_integer() else value
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


# --- cell parsing ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?年?$")
_CHINESE_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"^(?:Q([1-4])|第?([1-4一二三四])季度?|([1-4])(?:\.0+)?)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_TYPES = (dt.date, dt.datetime, dt.time, dt.timedelta, pd.Timestamp)

NUM_OK, NUM_EMPTY, NUM_DATE, NUM_BAD = "ok", "empty", "date", "bad"


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return value is pd.NaT


def show(value: object) -> str:
    """A cell value as the user would recognise it in a message."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".10g")
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d") if (value.hour, value.minute, value.second) == (0, 0, 0) else str(value)
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def _nfkc(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).replace("\u2212", "-")
    return "".join(text.split())


def parse_number(value: object) -> tuple[float | None, str, bool]:
    """(number, status, had_percent_sign). Booleans and dates are not numbers; nor are NaN or inf."""
    if isinstance(value, bool):
        return None, NUM_BAD, False
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None, NUM_EMPTY, False
        number = float(value)
        return (number, NUM_OK, False) if math.isfinite(number) else (None, NUM_BAD, False)
    if isinstance(value, _DATE_TYPES):
        return None, NUM_DATE, False
    if is_blank(value):
        return None, NUM_EMPTY, False
    text = _nfkc(value)
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return None, NUM_BAD, False
    number = float(text)
    return (number, NUM_OK, percent) if math.isfinite(number) else (None, NUM_BAD, False)


def parse_year(value: object) -> int | None:
    if isinstance(value, bool) or isinstance(value, _DATE_TYPES):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 1000 <= value <= 9999 else None
    if isinstance(value, int):
        return value if 1000 <= value <= 9999 else None
    m = _YEAR.match(_nfkc(value))
    return int(m.group(1)) if m else None


def parse_quarter(value: object) -> int | None:
    if isinstance(value, bool) or isinstance(value, _DATE_TYPES):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value) in (1.0, 2.0, 3.0, 4.0) else None
    m = _QUARTER.match(_nfkc(value).upper())
    if not m:
        return None
    return _CHINESE_QUARTER[next(g for g in m.groups() if g)]


def clean_text(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    return show(value)


def normalise_id(value: object) -> str:
    return _nfkc(value).upper()


def _cached(fn: Callable[[object], Any]) -> Callable[[object], Any]:
    cache: dict[tuple[type, object], Any] = {}

    def wrapper(value: object) -> Any:
        try:
            key = (type(value), value)
            if key in cache:
                return cache[key]
            result = cache[key] = fn(value)
            return result
        except TypeError:  # unhashable: never from calamine, but stay total
            return fn(value)
    return wrapper


# --- checking ---------------------------------------------------------------------------------------

@dataclass
class _Context:
    plan: Plan
    submitter: str | None
    known_targets: dict[tuple[str, int], float]
    indicators: dict[str, dict[str, Any]]
    tasks: dict[str, dict[str, Any]]
    first_year: int
    last_year: int
    responsible_cache: dict[tuple[str, str], bool] = field(default_factory=dict)
    cap: FindingCap = field(default_factory=FindingCap)
    deadline: float = math.inf

    def check_clock(self) -> None:
        """CPU seconds, not wall: a busy server must not refuse a file that is merely waiting its turn."""
        if time.process_time() > self.deadline:
            raise BudgetExceeded

    @classmethod
    def build(cls, plan: Plan, unit: str | None, known: pd.DataFrame | None, findings: list[Finding]) -> "_Context":
        submitter = None
        if unit is not None and str(unit).strip():
            submitter = plan.units.resolve(unit)
            if submitter is None:
                findings.append(finding("wb.submitter_unknown", value=unit, suggestion=_unit_suggestion(plan, unit)))
        indicators = {}
        for rec in plan.indicators.to_dict("records"):
            rec["names"] = (*rec["lead_units"], *rec["responsible_units"])
            for key, default in (("hard_min", -math.inf), ("hard_max", math.inf), ("plausible_min", -math.inf),
                                 ("plausible_max", math.inf)):
                rec[key] = default if pd.isna(rec[key]) else float(rec[key])
            rec["fraction_suspect"] = rec["unit"] == PERCENT_UNIT and rec["plausible_min"] > 1
            indicators[rec["indicator_id"]] = rec
        tasks = {}
        for rec in plan.tasks.to_dict("records"):
            rec["names"] = (*rec["lead_units"], *rec["responsible_units"])
            tasks[rec["task_id"]] = rec
        targets: dict[tuple[str, int], float] = {}
        if known is not None and len(known):
            for rec in known[["indicator_id", "year", "annual_target"]].dropna().itertuples(index=False):
                targets[(str(rec.indicator_id).upper(), int(rec.year))] = float(rec.annual_target)
        return cls(plan, submitter, targets, indicators, tasks, plan.base_year + 1, plan.target_year)

    def responsible(self, names: tuple[str, ...], item_id: str, unit: str) -> bool:
        key = (item_id, unit)
        if key not in self.responsible_cache:
            self.responsible_cache[key] = is_responsible(self.plan.units, names, unit)
        return self.responsible_cache[key]


def _unit_suggestion(plan: Plan, name: object) -> str:
    close = plan.units.closest(name)
    return f",是否为:{'、'.join(close)}" if close else ",请按单位名录填写全称"


def _id_suggestion(name: str, known: list[str]) -> str:
    close = get_close_matches(name, known, n=3, cutoff=0.6)
    return f"(是否为 {'、'.join(close)}?)" if close else f"(如 {'、'.join(known[:3])})"


def _fmt(number: float) -> str:
    return show(float(number))


class _SheetChecker:
    """Shared by both sheets: header, blank rows, the cells calamine hides, unit, year and quarter."""

    def __init__(self, table: Table, sheet: SheetInfo, raw: pd.DataFrame, context: _Context, findings: list[Finding]):
        self.table, self.info, self.raw, self.ctx, self.findings = table, sheet, raw, context, findings
        self.sheet = table.label
        self.columns: dict[str, int] = {}          # internal name → column index
        self.explained: set[Cell] = set()          # cells whose emptiness another finding explains
        self.error_rows: set[int] = set()          # rows hit by a merge, a formula without value, an error cell
        self.row_has_error = False

    # findings --------------------------------------------------------------------------------------
    def add(self, code: str, row: int | None, name_or_label: str, value: object = "", severity: Severity = Severity.ERROR,
            **params: object) -> None:
        if severity is Severity.ERROR:
            self.row_has_error = True
        if not self.ctx.cap.admit(code, severity, self.sheet):
            return  # counted; the summary finding says how many more
        label = self.table.label_of(name_or_label) if name_or_label in self.table.names else name_or_label
        self.findings.append(finding(code, severity, sheet=self.sheet, row=row, column=label, value=value, **params))

    # header ----------------------------------------------------------------------------------------
    def header(self) -> bool:
        raw = self.raw
        by_label = self.table.by_label()
        first = [normalise_name(v) if not is_blank(v) else "" for v in (raw.iloc[0].tolist() if len(raw) else [])]
        if not any(label in by_label for label in first):
            for i in range(1, min(HEADER_SEARCH_ROWS, len(raw))):
                labels = {normalise_name(v) for v in raw.iloc[i].tolist() if not is_blank(v)}
                if len(labels & set(by_label)) >= 2:
                    self.add("wb.header_not_first_row", 1, "", value="", header_row=i + 1)
                    return False
        for idx, label in enumerate(first):
            if label in by_label:
                name = by_label[label].name
                if name in self.columns:
                    self.add("wb.column_duplicate", 1, label, value=label)
                else:
                    self.columns[name] = idx
            elif label:
                self.add("wb.column_extra", 1, str(raw.iat[0, idx]).strip(), value=str(raw.iat[0, idx]).strip(), severity=WARN)
            elif any(not is_blank(v) for v in raw.iloc[1:, idx].tolist()):
                letter = f"{column_letters(idx)}列"
                self.add("wb.column_extra", 1, letter, value=f"{letter}(无表头)", severity=WARN)
        for col in self.table.required:
            if col.name not in self.columns:
                self.add("wb.column_missing", 1, col.label, value=col.label)
        return True

    # hidden cells ------------------------------------------------------------------------------------
    def label_at(self, col: int) -> str | None:
        for name, idx in self.columns.items():
            if idx == col:
                return self.table.label_of(name)
        return None

    def hidden_cells(self) -> None:
        """Merges, formulas without a value and error cells in the contract columns below the header."""
        contract = set(self.columns.values())
        last_row = len(self.raw)              # Excel row of the frame's last row
        for (r1, c1), (r2, c2) in self.info.merges:
            # Range arithmetic: the merge is clipped to the data area (rows 2…last_row, contract columns)
            # before any cell is listed, so A3:XFD1048576 costs no more than the sheet's own cells.
            cols = sorted(c for c in contract if c1 <= c <= c2)
            top, bottom = max(r1, 2), min(r2, last_row)
            if r2 < 2 or not cols:
                continue
            ref = f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}"
            self.add("wb.merged_cells", top, self.label_at(cols[0]) or "", value=ref)
            self.explained |= {(r, c) for r in range(top, bottom + 1) for c in cols if (r, c) != (r1, c1)}
            self.error_rows |= set(range(top, bottom + 1))
        for cells, code in ((self.info.formulas_without_value, "wb.formula_no_value"), (self.info.error_cells, "wb.cell_error")):
            for (r, c), text in sorted(cells.items()):
                if r >= 2 and c in contract:
                    self.add(code, r, self.label_at(c) or "", value=text)
                    self.explained.add((r, c))
                    self.error_rows.add(r)
        self.row_has_error = False

    # cells ---------------------------------------------------------------------------------------
    def cell(self, values: dict[str, list], name: str, k: int) -> object:
        column = values.get(name)
        return "" if column is None else column[k]

    def required(self, values: dict[str, list], name: str, k: int, row: int) -> bool:
        """True when the cell has content; otherwise report it (unless a merge/formula explains it)."""
        if name not in self.columns:
            self.row_has_error = True   # wb.column_missing already says so; the row cannot be stored
            return False
        if not self.is_blank(values[name][k]):
            return True
        if (row, self.columns[name]) not in self.explained:
            self.add("wb.required_empty", row, name)
        return False

    def text(self, values: dict[str, list], name: str, k: int, row: int) -> str:
        text = self.clean_text(self.cell(values, name, k))
        if len(text) > MAX_TEXT_CHARS:
            self.add("wb.text_too_long", row, name, value=len(text), max_chars=MAX_TEXT_CHARS)
        return text

    def year(self, values: dict[str, list], k: int, row: int) -> int | None:
        if not self.required(values, "year", k, row):
            return None
        raw = values["year"][k]
        year = self.parse_year(raw)
        if year is None:
            self.add("wb.year_invalid", row, "year", value=show(raw), example=self.ctx.last_year)
            return None
        if not self.ctx.first_year <= year <= self.ctx.last_year:
            self.add("wb.year_outside_plan", row, "year", value=year, first=self.ctx.first_year, last=self.ctx.last_year)
            return None
        return year

    def quarter(self, values: dict[str, list], k: int, row: int) -> int | None:
        if not self.required(values, "quarter", k, row):
            return None
        raw = values["quarter"][k]
        quarter = self.parse_quarter(raw)
        if quarter is None:
            self.add("wb.quarter_invalid", row, "quarter", value=show(raw))
        return quarter

    def unit(self, values: dict[str, list], k: int, row: int) -> str | None:
        """Canonical unit of the row when it may report; None (with a finding) otherwise."""
        if not self.required(values, "unit", k, row):
            return None
        raw = values["unit"][k]
        canonical = self.resolve_unit(raw)
        directory = self.ctx.plan.units
        if canonical is None:
            self.add("wb.unknown_unit", row, "unit", value=show(raw), suggestion=_unit_suggestion(self.ctx.plan, raw))
            return None
        if directory.units[canonical].is_group:
            self.add("wb.unit_is_group", row, "unit", value=show(raw))
            return None
        if self.ctx.submitter is not None and canonical != self.ctx.submitter:
            self.add("wb.unit_mismatch", row, "unit", value=show(raw), unit=self.ctx.submitter)
            return None
        return canonical

    def number(self, raw: object, row: int, name: str, example: str) -> tuple[float | None, bool]:
        number, status, percent_sign = self.parse_number(raw)
        if status == NUM_DATE:
            self.add("wb.date_not_number", row, name, value=show(raw))
        elif status == NUM_BAD:
            self.add("wb.not_number", row, name, value=show(raw), example=example)
        return number, percent_sign

    def item(self, kind: str, item_id: str, title: str) -> str:
        return f"{kind} {item_id}「{title}」"

    # driver ---------------------------------------------------------------------------------------
    def run(self) -> tuple[pd.DataFrame, int]:
        self.parse_year = _cached(parse_year)
        self.parse_quarter = _cached(parse_quarter)
        self.parse_number = _cached(parse_number)
        self.resolve_unit = _cached(self.ctx.plan.units.resolve)
        self.normalise_id = _cached(normalise_id)
        self.clean_text = _cached(clean_text)
        self.normalise_name = _cached(normalise_name)
        self.is_blank = _cached(is_blank)
        columns = self.table.names
        start = len(self.findings)
        if not self.header():
            return pd.DataFrame(columns=[*columns, "row"]), 0
        self.hidden_cells()
        values = {name: self.raw.iloc[1:, idx].tolist() for name, idx in self.columns.items()}
        n = len(self.raw) - 1
        blank_columns = [values[name] for name in values] or [[""] * n]
        # A template row whose fill-in cells are all empty means "nothing to report this quarter".
        fill_in = [values[name] for name in self.table.fill_in if name in values]
        is_blank_cell = self.is_blank
        records: list[dict[str, Any]] = []
        count = 0
        unfilled: list[int] = []
        check_clock = self.ctx.check_clock
        for k in range(n):
            if k % BUDGET_CHECK_ROWS == 0:
                check_clock()
            if is_blank_cell(blank_columns[0][k]) and all(is_blank_cell(col[k]) for col in blank_columns):
                continue
            if fill_in and all(is_blank_cell(col[k]) for col in fill_in) and (k + 2) not in self.error_rows \
                    and self.is_known_id(values, k):
                unfilled.append(k + 2)
                continue
            row = k + 2
            count += 1
            self.row_has_error = False
            record = self.check_row(values, k, row)
            if record is not None and not self.row_has_error and row not in self.error_rows:
                record["row"] = row
                records.append(record)
        self.after_rows()
        if unfilled:
            shown = "、".join(map(str, unfilled[:10])) + ("…" if len(unfilled) > 10 else "")
            self.findings.append(finding("wb.rows_not_filled", Severity.WARNING, sheet=self.table.label, value=shown,
                                         count=len(unfilled)))
        self.findings[start:] = sorted(self.findings[start:], key=lambda f: f.row or 0)  # stable: row order
        return self.frame(records), count

    def check_row(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        raise NotImplementedError

    def is_known_id(self, values: dict[str, list], k: int) -> bool:
        """An untouched template row names a real plan item; anything else is checked as data."""
        id_col = self.table.names[0]
        items = self.ctx.indicators if self.table is INDICATOR_SHEET else self.ctx.tasks
        return id_col in values and self.normalise_id(values[id_col][k]) in items

    def after_rows(self) -> None:
        """Checks that need every row first."""

    def frame(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        frame = pd.DataFrame.from_records(records, columns=[*self.table.names, "row"])
        return frame.astype({"year": "int64", "quarter": "int64", "row": "int64"})


class _IndicatorChecker(_SheetChecker):
    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen: dict[tuple[str, int, int], int] = {}
        self.targets: dict[tuple[str, int], tuple[int, float]] = {}
        self.quota_rows: dict[tuple[str, int], int] = {}

    def indicator(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        if not self.required(values, "indicator_id", k, row):
            return None
        raw = values["indicator_id"][k]
        iid = self.normalise_id(raw)
        info = self.ctx.indicators.get(iid)
        if info is None:
            self.add("wb.unknown_indicator", row, "indicator_id", value=show(raw),
                     suggestion=_id_suggestion(iid, list(self.ctx.indicators)))
        return info

    def bounded(self, number: float, info: dict[str, Any], row: int, name: str, formatted: bool, plausible: bool) -> bool:
        """Checks a number against the indicator; False when it is an error."""
        if formatted:
            self.add("wb.percent_formatted_value", row, name, value=_fmt(number))
            return False
        if info["fraction_suspect"] and 0 < abs(number) <= 1:
            self.add("wb.percent_as_fraction", row, name, value=_fmt(number))
            return False
        low, high = info["hard_min"], info["hard_max"]
        if not low <= number <= high:
            self.add("wb.value_out_of_bounds", row, name, value=_fmt(number), bounds=_bounds_text(low, high, info["unit"]))
            return False
        low, high = info["plausible_min"], info["plausible_max"]
        if plausible and not low <= number <= high:
            self.add("wb.value_implausible", row, name, value=_fmt(number), severity=WARN,
                     low=_fmt(low) if math.isfinite(low) else "", high=_fmt(high) if math.isfinite(high) else "")
        return True

    def numeric(self, values: dict[str, list], name: str, k: int, row: int, info: dict[str, Any] | None,
                plausible: bool) -> float | None:
        raw = values[name][k]
        number, percent_sign = self.number(raw, row, name, "8.5")
        if number is None:
            return None
        if percent_sign and (info is None or info["unit"] != PERCENT_UNIT):
            self.add("wb.not_number", row, name, value=show(raw), example="8.5")
            return None
        if info is None:
            return number
        formatted = (row, self.columns[name]) in self.info.percent_cells
        return number if self.bounded(number, info, row, name, formatted, plausible) else None

    def check_row(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        info = self.indicator(values, k, row)
        iid = info["indicator_id"] if info else None
        name = self.text(values, "indicator_name", k, row)
        if info and name and self.normalise_name(name) != self.normalise_name(info["name"]):
            self.add("wb.name_mismatch", row, "indicator_name", value=name, severity=WARN, item_id=iid, expected=info["name"])
        year = self.year(values, k, row)
        quarter = self.quarter(values, k, row)
        unit = self.unit(values, k, row)
        if info and unit and not self.ctx.responsible(info["names"], iid, unit):
            self.add("wb.not_responsible", row, "unit", value=show(values["unit"][k]), unit=unit,
                     item=self.item("指标", iid, info["name"]))
        target = None
        has_target = "annual_target" in values and not self.is_blank(values["annual_target"][k])
        if has_target:
            target = self.numeric(values, "annual_target", k, row, info, plausible=False)
            if target is not None and info and info["kind"] != QUOTA_KIND:
                self.add("wb.target_not_quota", row, "annual_target", value=_fmt(target), severity=WARN)
                target = None
        value = float("nan")
        if "value" in self.columns:
            if self.is_blank(values["value"][k]):
                if not has_target and (row, self.columns["value"]) not in self.explained:
                    self.add("wb.value_empty", row, "value")
            else:
                number = self.numeric(values, "value", k, row, info, plausible=True)
                value = float("nan") if number is None else number
        if iid and year is not None and quarter is not None:
            key = (iid, year, quarter)
            if key in self.seen:
                self.add("wb.duplicate_period", row, "indicator_id", value=f"{iid} {year}年第{quarter}季度", first_row=self.seen[key])
            else:
                self.seen[key] = row
        if iid and year is not None and target is not None:
            self.record_target(iid, year, target, row)
        if info and info["kind"] == QUOTA_KIND and year is not None and not math.isnan(value):
            self.quota_rows.setdefault((iid, year), row)
        if self.row_has_error:
            return None
        return {"indicator_id": iid, "indicator_name": name, "year": year, "quarter": quarter, "value": value,
                "annual_target": float("nan") if target is None else target, "unit": unit,
                "note": self.text(values, "note", k, row)}

    def record_target(self, iid: str, year: int, target: float, row: int) -> None:
        key = (iid, year)
        if key in self.targets:
            first_row, first = self.targets[key]
            if not math.isclose(first, target, rel_tol=1e-9, abs_tol=1e-12):
                self.add("wb.target_conflict", row, "annual_target", value=_fmt(target), first_row=first_row, first=_fmt(first))
            return
        self.targets[key] = (row, target)
        old = self.ctx.known_targets.get(key)
        if old is not None and not math.isclose(old, target, rel_tol=1e-9, abs_tol=1e-12):
            self.add("wb.target_changed", row, "annual_target", value=_fmt(target), severity=WARN, year=year, old=_fmt(old))

    def after_rows(self) -> None:
        for (iid, year), row in self.quota_rows.items():
            if (iid, year) not in self.targets and (iid, year) not in self.ctx.known_targets:
                self.add("wb.quota_without_target", row, "annual_target", value=year, severity=WARN)

    def frame(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        return super().frame(records).astype({"value": "float64", "annual_target": "float64"})


class _TaskChecker(_SheetChecker):
    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen: dict[tuple[str, int, int, str], int] = {}

    def task(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        if not self.required(values, "task_id", k, row):
            return None
        raw = values["task_id"][k]
        tid = self.normalise_id(raw)
        info = self.ctx.tasks.get(tid)
        if info is None:
            self.add("wb.unknown_task", row, "task_id", value=show(raw), suggestion=_id_suggestion(tid, list(self.ctx.tasks)))
        return info

    def percent(self, values: dict[str, list], k: int, row: int) -> float | None:
        if not self.required(values, "percent", k, row):
            return None
        raw = values["percent"][k]
        number, _ = self.number(raw, row, "percent", "60")
        if number is None:
            return None
        if (row, self.columns["percent"]) in self.info.percent_cells:
            converted = number * 100
            self.add("wb.percent_converted", row, "percent", value=f"{_fmt(number)}", severity=WARN,
                     converted=f"{_fmt(round(converted, 10))}")
            number = round(converted, 10)
        if not 0 <= number <= 100:
            self.add("wb.percent_out_of_range", row, "percent", value=_fmt(number))
            return None
        return number

    def check_row(self, values: dict[str, list], k: int, row: int) -> dict[str, Any] | None:
        info = self.task(values, k, row)
        tid = info["task_id"] if info else None
        name = self.text(values, "task_name", k, row)
        if info and name and self.normalise_name(name) != self.normalise_name(info["title"]):
            self.add("wb.name_mismatch", row, "task_name", value=name, severity=WARN, item_id=tid, expected=info["title"])
        year = self.year(values, k, row)
        quarter = self.quarter(values, k, row)
        state = None
        if self.required(values, "state", k, row):
            state = self.normalise_name(values["state"][k])
            if state not in TASK_STATES:
                self.add("wb.unknown_state", row, "state", value=show(values["state"][k]), choices="、".join(TASK_STATES))
        percent = self.percent(values, k, row)
        unit = self.unit(values, k, row)
        if info and unit and not self.ctx.responsible(info["names"], tid, unit):
            self.add("wb.not_responsible", row, "unit", value=show(values["unit"][k]), unit=unit,
                     item=self.item("任务", tid, info["title"]))
        if tid and year is not None and quarter is not None and unit:
            key = (tid, year, quarter, unit)
            if key in self.seen:
                self.add("wb.duplicate_period", row, "task_id", value=f"{tid} {year}年第{quarter}季度({unit})", first_row=self.seen[key])
            else:
                self.seen[key] = row
        texts = {name: self.text(values, name, k, row) for name in ("progress", "problems", "next_steps")}
        if self.row_has_error:
            return None
        return {"task_id": tid, "task_name": name, "year": year, "quarter": quarter, "state": state,
                "percent": percent, **texts, "unit": unit}

    def frame(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        return super().frame(records).astype({"percent": "float64"})


def _bounds_text(low: float, high: float, unit: str) -> str:
    suffix = f" {unit}" if unit != PERCENT_UNIT else ""
    if math.isfinite(low) and math.isfinite(high):
        return f"{_fmt(low)}–{_fmt(high)}{suffix}"
    if math.isfinite(low):
        return f"不小于 {_fmt(low)}{suffix}"
    return f"不大于 {_fmt(high)}{suffix}"
