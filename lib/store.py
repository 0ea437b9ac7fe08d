"""The progress store: every uploaded workbook as an immutable submission, reviewed by the planning office.

Where the data lives: any SQLAlchemy URL. Default `sqlite:///<project>/var/planmon.sqlite` (outside git,
created on first open, so `make run` needs no server); `PLANMON_DB_URL` points at PostgreSQL instead
(`postgresql+psycopg://user@host/db`). Tables and migrations: `lib/store_schema.py` (a `schema_version`
table and an ordered migration list, applied by `open_store`).

The rules, each decided once here:

- **Every row belongs to a plan.** `open_store(url)` is the database; `.plan(plan_id)` is one plan's view, and
  every data method needs it (an unscoped store raises `store.not_scoped`). Each query filters on `plan_id`
  first (the indexes lead with it), so one district's pending or returned files never show in another's
  views, and a submission id of another plan is simply not found. Writes need the plan loaded
  (`lib.plan_catalog`) and not archived (`store.unknown_plan`, `store.plan_archived`).
- **A submission is immutable.** Its rows never change; only its state moves, along exactly three edges:
  待审核 → 已采纳 (`adopt`), 待审核 → 已退回 (`return_submission`, reason required, shown to the
  department), 已采纳 → 已撤销 (`revoke`, reason required). Anything else raises `StoreError`. Every
  state change is also appended to `submission_events` (who, when, why).
- **Effective progress** is, for every indicator (id, year, quarter) — every task (id, year, quarter,
  reporting unit) — the row of the adopted submission with the **highest submission id**, i.e. the most
  recently *uploaded* adopted file, not the most recently *reviewed* one. Why: the newer file is the
  department's correction of the older one, so adopting an old file late must not overwrite it; and the
  result depends only on the set of adopted submissions, so revoking one simply brings back what the
  remaining adopted ones say ("the previous values come back"), whatever order reviews happened in.
- **Annual targets (年度目标值)** of quota indicators come from two places: the workbook column, and the
  planning office's settings (`set_annual_target`, append-only history, the latest setting wins). The
  office's setting for (indicator, year) replaces the workbook's number on every row of that year, because
  the office is the authority on what the higher level assigned: one rule, `lib.targets.with_office_targets`,
  applied by `effective_indicator_progress`, `preview` and `lib.assess.assess_indicators(...,
  annual_targets=store.annual_targets())` (which also covers a year whose rows carry no target at all).
- **Baselines** set by the office (`set_baseline`) are likewise append-only; `baselines()` gives the latest
  per indicator and `apply_baselines(plan, store.baselines())` returns a plan that uses them.
- **Identical re-upload**: the same SHA-256 from the same unit while an earlier copy is 待审核 or 已采纳 is a
  no-op that returns the earlier submission (`duplicate=True`). A partial unique index enforces it, so two
  sessions uploading the same file at the same moment still store it once. After a return or revoke the
  same file may be submitted again.
- **One transaction per write.** A failed import raises and leaves every table exactly as it was.
- **Concurrency.** A `Store` holds only an engine (thread-safe pool); use one from many Streamlit sessions.
  SQLite runs in WAL mode with a busy timeout and begins every write with BEGIN IMMEDIATE, so concurrent
  writers queue instead of failing with "database is locked"; reads use a deferred transaction (a
  snapshot, never blocked by a writer). PostgreSQL needs nothing special: inserts of different files do
  not conflict, state changes are conditional UPDATEs, and seeding/migration take an advisory lock.
- **Seeding** (`seed_rows`; `lib.ingest.seed_sample` reads the sample): on first start the sample workbook
  (`PLANMON_SAMPLE_PROGRESS`) is stored as one adopted submission per reporting unit found in it, by
  account `system` — so the review list and per-unit history look like real use from day one. It runs in
  one locked transaction that first checks the store is still empty: two processes starting at once seed
  once.
- **Modules.** This file is the store's queries (the `Store` class, `open_store`); the engine set-up is
  `lib/store_engine.py`, the upload preview's comparison `lib/store_preview.py`, and the Chinese labels and
  display formatting the pages use `lib/store_labels.py`. Every name stays importable from `lib.store`.
- Timestamps are UTC. The database keeps naive UTC; frames carry UTC-aware pandas timestamps; messages
  show 北京时间.
"""
from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lib import settings
from lib.messages import CatalogueError, render
from lib.coerce import as_text, coerce
from lib.schema import (INDICATOR_PROGRESS_COLUMNS, INDICATOR_PROGRESS_KEY, INDICATOR_SHEET, TASK_PROGRESS_COLUMNS,
                        TASK_PROGRESS_KEY, TASK_SHEET, Table)
from lib import store_preview
from lib.store_engine import SQLITE_BUSY_TIMEOUT_S, default_url, make_engine  # noqa: F401  (re-exported)
from lib.store_labels import (DISPLAY_TZ, HISTORY_LABELS, STATE_TEXT, SUBMISSION_LABELS,  # noqa: F401  (re-exported)
                              display_time, period_text)
from lib.store_preview import CHANGE_CHANGED, CHANGE_NEW, CHANGE_SAME  # noqa: F401  (re-exported)
from lib.targets import with_office_targets
from lib.store_schema import (BASELINE_SETTINGS, INDICATOR_VALUES, LIVE_STATES, PLANS, SUBMISSION_EVENTS, SUBMISSIONS,
                              SHEET_OF, TARGET_SETTINGS, TASK_VALUES, UPLOADED_FILES, SchemaTooNew, StoredRowsInvalid,
                              current_version, lock_database, migrate, utcnow)

if TYPE_CHECKING:
    from lib.plan import Plan

SYSTEM_ACCOUNT = "system"          # seeding
AUTO_ADOPT_ACCOUNT = "auto-adopt"  # reviewed_by of a submission adopted by the auto_adopt setting

INDICATOR_COLUMNS = INDICATOR_PROGRESS_COLUMNS   # declared once, in lib.schema
TASK_COLUMNS = TASK_PROGRESS_COLUMNS
INDICATOR_KEY = INDICATOR_PROGRESS_KEY
TASK_KEY = TASK_PROGRESS_KEY


class SubmissionState(str, Enum):
    PENDING = "pending"
    ADOPTED = "adopted"
    RETURNED = "returned"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[SubmissionState, str] = {SubmissionState(k): v for k, v in STATE_TEXT.items()}
_SUBMISSION_FIELDS = [SUBMISSIONS.c[name] for name in SUBMISSION_LABELS if name != "state_label"]
SOURCE_SUBMITTED, SOURCE_TARGET, SOURCE_BASELINE = "填报", "年度目标值设定", "基期值设定"


@dataclass(frozen=True)
class _Transition:
    source: SubmissionState
    target: SubmissionState
    verb: str
    needs_reason: bool
    done_code: str


_ADOPT = _Transition(SubmissionState.PENDING, SubmissionState.ADOPTED, "采纳", False, "store.adopted")
_RETURN = _Transition(SubmissionState.PENDING, SubmissionState.RETURNED, "退回", True, "store.returned")
_REVOKE = _Transition(SubmissionState.ADOPTED, SubmissionState.REVOKED, "撤销", True, "store.revoked")


class StoreError(CatalogueError):
    """A refusal the user can act on (see lib.messages.CatalogueError)."""


@dataclass(frozen=True)
class SubmitResult:
    """What `submit` did: a new submission, or (duplicate=True) the earlier identical one, untouched."""
    submission_id: int
    duplicate: bool
    state: SubmissionState
    indicator_rows: int
    task_rows: int
    created_at: pd.Timestamp

    @property
    def code(self) -> str:
        return "store.duplicate" if self.duplicate else "store.submitted"

    @property
    def message(self) -> str:
        return render(self.code, submission_id=self.submission_id, indicator_rows=self.indicator_rows,
                      task_rows=self.task_rows, state=self.state.label, created_at=display_time(self.created_at))


class SubmissionRows(NamedTuple):
    indicator_rows: pd.DataFrame   # INDICATOR_COLUMNS
    task_rows: pd.DataFrame        # TASK_COLUMNS


# --- engines -------------------------------------------------------------------------------------

_STORES: dict[str, "Store"] = {}
_STORES_LOCK = threading.Lock()


def open_store(url: str | None = None, *, cached: bool = True) -> "Store":
    """The store at `url` (default: `default_url()`), migrated to the current schema.

    Cached per URL, so every session of the app shares one engine and its connection pool;
    `cached=False` gives a private engine (tests use it to act like separate processes).
    """
    url = url or default_url()
    if not cached:
        return _migrated(url)
    with _STORES_LOCK:
        store = _STORES.get(url)
        if store is None:
            store = _STORES[url] = _migrated(url)
        return store


def _migrated(url: str) -> "Store":
    store = Store(make_engine(url))
    try:
        store.migrate()
    except BaseException:
        store.engine.dispose()   # a refused database must not leave pooled connections behind
        raise
    return store


# --- converting frames to rows ----------------------------------------------------------------------

def _records(frame: pd.DataFrame | None, table: Table) -> list[dict[str, object]]:
    """Tidy frame → plain-Python dicts of the table's stored columns (lib.coerce; extra columns such as `row`
    are ignored). A missing required column or a number that is not one is a programming error: raises."""
    if frame is None or len(frame) == 0:
        return []
    coerced = coerce(frame, table)
    if coerced.missing_columns:
        raise KeyError(f"missing columns {coerced.missing_columns}")
    bad = [f.text for f in coerced.findings if f.code == "coerce.not_number"]
    if bad:
        raise ValueError(bad[0])
    return coerced.records()


def _new_rows(rows: pd.DataFrame | None, table: Table) -> pd.DataFrame:
    """Rows to preview: the table's stored columns as they would be stored, and the Excel row where known."""
    if rows is None or len(rows) == 0:
        return pd.DataFrame()
    new = pd.DataFrame(_records(rows, table), columns=table.stored)
    new["row"] = rows["row"].to_numpy() if "row" in rows.columns else pd.NA
    return new


def _aware(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for c in columns:
        frame[c] = pd.to_datetime(frame[c]).dt.tz_localize("UTC")
    return frame


def _naive_utc(when: datetime | date | str | pd.Timestamp) -> datetime:
    stamp = pd.Timestamp(when)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()


def _state(value: SubmissionState | str) -> SubmissionState:
    """Accept the enum, its code, or its Chinese label."""
    if isinstance(value, SubmissionState):
        return value
    for state, label in STATE_LABELS.items():
        if value in (state.value, label):
            return state
    raise ValueError(f"unknown submission state {value!r}")


# --- the store ---------------------------------------------------------------------------------------

class Store:
    """All reads and writes of progress data. Stateless apart from the engine: safe across threads.

    Progress always belongs to one plan: `open_store(url)` is the database, `.plan("shashi-14")` the view of one
    plan that every data method needs (each query filters on plan_id first). An unscoped store refuses data
    access, so no default can show one district's submissions to another.
    """

    def __init__(self, engine: Engine, plan_id: str | None = None):
        self.engine = engine
        self._plan_id = plan_id

    def plan(self, plan_id: str) -> "Store":
        """The same database, scoped to one plan (cheap: shares the engine)."""
        return Store(self.engine, plan_id)

    @property
    def plan_id(self) -> str:
        if not self._plan_id:
            raise StoreError("store.not_scoped")
        return self._plan_id

    def _writable(self, conn: Connection) -> None:
        """Refuse writes to a plan that is not loaded, or archived (its data is read-only)."""
        state = conn.execute(sa.select(PLANS.c.state).where(PLANS.c.plan_id == self.plan_id)).scalar_one_or_none()
        if state is None:
            raise StoreError("store.unknown_plan", plan_id=self.plan_id)
        if state == "archived":
            raise StoreError("store.plan_archived", plan_id=self.plan_id)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the connection pool (and forget the cached store for this URL)."""
        with _STORES_LOCK:
            for key, store in list(_STORES.items()):
                if store is self:
                    del _STORES[key]
        self.engine.dispose()

    # -- plumbing --
    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(planmon_read_only=True)
            with conn.begin():
                yield conn

    def _frame(self, stmt: sa.Executable, columns: list[str] | None = None) -> pd.DataFrame:
        with self._reading() as conn:
            result = conn.execute(stmt)
            return pd.DataFrame(result.fetchall(), columns=columns or list(result.keys()))

    def migrate(self) -> None:
        """Bring the schema up to date; cheap when it already is (one read, no lock)."""
        from lib.store_schema import CURRENT_VERSION
        try:
            with self._reading() as conn:
                found = current_version(conn)
            if found > CURRENT_VERSION:
                raise SchemaTooNew(found, CURRENT_VERSION)
            if found < CURRENT_VERSION:
                with self.engine.begin() as conn:
                    migrate(conn)
        except SchemaTooNew as exc:
            raise StoreError("store.schema_too_new", found=exc.found, supported=exc.supported) from exc
        except StoredRowsInvalid as exc:
            sheet = SHEET_OF[exc.table]
            column = sheet.column(exc.column)
            raise StoreError("store.stored_rows_invalid", count=exc.count, what=sheet.label, column=column.label,
                             first_id=exc.first_id, value=exc.value, allowed="、".join(column.choices)) from exc

    def schema_version(self) -> int:
        with self._reading() as conn:
            return current_version(conn)

    def data_version(self) -> tuple:
        """Changes whenever anything that feeds this plan's assessment changes (a submission's state, a target,
        a baseline): pages key their caches on it instead of re-reading the store on every rerun.

        Each of the three append-only tables gives (highest id, row count). The count matters with several
        app processes on PostgreSQL: ids are handed out when a row is inserted, not when its transaction
        commits, so a row with a lower id can become visible after a higher one was seen; the highest id then
        stays put, the count does not (a cache keyed on the id alone would keep the stale data for good).
        The plan's id comes first: two plans at the same counts never share a cached page."""
        with self._reading() as conn:
            counts = (conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0), sa.func.count())
                                   .where(t.c.plan_id == self.plan_id)).one()
                      for t in (SUBMISSION_EVENTS, TARGET_SETTINGS, BASELINE_SETTINGS))
            return (self.plan_id, *(value for highest_and_count in counts for value in highest_and_count))

    def is_empty(self) -> bool:
        with self._reading() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(SUBMISSIONS)
                                .where(SUBMISSIONS.c.plan_id == self.plan_id)).scalar_one() == 0

    # -- submitting --
    def submit(self, unit: str, account: str, file_name: str, data: bytes, indicator_rows: pd.DataFrame | None,
               task_rows: pd.DataFrame | None, *, auto_adopt: bool | None = None,
               sha256: str | None = None) -> SubmitResult:
        """Store one validated workbook as a new submission, all or nothing.

        `indicator_rows`/`task_rows` are the tidy frames of `lib.workbook.read_workbook` (already free of
        errors). An identical file already live for this unit is not stored again (`duplicate=True`).
        `auto_adopt` None → the `auto_adopt` setting. `sha256`: the digest of `data` when the caller has it
        (lib.ingest.Upload), so the same bytes are not hashed again.
        """
        sha = sha256 or hashlib.sha256(data).hexdigest()
        indicators = _records(indicator_rows, INDICATOR_SHEET)
        tasks = _records(task_rows, TASK_SHEET)
        adopt = bool(settings.get("auto_adopt")) if auto_adopt is None else auto_adopt
        try:
            with self.engine.begin() as conn:
                self._writable(conn)
                earlier = self._live_copy(conn, unit, sha)
                if earlier is not None:
                    return earlier
                self._keep_file(conn, sha, data)
                return self._insert_submission(conn, unit, account, file_name, sha, indicators, tasks,
                                               state=SubmissionState.ADOPTED if adopt else SubmissionState.PENDING,
                                               reviewer=AUTO_ADOPT_ACCOUNT if adopt else None)
        except sa.exc.IntegrityError as exc:
            # Lost a race against an identical upload committed meanwhile? Then that one is the answer.
            with self._reading() as conn:
                earlier = self._live_copy(conn, unit, sha)
            if earlier is not None:
                return earlier
            raise StoreError("store.write_failed", detail=_db_detail(exc)) from exc
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError("store.write_failed", detail=_db_detail(exc)) from exc

    def _live_copy(self, conn: Connection, unit: str, sha: str) -> SubmitResult | None:
        s = SUBMISSIONS.c
        row = conn.execute(sa.select(s.id, s.state, s.indicator_rows, s.task_rows, s.created_at)
                           .where(s.plan_id == self.plan_id, s.unit == unit, s.sha256 == sha,
                                  s.state.in_([SubmissionState.PENDING.value, SubmissionState.ADOPTED.value]))
                           .order_by(s.id.desc()).limit(1)).first()
        if row is None:
            return None
        return SubmitResult(row.id, True, SubmissionState(row.state), row.indicator_rows, row.task_rows,
                            pd.Timestamp(row.created_at, tz="UTC"))

    def _keep_file(self, conn: Connection, sha: str, data: bytes) -> None:
        """The uploaded file, once per content and plan. Another unit may be storing the same bytes right now
        (PostgreSQL): ON CONFLICT DO NOTHING, so neither upload fails for it."""
        values = {"plan_id": self.plan_id, "sha256": sha, "size": len(data), "content": data, "created_at": utcnow()}
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(insert(UPLOADED_FILES).values(**values).on_conflict_do_nothing(index_elements=["plan_id", "sha256"]))

    def _insert_submission(self, conn: Connection, unit: str, account: str, file_name: str, sha: str,
                           indicators: list[dict[str, object]], tasks: list[dict[str, object]], *,
                           state: SubmissionState, reviewer: str | None) -> SubmitResult:
        now = utcnow()
        reviewed = state is SubmissionState.ADOPTED
        result = conn.execute(sa.insert(SUBMISSIONS).values(
            plan_id=self.plan_id, unit=unit, account=account, created_at=now, file_name=file_name or "", sha256=sha,
            indicator_rows=len(indicators), task_rows=len(tasks), state=state.value, state_reason="",
            reviewed_by=reviewer if reviewed else None, reviewed_at=now if reviewed else None))
        submission_id = int(result.inserted_primary_key[0])
        event = {"plan_id": self.plan_id, "submission_id": submission_id, "created_at": now, "reason": ""}
        conn.execute(sa.insert(SUBMISSION_EVENTS).values(**event, state=SubmissionState.PENDING.value, account=account))
        if reviewed:
            conn.execute(sa.insert(SUBMISSION_EVENTS).values(**event, state=state.value, account=reviewer or account))
        self._insert_rows(conn, INDICATOR_VALUES, submission_id, unit, indicators)
        self._insert_rows(conn, TASK_VALUES, submission_id, unit, tasks)
        return SubmitResult(submission_id, False, state, len(indicators), len(tasks), pd.Timestamp(now, tz="UTC"))

    def _insert_rows(self, conn: Connection, table: sa.Table, submission_id: int, unit: str,
                     rows: list[dict[str, object]]) -> None:
        """One executemany per table; a row without a unit gets the submission's."""
        if rows:
            conn.execute(sa.insert(table), [{**r, "unit": r["unit"] or unit, "submission_id": submission_id,
                                             "plan_id": self.plan_id} for r in rows])

    # -- reviewing --
    def adopt(self, submission_id: int, account: str) -> str:
        """待审核 → 已采纳; returns the confirmation message."""
        return self._transition(submission_id, account, "", _ADOPT)

    def return_submission(self, submission_id: int, account: str, reason: str) -> str:
        """待审核 → 已退回, with the reason the department will read."""
        return self._transition(submission_id, account, reason, _RETURN)

    def revoke(self, submission_id: int, account: str, reason: str) -> str:
        """已采纳 → 已撤销: its rows stop counting, so earlier adopted values for those periods come back."""
        return self._transition(submission_id, account, reason, _REVOKE)

    def _transition(self, submission_id: int, account: str, reason: str, move: _Transition) -> str:
        reason = (reason or "").strip()
        if move.needs_reason and not reason:
            raise StoreError("store.reason_required", action=move.verb)
        s = SUBMISSIONS.c
        now = utcnow()
        with self.engine.begin() as conn:
            self._writable(conn)
            # Conditional UPDATE: two reviewers clicking at once cannot both succeed.
            changed = conn.execute(sa.update(SUBMISSIONS)
                                   .where(s.id == submission_id, s.plan_id == self.plan_id, s.state == move.source.value)
                                   .values(state=move.target.value, state_reason=reason, reviewed_by=account,
                                           reviewed_at=now)).rowcount
            if changed == 1:
                conn.execute(sa.insert(SUBMISSION_EVENTS).values(plan_id=self.plan_id, submission_id=submission_id,
                                                                 state=move.target.value, account=account,
                                                                 created_at=now, reason=reason))
                return render(move.done_code, submission_id=submission_id)
            current = conn.execute(sa.select(s.state).where(s.id == submission_id, s.plan_id == self.plan_id)
                                   ).scalar_one_or_none()
        if current is None:
            raise StoreError("store.not_found", submission_id=submission_id)
        raise StoreError("store.illegal_transition", submission_id=submission_id, state=_state(current).label,
                         allowed=move.source.label, action=move.verb)

    # -- listing --
    def submissions(self, unit: str | None = None, state: SubmissionState | str | None = None,
                    since: datetime | date | str | pd.Timestamp | None = None) -> pd.DataFrame:
        """Submissions, newest first, optionally filtered; columns labelled by SUBMISSION_LABELS."""
        s = SUBMISSIONS.c
        stmt = sa.select(*_SUBMISSION_FIELDS).where(s.plan_id == self.plan_id).order_by(s.id.desc())
        if unit is not None:
            stmt = stmt.where(s.unit == unit)
        if state is not None:
            stmt = stmt.where(s.state == _state(state).value)
        if since is not None:
            stmt = stmt.where(s.created_at >= _naive_utc(since))
        return self._submission_frame(stmt)

    def _submission_frame(self, stmt: sa.Select) -> pd.DataFrame:
        frame = _aware(self._frame(stmt), "created_at", "reviewed_at")
        frame.insert(frame.columns.get_loc("state") + 1, "state_label",
                     frame["state"].map(lambda v: _state(v).label).astype(object))
        return frame

    def submission(self, submission_id: int) -> pd.Series:
        """One submission's record (as in `submissions()`); StoreError store.not_found if there is none."""
        s = SUBMISSIONS.c
        match = self._submission_frame(sa.select(*_SUBMISSION_FIELDS).where(s.id == submission_id, s.plan_id == self.plan_id))
        if match.empty:
            raise StoreError("store.not_found", submission_id=submission_id)
        return match.iloc[0]

    def submission_events(self, submission_id: int) -> pd.DataFrame:
        """Every state change of one submission, oldest first: state, state_label, account, created_at, reason."""
        e = SUBMISSION_EVENTS.c
        frame = _aware(self._frame(sa.select(e.state, e.account, e.created_at, e.reason)
                                   .where(e.plan_id == self.plan_id, e.submission_id == submission_id)
                                   .order_by(e.id)), "created_at")
        frame.insert(1, "state_label", frame["state"].map(lambda v: _state(v).label).astype(object))
        return frame

    def submission_file(self, submission_id: int) -> bytes | None:
        """The file as the department uploaded it; None for submissions stored before schema version 2."""
        s, f = SUBMISSIONS.c, UPLOADED_FILES.c
        with self._reading() as conn:
            content = conn.execute(sa.select(f.content)
                                   .join_from(SUBMISSIONS, UPLOADED_FILES, sa.and_(s.plan_id == f.plan_id, s.sha256 == f.sha256))
                                   .where(s.plan_id == self.plan_id, s.id == submission_id)).scalar_one_or_none()
        return None if content is None else bytes(content)

    def submission_rows(self, submission_id: int) -> SubmissionRows:
        """The rows exactly as submitted, in the tidy format."""
        iv, tv = INDICATOR_VALUES.c, TASK_VALUES.c
        ind = self._frame(sa.select(*[iv[c] for c in INDICATOR_COLUMNS])
                          .where(iv.plan_id == self.plan_id, iv.submission_id == submission_id)
                          .order_by(iv.indicator_id, iv.year, iv.quarter), INDICATOR_COLUMNS)
        tasks = self._frame(sa.select(*[tv[c] for c in TASK_COLUMNS])
                            .where(tv.plan_id == self.plan_id, tv.submission_id == submission_id)
                            .order_by(tv.task_id, tv.year, tv.quarter, tv.unit), TASK_COLUMNS)
        return SubmissionRows(_typed_indicators(ind), _typed_tasks(tasks))

    # -- reporting --
    def reported_items(self, year: int, quarter: int) -> pd.DataFrame:
        """Who reported what for one quarter: one row per (item, unit) with the first live (pending or
        adopted) submission carrying it — columns item_type (指标/任务), item_id, unit, submission_id,
        account, created_at (UTC), state. Returned and revoked files do not count as reported."""
        s = SUBMISSIONS.c
        parts = []
        for label, table, id_col in (("指标", INDICATOR_VALUES, "indicator_id"), ("任务", TASK_VALUES, "task_id")):
            t = table.c
            parts.append(sa.select(sa.literal(label).label("item_type"), t[id_col].label("item_id"), t.unit,
                                   s.id.label("submission_id"), s.account, s.created_at, s.state)
                         .join(SUBMISSIONS, s.id == t.submission_id)
                         .where(t.plan_id == self.plan_id, t.year == year, t.quarter == quarter, s.state.in_(LIVE_STATES)))
        union = sa.union_all(*parts).subquery("reported")
        ranked = sa.select(union, sa.func.row_number().over(partition_by=[union.c.item_type, union.c.item_id, union.c.unit],
                                                            order_by=union.c.submission_id).label("rank")).subquery("ranked")
        cols = ["item_type", "item_id", "unit", "submission_id", "account", "created_at", "state"]
        frame = self._frame(sa.select(*[ranked.c[c] for c in cols]).where(ranked.c.rank == 1), cols)
        return _aware(frame, "created_at")

    # -- effective progress --
    def effective_indicator_progress(self) -> pd.DataFrame:
        """Per (indicator_id, year, quarter) the row of the adopted submission with the highest id.

        Columns: INDICATOR_COLUMNS + submission_id; annual_target is the office's setting where there is one.
        """
        iv, s = INDICATOR_VALUES.c, SUBMISSIONS.c
        ranked = (sa.select(*[iv[c] for c in INDICATOR_COLUMNS], iv.submission_id,
                            sa.func.row_number().over(partition_by=[iv.indicator_id, iv.year, iv.quarter],
                                                      order_by=iv.submission_id.desc()).label("rank"))
                  .join(SUBMISSIONS, s.id == iv.submission_id)
                  .where(iv.plan_id == self.plan_id, s.state == SubmissionState.ADOPTED.value)).subquery("ranked")
        stmt = (sa.select(*[ranked.c[c] for c in INDICATOR_COLUMNS], ranked.c.submission_id)
                .where(ranked.c.rank == 1)
                .order_by(ranked.c.indicator_id, ranked.c.year, ranked.c.quarter))
        frame = _typed_indicators(self._frame(stmt, INDICATOR_COLUMNS + ["submission_id"]))
        return with_office_targets(frame, self.annual_targets())

    def effective_task_progress(self) -> pd.DataFrame:
        """Per (task_id, year, quarter, unit) the row of the adopted submission with the highest id."""
        tv, s = TASK_VALUES.c, SUBMISSIONS.c
        ranked = (sa.select(*[tv[c] for c in TASK_COLUMNS], tv.submission_id,
                            sa.func.row_number().over(partition_by=[tv.task_id, tv.year, tv.quarter, tv.unit],
                                                      order_by=tv.submission_id.desc()).label("rank"))
                  .join(SUBMISSIONS, s.id == tv.submission_id)
                  .where(tv.plan_id == self.plan_id, s.state == SubmissionState.ADOPTED.value)).subquery("ranked")
        stmt = (sa.select(*[ranked.c[c] for c in TASK_COLUMNS], ranked.c.submission_id)
                .where(ranked.c.rank == 1)
                .order_by(ranked.c.task_id, ranked.c.year, ranked.c.quarter, ranked.c.unit))
        return _typed_tasks(self._frame(stmt, TASK_COLUMNS + ["submission_id"]))

    # -- office settings --
    def set_annual_target(self, indicator_id: str, year: int, value: float | None, account: str, note: str = "") -> None:
        """Record the target the higher level assigned for `year` (None clears it); history is kept."""
        self._append_setting(TARGET_SETTINGS, {"indicator_id": indicator_id, "year": int(year)}, value, account, note)

    def set_baseline(self, indicator_id: str, value: float | None, account: str, note: str = "") -> None:
        """Record a corrected baseline (基期值; None clears it, the plan file's applies again); history is kept."""
        self._append_setting(BASELINE_SETTINGS, {"indicator_id": indicator_id}, value, account, note)

    def _append_setting(self, table: sa.Table, key: dict[str, object], value: float | None, account: str, note: str) -> None:
        number = _checked_number(value)
        with self.engine.begin() as conn:
            self._writable(conn)
            conn.execute(sa.insert(table).values(**key, plan_id=self.plan_id, value=number, account=account,
                                                 created_at=utcnow(), note=(note or "").strip()))

    def annual_targets(self) -> pd.DataFrame:
        """The office's current annual targets: indicator_id, year, annual_target, account, created_at."""
        frame = self._frame(_latest_targets(self.plan_id, with_who=True),
                            ["indicator_id", "year", "annual_target", "account", "created_at"])
        frame["year"] = frame["year"].astype("int64")
        frame["annual_target"] = frame["annual_target"].astype(float)
        return _aware(frame, "created_at")

    def baselines(self) -> pd.DataFrame:
        """The office's current baselines: indicator_id, baseline_value, account, created_at, note."""
        b = BASELINE_SETTINGS.c
        ranked = sa.select(b.indicator_id, b.value, b.account, b.created_at, b.note,
                           sa.func.row_number().over(partition_by=b.indicator_id, order_by=b.id.desc()).label("rank")
                           ).where(b.plan_id == self.plan_id).subquery("ranked")
        stmt = (sa.select(ranked.c.indicator_id, ranked.c.value, ranked.c.account, ranked.c.created_at, ranked.c.note)
                .where(ranked.c.rank == 1, ranked.c.value.is_not(None)).order_by(ranked.c.indicator_id))
        frame = self._frame(stmt, ["indicator_id", "baseline_value", "account", "created_at", "note"])
        frame["baseline_value"] = frame["baseline_value"].astype(float)
        return _aware(frame, "created_at")

    # -- history --
    def history(self, item_id: str) -> pd.DataFrame:
        """Every value ever submitted or set for an indicator or task, oldest first, with who and when.

        One row per submitted row (any submission state, so returned and revoked values show too), per
        annual-target setting and per baseline setting. Columns: HISTORY_LABELS.
        """
        iv, tv, s = INDICATOR_VALUES.c, TASK_VALUES.c, SUBMISSIONS.c
        who = [s.account, s.created_at.label("time"), s.state.label("submission_state"), s.reviewed_by, s.reviewed_at]
        parts = [
            self._frame(sa.select(iv.indicator_id.label("item_id"), iv.year, iv.quarter, iv.value, iv.annual_target, iv.unit,
                                  iv.note, iv.submission_id, *who)
                        .join(SUBMISSIONS, s.id == iv.submission_id).where(iv.plan_id == self.plan_id, iv.indicator_id == item_id))
            .assign(source=SOURCE_SUBMITTED),
            self._frame(sa.select(tv.task_id.label("item_id"), tv.year, tv.quarter, tv.state.label("task_state"), tv.percent,
                                  tv.unit, tv.submission_id, *who)
                        .join(SUBMISSIONS, s.id == tv.submission_id).where(tv.plan_id == self.plan_id, tv.task_id == item_id))
            .assign(source=SOURCE_SUBMITTED),
            self._frame(sa.select(TARGET_SETTINGS.c.indicator_id.label("item_id"), TARGET_SETTINGS.c.year,
                                  TARGET_SETTINGS.c.value.label("annual_target"), TARGET_SETTINGS.c.account,
                                  TARGET_SETTINGS.c.created_at.label("time"), TARGET_SETTINGS.c.note)
                        .where(TARGET_SETTINGS.c.plan_id == self.plan_id, TARGET_SETTINGS.c.indicator_id == item_id))
            .assign(source=SOURCE_TARGET),
            self._frame(sa.select(BASELINE_SETTINGS.c.indicator_id.label("item_id"), BASELINE_SETTINGS.c.value,
                                  BASELINE_SETTINGS.c.account, BASELINE_SETTINGS.c.created_at.label("time"),
                                  BASELINE_SETTINGS.c.note)
                        .where(BASELINE_SETTINGS.c.plan_id == self.plan_id, BASELINE_SETTINGS.c.indicator_id == item_id))
            .assign(source=SOURCE_BASELINE),
        ]
        columns = list(HISTORY_LABELS)
        parts = [p for p in parts if not p.empty]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
        frame = frame.reindex(columns=columns)
        frame["period"] = [period_text(y, q) for y, q in zip(frame["year"], frame["quarter"])]
        frame["submission_state"] = frame["submission_state"].map(
            lambda v: _state(v).label if isinstance(v, str) else "").astype(object)
        for c in ("year", "quarter", "submission_id"):
            frame[c] = frame[c].astype("Int64")
        for c in ("value", "annual_target", "percent"):
            frame[c] = frame[c].astype(float)
        for c in ("note", "task_state", "unit", "reviewed_by"):
            frame[c] = frame[c].map(as_text).astype(object)
        frame = _aware(frame, "time", "reviewed_at")
        order = frame.assign(_sid=frame["submission_id"].fillna(0)).sort_values(
            ["time", "_sid", "year", "quarter", "unit"], kind="stable", na_position="first").index
        return frame.loc[order].reset_index(drop=True)

    # -- preview --
    def preview(self, indicator_rows: pd.DataFrame | None, task_rows: pd.DataFrame | None) -> pd.DataFrame:
        """What adopting these rows would change, row by row: change = 新增 / 变更 / 未变.

        Columns: sheet, row (the Excel row, when the frames carry one), item_id, period, unit, change,
        changed (the Chinese labels of the fields that differ), old, new. The annual target compared is
        the one that would be effective (an office setting still wins).
        """
        ind, tasks = _new_rows(indicator_rows, INDICATOR_SHEET), _new_rows(task_rows, TASK_SHEET)
        return store_preview.preview(
            store_preview.indicator_changes(ind, self.effective_indicator_progress(), self.annual_targets()) if len(ind)
            else pd.DataFrame(),
            store_preview.task_changes(tasks, self.effective_task_progress()) if len(tasks) else pd.DataFrame())

    # -- seeding --
    def seed_if_empty(self, plan: "Plan", sample_path: Path | str | None = None) -> list[int]:
        """First start: the sample workbook as adopted submissions (one per unit); [] if not empty.
        Kept for callers of the store; the reading lives in lib.ingest.seed_sample."""
        from lib.ingest import seed_sample
        return seed_sample(self, plan, sample_path)

    def seed_rows(self, file_name: str, data: bytes, indicator_rows: pd.DataFrame | None,
                  task_rows: pd.DataFrame | None) -> list[int]:
        """Store rows of several units as one adopted submission per unit (order of first appearance),
        by account `system`, in one locked transaction that re-checks emptiness; returns the new ids."""
        sha = hashlib.sha256(data).hexdigest()
        indicators = _records(indicator_rows, INDICATOR_SHEET)
        tasks = _records(task_rows, TASK_SHEET)
        units = list(dict.fromkeys(str(r["unit"]) for r in indicators + tasks))
        with self.engine.begin() as conn:
            lock_database(conn)
            self._writable(conn)
            if conn.execute(sa.select(sa.func.count()).select_from(SUBMISSIONS)
                            .where(SUBMISSIONS.c.plan_id == self.plan_id)).scalar_one():
                return []
            self._keep_file(conn, sha, data)
            return [self._insert_submission(conn, unit, SYSTEM_ACCOUNT, file_name, sha,
                                            [r for r in indicators if r["unit"] == unit],
                                            [r for r in tasks if r["unit"] == unit],
                                            state=SubmissionState.ADOPTED, reviewer=SYSTEM_ACCOUNT).submission_id
                    for unit in units]


def assessment_inputs(store: Store, plan: "Plan") -> tuple["Plan", pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What every view assesses, read from one plan's store: the plan with its inherited baselines (from the
    previous plan's final values) and the office's baselines applied, the effective indicator and task progress,
    and the office's annual targets."""
    from lib.plan_catalog import with_inherited_baselines
    return (apply_baselines(with_inherited_baselines(store, plan), store.baselines()), store.effective_indicator_progress(),
            store.effective_task_progress(), store.annual_targets())


def apply_baselines(plan: "Plan", baselines: pd.DataFrame) -> "Plan":
    """A copy of `plan` whose baseline_value/baseline_source reflect the office's settings (`Store.baselines()`).

    Pure: the plan passed in is not changed. The source names who set it and when, so the assessment's
    "how was this computed" shows where the number came from.
    """
    import dataclasses
    if baselines is None or baselines.empty:
        return plan
    latest = baselines.set_index("indicator_id")
    indicators = plan.indicators.copy()
    hit = indicators["indicator_id"].isin(latest.index)
    ids = indicators.loc[hit, "indicator_id"]
    indicators.loc[hit, "baseline_value"] = ids.map(latest["baseline_value"]).astype(float).to_numpy()
    indicators.loc[hit, "baseline_source"] = [
        f"区发改局设定({latest.at[i, 'account']},{display_time(latest.at[i, 'created_at'])})"
        + (f":{latest.at[i, 'note']}" if latest.at[i, "note"] else "") for i in ids]
    return dataclasses.replace(plan, indicators=indicators)


# --- helpers used by the store ------------------------------------------------------------------------

def _latest_targets(plan_id: str, *, with_who: bool = False) -> sa.Select:
    """The latest office setting per (indicator_id, year) of one plan, cleared ones (NULL) left out."""
    t = TARGET_SETTINGS.c
    extra = [t.account, t.created_at] if with_who else []
    ranked = sa.select(t.indicator_id, t.year, t.value.label("annual_target"), *extra,
                       sa.func.row_number().over(partition_by=[t.indicator_id, t.year], order_by=t.id.desc()).label("rank")
                       ).where(t.plan_id == plan_id).subquery("ranked_targets")
    columns = [ranked.c.indicator_id, ranked.c.year, ranked.c.annual_target]
    if with_who:
        columns += [ranked.c.account, ranked.c.created_at]
    return (sa.select(*columns).where(ranked.c.rank == 1, ranked.c.annual_target.is_not(None))
            .order_by(ranked.c.indicator_id, ranked.c.year))


def _checked_number(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StoreError("store.value_invalid", value=value) from None
    if not math.isfinite(number):
        raise StoreError("store.value_invalid", value=value)
    return number


def _db_detail(exc: sa.exc.SQLAlchemyError) -> str:
    """The database's own words, first line only (they are technical; the message says nothing changed)."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _typed_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    return coerce(frame, INDICATOR_SHEET, keep=("submission_id",)).frame


def _typed_tasks(frame: pd.DataFrame) -> pd.DataFrame:
    return coerce(frame, TASK_SHEET, keep=("submission_id",)).frame
