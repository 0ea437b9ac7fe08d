"""Load the plan files (plan.toml, indicators.csv, tasks.csv, units.csv) and check them.

`check_plan_dir` returns every problem found; `load_plan` raises `PlanError` carrying them when there is
any error, so a page or the command line can show all of them at once.
"""
from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from lib import schema
from lib.findings import Finding, finding, has_errors
from lib.periods import Period, plan_periods
from lib.schema import LIST_SEPARATOR, Table
from lib.units import UnitDirectory, responsibilities

FILES = {"indicators": (schema.INDICATORS, "indicators.csv"), "tasks": (schema.TASKS, "tasks.csv"), "units": (schema.UNITS, "units.csv")}


class PlanError(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.text for f in findings if f.is_error))


@dataclass(frozen=True)
class PlanConfig:
    name: str
    short_name: str
    base_year: int
    target_year: int
    source: str = ""
    # Identity (plans and districts in one store). Optional in a folder, but given together: a plan with an id
    # names its district; the city is optional (a district outside any shared city system).
    id: str = ""
    district: str = ""
    district_id: str = ""
    city: str = ""
    city_id: str = ""
    sample: bool = False   # sample data: every view of this plan says 示例


IDENTITY_KEYS = ("id", "district", "district_id")   # all or none
SLUG_KEYS = ("id", "district_id", "city_id")


@dataclass(frozen=True)
class Plan:
    config: PlanConfig
    indicators: pd.DataFrame   # one row per indicator, in plan order, typed per schema.INDICATORS
    tasks: pd.DataFrame        # one row per task, in plan order
    units: UnitDirectory
    plan_dir: Path

    @property
    def base_year(self) -> int:
        return self.config.base_year

    @property
    def target_year(self) -> int:
        return self.config.target_year

    @property
    def periods(self) -> list[Period]:
        return plan_periods(self.base_year, self.target_year)

    @cached_property
    def sections(self) -> pd.DataFrame:
        return self.tasks[["section_no", "section_title"]].drop_duplicates().reset_index(drop=True)

    def indicator(self, indicator_id: str) -> pd.Series:
        return self.indicators.set_index("indicator_id").loc[indicator_id]

    def responsibilities(self, unit: str) -> pd.DataFrame:
        """`lib.units.responsibilities` for this plan, worked out once per unit (the 责任单位 page asks for
        every unit on every rerun: ~50 ms a unit); a copy, so a caller may change it."""
        found = self._responsibilities.get(unit)
        if found is None:
            found = self._responsibilities[unit] = responsibilities(self.units, self.indicators, self.tasks, unit)
        return found.copy()

    @cached_property
    def _responsibilities(self) -> dict[str, pd.DataFrame]:
        return {}

    @cached_property
    def responsibility_table(self) -> pd.DataFrame:
        """`responsibilities` of every reporting unit in one frame (column `unit` added; units.csv order,
        then plan order), for the roll-ups across units. Read-only: computed once per plan."""
        frames = [self.responsibilities(u).assign(unit=u) for u in self.units.reporting_units()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["unit"])

    @property
    def uses_illustrative_baselines(self) -> bool:
        return bool(self.indicators["baseline_source"].str.startswith("示例").any())


# --- parsing -----------------------------------------------------------------------------------

def _split_list(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in str(cell).split(LIST_SEPARATOR) if p.strip())


def _parse_bool(cell: str) -> bool | None:
    text = str(cell).strip().lower()
    if text in ("true", "1", "yes", "是", "y"):
        return True
    if text in ("false", "0", "no", "否", "n", ""):
        return False
    return None


def _read_table(text: str | None, file: str, table: Table, findings: list[Finding]) -> pd.DataFrame | None:
    """Read one CSV's text, then type each declared column; problems go to `findings`."""
    if text is None:
        findings.append(finding("plan.file_missing", sheet=file, value=file))
        return None
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [c.name for c in table.columns if c.name not in raw.columns and c.required]
    for name in missing:
        findings.append(finding("plan.column_missing", sheet=file, row=1, column=name, value=name))
    if missing:
        return None
    out = pd.DataFrame(index=raw.index)
    for col in table.columns:
        cells = raw[col.name].str.strip() if col.name in raw.columns else pd.Series("", index=raw.index)
        out[col.name] = _typed_column(cells, col, file, findings)
    return out


def _typed_column(cells: pd.Series, col: schema.Column, file: str, findings: list[Finding]) -> pd.Series:
    def row_of(i: int) -> int:
        return int(i) + 2  # header is row 1

    if col.required and col.dtype != "list":
        for i in cells.index[cells == ""]:
            findings.append(finding("plan.required_empty", sheet=file, row=row_of(i), column=col.name))
    if col.dtype == "list":
        values = cells.map(_split_list)
        if col.required:
            for i in values.index[values.map(len) == 0]:
                findings.append(finding("plan.required_empty", sheet=file, row=row_of(i), column=col.name))
        return values
    if col.dtype in ("float", "int"):
        numbers = pd.to_numeric(cells.replace("", None), errors="coerce")
        for i in cells.index[(cells != "") & numbers.isna()]:
            findings.append(finding("plan.not_a_number", sheet=file, row=row_of(i), column=col.name, value=cells[i]))
        return numbers.astype("Int64") if col.dtype == "int" and numbers.notna().all() else numbers.astype(float)
    if col.dtype == "bool":
        parsed = cells.map(_parse_bool)
        for i in parsed.index[parsed.isna()]:
            findings.append(finding("plan.bad_choice", sheet=file, row=row_of(i), column=col.name, value=cells[i], choices="true、false"))
        return parsed.fillna(False).astype(bool)
    if col.choices:
        for i in cells.index[(cells != "") & ~cells.isin(col.choices)]:
            findings.append(finding("plan.bad_choice", sheet=file, row=row_of(i), column=col.name, value=cells[i], choices="、".join(col.choices)))
    return cells


def _read_config(text: str | None, findings: list[Finding]) -> PlanConfig | None:
    file = schema.PLAN_CONFIG_FILE
    if text is None:
        findings.append(finding("plan.file_missing", sheet=file, value=file))
        return None
    try:
        data = tomllib.loads(text)
        text = {key: str(data.get(key, "")).strip() for key in ("source", "city", *IDENTITY_KEYS, "city_id")}
        config = PlanConfig(name=str(data["name"]), short_name=str(data.get("short_name", data["name"])),
                            base_year=int(data["base_year"]), target_year=int(data["target_year"]),
                            sample=bool(data.get("sample", False)), **text)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        detail = f"缺少 {exc}" if isinstance(exc, KeyError) else str(exc)
        findings.append(finding("plan.config_invalid", sheet=file, detail=detail))
        return None
    if config.base_year >= config.target_year:
        findings.append(finding("plan.years_invalid", sheet=file, base_year=config.base_year, target_year=config.target_year))
        return None
    identity = _check_identity(config, file)
    findings += identity
    return None if identity else config


def _check_identity(config: PlanConfig, file: str) -> list[Finding]:
    out = [finding("plan.bad_slug", sheet=file, column=key, value=getattr(config, key), key=key)
           for key in SLUG_KEYS if getattr(config, key) and not re.fullmatch(schema.SLUG_PATTERN, getattr(config, key))]
    given = [key for key in IDENTITY_KEYS if getattr(config, key)]
    if config.city_id and not config.city:
        given, missing = ["city_id"], ["city"]
    else:
        missing = [key for key in IDENTITY_KEYS if not getattr(config, key)] if given else []
    if missing:
        out.append(finding("plan.identity_incomplete", sheet=file, given="、".join(given), missing="、".join(missing)))
    return out


# --- cross-file checks ---------------------------------------------------------------------------

def _check_duplicates(frame: pd.DataFrame, id_col: str, file: str) -> list[Finding]:
    dup = frame[id_col].duplicated(keep="first")
    return [finding("plan.duplicate_id", sheet=file, row=int(i) + 2, column=id_col, value=frame.at[i, id_col]) for i in frame.index[dup]]


def _check_units(units: pd.DataFrame) -> tuple[UnitDirectory, list[Finding]]:
    findings = _check_duplicates(units, "unit", "units.csv")
    owner: dict[str, str] = {}
    directory = UnitDirectory.from_frame(units.drop_duplicates("unit"))
    for i, rec in units.iterrows():
        for name in (rec.unit, *rec.aliases):
            key = "".join(str(name).split())
            if key in owner and owner[key] != rec.unit:
                findings.append(finding("plan.name_conflict", sheet="units.csv", row=int(i) + 2, column="aliases",
                                        value=name, first=owner[key], second=rec.unit))
            owner.setdefault(key, rec.unit)
        for member in rec.members:
            if directory.resolve(member) is None:
                findings.append(finding("plan.unknown_member", sheet="units.csv", row=int(i) + 2, column="members", value=member))
    return directory, findings


def _check_unit_cells(frame: pd.DataFrame, file: str, directory: UnitDirectory) -> list[Finding]:
    out: list[Finding] = []
    for col in ("lead_units", "responsible_units"):
        for i, names in frame[col].items():
            for name in names:
                if directory.resolve(name) is None:
                    close = directory.closest(name)
                    suggestion = f",是否为:{'、'.join(close)}" if close else ""
                    out.append(finding("plan.unknown_unit", sheet=file, row=int(i) + 2, column=col, value=name, suggestion=suggestion))
    return out


def _check_codes(ind: pd.DataFrame, file: str) -> list[Finding]:
    codes = ind["code"]
    given = codes != ""
    out = [finding("plan.bad_code", sheet=file, row=int(i) + 2, column="code", value=codes[i])
           for i in codes.index[given & ~codes.str.fullmatch(schema.CODE_PATTERN)]]
    dup = given & codes.duplicated(keep="first")
    return out + [finding("plan.duplicate_code", sheet=file, row=int(i) + 2, column="code", value=codes[i]) for i in codes.index[dup]]


def _check_indicators(ind: pd.DataFrame, tasks: pd.DataFrame) -> list[Finding]:
    file = "indicators.csv"
    out = _check_duplicates(ind, "indicator_id", file) + _check_codes(ind, file)
    ids = set(ind["indicator_id"])
    for i, rec in ind.iterrows():
        row = int(i) + 2
        if rec.kind in schema.KINDS_NEEDING_TARGET and pd.isna(rec.target_value):
            out.append(finding("plan.missing_target", sheet=file, row=row, column="target_value", kind=rec.kind))
        if rec.kind in schema.KINDS_NEEDING_BASELINE and pd.isna(rec.baseline_value):
            out.append(finding("plan.missing_baseline", sheet=file, row=row, column="baseline_value"))
        if rec.kind == "in_step":
            if not rec.ref_indicator:
                out.append(finding("plan.missing_ref", sheet=file, row=row, column="ref_indicator"))
            elif rec.ref_indicator not in ids:
                out.append(finding("plan.unknown_ref", sheet=file, row=row, column="ref_indicator", value=rec.ref_indicator))
        if rec.task_id and rec.task_id not in set(tasks["task_id"]):
            out.append(finding("plan.unknown_task", sheet=file, row=row, column="task_id", value=rec.task_id))
    return out


PLAN_FILE_NAMES = (schema.PLAN_CONFIG_FILE, *(file for _, file in FILES.values()))


def read_plan_texts(plan_dir: Path | str) -> tuple[dict[str, str | None], list[Finding]]:
    """The four plan files' text (None where a file is missing); a file that is not UTF-8 is a finding."""
    texts: dict[str, str | None] = {}
    findings: list[Finding] = []
    for name in PLAN_FILE_NAMES:
        path = Path(plan_dir) / name
        try:
            texts[name] = path.read_bytes().decode("utf-8-sig") if path.is_file() else None
        except UnicodeDecodeError:
            texts[name] = None
            findings.append(finding("plan.not_utf8", sheet=name, value=name))
    return texts, findings


def check_plan_dir(plan_dir: Path | str) -> tuple[Plan | None, list[Finding]]:
    """Read and check every plan file; returns the plan (None when there are errors) and all findings."""
    texts, findings = read_plan_texts(plan_dir)
    if findings:
        return None, findings
    return check_plan_texts(texts, Path(plan_dir))


def check_plan_texts(texts: Mapping[str, str | None], origin: Path) -> tuple[Plan | None, list[Finding]]:
    """Check plan files given as text (a folder's, or a version kept in the store); `origin` names where from."""
    findings: list[Finding] = []
    config = _read_config(texts.get(schema.PLAN_CONFIG_FILE), findings)
    frames = {key: _read_table(texts.get(file), file, table, findings) for key, (table, file) in FILES.items()}
    if any(f is None for f in frames.values()) or config is None or has_errors(findings):
        return None, findings
    ind, tasks, units = frames["indicators"], frames["tasks"], frames["units"]
    directory, unit_findings = _check_units(units)
    findings += unit_findings
    findings += _check_duplicates(tasks, "task_id", "tasks.csv")
    findings += _check_indicators(ind, tasks)
    findings += _check_unit_cells(ind, "indicators.csv", directory)
    findings += _check_unit_cells(tasks, "tasks.csv", directory)
    if has_errors(findings):
        return None, findings
    return Plan(config, ind.reset_index(drop=True), tasks.reset_index(drop=True), directory, origin), findings


def load_plan(plan_dir: Path | str) -> Plan:
    plan, findings = check_plan_dir(plan_dir)
    if plan is None:
        raise PlanError(findings)
    return plan

