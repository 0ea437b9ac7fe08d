"""Command line: `python -m lib assess | validate | import …` (spec/progress-workbook.md).

Exit codes: 0 ok, 1 errors found, 2 not a readable workbook / plan, or bad arguments (argparse's own).
Output goes to stdout (the table, the findings); problems that stop a command go to stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lib import settings
from lib.assess import Tolerance, default_as_of, assess_indicators
from lib.periods import Period
from lib.plan import Plan, PlanError, load_plan
from lib.schema import INDICATOR_SHEET, TASK_SHEET, Table

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2

ASSESS_COLUMNS = [
    "indicator_id", "name", "kind", "status", "status_label", "achievement", "time_elapsed", "latest_period",
    "latest_value", "lag_quarters", "target_value", "baseline_value", "avg_growth", "ref_avg_growth", "diff_pp",
    "assigned_target", "cumulative_total", "reason", "as_of",
]


class CliError(Exception):
    """Stops a command with a Chinese message on stderr and EXIT_UNREADABLE."""


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"容差“{text}”不是数字,如 0.05") from exc
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"容差 {text} 应在 0 与 1 之间(五年路径的份额,如 0.05)")
    return value


def _load_plan(plan_dir: str | None) -> Plan:
    try:
        return load_plan(plan_dir or settings.get("plan_dir"))
    except PlanError as exc:
        raise CliError("规划文件有误:\n" + "\n".join(f.text for f in exc.findings if f.is_error)) from exc


# --- assess ----------------------------------------------------------------------------------------

def _read_sheet_temporary(path: Path, table: Table) -> pd.DataFrame | None:
    """TEMPORARY: read one sheet, mapping Chinese headers to schema names. No validation at all."""
    try:
        raw = pd.read_excel(path, sheet_name=table.label, engine="calamine", dtype=object)
    except ValueError:  # the sheet is not in the file
        return None
    frame = raw.rename(columns={c.label: c.name for c in table.columns}).reindex(columns=table.names)
    for col in table.columns:
        if col.dtype in ("int", "float"):
            frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce")
    return frame


def _read_progress_temporary(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """TEMPORARY until lib/workbook.py lands: the lead will switch this to
    `lib.workbook.read_workbook(path, plan)` so `assess` reads exactly what `validate` checks."""
    try:
        indicators = _read_sheet_temporary(path, INDICATOR_SHEET)
        tasks = _read_sheet_temporary(path, TASK_SHEET)
    except Exception as exc:  # calamine raises its own error types for non-workbooks
        raise CliError(f"{path.name} 不是可读取的 Excel 工作簿:{exc}") from exc
    if indicators is None:
        raise CliError(f"{path.name} 中没有「{INDICATOR_SHEET.label}」工作表")
    return indicators, tasks


def _progress_source(args: argparse.Namespace) -> Path:
    # TODO(lib.store): without --progress, assess the store's effective progress
    # (lib.store.open_store(url).effective_indicator_progress()); until then the sample workbook.
    path = Path(args.progress or settings.get("sample_progress"))
    if not path.exists():
        raise CliError(f"找不到进度文件 {path}")
    return path


def _csv_cell(value: object) -> object:
    return "、".join(value) if isinstance(value, tuple) else value


def assessment_table(plan: Plan, progress: pd.DataFrame, as_of: Period | None, tolerance: Tolerance) -> pd.DataFrame:
    """What `assess` prints: one row per indicator, plan order, empty cells where nothing applies."""
    result = assess_indicators(plan, progress, as_of=as_of, tolerance=tolerance)
    table = result[ASSESS_COLUMNS].copy()
    table["lag_quarters"] = table["lag_quarters"].astype(object).where(table["lag_quarters"].notna(), None)
    return table


def _print_table(table: pd.DataFrame, fmt: str) -> None:
    if fmt == "json":
        records = table.map(_csv_cell).replace({np.nan: None}).to_dict(orient="records")
        records = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()} for r in records]
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        table.map(_csv_cell).to_csv(sys.stdout, index=False, lineterminator="\n", float_format="%.6g")


def cmd_assess(args: argparse.Namespace) -> int:
    plan = _load_plan(args.plan_dir)
    indicators, tasks = _read_progress_temporary(_progress_source(args))
    as_of = args.as_of or default_as_of(plan, indicators, tasks)
    tolerance = Tolerance(path=args.tolerance) if args.tolerance is not None else Tolerance()
    _print_table(assessment_table(plan, indicators, as_of, tolerance), args.format)
    return EXIT_OK


# --- validate / import: owned by the workbook and store helpers; edit these two handlers freely ------

def _workbook_exit_code(findings: list) -> int:
    # `file.*` findings mean the upload is not a readable workbook at all.
    if any(f.code.startswith("file.") for f in findings):
        return EXIT_UNREADABLE
    return EXIT_ERRORS if any(f.is_error for f in findings) else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from lib.workbook import read_workbook  # lazy: keeps `assess` independent of the validator

    plan = _load_plan(args.plan_dir)
    path = Path(args.file)
    result = read_workbook(path, plan, unit=args.unit, file_name=path.name)
    for f in result.findings:
        print(f"[{f.severity.value}] {f.code} {f.text}")
    if not result.readable:
        return EXIT_UNREADABLE
    outcome = (f"可导入指标 {len(result.indicator_rows)} 行、任务 {len(result.task_rows)} 行" if result.ok
               else "有错误,整个文件不能导入")
    print(f"{path.name}:{len(result.errors)} 个错误,{len(result.warnings)} 个警告;{outcome}")
    return EXIT_OK if result.ok else EXIT_ERRORS


def cmd_import(args: argparse.Namespace) -> int:
    from lib.store import open_store  # lazy: the database is only needed here
    from lib.workbook import read_workbook

    plan = _load_plan(args.plan_dir)
    path = Path(args.file)
    data = path.read_bytes()
    result = read_workbook(data, plan, unit=args.unit, file_name=path.name)
    for f in result.findings:
        print(f"[{f.severity.value}] {f.code} {f.text}")
    code = _workbook_exit_code(result.findings)
    if code != EXIT_OK:
        return code
    outcome = open_store(args.db or None).submit(args.unit, "cli", path.name, data, result.indicator_rows, result.task_rows)
    print(outcome.message)
    return EXIT_OK


# --- wiring ------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="规划实施监测看板:命令行")
    sub = parser.add_subparsers(dest="command", required=True)

    assess = sub.add_parser("assess", help="按指标输出评估结果(每个指标一行,规划顺序)")
    assess.add_argument("--progress", help="进度工作簿 .xlsx;缺省为示例数据 data/progress.xlsx")
    assess.add_argument("--plan-dir", help="规划文件目录;缺省为 data/")
    assess.add_argument("--as-of", type=_period, help="测算期,如 2023Q2;缺省为数据中最新的季度")
    assess.add_argument("--tolerance", type=_share, help=f"δ,缺省 {settings.get('tolerance')}")
    assess.add_argument("--format", choices=("csv", "json"), default="csv")
    assess.set_defaults(handler=cmd_assess)

    validate = sub.add_parser("validate", help="检查进度工作簿,列出全部问题")
    validate.add_argument("file")
    validate.add_argument("--unit", help="提交单位(检查是否只填报本单位负责的指标和任务)")
    validate.add_argument("--plan-dir")
    validate.set_defaults(handler=cmd_validate)

    imp = sub.add_parser("import", help="检查后把工作簿作为该单位的一次报送存入数据库")
    imp.add_argument("file")
    imp.add_argument("--unit", required=True)
    imp.add_argument("--db", help="SQLAlchemy 数据库地址;缺省见 PLANMON_DB_URL")
    imp.add_argument("--plan-dir")
    imp.set_defaults(handler=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNREADABLE
