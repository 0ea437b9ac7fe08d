"""Plan files as editable tables (the 规划管理 page), published through the catalogue's one path to the store.

    tables = tables_from_draft(draft_from_upload(data, "通知.docx"))       # a notice's draft (lib/notice.py)
    tables = with_config(tables, id="shashi-15", district="沙市区", district_id="shashi")
    publish_new(store, tables, account="fgj-zhao")                          # version 1 of a new plan
    tables = tables_of_version(store, "shashi-15")                           # the latest version, to correct
    publish_version(store, "shashi-15", tables, "fgj-zhao", note="上级调整目标")   # version 2

The tables hold the CSV cells as text, exactly as the files have them (list cells `|`-separated), so what the
office edits is what gets checked: `plan_texts` renders the four files and publishing runs
`lib.plan_catalog.load_plan_texts`, the checks and refusals of `python -m lib plan load`. A file whose table is
unchanged is kept byte for byte, so publishing an unchanged plan stores nothing. Refusals are findings naming
the file, its row (header = row 1, as in the table shown) and column; `refusal_table` lays them out.
`version_changes` compares two versions row by row (added, removed, changed rows with their fields).
"""
from __future__ import annotations

import io
import json
import tomllib
from dataclasses import dataclass, field, replace

import pandas as pd

from lib import notice, schema
from lib import plan_catalog as catalog
from lib.findings import SEVERITY_LABEL, Finding, finding
from lib.plan import FILES, PLAN_FILE_NAMES

CONFIG = schema.PLAN_CONFIG_FILE
TABLE_FILES = {key: file for key, (_, file) in FILES.items()}          # indicators → indicators.csv, …
ID_COLUMNS = {"indicators.csv": "indicator_id", "tasks.csv": "task_id", "units.csv": "unit"}
FILE_LABELS = {CONFIG: "规划信息", "indicators.csv": "主要指标", "tasks.csv": "重点任务", "units.csv": "责任单位"}
_TABLES = {file: table for table, file in FILES.values()}
# plan.toml keys in the order they are written (docs/plan-files.md); other keys of an existing file are kept.
CONFIG_KEYS = ("id", "name", "short_name", "district", "district_id", "city", "city_id", "base_year", "target_year",
               "source", "sample")
CONFIG_LABELS = {"id": "规划编号", "name": "规划名称", "short_name": "简称", "district": "区县名称", "district_id": "区县编号",
                 "city": "所属城市", "city_id": "城市编号", "base_year": "基期年份", "target_year": "目标年份",
                 "source": "来源", "sample": "示例数据"}
UNIT_LIST_COLUMNS = {"indicators.csv": ("lead_units", "responsible_units"), "tasks.csv": ("lead_units", "responsible_units"),
                     "units.csv": ("members",)}
ADDED, REMOVED, CHANGED, RENAMED = "新增", "删除", "修改", "改名"


class PlanEditError(catalog.PlanCatalogError):
    """An edit or publication the page refuses; `findings` say what to fix."""


@dataclass(frozen=True)
class PlanTables:
    config: dict[str, object]   # plan.toml values
    indicators: pd.DataFrame    # the CSV cells as text, in file order and column order
    tasks: pd.DataFrame
    units: pd.DataFrame
    base: dict[str, str] = field(default_factory=dict)  # the texts these were read from: kept where unchanged

    def frame(self, file: str) -> pd.DataFrame:
        return getattr(self, next(k for k, f in TABLE_FILES.items() if f == file))


# --- tables ← texts -----------------------------------------------------------------------------------

def _cells(text: str) -> pd.DataFrame:
    return _clean(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as stripped text ('' for empty, as the editor leaves None); trailing all-empty rows dropped
    (a row added and left blank), so row numbers of the rest still match the table shown."""
    out = frame.astype(object).where(frame.notna(), "").map(lambda c: str(c).strip()).astype(object)
    filled = (out != "").any(axis=1).to_numpy()
    last = max((i for i, f in enumerate(filled) if f), default=-1)
    return out.iloc[:last + 1].reset_index(drop=True)


def tables_from_texts(texts: dict[str, str], *, keep_base: bool = True) -> PlanTables:
    """The editable tables of a plan's files (a stored version's, or a draft's)."""
    frames = {key: _cells(texts.get(file) or ",".join(_TABLES[file].names)) for key, file in TABLE_FILES.items()}
    config = tomllib.loads(texts.get(CONFIG) or "")
    return PlanTables(config, **frames, base=dict(texts) if keep_base else {})


def tables_from_draft(draft: notice.Draft) -> PlanTables:
    """A notice's draft as tables: nothing stored yet, so every file is rendered at publication."""
    files = notice.draft_files(draft)
    return tables_from_texts({name: files[name].decode("utf-8-sig") for name in PLAN_FILE_NAMES}, keep_base=False)


def tables_of_version(store, plan_id: str, version: int | None = None) -> PlanTables:  # noqa: ANN001 - lib.store.Store
    return tables_from_texts(catalog.stored_texts(store, plan_id, version))


def for_district(tables: PlanTables, store, district_id: str | None) -> PlanTables:  # noqa: ANN001 - lib.store.Store
    """A new draft of the publishing office's district: its 区县编号, name and city as the store knows them (an
    office publishes for no other district, and a name read from the notice must not rename the district).
    `district_id` None (an account without a district): unchanged."""
    if district_id is None:
        return tables
    known = catalog.district_identity(store, district_id) or {"district_id": district_id}
    return with_config(tables, **{k: v for k, v in known.items() if v})


def draft_from_upload(data: bytes, name: str, **options: object) -> notice.Draft:
    """A notice uploaded or pasted (bytes) → its draft; the size limits of `read_notice`, checked before parsing."""
    limit = notice.MAX_DOCX_BYTES if data.startswith(b"PK\x03\x04") else notice.MAX_TEXT_BYTES
    if len(data) > limit:
        raise notice.NoticeError("notice.too_large", value=name, size_mb=f"{len(data) / 2**20:.0f}",
                                 max_mb=f"{limit / 2**20:.0f}")
    return notice.parse_notice(notice.notice_lines(data, name), name=name, **options)


def with_config(tables: PlanTables, **values: object) -> PlanTables:
    """The tables with plan.toml values set (empty text removes an optional key)."""
    config = dict(tables.config)
    for key, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        if value == "" or value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return replace(tables, config=config)


def with_frames(tables: PlanTables, **frames: pd.DataFrame) -> PlanTables:
    """The tables with edited frames (as st.data_editor returns them) in place of the old ones."""
    return replace(tables, **{key: _clean(frame) for key, frame in frames.items()})


# --- tables → texts -----------------------------------------------------------------------------------

def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)   # a JSON string is a valid TOML basic string


def render_config(config: dict[str, object]) -> str:
    keys = [k for k in CONFIG_KEYS if k in config] + [k for k in config if k not in CONFIG_KEYS]
    return "".join(f"{key} = {_toml_value(config[key])}\n" for key in keys
                   if isinstance(config[key], str | int | float | bool))


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def plan_texts(tables: PlanTables) -> dict[str, str]:
    """The four plan files; a file whose table equals the one it was read from is its original text."""
    base = tables.base
    same_config = CONFIG in base and tomllib.loads(base[CONFIG]) == tables.config
    out = {CONFIG: base[CONFIG] if same_config else render_config(tables.config)}
    for key, file in TABLE_FILES.items():
        frame = _clean(getattr(tables, key))
        out[file] = base[file] if file in base and _cells(base[file]).equals(frame) else _csv(frame)
    return out


# --- edits ---------------------------------------------------------------------------------------------

def _split(cell: str) -> list[str]:
    return [p.strip() for p in str(cell).split(schema.LIST_SEPARATOR) if p.strip()]


def _join(names: list[str]) -> str:
    return schema.LIST_SEPARATOR.join(dict.fromkeys(names))


def _unit_row(units: pd.DataFrame, name: str) -> int | None:
    hits = units.index[units["unit"] == name]
    return int(hits[0]) if len(hits) else None


def rename_unit(tables: PlanTables, old: str, new: str, *, keep_alias: bool = True) -> PlanTables:
    """Rename a unit in units.csv and wherever indicators, tasks and groups name it; the old name stays an
    alias (uploads and accounts that still use it resolve) unless `keep_alias` is False."""
    old, new = old.strip(), new.strip()
    units = tables.units.copy()
    row = _unit_row(units, old)
    if row is None:
        raise PlanEditError([finding("editor.unit_unknown", sheet="units.csv", column="unit", value=old)])
    if not new or _unit_row(units, new) is not None:
        raise PlanEditError([finding("editor.unit_exists", sheet="units.csv", row=row + 2, column="unit", value=new)])
    units.at[row, "unit"] = new
    if keep_alias:
        units.at[row, "aliases"] = _join([n for n in _split(units.at[row, "aliases"]) if n != new] + [old])
    frames = {"units": units}
    for key, file in TABLE_FILES.items():
        frame = frames.get(key, getattr(tables, key)).copy()
        for col in UNIT_LIST_COLUMNS[file]:
            if col in frame.columns:
                frame[col] = frame[col].map(lambda cell: _join([new if n == old else n for n in _split(cell)]))
        frames[key] = frame
    return replace(tables, **frames)


def add_alias(tables: PlanTables, unit: str, alias: str) -> PlanTables:
    """Another name of a unit (an abbreviation, the name before a reorganisation). Conflicts with another
    unit's name are the plan check's to report (plan.name_conflict), at publication."""
    units = tables.units.copy()
    row = _unit_row(units, unit.strip())
    if row is None:
        raise PlanEditError([finding("editor.unit_unknown", sheet="units.csv", column="unit", value=unit)])
    if alias.strip():
        units.at[row, "aliases"] = _join(_split(units.at[row, "aliases"]) + [alias.strip()])
    return replace(tables, units=units)


# --- publishing ----------------------------------------------------------------------------------------

def _own_district(tables: PlanTables, district_id: str | None) -> None:
    """A planning office publishes only its own district's plans (`district_id` None: the command line)."""
    given = str(tables.config.get("district_id") or "")
    if district_id is not None and given and given != district_id:   # an empty one: identity_required
        raise PlanEditError([finding("editor.other_district", sheet=CONFIG, column="district_id", value=given,
                                     district=district_id)])


def publish_new(store, tables: PlanTables, account: str, note: str = "", *,  # noqa: ANN001
                district_id: str | None = None) -> catalog.LoadResult:
    """Version 1 of a new plan of `district_id` (the publishing office's). Refused when the id is already taken
    by other files (publishing the same files again, e.g. a second click, changes nothing)."""
    _own_district(tables, district_id)
    texts = plan_texts(tables)
    plan_id = str(tables.config.get("id") or "")
    if plan_id in catalog.plan_ids(store) and catalog.files_sha(catalog.stored_texts(store, plan_id)) != catalog.files_sha(texts):
        raise PlanEditError([finding("editor.plan_exists", sheet=CONFIG, column="id", value=plan_id)])
    return catalog.load_plan_texts(store, texts, account, note or "由任务分工方案发布")


def publish_version(store, plan_id: str, tables: PlanTables, account: str, note: str = "", *,  # noqa: ANN001
                    district_id: str | None = None) -> catalog.LoadResult:
    """The plan's next version (or nothing, when the files are unchanged). Its id may not change here, nor its
    district away from the publishing office's."""
    _own_district(tables, district_id)
    if str(tables.config.get("id") or "") != plan_id:
        raise PlanEditError([finding("editor.id_changed", sheet=CONFIG, column="id",
                                     value=str(tables.config.get("id") or ""), plan_id=plan_id)])
    return catalog.load_plan_texts(store, plan_texts(tables), account, note)


def _column_label(file: str, column: str) -> str:
    if file == CONFIG and column in CONFIG_LABELS:
        return f"{CONFIG_LABELS[column]}({column})"
    table = _TABLES.get(file)
    if table is None or column not in table.names:
        return column
    return f"{table.label_of(column)}({column})"


def refusal_table(findings: list[Finding]) -> pd.DataFrame:
    """Findings as the page lists them: severity, table, row (header = row 1), column (Chinese label), message."""
    rows = [{"级别": SEVERITY_LABEL[f.severity], "表": FILE_LABELS.get(f.sheet, f.sheet), "行": f.row,
             "列": _column_label(f.sheet, f.column) if f.column else "", "说明": f.message, "代码": f.code}
            for f in sorted(findings, key=lambda f: (not f.is_error, PLAN_FILE_NAMES.index(f.sheet)
                                                     if f.sheet in PLAN_FILE_NAMES else 9, f.row or 0))]
    frame = pd.DataFrame(rows, columns=["级别", "表", "行", "列", "说明", "代码"])
    frame["行"] = frame["行"].astype("Int64")
    return frame


# --- history -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowChange:
    file: str
    key: str                                   # the row's id (indicator_id, task_id, unit) or the plan.toml key
    change: str                                # 新增 / 删除 / 修改 / 改名 (a unit whose old name is now its alias)
    fields: tuple[tuple[str, str, str], ...]   # (column, before, after) of a changed row; the row's cells otherwise


def _keyed(frame: pd.DataFrame, id_col: str) -> dict[str, dict[str, str]]:
    if id_col not in frame.columns:
        return {}
    return {rec[id_col]: rec for rec in frame.drop_duplicates(id_col).to_dict("records")}


def _diff_rows(file: str, before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[RowChange]:
    out = []
    for key in list(after) + [k for k in before if k not in after]:
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            cells = new or old
            out.append(RowChange(file, key, ADDED if old is None else REMOVED,
                                 tuple((c, "" if new else v, v if new else "") for c, v in cells.items() if v)))
            continue
        fields = tuple((c, str(old.get(c, "")), str(new.get(c, ""))) for c in dict.fromkeys([*old, *new])
                       if str(old.get(c, "")) != str(new.get(c, "")))
        if fields:
            out.append(RowChange(file, key, CHANGED, fields))
    return out


def diff_texts(before: dict[str, str], after: dict[str, str]) -> list[RowChange]:
    """What changed between two sets of plan files: plan.toml keys, then each CSV row by its id."""
    configs = [tomllib.loads(t.get(CONFIG) or "") for t in (before, after)]
    changes = []
    for key in dict.fromkeys([*configs[1], *configs[0]]):
        old, new = (str(c[key]) if key in c else None for c in configs)
        if old != new:
            change = ADDED if old is None else REMOVED if new is None else CHANGED
            changes.append(RowChange(CONFIG, key, change, ((key, old or "", new or ""),)))
    for file, id_col in ID_COLUMNS.items():
        frames = [_keyed(_cells(t[file]), id_col) if t.get(file) else {} for t in (before, after)]
        changes += _diff_rows(file, *frames)
    return _renames(changes)


def _renames(changes: list[RowChange]) -> list[RowChange]:
    """A removed unit whose name an added unit lists as alias: one 改名 line instead of 删除 + 新增."""
    added = {c.key: c for c in changes if c.file == "units.csv" and c.change == ADDED}
    renamed: dict[str, str] = {}   # old name → new name
    for c in changes:
        if c.file == "units.csv" and c.change == REMOVED:
            new = next((k for k, a in added.items() if c.key in _split(dict((f, v) for f, _, v in a.fields).get("aliases", ""))), None)
            if new is not None and new not in renamed.values():
                renamed[c.key] = new
    out = []
    for c in changes:
        if c.file == "units.csv" and (c.key in renamed or c.key in renamed.values()):
            if c.key in renamed:
                out.append(RowChange(c.file, renamed[c.key], RENAMED, (("unit", c.key, renamed[c.key]),)))
            continue
        out.append(c)
    return out


def changes_table(changes: list[RowChange]) -> pd.DataFrame:
    """One line per changed field (a whole added or removed row: one line per filled cell)."""
    rows = [{"表": FILE_LABELS[c.file], "编号": c.key, "变化": c.change, "字段": _column_label(c.file, col),
             "原值": b, "新值": a} for c in changes for col, b, a in c.fields]
    return pd.DataFrame(rows, columns=["表", "编号", "变化", "字段", "原值", "新值"])


def version_changes(store, plan_id: str, version: int) -> list[RowChange]:  # noqa: ANN001 - lib.store.Store
    """What `version` changed against the version before it (version 1: every row added)."""
    after = catalog.stored_texts(store, plan_id, version)
    before = catalog.stored_texts(store, plan_id, version - 1) if version > 1 else {}
    return diff_texts(before, after)


def _summary(changes: list[RowChange]) -> str:
    if not changes:
        return "无变化"
    counts: dict[tuple[str, str], int] = {}
    for c in changes:
        counts[(FILE_LABELS[c.file], c.change)] = counts.get((FILE_LABELS[c.file], c.change), 0) + 1
    return ";".join(f"{table}{change} {n} 行" if table != FILE_LABELS[CONFIG] else f"{table}{change} {n} 项"
                    for (table, change), n in counts.items())


def version_history(store, plan_id: str) -> pd.DataFrame:  # noqa: ANN001 - lib.store.Store
    """Every version, newest first: who published it, when (UTC), the note and a summary of what changed."""
    versions = catalog.plan_versions(store, plan_id)
    versions["changes"] = [_summary(version_changes(store, plan_id, int(v))) if v > 1 else "首次载入"
                           for v in versions["version"]]
    return versions.iloc[::-1].reset_index(drop=True)

