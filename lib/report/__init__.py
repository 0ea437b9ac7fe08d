"""Evaluation reports (年度评估 / 中期评估 / 总结评估) as editable Word drafts.

- `content.py` decides what the report says: the as-of quarter of each kind, the sections 一…五 and the
  annex, as a list of plain blocks (headings, paragraphs, tables, figures). Every number comes from the
  engine's result frames (through lib.briefing, which also builds the charts); the sentences come from
  lib.narrative, shared with the briefing deck.
- `word.py` writes those blocks as a .docx in the usual government layout (GB/T 9704-2012). It is the only
  module of the project that imports python-docx (tests/test_architecture.py checks this).

`python -m lib report` and the 简报导出 page call `build_report` then `report_docx`.
"""
from __future__ import annotations

from lib.report.content import (
    Figure, Heading, Kind, Para, Report, ReportError, Table, build_report, midterm_period, report_as_of,
    report_title,
)
from lib.report.word import report_docx

__all__ = ["Figure", "Heading", "Kind", "Para", "Report", "ReportError", "Table", "build_report", "midterm_period",
           "report_as_of", "report_docx", "report_title"]
