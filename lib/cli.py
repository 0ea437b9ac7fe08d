"""Command line: `python -m lib assess | validate | import | briefing | report | user | plan …` (docs/workbook-format.md).

Exit codes: 0 ok, 1 errors found, 2 not a readable workbook / plan, a broken set-up (the dashboard's
`setup.*` messages, lib/setupcheck.py), or bad arguments (argparse's own); `plan from-notice` exits 1 for
any notice it cannot read into a draft (the issue's contract) and needs no set-up.
Output goes to stdout (the table, the findings); problems that stop a command go to stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from lib import settings
from lib.assess import Tolerance, default_as_of, assess_indicators
from lib.periods import Period
from lib.plan import Plan, PlanError, load_plan

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
T = TypeVar("T")

ASSESS_COLUMNS = [
    "indicator_id", "name", "kind", "status", "status_label", "achievement", "time_elapsed", "latest_period",
    "latest_value", "lag_quarters", "target_value", "baseline_value", "avg_growth", "ref_avg_growth", "diff_pp",
    "assigned_target", "cumulative_total", "reason", "as_of",
    "outlook", "projected_achievement", "outlook_from",  # spec "Outlook": recent pace → 预计可完成 / 预计难以完成
]


class CliError(Exception):
    """Stops a command with a Chinese message on stderr and an exit code (default EXIT_UNREADABLE)."""

    def __init__(self, message: str, exit_code: int = EXIT_UNREADABLE):
        super().__init__(message)
        self.exit_code = exit_code


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

def read_progress(path: Path, plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The workbook's indicator and task rows, read and checked by lib.workbook exactly as `validate` does.
    Not a workbook → CliError (exit 2); errors in it → the findings on stderr and exit 1."""
    from lib.readworker import read_isolated

    result = read_isolated(path, plan, file_name=path.name)
    if not result.readable:
        raise CliError("\n".join(f.text for f in result.findings) or f"{path.name} 无法读取")
    if result.errors:
        raise CliError("\n".join(f.text for f in result.errors), EXIT_ERRORS)
    return result.indicator_rows, result.task_rows


def _plan_store(plan: Plan, args: argparse.Namespace, *, seed: bool = True):  # noqa: ANN202 - (Plan, Store)
    """The plan a command works on and its store: `--plan ID` names a plan in the store (read from there);
    without it, the plan of `--plan-dir` (default data/, the seed plan). On first use the plans are loaded, and
    (`seed`) their sample progress stored."""
    from lib.plan_catalog import PlanCatalogError, ready_store, stored_plan
    from lib.store import StoreError

    try:
        scoped = ready_store(plan, getattr(args, "db", None) or None, seed=seed)
        wanted = getattr(args, "plan", None)
        if not wanted or wanted == plan.config.id:
            return plan, scoped
        return stored_plan(scoped, wanted), scoped.plan(wanted)
    except StoreError as exc:
        raise CliError(exc.message) from exc
    except PlanCatalogError as exc:
        raise CliError(str(exc)) from exc


def _store_progress(plan: Plan, args: argparse.Namespace | None = None
                    ) -> tuple[Plan, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the dashboard shows: the store's effective progress (seeded from the sample on first use),
    with the planning office's baselines and annual targets applied; `args` may name --plan and --db."""
    from lib.store import StoreError, assessment_inputs

    plan, scoped = _plan_store(plan, args or argparse.Namespace())
    try:
        return assessment_inputs(scoped, plan)
    except StoreError as exc:
        raise CliError(exc.message) from exc


def _csv_cell(value: object) -> object:
    return "、".join(value) if isinstance(value, tuple) else value


def assessment_table(plan: Plan, progress: pd.DataFrame, as_of: Period | None, tolerance: Tolerance,
                     annual_targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """What `assess` prints: one row per indicator, plan order, empty cells where nothing applies."""
    result = assess_indicators(plan, progress, as_of=as_of, tolerance=tolerance, annual_targets=annual_targets)
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
    targets = None
    if args.progress:
        path = Path(args.progress)
        if not path.exists():
            raise CliError(f"找不到进度文件 {path}")
        if args.plan and args.plan != plan.config.id:
            plan = _plan_store(plan, args, seed=False)[0]
        indicators, tasks = read_progress(path, plan)
    else:
        plan, indicators, tasks, targets = _store_progress(plan, args)
    as_of = args.as_of or default_as_of(plan, indicators, tasks)
    tolerance = Tolerance(path=args.tolerance) if args.tolerance is not None else Tolerance()
    _print_table(assessment_table(plan, indicators, as_of, tolerance, targets), args.format)
    return EXIT_OK


# --- validate / import: one upload through lib.ingest (routed to the district's plan by its years) --------

def _checked_exit_code(checked) -> int:  # lib.ingest.Checked, or a lib.workbook.WorkbookResult
    if not checked.readable:
        return EXIT_UNREADABLE
    return EXIT_OK if checked.ok else EXIT_ERRORS


def _print_findings(checked) -> None:  # checked: lib.ingest.Checked
    for f in checked.findings:
        print(f"[{f.severity.value}] {f.code} {f.text}")


def _folder_plans(plan: Plan, district_id: str):  # noqa: ANN202 - list[(PlanOption, Plan)]
    """The district's plans from the plan folders (`--plan-dir` and PLANMON_PLAN_DIRS): `validate` needs no database."""
    from lib.ingest import PlanOption
    from lib.plan_catalog import configured_plan_dirs

    found = {plan.config.id: plan}
    for folder in configured_plan_dirs():
        try:
            other = load_plan(folder)
        except PlanError:
            continue   # a broken sample folder does not stop checking a file against the others
        found.setdefault(other.config.id, other)
    return [(PlanOption.of_plan(p), p) for p in found.values() if p.config.district_id == district_id]


def _read_upload(path: Path):  # noqa: ANN202 - lib.ingest.Upload
    from lib.ingest import Upload
    if not path.is_file():
        raise CliError(f"找不到文件 {path},请检查路径")
    if path.stat().st_size > settings.get("max_upload_mb") * 1024 * 1024:
        return Upload(b"", path.name, "")   # never read: the reader says file.too_large from the size alone
    return Upload.of(path.read_bytes(), path.name)


def _check_path(path: Path, plan: Plan, district_id: str, unit: str | None, store=None):  # noqa: ANN001, ANN202
    """lib.ingest.check for a file on disk; an oversized file is refused from its size, unread."""
    from lib import ingest
    from lib.readworker import read_isolated

    upload = _read_upload(path)
    if not upload.sha256:
        result = read_isolated(path, plan, unit=unit, file_name=path.name)   # file.too_large, nothing read
        return ingest.Checked(upload, unit, district_id, None, result)
    plans = None if store is not None else _folder_plans(plan, district_id)
    return ingest.check(store, upload, district_id=district_id, unit=unit, plans=plans)


def cmd_validate(args: argparse.Namespace) -> int:
    plan = _load_plan(args.plan_dir)
    path = Path(args.file)
    district = args.district or plan.config.district_id
    if not path.is_file():
        from lib.readworker import read_isolated   # file.not_found, as always
        for f in read_isolated(path, plan, unit=args.unit, file_name=path.name).findings:
            print(f"[{f.severity.value}] {f.code} {f.text}")
        return EXIT_UNREADABLE
    store = _plan_store(plan, args, seed=False)[1] if args.db else None
    checked = _check_path(path, plan, district, args.unit, store)
    _print_findings(checked)
    if not checked.readable:
        return EXIT_UNREADABLE
    where = f",报送到规划 {checked.plan_id}" if checked.plan_id else ""
    outcome = (f"可导入指标 {len(checked.indicator_rows)} 行、任务 {len(checked.task_rows)} 行{where}" if checked.ok
               else "有错误,整个文件不能导入")
    print(f"{path.name}:{len(checked.errors)} 个错误,{len(checked.warnings)} 个警告;{outcome}")
    return _checked_exit_code(checked)


def cmd_import(args: argparse.Namespace) -> int:
    from lib import ingest
    from lib.plan_catalog import PlanCatalogError
    from lib.store import StoreError

    plan = _load_plan(args.plan_dir)
    district = args.district or plan.config.district_id
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"找不到文件 {path},请检查路径")
    store = _plan_store(plan, argparse.Namespace(db=args.db), seed=False)[1]   # loads the plans on first use
    checked = _check_path(path, plan, district, args.unit, store)
    _print_findings(checked)
    code = _checked_exit_code(checked)
    if code != EXIT_OK:
        print("有错误,整个文件未导入,数据库未作任何改动")
        return code
    try:
        outcome = ingest.submit(store, checked, unit=args.unit, account=args.account)
    except (StoreError, ingest.IngestError) as exc:
        raise CliError(exc.message, EXIT_ERRORS) from exc
    except PlanCatalogError as exc:
        raise CliError(str(exc), EXIT_ERRORS) from exc
    print(f"报送到规划 {checked.plan_id}:{outcome.message}")
    return EXIT_OK


# --- plan: plans in the store (lib/plan_catalog.py) -----------------------------------------------------

def cmd_plan(args: argparse.Namespace) -> int:
    from lib import plan_catalog as catalog  # lazy: the database is only needed here
    from lib.store import StoreError, display_time, open_store

    try:
        store = open_store(args.db or None)
        if args.plan_command == "load":
            result = catalog.load_plan_version(store, args.dir, args.account, args.note)
            c = result.plan.config
            print(f"已载入规划 {c.id}({c.short_name},{c.district},{c.base_year + 1}—{c.target_year})第 {result.version} 版"
                  if result.changed else f"规划 {c.id} 与第 {result.version} 版完全相同,未产生新版本")
        elif args.plan_command == "archive":
            catalog.archive_plan(store, args.plan_id, args.account)
            print(f"规划 {args.plan_id} 已归档:此后数据只读")
        else:
            table = catalog.list_plans(store).drop(columns=["state"])
            table["created_at"] = table["created_at"].map(display_time)
            table.to_csv(sys.stdout, index=False, lineterminator="\n")
    except catalog.PlanCatalogError as exc:
        raise CliError(str(exc), EXIT_ERRORS) from exc
    except StoreError as exc:
        raise CliError(exc.message, EXIT_ERRORS) from exc
    return EXIT_OK


# --- user: accounts for signing in (lib/accounts.py) ---------------------------------------------------

def _read_password(confirm: bool = True) -> str:
    """From stdin when it is not a terminal (first line), else asked twice with getpass (not echoed)."""
    import getpass
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码:")
    if confirm and getpass.getpass("再输入一次密码:") != first:
        raise CliError("两次输入的密码不一致,账号未创建", EXIT_ERRORS)
    return first


def _end_sessions(args: argparse.Namespace, username: str) -> int:
    """A removed account or a new password: the account's sign-in sessions end (lib/sessions.py)."""
    from lib.sessions import end_all_sessions
    from lib.store import StoreError, open_store
    try:
        return end_all_sessions(open_store(args.db or None), username)
    except StoreError as exc:
        raise CliError(exc.message, EXIT_ERRORS) from exc


def _accounts_store(args: argparse.Namespace):  # noqa: ANN202 - lib.store.Store (unscoped)
    """The store with the plans loaded (their districts and units scope the accounts) and, on first start, the
    configured accounts file imported."""
    from lib.account_store import import_on_first_start
    from lib.plan_catalog import PlanCatalogError, ready_store
    from lib.store import StoreError, open_store
    try:
        ready_store(_load_plan(args.plan_dir), args.db or None, seed=False)
        store = open_store(args.db or None)
    except StoreError as exc:
        raise CliError(exc.message, EXIT_ERRORS) from exc
    except PlanCatalogError as exc:
        raise CliError(str(exc), EXIT_ERRORS) from exc
    import_on_first_start(store, args.accounts_file or None)
    return store


def _scope_text(account, store) -> str:  # noqa: ANN001 - lib.accounts.Account, lib.store.Store
    from lib.account_store import districts
    known = districts(store)
    if account.city_id:
        city = next((d.city for d in known.values() if d.city_id == account.city_id and d.city), None)
        return city or account.city_id
    return known[account.district_id].name if account.district_id in known else str(account.district_id)


def _listed(store, args: argparse.Namespace) -> list:  # noqa: ANN001 - lib.store.Store; list of Account
    """`user list [--district ID | --city ID]`: every account, or those of one district, or of one city."""
    from lib.account_store import districts, load_accounts
    found = list(load_accounts(store).accounts.values())
    if args.district:
        return [a for a in found if a.district_id == args.district]
    if args.city:
        city_of = {d.district_id: d.city_id for d in districts(store).values()}
        return [a for a in found if a.city_id == args.city or city_of.get(a.district_id or "") == args.city]
    return found


def cmd_user(args: argparse.Namespace) -> int:
    from lib import account_store as stored  # lazy: bcrypt, yaml and the database are only needed here
    from lib import accounts

    try:
        store = _accounts_store(args)
        command = args.user_command
        if command == "add":
            password = _read_password()
            district = args.district
            if args.city is None and district is None and args.role != "city":
                district = stored.default_district_id(store)
            account = stored.add_account(store, args.username, args.name, args.role, args.unit, password=password,
                                         district_id=district, city_id=args.city)
            detail = "".join(f",{x}" for x in (account.unit, _scope_text(account, store)) if x)
            print(f"已创建账号 {account.username}({account.role.label}{detail}),保存在数据库中(只存密码的 bcrypt 哈希)")
        elif command == "remove":
            stored.remove_account(store, args.username)
            ended = _end_sessions(args, accounts.normalise_username(args.username))
            print(f"已删除账号 {accounts.normalise_username(args.username)}" + (f",结束其 {ended} 个登录会话" if ended else ""))
        elif command == "password":
            account = stored.set_password(store, args.username, _read_password())
            ended = _end_sessions(args, account.username)
            print(f"已修改账号 {account.username} 的密码" + (f",结束其 {ended} 个登录会话(需用新密码重新登录)" if ended else ""))
        elif command == "import":
            result = stored.import_accounts(store, args.file)
            print(f"已从 {Path(args.file).name} 导入 {len(result.added)} 个账号"
                  + (f",{len(result.unchanged)} 个与数据库中的相同,未改动" if result.unchanged else ""))
        elif command == "export":
            count = stored.export_accounts(store, args.file)
            print(f"已导出 {count} 个账号到 {args.file}(只含密码的 bcrypt 哈希,文件权限 0600)")
        else:
            columns = ["username", "name", "role", "unit", "district_id", "city_id", "demo"]
            table = pd.DataFrame([{"username": a.username, "name": a.name, "role": a.role.value, "unit": a.unit or "",
                                   "district_id": a.district_id or "", "city_id": a.city_id or "",
                                   "demo": "是" if a.demo else ""}
                                  for a in _listed(store, args)], columns=columns)
            table.to_csv(sys.stdout, index=False, lineterminator="\n")
    except accounts.AccountError as exc:
        raise CliError(exc.message, EXIT_ERRORS) from exc
    except PermissionError as exc:   # e.g. a read-only folder for an export: say which folder, not a traceback
        from lib.messages import render
        target = Path(getattr(args, "file", None) or accounts.default_accounts_path())
        raise CliError(render("setup.folder_read_only", file=target.parent), EXIT_UNREADABLE) from exc
    return EXIT_OK


# --- briefing: the meeting pack (lib/briefing.py) -----------------------------------------------------

def _plan_and_scope(args: argparse.Namespace):  # noqa: ANN202 - (Plan, briefing.Scope)
    """The plan of --plan-dir and the --scope resolved in it (the briefing's and the report's first step)."""
    from lib import briefing  # lazy, as the commands that call this

    plan = _load_plan(args.plan_dir)
    try:
        return plan, briefing.Scope.parse(args.scope).resolved(plan)
    except briefing.ScopeError as exc:
        raise CliError(str(exc)) from exc


def _with_images_if_possible(make: Callable[[bool], T]) -> tuple[T, bool, str]:
    """make(True) when the browser can export images, else make(False); also make(False) when the browser fails
    mid-way, so the text is still written. Returns the result, whether it has images, and why not."""
    from lib import images

    ok, message = images.export_available()
    try:
        return make(ok), ok, message
    except images.ExportError as exc:
        return make(False), False, str(exc)


def cmd_briefing(args: argparse.Namespace) -> int:
    from lib import briefing  # lazy: python-pptx and the browser are only needed here

    plan, scope = _plan_and_scope(args)
    plan, indicators, tasks, targets = _store_progress(plan, args)
    as_of = args.as_of or default_as_of(plan, indicators, tasks)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pack = briefing.build_briefing(plan, indicators, tasks, targets, as_of, scope, render_images=False,
                                   sample_data=briefing.is_sample_data(plan, indicators),
                                   source=briefing.default_source(plan))
    files, ok, message = _with_images_if_possible(lambda with_images: briefing.pack_files(pack, with_images=with_images))
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(out / name)
    if not ok:  # summary and tables written; the deck and the images need a browser
        raise CliError(f"{message}\n未生成演示文稿和图片(摘要和数据表已写出)。")
    return EXIT_OK


# --- plan from-notice: a task-division notice → a draft plan folder (lib/notice.py) ----------------------

def cmd_plan_from_notice(args: argparse.Namespace) -> int:
    from lib import notice  # lazy: only this command reads notices

    out = Path(args.out)
    present = [name for name in notice.DRAFT_FILES if (out / name).exists()]
    if present:  # never overwrite a folder the office may already have edited
        raise CliError(notice.NoticeError("notice.out_exists", value=str(out), files="、".join(present)).message,
                       EXIT_ERRORS)
    try:
        known = notice.read_known_units(args.known_units) if args.known_units else None
        draft = notice.draft_from_notice(args.notice, district=args.district, base_year=args.base_year,
                                         target_year=args.target_year, known_units=known)
    except notice.NoticeError as exc:
        raise CliError(exc.message, EXIT_ERRORS) from exc
    out.mkdir(parents=True, exist_ok=True)
    for name, data in notice.draft_files(draft).items():
        (out / name).write_bytes(data)
    ind, tasks = draft.indicators, draft.tasks
    by_category = "、".join(f"{c} {n}" for c, n in ind["category"].value_counts(sort=False).items() if c)
    errors = sum(f.finding.is_error for f in draft.findings)
    print(f"已写出规划草稿 {out}:指标 {len(ind)} 项({by_category}),任务 {len(tasks)} 项"
          f"({tasks['section_no'].nunique()} 篇),单位 {len(draft.units)} 个")
    print(f"需要核对 {len(draft.findings)} 条(其中 {errors} 条须修改后才能载入),见 {out / 'findings.csv'}")
    return EXIT_OK


# --- report: the evaluation report in Word (lib/report) ------------------------------------------------

def _store_reporting(plan: Plan, as_of: Period, task_progress: pd.DataFrame, store) -> pd.DataFrame:  # noqa: ANN001
    """Who owed what for the quarter and what arrived (附表2), as the 报送情况 page computes it."""
    from datetime import date

    from lib.reporting import reporting_status
    from lib.store import StoreError

    try:
        reported = store.reported_items(as_of.year, as_of.quarter)
    except StoreError as exc:
        raise CliError(exc.message) from exc
    return reporting_status(plan, as_of, reported, int(settings.get("report_deadline_days")), date.today(),
                            task_progress=task_progress)


def cmd_report(args: argparse.Namespace) -> int:
    from lib import briefing, report  # lazy: python-docx and the browser are only needed here

    plan, scope = _plan_and_scope(args)
    store = _plan_store(plan, args)[1]
    plan, indicators, tasks, targets = _store_progress(plan, args)
    try:
        as_of = report.report_as_of(plan, args.kind, indicators, tasks, args.as_of)
    except report.ReportError as exc:
        raise CliError(str(exc)) from exc

    def build(with_images: bool) -> report.Report:
        return report.build_report(plan, indicators, tasks, targets, args.kind, as_of, scope,
                                   sample_data=briefing.is_sample_data(plan, indicators), source=briefing.default_source(plan),
                                   reporting=_store_reporting(plan, as_of, tasks, store), render_images=with_images)
    rep, ok, message = _with_images_if_possible(build)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(report.report_docx(rep))
    print(out)
    if not ok:
        raise CliError(f"{message}\n报告已写出,但不含图表(附图处注明了下载位置)。")
    return EXIT_OK


# --- wiring ------------------------------------------------------------------------------------------

def _plan_options(parser: argparse.ArgumentParser) -> None:
    """--plan and --db of the commands that read one plan's progress from the store."""
    parser.add_argument("--plan", help="规划编号,如 shashi-15(见 plan list);缺省为 --plan-dir 的规划(种子规划 shashi-14)")
    parser.add_argument("--db", help="SQLAlchemy 数据库地址;缺省见 PLANMON_DB_URL")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="规划实施监测看板:命令行")
    sub = parser.add_subparsers(dest="command", required=True)

    assess = sub.add_parser("assess", help="按指标输出评估结果(每个指标一行,规划顺序)")
    assess.add_argument("--progress", help="进度工作簿 .xlsx;缺省为数据库中已采纳的数据(PLANMON_DB_URL)")
    assess.add_argument("--plan-dir", help="规划文件目录;缺省为 data/")
    _plan_options(assess)
    assess.add_argument("--as-of", type=_period, help="测算期,如 2023Q2;缺省为数据中最新的季度")
    assess.add_argument("--tolerance", type=_share, help=f"δ,缺省 {settings.get('tolerance')}")
    assess.add_argument("--format", choices=("csv", "json"), default="csv")
    assess.set_defaults(handler=cmd_assess)

    validate = sub.add_parser("validate", help="检查进度工作簿,列出全部问题(按数据年份确定报送到本区县的哪个规划)")
    validate.add_argument("file")
    validate.add_argument("--unit", help="提交单位(检查是否只填报本单位负责的指标和任务)")
    validate.add_argument("--district", help="区县编号,如 shashi;缺省为 --plan-dir 规划所属区县")
    validate.add_argument("--db", help="从该数据库读取区县的规划和已录入的年度目标值;缺省读取规划目录(不用数据库)")
    validate.add_argument("--plan-dir")
    validate.set_defaults(handler=cmd_validate)

    imp = sub.add_parser("import", help="检查后把工作簿作为该单位的一次报送存入数据库(规划由数据年份确定)")
    imp.add_argument("file")
    imp.add_argument("--unit", required=True)
    imp.add_argument("--district", help="区县编号,如 shashi;缺省为 --plan-dir 规划所属区县。单位名称在该区县的规划中查找")
    imp.add_argument("--db", help="SQLAlchemy 数据库地址;缺省见 PLANMON_DB_URL")
    imp.add_argument("--account", default="cli", help="记录为提交账号(缺省 cli)")
    imp.add_argument("--plan-dir")
    imp.set_defaults(handler=cmd_import)

    user = sub.add_parser("user", help="管理登录账号(存在数据库中,只存 bcrypt 哈希;YAML 账号文件用于导入导出)")
    user.add_argument("--accounts-file", help="数据库中还没有账号时导入的账号文件;缺省见 PLANMON_ACCOUNTS_FILE(var/accounts.yaml)")
    user.add_argument("--db", help="账号和登录会话所在的数据库;缺省见 PLANMON_DB_URL")
    user.add_argument("--plan-dir", help="规划文件目录(数据库为空时载入);缺省为 data/")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="新建账号;密码从标准输入读一行,终端上则提示输入两次")
    add.add_argument("username", help="用户名:2–32 位小写字母、数字或 . _ -")
    add.add_argument("--role", required=True, choices=["department", "leader", "planning", "city"],
                     help="department 填报单位 / leader 领导(只读) / planning 区发改局(规划办) / city 市级(只读)")
    add.add_argument("--unit", help="所属单位(该区县规划的单位名称或别名);填报单位账号必填")
    add.add_argument("--name", help="显示名称;缺省为单位名或用户名")
    scope = add.add_mutually_exclusive_group()
    scope.add_argument("--district", help="所属区县编号(如 shashi);缺省为默认规划的区县。市级账号不填")
    scope.add_argument("--city", help="市级账号所属城市编号(如 jingzhou)")
    rm = user_sub.add_parser("remove", help="删除账号")
    rm.add_argument("username")
    listing_users = user_sub.add_parser("list", help="列出账号(不含密码哈希)")
    only = listing_users.add_mutually_exclusive_group()
    only.add_argument("--district", help="只列该区县的账号")
    only.add_argument("--city", help="只列该市的账号(市级账号和本市各区县的账号)")
    pw = user_sub.add_parser("password", help="修改密码(从标准输入读一行,终端上提示输入两次);该账号已登录的会话全部失效")
    pw.add_argument("username")
    imp_users = user_sub.add_parser("import", help="从 YAML 账号文件导入账号(全部通过检查才导入;密码哈希原样保留)")
    imp_users.add_argument("file")
    exp_users = user_sub.add_parser("export", help="把数据库中的全部账号导出为 YAML 账号文件(只含 bcrypt 哈希,权限 0600)")
    exp_users.add_argument("file")
    user.set_defaults(handler=cmd_user)

    plans = sub.add_parser("plan", help="规划:载入规划目录(新版本)、列出、归档;从任务分工方案生成草稿")
    plan_sub = plans.add_subparsers(dest="plan_command", required=True)
    load = plan_sub.add_parser("load", help="检查规划目录并存为该规划的新版本(内容未变则不产生新版本)")
    load.add_argument("dir", help="规划目录(plan.toml、indicators.csv、tasks.csv、units.csv)")
    load.add_argument("--note", default="", help="版本说明")
    listing = plan_sub.add_parser("list", help="列出区县、规划、规划期、版本数和状态")
    archive = plan_sub.add_parser("archive", help="总结评估后归档规划:此后数据只读")
    archive.add_argument("plan_id")
    for p in (load, archive):
        p.add_argument("--account", default="cli", help="记录为操作账号(缺省 cli)")
    for p in (load, listing, archive):
        p.add_argument("--db", help="SQLAlchemy 数据库地址;缺省见 PLANMON_DB_URL")
        p.set_defaults(handler=cmd_plan)
    from_notice = plan_sub.add_parser(
        "from-notice", help="读取任务分工方案(.txt、.docx 或另存的 .html),写出规划草稿和需核对清单 findings.csv")
    from_notice.add_argument("notice", help="任务分工方案文件")
    from_notice.add_argument("--out", required=True, help="草稿目录(不存在则创建;已有规划文件时不覆盖)")
    from_notice.add_argument("--district", help="区县名称,如 沙市区;缺省取自通知标题")
    from_notice.add_argument("--base-year", type=int, help="基期年份;缺省按标题中的“十四五”等推算")
    from_notice.add_argument("--target-year", type=int, help="目标年份;缺省为基期后 5 年")
    from_notice.add_argument("--known-units", help="已有的 units.csv(或含它的规划目录):取其单位类型、组团成员,并报告别名")
    from_notice.set_defaults(handler=cmd_plan_from_notice)

    brief = sub.add_parser("briefing", help="生成汇报材料:演示文稿、图表图片 ZIP、摘要文字和数据表(需要 Chromium)")
    brief.add_argument("--as-of", type=_period, help="测算期,如 2023Q4;缺省为数据中最新的季度")
    brief.add_argument("--out", required=True, help="输出目录(不存在则创建)")
    brief.add_argument("--scope", default="all", help="范围:all(全区,缺省)、section:3(第3篇)或 unit:区人社局")
    brief.add_argument("--plan-dir", help="规划文件目录;缺省为 data/")
    _plan_options(brief)
    brief.set_defaults(handler=cmd_briefing)


    rep = sub.add_parser("report", help="生成评估报告初稿(Word):年度、中期或总结评估(图表需要 Chromium)")
    rep.add_argument("--kind", required=True, choices=["annual", "midterm", "final"],
                     help="annual 年度评估(截至某年第四季度)/ midterm 中期评估 / final 总结评估(截至规划期最后一个季度)")
    rep.add_argument("--as-of", type=_period, help="截至季度,如 2025Q4;缺省:年度为最近一个有数据的第四季度,中期为规划期过半的季度")
    rep.add_argument("--scope", default="all", help="范围:all(全区,缺省)、section:3(第3篇)或 unit:区人社局")
    rep.add_argument("--out", required=True, help="输出文件 .docx(目录不存在则创建)")
    rep.add_argument("--plan-dir", help="规划文件目录;缺省为 data/")
    _plan_options(rep)
    rep.set_defaults(handler=cmd_report)
    return parser


# What each command needs of the set-up (lib/setupcheck.py): the plan files, and the store's database and
# folders. A broken set-up stops the command with the dashboard's messages, exit 2.
def _setup_needs(args: argparse.Namespace) -> tuple[bool, bool]:
    """(plan files, store) the command uses."""
    command = args.command
    if command == "user":
        return True, True   # accounts live in the store, scoped by the districts of its plans
    if command == "assess":
        return True, not args.progress
    if command == "plan" and args.plan_command == "from-notice":
        return False, False  # reads a notice and writes a new folder: the current plan is not involved
    return True, command in ("import", "briefing") or (command == "validate" and bool(args.db))


def check_setup_for(args: argparse.Namespace) -> None:
    from lib.setupcheck import check_plan_files, check_setup

    plan, store = _setup_needs(args)
    if not plan:
        return
    plan_dir = getattr(args, "plan_dir", None) or settings.get("plan_dir")
    problems = (check_setup(plan_dir=plan_dir, db_url=getattr(args, "db", None) or None) if store
                else check_plan_files(plan_dir))
    if problems:
        raise CliError("设置有误,无法运行:\n" + "\n".join(p.text for p in problems), EXIT_UNREADABLE)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_setup_for(args)
        return args.handler(args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
