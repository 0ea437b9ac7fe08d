"""Plans in the store: load a plan folder as a new version, list districts and plans, archive a plan.

The store, not the file system, is what a deployment's app processes share, so a plan folder (the exchange
format, `docs/plan-files.md`) is loaded into the store and read back from there:

    result = load_plan_version(store, "data/plans/shashi-15", account="planner")
    result = load_plan_texts(store, texts, account="planner")   # the same, for files held in memory (规划管理)
    plan = stored_plan(store, "shashi-15")             # the latest version, as a lib.plan.Plan
    texts = stored_texts(store, "shashi-15", version=1)   # a version's files; plan_versions: who and when

Rules, each decided here:
- A folder is checked with every check of the plan loader, and must name itself (id, district, district_id).
- Loading files identical to the latest version changes nothing (`LoadResult.changed` is False).
- A new version may change targets, names, units and tasks; it may not drop an indicator or a task that has
  stored progress in that plan, and its period may not overlap another plan of the same district.
- An archived plan takes no new version and no data (the store refuses its writes).
Every refusal is a `PlanCatalogError` carrying findings from the message catalogue.
"""
from __future__ import annotations

import hashlib
from datetime import date
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from lib import schema, settings
from lib.findings import Finding, finding
from lib.plan import Plan, PlanError, check_plan_texts, read_plan_texts
from lib.store_schema import DISTRICTS, INDICATOR_VALUES, PLAN_VERSIONS, PLANS, TASK_VALUES, lock_database, utcnow

STATE_ACTIVE, STATE_ARCHIVED = "active", "archived"
STATE_LABELS = {STATE_ACTIVE: "使用中", STATE_ARCHIVED: "已归档"}
FALLBACK_PLAN_ID = "default"   # a first plan folder that does not name itself (older deployments)


class PlanCatalogError(PlanError):
    """A plan folder or request the catalogue refuses; `findings` say what to fix."""


@dataclass(frozen=True)
class LoadResult:
    plan_id: str
    version: int
    changed: bool   # False: the files equal the latest version, nothing was written
    plan: Plan


# --- settings -----------------------------------------------------------------------------------

def configured_plan_dirs() -> list[Path]:
    """The plan folders loaded at first start (setting `plan_dirs`, comma-separated, relative to the project)."""
    parts = [p.strip() for p in str(settings.get("plan_dirs")).split(",") if p.strip()]
    return [p if p.is_absolute() else settings.PROJECT_ROOT / p for p in map(Path, parts)]


def default_plan_id() -> str:
    """The plan of the first configured folder: where rows stored before plans existed belong."""
    folders = configured_plan_dirs()
    path = folders[0] / schema.PLAN_CONFIG_FILE if folders else None
    if path is None or not path.is_file():
        return FALLBACK_PLAN_ID
    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("id") or FALLBACK_PLAN_ID)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return FALLBACK_PLAN_ID


# --- loading ------------------------------------------------------------------------------------

def _canonical(texts: dict[str, str]) -> tuple[str, str]:
    """(JSON, SHA-256) of the files, line endings normalised: the same files always hash the same."""
    clean = {name: text.replace("\r\n", "\n") for name, text in sorted(texts.items())}
    blob = json.dumps(clean, ensure_ascii=False, sort_keys=True)
    return blob, hashlib.sha256(blob.encode("utf-8")).hexdigest()


def files_sha(texts: dict[str, str]) -> str:
    """The hash a version's files are stored under: equal files, equal hash (line endings aside)."""
    return _canonical(texts)[1]


def check_folder(plan_dir: Path | str) -> tuple[Plan, dict[str, str]]:
    """The folder's plan and texts, or PlanCatalogError with every problem found."""
    texts, findings = read_plan_texts(plan_dir)
    if findings:
        raise PlanCatalogError(findings)
    return check_texts(texts, Path(plan_dir))


def check_texts(texts: dict[str, str | None], origin: Path) -> tuple[Plan, dict[str, str]]:
    """Plan files given as text (a folder's, or tables edited on the 规划管理 page): the plan loader's checks plus
    the catalogue's own (the plan names itself). PlanCatalogError with every problem found."""
    plan, findings = check_plan_texts(texts, origin)
    if plan is not None and not plan.config.id:
        findings.append(finding("catalog.identity_required", sheet=schema.PLAN_CONFIG_FILE))
    if plan is None or [f for f in findings if f.is_error]:
        raise PlanCatalogError(findings)
    return plan, {k: v for k, v in texts.items() if v is not None}


def load_plan_version(store, plan_dir: Path | str, account: str, note: str = "") -> LoadResult:  # noqa: ANN001 - lib.store.Store
    """Store the folder as the plan's next version (or nothing, when it equals the latest one)."""
    plan, texts = check_folder(plan_dir)
    return _store_version(store, plan, texts, account, note)


def load_plan_texts(store, texts: dict[str, str | None], account: str, note: str = "",  # noqa: ANN001 - lib.store.Store
                    origin: Path | str = "规划管理") -> LoadResult:
    """`load_plan_version` for files held in memory: the same checks and refusals, one path to the store."""
    plan, checked = check_texts(texts, Path(origin))
    return _store_version(store, plan, checked, account, note)


def _store_version(store, plan: Plan, texts: dict[str, str], account: str, note: str) -> LoadResult:  # noqa: ANN001
    blob, sha = _canonical(texts)
    c = plan.config
    with store.engine.begin() as conn:
        lock_database(conn)
        latest = _latest_version(conn, c.id)
        if latest is not None and latest.sha256 == sha:
            return LoadResult(c.id, latest.version, False, plan)
        _refuse_if_blocked(conn, plan, latest)
        _upsert_district(conn, plan)
        if latest is None:
            conn.execute(sa.insert(PLANS).values(plan_id=c.id, district_id=c.district_id, state=STATE_ACTIVE))
        version = 1 if latest is None else latest.version + 1
        conn.execute(sa.insert(PLAN_VERSIONS).values(
            plan_id=c.id, version=version, sha256=sha, files=blob, base_year=c.base_year, target_year=c.target_year,
            account=account, created_at=utcnow(), note=(note or "").strip()))
    return LoadResult(c.id, version, True, plan)


def _latest_version(conn: sa.Connection, plan_id: str) -> sa.Row | None:
    v = PLAN_VERSIONS.c
    return conn.execute(sa.select(v.version, v.sha256, v.files).where(v.plan_id == plan_id)
                        .order_by(v.version.desc()).limit(1)).first()


def _refuse_if_blocked(conn: sa.Connection, plan: Plan, latest: sa.Row | None) -> None:
    c = plan.config
    state = conn.execute(sa.select(PLANS.c.state, PLANS.c.district_id).where(PLANS.c.plan_id == c.id)).first()
    problems: list[Finding] = []
    if state is not None and state.state == STATE_ARCHIVED:
        problems.append(finding("catalog.archived", sheet=schema.PLAN_CONFIG_FILE, value=c.id))
    if state is not None and state.district_id != c.district_id:
        problems.append(finding("catalog.district_changed", sheet=schema.PLAN_CONFIG_FILE, value=c.id,
                                before=state.district_id, after=c.district_id))
    problems += _overlaps(conn, plan)
    if latest is not None:
        problems += _dropped_with_progress(conn, plan)
    if problems:
        raise PlanCatalogError(problems)


def _overlaps(conn: sa.Connection, plan: Plan) -> list[Finding]:
    """Another plan of the district whose period shares a year with this one."""
    c, v, p = plan.config, PLAN_VERSIONS.c, PLANS.c
    latest = (sa.select(v.plan_id, sa.func.max(v.version).label("version")).group_by(v.plan_id).subquery("latest"))
    rows = conn.execute(sa.select(v.plan_id, v.base_year, v.target_year)
                        .join(latest, sa.and_(latest.c.plan_id == v.plan_id, latest.c.version == v.version))
                        .join(PLANS, p.plan_id == v.plan_id)
                        .where(p.district_id == c.district_id, v.plan_id != c.id)).all()
    return [finding("catalog.period_overlap", sheet=schema.PLAN_CONFIG_FILE, value=c.id, other=r.plan_id,
                    period=f"{r.base_year + 1}—{r.target_year}", mine=f"{c.base_year + 1}—{c.target_year}")
            for r in rows if r.base_year < c.target_year and c.base_year < r.target_year]


def _dropped_with_progress(conn: sa.Connection, plan: Plan) -> list[Finding]:
    out = []
    for table, column, keep, file in ((INDICATOR_VALUES, "indicator_id", plan.indicators["indicator_id"], "indicators.csv"),
                                      (TASK_VALUES, "task_id", plan.tasks["task_id"], "tasks.csv")):
        stored = conn.execute(sa.select(table.c[column]).where(table.c.plan_id == plan.config.id).distinct()).scalars()
        out += [finding("catalog.drops_reported", sheet=file, column=column, value=item)
                for item in sorted(set(stored) - set(keep))]
    return out


def _upsert_district(conn: sa.Connection, plan: Plan) -> None:
    c, d = plan.config, DISTRICTS.c
    values = {"name": c.district, "city_id": c.city_id or None, "city": c.city or None}
    if conn.execute(sa.select(d.district_id).where(d.district_id == c.district_id)).first() is None:
        conn.execute(sa.insert(DISTRICTS).values(district_id=c.district_id, **values))
    else:
        conn.execute(sa.update(DISTRICTS).where(d.district_id == c.district_id).values(**values))


# --- reading ------------------------------------------------------------------------------------

def district_identity(store, district_id: str) -> dict[str, str]:  # noqa: ANN001 - lib.store.Store
    """plan.toml's district keys (district, district_id, city, city_id) as the store knows the district, from
    its plans loaded so far; empty when it has none."""
    d = DISTRICTS.c
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(d.name, d.city, d.city_id).where(d.district_id == district_id)).first()
    if row is None:
        return {}
    return {"district": row.name, "district_id": district_id, "city": row.city or "", "city_id": row.city_id or ""}


def _version_row(store, plan_id: str, version: int | None) -> sa.Row:  # noqa: ANN001 - lib.store.Store
    v = PLAN_VERSIONS.c
    stmt = sa.select(v.files, v.version).where(v.plan_id == plan_id)
    stmt = stmt.where(v.version == version) if version is not None else stmt.order_by(v.version.desc()).limit(1)
    with store.engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        raise PlanCatalogError([finding("catalog.unknown_plan", value=plan_id)])
    return row


def stored_texts(store, plan_id: str, version: int | None = None) -> dict[str, str]:  # noqa: ANN001 - lib.store.Store
    """The plan files of one stored version (latest by default), by file name, as they were loaded."""
    return json.loads(_version_row(store, plan_id, version).files)


def plan_versions(store, plan_id: str) -> pd.DataFrame:  # noqa: ANN001 - lib.store.Store
    """Every stored version of a plan, oldest first: version, account, created_at (UTC), note."""
    v = PLAN_VERSIONS.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(v.version, v.account, v.created_at, v.note)
                            .where(v.plan_id == plan_id).order_by(v.version)).all()
    frame = pd.DataFrame([r._asdict() for r in rows], columns=["version", "account", "created_at", "note"])
    frame["created_at"] = pd.to_datetime(frame["created_at"]).dt.tz_localize("UTC")
    return frame


def stored_plan(store, plan_id: str, version: int | None = None) -> Plan:  # noqa: ANN001 - lib.store.Store
    """A plan as the store keeps it (latest version by default); PlanCatalogError when there is none."""
    row = _version_row(store, plan_id, version)
    plan, findings = check_plan_texts(json.loads(row.files), Path(f"store:{plan_id}@{row.version}"))
    if plan is None:
        raise PlanCatalogError(findings)
    return plan


def list_plans(store) -> pd.DataFrame:  # noqa: ANN001 - lib.store.Store
    """Districts, plans, periods, versions and state: one row per plan, by district then period."""
    v, p, d = PLAN_VERSIONS.c, PLANS.c, DISTRICTS.c
    counts = sa.select(v.plan_id, sa.func.max(v.version).label("versions")).group_by(v.plan_id).subquery("counts")
    stmt = (sa.select(d.city, d.city_id, d.name.label("district"), p.district_id, p.plan_id, p.state, counts.c.versions,
                      v.base_year, v.target_year, v.account, v.created_at, v.files)
            .join(PLANS, p.district_id == d.district_id)
            .join(counts, counts.c.plan_id == p.plan_id)
            .join(PLAN_VERSIONS, sa.and_(v.plan_id == p.plan_id, v.version == counts.c.versions))
            .order_by(d.city, p.district_id, v.base_year))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    columns = ["city", "city_id", "district", "district_id", "plan_id", "short_name", "period", "base_year",
               "target_year", "sample", "versions", "state", "state_label", "account", "created_at"]
    frame = pd.DataFrame([{
        "city": r.city or "", "city_id": r.city_id or "", "district": r.district, "district_id": r.district_id,
        "plan_id": r.plan_id, **_names(r.files), "period": f"{r.base_year + 1}—{r.target_year}",
        "base_year": int(r.base_year), "target_year": int(r.target_year), "versions": int(r.versions),
        "state": r.state, "state_label": STATE_LABELS[r.state], "account": r.account, "created_at": r.created_at,
    } for r in rows], columns=columns)
    frame["created_at"] = pd.to_datetime(frame["created_at"]).dt.tz_localize("UTC")
    return frame.astype({"base_year": int, "target_year": int, "versions": int, "sample": bool})


def _names(files_json: str) -> dict[str, object]:
    config = tomllib.loads(json.loads(files_json).get(schema.PLAN_CONFIG_FILE, ""))
    return {"short_name": str(config.get("short_name") or config.get("name") or ""), "sample": bool(config.get("sample"))}


def catalog_stamp(store) -> tuple:  # noqa: ANN001 - lib.store.Store
    """Changes whenever a plan is loaded, gets a new version or is archived: the key for caching `list_plans`."""
    with store.engine.connect() as conn:
        versions = conn.execute(sa.select(sa.func.count(), sa.func.max(PLAN_VERSIONS.c.created_at))
                                .select_from(PLAN_VERSIONS)).one()
        archived = conn.execute(sa.select(sa.func.count()).select_from(PLANS)
                                .where(PLANS.c.state == STATE_ARCHIVED)).scalar_one()
    return int(versions[0]), str(versions[1]), int(archived)


def latest_version(store, plan_id: str) -> int:  # noqa: ANN001 - lib.store.Store
    """The number of the plan's latest version (0 when the plan is unknown)."""
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.max(PLAN_VERSIONS.c.version))
                             .where(PLAN_VERSIONS.c.plan_id == plan_id)).scalar_one()
    return int(found or 0)


def _years(period: str) -> tuple[int, int]:
    """"2026—2030" (lib.plan_catalog.list_plans) → (2026, 2030)."""
    first, last = str(period).split("—")
    return int(first), int(last)


def current_plan_id(plans: pd.DataFrame, today: date, district_id: str | None = None) -> str | None:
    """The plan whose period contains `today`, else the latest one (highest target year), of one district
    (or of the only district in `plans`). `plans` has district_id, plan_id and either first_year/target_year
    or list_plans's period ("2026—2030"). None when the district has no plan."""
    rows = plans if district_id is None else plans[plans["district_id"] == district_id]
    if rows.empty:
        return None
    if "first_year" in rows.columns:
        spans = list(zip(rows["first_year"].astype(int), rows["target_year"].astype(int)))
    else:
        spans = [_years(p) for p in rows["period"]]
    ids = list(rows["plan_id"])
    for plan_id, (first, last) in zip(ids, spans):
        if first <= today.year <= last:
            return str(plan_id)
    return str(ids[max(range(len(ids)), key=lambda i: spans[i][1])])


def predecessor_id(plans: pd.DataFrame, plan_id: str) -> str | None:
    """The plan of the same district whose period ends where this one's begins (`list_plans` rows)."""
    me = plans[plans["plan_id"] == plan_id]
    if me.empty:
        return None
    row = me.iloc[0]
    before = plans[(plans["district_id"] == row["district_id"]) & (plans["target_year"] == row["base_year"])]
    return None if before.empty else str(before.iloc[0]["plan_id"])


def with_inherited_baselines(store, plan: Plan) -> Plan:  # noqa: ANN001 - lib.store.Store
    """`plan` whose empty baselines come from its predecessor's final values (lib.continuity), when stored."""
    from lib.continuity import inherit_baselines
    ind = plan.indicators
    if not (ind["baseline_value"].isna() & (ind["code"] != "")).any():
        return plan   # nothing to inherit: spare reading the predecessor (the common case on every rerun)
    previous = predecessor_id(list_plans(store), plan.config.id) if plan.config.id else None
    if previous is None:
        return plan
    return inherit_baselines(plan, stored_plan(store, previous), store.plan(previous).effective_indicator_progress())


def plan_state(store, plan_id: str) -> str | None:  # noqa: ANN001 - lib.store.Store
    with store.engine.connect() as conn:
        return conn.execute(sa.select(PLANS.c.state).where(PLANS.c.plan_id == plan_id)).scalar_one_or_none()


def archive_plan(store, plan_id: str, account: str) -> None:  # noqa: ANN001 - lib.store.Store
    """After its final evaluation: the plan's data becomes read-only (uploads and settings are refused)."""
    p = PLANS.c
    with store.engine.begin() as conn:
        changed = conn.execute(sa.update(PLANS).where(p.plan_id == plan_id, p.state == STATE_ACTIVE)
                               .values(state=STATE_ARCHIVED, archived_by=account, archived_at=utcnow())).rowcount
        if changed:
            return
        state = conn.execute(sa.select(p.state).where(p.plan_id == plan_id)).scalar_one_or_none()
    code = "catalog.unknown_plan" if state is None else "catalog.already_archived"
    raise PlanCatalogError([finding(code, value=plan_id)])


def plan_ids(store) -> list[str]:  # noqa: ANN001 - lib.store.Store
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(PLANS.c.plan_id).order_by(PLANS.c.plan_id)).scalars())


SAMPLE_FILE = "progress.xlsx"   # a plan folder's sample progress, stored on first start


def ready_store(plan: Plan, url: str | None = None, *, sample: Path | str | None = None,  # noqa: ANN201 - Store
                seed: bool = True):
    """The store scoped to `plan`, with the plan folder loaded (nothing happens when it is unchanged).

    On first start (no plan in the store yet) the configured folders (`plan_dirs`) are loaded too, each seeded
    with its own `progress.xlsx`; `plan` itself is seeded from `sample` (default: the `sample_progress` setting).
    `seed=False` loads plans but stores no sample progress (the import command). Safe when several processes
    start at once: loading and seeding are locked and idempotent.
    """
    from lib.ingest import seed_sample
    from lib.store import SYSTEM_ACCOUNT, open_store

    store = open_store(url)
    if not plan_ids(store):
        own = Path(plan.plan_dir).resolve()
        for folder in configured_plan_dirs():
            if folder.resolve() == own:
                continue
            loaded = load_plan_version(store, folder, SYSTEM_ACCOUNT)
            if seed:
                seed_sample(store.plan(loaded.plan_id), loaded.plan, folder / SAMPLE_FILE)
    load_plan_version(store, plan.plan_dir, SYSTEM_ACCOUNT)
    scoped = store.plan(plan.config.id)
    if seed:
        seed_sample(scoped, plan, sample if sample is not None else settings.get("sample_progress"))
    return scoped
