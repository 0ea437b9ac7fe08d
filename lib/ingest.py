"""One upload, from bytes to a stored submission: check (and route to its plan) → preview → submit; seeding the
sample progress; re-checking a stored submission. A thin orchestration over lib.workbook (reading and checking),
lib.store (writing) and lib.plan_catalog (which plans a district has).

    upload = Upload.of(data, "2025Q4.xlsx")                 # the SHA-256 is computed here, once
    checked = check(store, upload, district_id="shashi", unit="区统计局", prefer="shashi-15")
    checked.plan_id, checked.findings                       # where the rows go, every problem found
    preview(store, checked)                                 # old → new, as Store.preview
    submit(store, checked, unit="区统计局", account="tongji") # one new submission (or the earlier identical one)

The upload page, 网页填报 and `python -m lib import` all call these; `validate` calls `check` without a store.

Routing (docs/workbook-format.md 「报送到哪个规划」), each rule decided here:
- An upload goes to the plan of the submitter's district whose period holds every row's year. The district
  comes from the account (or `--district`), never from the file: a department of district A cannot reach
  district B's plans, and its unit name is resolved within its own district's plan.
- The file is read against the district's plans in turn (the plan shown on screen first, then the latest),
  inside the limited reader process (lib.readworker), until one has no `wb.year_outside_plan` finding. A file
  whose years fall in two plans gets `ingest.spans_plans`; a year in no plan of the district `ingest.no_plan`
  (followed by the rows of those years); both name the district's plans and their periods. A file without readable years goes to the preferred plan,
  whose checks then say what is wrong.
- A plan that is archived takes no upload (`ingest.plan_archived`).
- A template names the plan it was made for (lib.template.template_plan_id). Rows of a year in another plan
  are refused (`ingest.template_other_plan`): item ids are local to a plan, so Y01 of the 14th plan is not Y01
  of the 15th.
A refusal is a finding like any other (an error, shown with the rest); nothing is stored for it.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from lib import settings
from lib.findings import Finding, finding
from lib.messages import CatalogueError

if TYPE_CHECKING:
    from lib.plan import Plan
    from lib.store import Store, SubmissionRows, SubmitResult
    from lib.workbook import WorkbookResult

YEAR_OUTSIDE = "wb.year_outside_plan"
ARCHIVED = "archived"


class IngestError(CatalogueError):
    """A submit the ingest refuses (not checked, another district's plan); nothing is stored."""


# --- what is uploaded and where it may go --------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """The bytes of one upload and their SHA-256 (computed once: the page's cache key and the store's)."""
    data: bytes
    file_name: str
    sha256: str

    @classmethod
    def of(cls, data: bytes, file_name: str) -> "Upload":
        return cls(bytes(data), file_name or "", hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class PlanOption:
    """One plan of a district, as routing needs it."""
    plan_id: str
    name: str
    district: str
    district_id: str
    first_year: int
    last_year: int
    archived: bool = False

    def holds(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    @property
    def label(self) -> str:
        """沙市区“十四五”规划(shashi-14,2021—2025 年)"""
        return f"{self.name}({self.plan_id},{self.first_year}—{self.last_year} 年)"

    @classmethod
    def of_plan(cls, plan: "Plan", archived: bool = False) -> "PlanOption":
        c = plan.config
        return cls(c.id, c.short_name or c.name, c.district, c.district_id, c.base_year + 1, c.target_year, archived)


@dataclass(frozen=True)
class Routed:
    """What the reader process answers: the checked workbook and the plan its rows go to (None: refused or
    unreadable before a plan was chosen)."""
    result: "WorkbookResult"
    plan_id: str | None


@dataclass(frozen=True)
class Checked:
    """One upload, checked and routed: everything the page shows and `submit` needs."""
    upload: Upload
    unit: str | None
    district_id: str
    plan_id: str | None
    result: "WorkbookResult"

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings

    @property
    def errors(self) -> list[Finding]:
        return self.result.errors

    @property
    def warnings(self) -> list[Finding]:
        return self.result.warnings

    @property
    def readable(self) -> bool:
        return self.result.readable

    @property
    def ok(self) -> bool:
        return self.plan_id is not None and self.result.ok

    @property
    def indicator_rows(self) -> pd.DataFrame:
        return self.result.indicator_rows

    @property
    def task_rows(self) -> pd.DataFrame:
        return self.result.task_rows


def district_options(store: "Store", district_id: str) -> list[PlanOption]:
    """The district's plans in the store, earliest first."""
    from lib.plan_catalog import list_plans
    plans = list_plans(store)
    rows = plans[plans["district_id"] == district_id]
    out = []
    for r in rows.itertuples():
        first, last = (int(y) for y in str(r.period).split("—"))
        out.append(PlanOption(r.plan_id, r.short_name, r.district, r.district_id, first, last, r.state == ARCHIVED))
    return sorted(out, key=lambda o: o.first_year)


def ordered(options: list[PlanOption], prefer: str | None) -> list[PlanOption]:
    """The preferred plan first (the one on screen), then the latest: the first try usually fits."""
    rest = sorted((o for o in options if o.plan_id != prefer), key=lambda o: -o.first_year)
    return [o for o in options if o.plan_id == prefer] + rest


# --- reading and routing (runs inside the reader process) ------------------------------------------------

def read_routed(data: bytes, candidates: list[tuple[PlanOption, "Plan"]], *, unit: str | None = None,
                file_name: str = "", known_targets: dict[str, pd.DataFrame] | None = None) -> Routed:
    """Read `data` against each candidate plan until one holds every row's year; see the module docstring.
    Call it through lib.readworker.route_isolated: it parses the upload."""
    from lib.template import template_plan_id
    from lib.workbook import read_workbook

    known_targets = known_targets or {}
    outside: dict[str, set[int]] = {}
    chosen: tuple[PlanOption, WorkbookResult] | None = None
    first: WorkbookResult | None = None
    for option, plan in candidates:
        result = read_workbook(data, plan, unit=unit, file_name=file_name, known_targets=known_targets.get(option.plan_id))
        if not result.readable:
            return Routed(result, None)
        first = first or result
        years = {int(f.value) for f in result.findings if f.code == YEAR_OUTSIDE and f.value.isdigit()}
        if not years:
            chosen = (option, result)
            break
        outside[option.plan_id] = years
    options = sorted((o for o, _ in candidates), key=lambda o: o.first_year)
    if chosen is None:
        assert first is not None, "read_routed needs at least one candidate plan"
        years = set().union(*outside.values())
        homeless = {y for y in years if not any(o.holds(y) for o in options)}
        rows = [f for f in first.findings if f.code == YEAR_OUTSIDE and f.value.isdigit() and int(f.value) in homeless]
        return Routed(_refused(first, [_misrouted(options, years)] + rows), None)
    option, result = chosen
    if option.archived:
        return Routed(_refused(result, [finding("ingest.plan_archived", plan=option.label)]), None)
    marker = template_plan_id(data)
    if marker and marker != option.plan_id:
        return Routed(_refused(result, [_wrong_template(options, marker, option, result)] + result.findings), None)
    return Routed(result, option.plan_id)


def _refused(result: "WorkbookResult", findings: list[Finding]) -> "WorkbookResult":
    """The workbook refused as a whole: only `findings`, and no rows to preview or store."""
    return dataclasses.replace(result, findings=findings, indicator_rows=result.indicator_rows.iloc[0:0],
                               task_rows=result.task_rows.iloc[0:0])


def _plans_text(options: list[PlanOption]) -> str:
    return "本区县的规划:" + "、".join(o.label for o in options)


def _years_text(years: set[int] | list[int]) -> str:
    return "、".join(str(y) for y in sorted(years))


def _misrouted(options: list[PlanOption], years: set[int]) -> Finding:
    """No plan holds every year: some year is in none of them, or the years fall in two plans."""
    homeless = sorted(y for y in years if not any(o.holds(y) for o in options))
    district = options[0].district
    if homeless:
        return finding("ingest.no_plan", value=_years_text(homeless), district=district, plans=_plans_text(options))
    parts = [f"{_years_text([y for y in years if o.holds(y)])} 年属于{o.label}"
             for o in sorted(options, key=lambda o: o.first_year) if any(o.holds(y) for y in years)]
    return finding("ingest.spans_plans", value=_years_text(years), detail=",".join(parts))


def _wrong_template(options: list[PlanOption], marker: str, option: PlanOption, result: "WorkbookResult") -> Finding:
    mine = next((o for o in options if o.plan_id == marker), None)
    if mine is None:
        return finding("ingest.template_foreign", value=marker, district=option.district, plans=_plans_text(options))
    years = sorted({int(y) for frame in (result.indicator_rows, result.task_rows) if "year" in frame for y in frame["year"]})
    years = [y for y in years if not mine.holds(y)] or years
    return finding("ingest.template_other_plan", value=_years_text(years), template=mine.label, plan=option.label,
                   plan_id=option.plan_id)


# --- the steps of one upload ---------------------------------------------------------------------------------

PlanLoader = Callable[[str], "Plan"]


def check(store: "Store | None", upload: Upload, *, district_id: str, unit: str | None = None,
          prefer: str | None = None, plans: list[tuple[PlanOption, "Plan"]] | None = None,
          load: PlanLoader | None = None) -> Checked:
    """Check `upload` for `unit` of `district_id` and route it to one of the district's plans.

    The plans come from the store (`load` reads one, default lib.plan_catalog.stored_plan; pages pass a cached
    one), or are given as `plans` (the `validate` command reads plan folders and needs no database). Annual
    targets on record (a warning looks at them) come from the store when there is one.
    """
    from lib.readworker import route_isolated

    if plans is None:
        from lib.plan_catalog import stored_plan
        assert store is not None, "check needs a store or the plans"
        reader = load or (lambda plan_id: stored_plan(store, plan_id))
        plans = [(o, reader(o.plan_id)) for o in district_options(store, district_id)]
    by_id = {o.plan_id: (o, p) for o, p in plans if o.district_id == district_id}
    if not by_id:
        from lib.workbook import _unreadable
        refused = dataclasses.replace(_unreadable(finding("ingest.no_plans", district=district_id)), readable=True)
        return Checked(upload, unit, district_id, None, refused)
    candidates = [by_id[o.plan_id] for o in ordered([o for o, _ in by_id.values()], prefer)]
    targets = {} if store is None else {o.plan_id: store.plan(o.plan_id).annual_targets() for o, _ in candidates}
    routed = route_isolated(upload.data, candidates, unit=unit, file_name=upload.file_name, known_targets=targets)
    return Checked(upload, unit, district_id, routed.plan_id, routed.result)


def preview(store: "Store", checked: Checked) -> pd.DataFrame:
    """What adopting the checked rows would change in their plan (Store.preview)."""
    return store.plan(_routed_plan(checked)).preview(checked.indicator_rows, checked.task_rows)


def submit(store: "Store", checked: Checked, *, unit: str, account: str, plan: "Plan | None" = None,
           auto_adopt: bool | None = None) -> "SubmitResult":
    """Store a checked upload in the plan it was routed to, as one submission of `unit` (its canonical name in
    that plan). Refuses (IngestError) an upload with errors, or a plan outside the upload's district."""
    plan_id = _routed_plan(checked)
    if not checked.ok:
        raise IngestError("ingest.not_checked")
    if plan is None:
        from lib.plan_catalog import stored_plan
        plan = stored_plan(store, plan_id)
    if plan.config.id != plan_id or plan.config.district_id != checked.district_id:
        raise IngestError("ingest.other_district", value=plan_id, district=checked.district_id)
    canonical = plan.units.resolve(unit) or unit
    return store.plan(plan_id).submit(canonical, account, checked.upload.file_name, checked.upload.data,
                                      checked.indicator_rows, checked.task_rows, auto_adopt=auto_adopt,
                                      sha256=checked.upload.sha256)


def _routed_plan(checked: Checked) -> str:
    if checked.plan_id is None:
        raise IngestError("ingest.not_checked")
    return checked.plan_id


# --- seeding and re-checking ------------------------------------------------------------------------------------

def seed_sample(store: "Store", plan: "Plan", sample_path: Path | str | None = None) -> list[int]:
    """First start: store the sample workbook of `plan` as adopted submissions (one per unit) in the plan's
    store (`store` scoped to it); [] when the plan already has submissions or the file is missing.

    The sample is the project's own file: it is read in this process (no reader child). A sample with
    errors raises StoreError store.seed_invalid. Safe when several processes start at once (Store.seed_rows).
    """
    from lib.store import StoreError
    from lib.workbook import read_workbook

    if not store.is_empty():
        return []
    path = Path(sample_path or settings.get("sample_progress"))
    if not path.is_file():
        return []
    upload = Upload.of(path.read_bytes(), path.name)
    result = read_workbook(upload.data, plan, file_name=upload.file_name)   # unit=None: the sample holds many units
    if not result.ok:
        errors = [f.text for f in result.findings if f.is_error] or ["不是可读取的工作簿"]
        detail = ";".join(errors[:3]) + (f" 等 {len(errors)} 处" if len(errors) > 3 else "")
        raise StoreError("store.seed_invalid", value=path.name, detail=detail)
    return store.seed_rows(upload.file_name, upload.data, result.indicator_rows, result.task_rows)


@dataclass(frozen=True)
class Recheck:
    """A stored submission checked again against today's plan and targets."""
    findings: list[Finding]
    from_file: bool                    # True: the file as uploaded (the department's own sheets and rows)
    rows: "SubmissionRows | None"      # from_file False: the stored rows the findings' row numbers refer to


def recheck(store: "Store", plan: "Plan", submission_id: int) -> Recheck:
    """The findings of a stored submission of `plan` (`store` scoped to it), checked again. The stored file is read
    in the limited reader process; a submission stored before files were kept (schema version 1) has only its
    rows, which are checked directly by the same rules (lib.workbook.check_rows: stored row k = sheet row k+2).
    The seeded sample holds every unit's rows, so it is checked without a submitting unit."""
    from lib.readworker import read_isolated
    from lib.store import SYSTEM_ACCOUNT

    record = store.submission(submission_id)
    unit = None if record["account"] == SYSTEM_ACCOUNT else record["unit"]
    name, targets = str(record["file_name"]), store.annual_targets()
    original = store.submission_file(submission_id)
    if original is not None:
        return Recheck(read_isolated(original, plan, unit=unit, file_name=name, known_targets=targets).findings,
                       True, None)
    from lib.workbook import check_rows
    rows = store.submission_rows(submission_id)
    return Recheck(check_rows(rows.indicator_rows, rows.task_rows, plan, unit=unit, known_targets=targets).findings,
                   False, rows)
