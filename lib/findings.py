"""Findings: what validation reports. Validators return lists of these; they never print or raise."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from enum import Enum

import pandas as pd

from lib.messages import hint, render, severity as catalogue_severity


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_LABEL = {Severity.ERROR: "错误", Severity.WARNING: "警告"}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    sheet: str = ""          # sheet name, or plan file name
    row: int | None = None   # the row number the user sees (header = row 1)
    column: str = ""         # the column label the user sees
    value: str = ""

    @property
    def hint(self) -> str:
        """What to do, where the message itself does not say (lib.messages.HINTS)."""
        return hint(self.code)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        parts = [self.sheet] if self.sheet else []
        if self.row is not None:
            parts.append(f"第{self.row}行")
        text = " ".join(parts)
        if self.column:
            text += f"「{self.column}」"
        return text

    @property
    def text(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def finding(code: str, severity: Severity | None = None, *, sheet: str = "", row: int | None = None,
            column: str = "", value: object = "", **params: object) -> Finding:
    """A finding of catalogue code `code`, with the catalogue's severity. Pass `severity` only where it is
    inherited, not declared (the cap's summary takes the severity of the findings it counts)."""
    shown = "" if value is None else str(value)
    level = severity or Severity(catalogue_severity(code))
    return Finding(code, level, render(code, value=shown, **params), sheet, row, column, shown)


MAX_PER_CODE = 200


class FindingCap:
    """At most `per_code` findings per (sheet, code); the rest are only counted. A file whose 100,000 rows
    are all wrong yields 5 million findings otherwise (gigabytes in the server, unreadable for the clerk)."""

    def __init__(self, per_code: int = MAX_PER_CODE):
        self.per_code = per_code
        self.counts: Counter[tuple[str, str]] = Counter()
        self.severity: dict[tuple[str, str], Severity] = {}

    def admit(self, code: str, severity: Severity, sheet: str = "") -> bool:
        """Count one finding; True while it should still be listed."""
        return self.admit_many(code, severity, sheet, 1) == 1

    def admit_many(self, code: str, severity: Severity, sheet: str, n: int) -> int:
        """Count `n` findings of one code at once; how many of them (the first ones) should still be listed."""
        key = (sheet, code)
        before = self.counts[key]
        self.counts[key] += n
        self.severity.setdefault(key, severity)
        return max(0, min(n, self.per_code - before))

    def summary(self) -> list[Finding]:
        """One finding per (sheet, code) that passed the cap: how many more there are."""
        return [finding("wb.more_findings", self.severity[key], sheet=key[0], value=n - self.per_code, kind=key[1],
                        shown=self.per_code)
                for key, n in self.counts.items() if n > self.per_code]


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """One row per finding, with Chinese column labels, for tables and CSV export."""
    rows = [{**asdict(f), "severity": SEVERITY_LABEL[f.severity]} for f in findings]
    frame = pd.DataFrame(rows, columns=["severity", "sheet", "row", "column", "value", "message", "code"])
    frame["row"] = frame["row"].astype("Int64")
    return frame.rename(columns={"severity": "级别", "sheet": "工作表", "row": "行", "column": "列",
                                 "value": "填写内容", "message": "说明", "code": "代码"})


WHOLE_TABLE = "全表"
DISPLAY_COLUMNS = ["级别", "位置", "填写内容", "说明"]


def where(f: Finding, row_labels: dict[tuple[str, int], str] | None = None) -> str:
    """Where to look, in words a clerk reads: '指标进度 第5行「数值」', '指标进度「数值」列', '指标进度 全表';
    a finding about the whole file (no sheet, no row) reads 全表. With `row_labels` ((sheet, row) → item id,
    for a workbook built from the 网页填报 table) a row is named by its item: '指标进度 Y03「数值」'."""
    if f.row is not None:
        label = (row_labels or {}).get((f.sheet, f.row))
        if label is None:
            return f.location
        return f"{f.sheet} {label}" + (f"「{f.column}」" if f.column else "")
    if f.column:
        return f"{f.sheet}「{f.column}」列" if f.sheet else f"「{f.column}」列"
    return f"{f.sheet} {WHOLE_TABLE}" if f.sheet else WHOLE_TABLE


def findings_display(findings: list[Finding], row_labels: dict[tuple[str, int], str] | None = None) -> pd.DataFrame:
    """The on-screen findings table: 级别, 位置, 填写内容, 说明 — no internal codes (the downloaded table,
    `findings_frame`, keeps them for the office and for support)."""
    rows = [(SEVERITY_LABEL[f.severity], where(f, row_labels), f.value, f.message) for f in findings]
    return pd.DataFrame(rows, columns=DISPLAY_COLUMNS)
