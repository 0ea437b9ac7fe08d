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

The reader is split along its seams; this module is the entry point and keeps every name the others
define importable from here (callers and tests import them as lib.workbook.X):

| module | does |
|---|---|
| lib.filecheck | the safety pre-check of the bytes |
| lib.sheetxml | one sheet's XML: extent, merges, hidden cells (quick check, else cell by cell) |
| lib.bookscan | the workbook's sheets, styles and .xls extents; reading the cells with calamine |
| lib.cells | one cell value: blank, number, year, quarter, text |
| lib.sheetcheck | checking a sheet's header and rows against the plan |

Limits of the .xls path: an old-format workbook has no XML, so formulas without cached values, error
cells and percent formats are not detected there (BIFF always stores a cached value); merged cells come
from calamine.
"""
from __future__ import annotations

import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineError

from lib import settings
from lib.biff import BiffError
# Re-exported (noqa: F401): the names lib.workbook had before the split stay importable from here.
from lib.bookscan import (_SHEETS, _Book, _excel_value, _extent_problem, _local, _match_sheet,  # noqa: F401
                          _open, _open_xls, _percent_styles, _read_sheets, _scan_part, _sheet_parts, open_book,
                          read_sheets)
from lib.cells import (NUM_BAD, NUM_DATE, NUM_EMPTY, NUM_OK, _cached, _nfkc, clean_text, is_blank,  # noqa: F401
                       normalise_id, parse_number, parse_quarter, parse_year, show)
from lib.filecheck import MIB, check_file
from lib.findings import Finding, finding, has_errors
from lib.plan import Plan
from lib.schema import INDICATOR_SHEET, TASK_SHEET
from lib.sheetcheck import (BUDGET_CHECK_ROWS, HEADER_SEARCH_ROWS, MAX_TEXT_CHARS, PERCENT_UNIT,  # noqa: F401
                            QUOTA_KIND, WARN, BudgetExceeded, _bounds_text, _Context, _fmt, _id_suggestion,
                            _IndicatorChecker, _SheetChecker, _TaskChecker, _unit_suggestion)
from lib.sheetxml import (MAX_CELLS, MAX_COLUMNS, MAX_ROWS, QUICK_SCAN_MAX_BYTES, Cell, SheetInfo,  # noqa: F401
                          SheetXmlError, column_index, column_letters, parse_ref, scan_sheet, sheet_info)

INDICATOR_COLUMNS = [*INDICATOR_SHEET.names, "row"]
TASK_COLUMNS = [*TASK_SHEET.names, "row"]

# What damaged bytes make the readers raise (found by fuzzing valid files): each means "cannot be read".
# calamine's Rust panics arrive as pyo3_runtime.PanicException, a BaseException that cannot be imported;
# it is recognised by name (_is_panic). Aborts cannot be caught at all: lib.readworker runs this module
# in a separate process for that.
READ_ERRORS = (CalamineError, zipfile.BadZipFile, OSError, ValueError, KeyError, IndexError, SafeET.ParseError,
               EOFError, zlib.error, struct.error, SheetXmlError, BiffError, UnicodeError, OverflowError)


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


def check_rows(indicator_rows: pd.DataFrame | None, task_rows: pd.DataFrame | None, plan: Plan, *,
               unit: str | None = None, known_targets: pd.DataFrame | None = None) -> WorkbookResult:
    """Stored rows (schema column names) checked again with every rule of `read_workbook`, without a file.

    Each frame stands where a template puts it: header in sheet row 1, frame row k in sheet row k + 2, so the
    findings name the rows a workbook of these rows would. There is no sheet XML, hence no merge, formula or
    percent-format finding (stored rows have none)."""
    findings: list[Finding] = []
    context = _Context.build(plan, unit, known_targets, findings)
    context.deadline = time.process_time() + settings.get("validate_budget_s")
    frames: dict[str, pd.DataFrame] = {}
    for table, rows in ((INDICATOR_SHEET, indicator_rows), (TASK_SHEET, task_rows)):
        if rows is None or rows.empty:
            continue
        checker = _IndicatorChecker if table is INDICATOR_SHEET else _TaskChecker
        frames[table.name], _ = checker(table, SheetInfo(table.label), _grid(table, rows), context, findings).run()
    findings.extend(context.cap.summary())
    return WorkbookResult(findings,
                          frames.get(INDICATOR_SHEET.name, pd.DataFrame(columns=INDICATOR_COLUMNS)),
                          frames.get(TASK_SHEET.name, pd.DataFrame(columns=TASK_COLUMNS)))


def _grid(table, rows: pd.DataFrame) -> pd.DataFrame:  # noqa: ANN001 - lib.schema.Table
    """The cells a sheet of `rows` would give (as `bookscan._read_sheets` does): header row, '' for empty."""
    def cell(value: object) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            return ""
        return _excel_value(value.item() if hasattr(value, "item") else value)
    body = [[cell(v) for v in rec] for rec in rows.reindex(columns=table.names).itertuples(index=False)]
    return pd.DataFrame([list(table.labels), *body], dtype=object)


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
