"""The progress store (lib/store.py): submissions, review, effective progress, settings and history.

Every test runs against SQLite (a file in tmp_path) and, when PLANMON_TEST_PG_URL is set, against a real
PostgreSQL server (a fresh database per test). Start one with scripts/start_test_postgres.sh:

    export PLANMON_TEST_PG_URL="$(bash scripts/start_test_postgres.sh)"
"""
from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lib import store_schema
from tests.conftest import SEED_PLAN, seed_plan_store
from tests.pg import new_pg_database
from lib.store import (CHANGE_CHANGED, CHANGE_NEW, CHANGE_SAME, INDICATOR_COLUMNS, SOURCE_BASELINE, SOURCE_SUBMITTED,
                       SOURCE_TARGET, TASK_COLUMNS, Store, StoreError, SubmissionState, open_store)

PG_ENV = "PLANMON_TEST_PG_URL"
PG_SKIP_REASON = f"{PG_ENV} not set: start one with scripts/start_test_postgres.sh"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

UNIT = "区发改局"
OTHER = "区人社局"


# --- fixtures shared with test_store_concurrency.py ------------------------------------------------

@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP_REASON)
    yield from new_pg_database(base)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = seed_plan_store(store_url)
    yield opened
    opened.close()


def indicator_rows(unit: str, rows: list[tuple], *, excel_rows: bool = False) -> pd.DataFrame:
    """rows: (indicator_id, year, quarter, value[, annual_target[, note]]) → the tidy frame read_workbook returns."""
    records = []
    for i, r in enumerate(rows):
        ind, year, quarter, value, *rest = r
        target = rest[0] if rest else float("nan")
        note = rest[1] if len(rest) > 1 else ""
        records.append({"indicator_id": ind, "indicator_name": "", "year": year, "quarter": quarter,
                        "value": value, "annual_target": target, "unit": unit, "note": note, "row": i + 2})
    frame = pd.DataFrame(records, columns=["indicator_id", "indicator_name", "year", "quarter", "value",
                                           "annual_target", "unit", "note", "row"])
    return frame if excel_rows else frame.drop(columns="row")


def task_rows(unit: str, rows: list[tuple]) -> pd.DataFrame:
    """rows: (task_id, year, quarter, state, percent[, progress])."""
    records = [{"task_id": t, "task_name": "", "year": y, "quarter": q, "state": s, "percent": p,
                "progress": rest[0] if rest else "", "problems": "", "next_steps": "", "unit": unit, "row": i + 2}
               for i, (t, y, q, s, p, *rest) in enumerate(rows)]
    return pd.DataFrame(records, columns=["task_id", "task_name", "year", "quarter", "state", "percent", "progress",
                                          "problems", "next_steps", "unit", "row"])


def submit(store: Store, unit: str, rows: list[tuple], tasks: list[tuple] = (), *, account: str = "dept",
           data: bytes | None = None, auto_adopt: bool = False):
    data = data if data is not None else repr((unit, rows, tasks, uuid.uuid4().hex)).encode()
    return store.submit(unit, account, "进度.xlsx", data, indicator_rows(unit, rows), task_rows(unit, list(tasks)),
                        auto_adopt=auto_adopt)


def dump(store: Store) -> dict[str, list[dict]]:
    """Every row of every table (column → value), in primary-key order: the database's content."""
    out = {}
    with store.engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        for declared in (t for t in store_schema.METADATA.sorted_tables if t.name in present):
            table = sa.Table(declared.name, sa.MetaData(), autoload_with=conn)   # the columns the database has
            pk = list(table.primary_key.columns)
            out[table.name] = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(*pk))]
    return out


def effective_values(store: Store) -> dict[tuple, float]:
    frame = store.effective_indicator_progress()
    return {(r.indicator_id, r.year, r.quarter): r.value for r in frame.itertuples()}


# --- schema -----------------------------------------------------------------------------------------

def test_open_creates_current_schema_matching_the_declared_tables(store: Store):
    assert store.schema_version() == store_schema.CURRENT_VERSION
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), store_schema.METADATA)
    assert diffs == []


def test_reopening_does_not_migrate_again(store_url: str):
    first = open_store(store_url, cached=False)
    second = open_store(store_url, cached=False)
    try:
        with second.engine.connect() as conn:
            versions = conn.execute(sa.select(store_schema.SCHEMA_VERSION.c.version)).scalars().all()
        assert versions == list(range(1, store_schema.CURRENT_VERSION + 1))
    finally:
        first.close()
        second.close()


def test_a_database_from_a_newer_program_is_refused(store: Store, store_url: str):
    with store.engine.begin() as conn:
        conn.execute(sa.insert(store_schema.SCHEMA_VERSION).values(
            version=store_schema.CURRENT_VERSION + 1, name="future", applied_at=store_schema.utcnow()))
    with pytest.raises(StoreError) as err:
        open_store(store_url, cached=False)
    assert err.value.code == "store.schema_too_new"


def _old_database(store_url: str, version: int, monkeypatch) -> dict[str, list[dict]]:
    """A populated database as the release of schema `version` left it; returns its content."""
    monkeypatch.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:version])
    monkeypatch.setattr(store_schema, "CURRENT_VERSION", version)
    old = open_store(store_url, cached=False)
    now = store_schema.utcnow()
    with old.engine.begin() as conn:
        for sid, (unit, sha) in enumerate([(UNIT, "ab" * 32), (OTHER, "cd" * 32)], start=1):
            conn.execute(sa.text("INSERT INTO submissions (unit, account, created_at, file_name, sha256, indicator_rows, "
                                 "task_rows, state, state_reason) VALUES (:unit, 'dept', :now, '旧.xlsx', :sha, 1, 1, "
                                 "'adopted', '')"), {"unit": unit, "now": now, "sha": sha})   # ids 1 and 2
            conn.execute(sa.text("INSERT INTO submission_events (submission_id, state, account, created_at, reason) "
                                 "VALUES (:id, 'adopted', 'planner', :now, '')"), {"id": sid, "now": now})
        conn.execute(sa.text("INSERT INTO indicator_values (submission_id, indicator_id, year, quarter, value, unit, note) "
                             "VALUES (1, 'Y01', 2023, 2, 6.5, :u, '')"), {"u": UNIT})
        conn.execute(sa.text("INSERT INTO task_values (submission_id, task_id, year, quarter, state, percent, progress, "
                             "problems, next_steps, unit) VALUES (2, 'T08-02', 2023, 2, '推进中', 45, '', '', '', :u)"),
                     {"u": OTHER})
        conn.execute(sa.text("INSERT INTO target_settings (indicator_id, year, value, account, created_at, note) "
                             "VALUES ('B01', 2023, 3.0, 'planner', :now, '')"), {"now": now})
        conn.execute(sa.text("INSERT INTO baseline_settings (indicator_id, value, account, created_at, note) "
                             "VALUES ('Y03', 85.5, 'planner', :now, '')"), {"now": now})
        if version >= 2:
            conn.execute(sa.text("INSERT INTO uploaded_files (sha256, size, content, created_at) "
                                 "VALUES (:sha, 3, :c, :now)"), {"sha": "ab" * 32, "c": b"old", "now": now})
    content = dump(old)
    old.close()
    monkeypatch.undo()
    return content


def _without_plan(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "plan_id"} for r in rows]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_older_database_is_upgraded_in_place_and_every_row_goes_to_the_default_plan(store_url, monkeypatch, version):
    before = _old_database(store_url, version, monkeypatch)
    new = open_store(store_url, cached=False)
    try:
        assert new.schema_version() == store_schema.CURRENT_VERSION
        after = dump(new)
        for table in (t.name for t in store_schema.PLAN_DATA_TABLES if t.name in before):
            assert before[table], table                                    # the test fills every table it had
            assert {r["plan_id"] for r in after[table]} == {SEED_PLAN}, table
            assert _without_plan(after[table]) == before[table], table
        assert [r["version"] for r in after["schema_version"]] == list(range(1, store_schema.CURRENT_VERSION + 1))
        with new.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), store_schema.METADATA) == []
        # The upgraded data is the seed plan's: it shows through the plan's view, and the plan takes new data.
        from lib.plan_catalog import load_plan_version
        from tests.conftest import DATA
        load_plan_version(new, DATA, "test")
        scoped = new.plan(SEED_PLAN)
        assert effective_values(scoped) == {("Y01", 2023, 2): 6.5}
        assert scoped.annual_targets()["annual_target"].tolist() == [3.0]
        assert scoped.baselines()["baseline_value"].tolist() == [85.5]
        assert scoped.submission_file(1) == (b"old" if version >= 2 else None)
        result = submit(scoped, UNIT, [("Y01", 2023, 3, 7.0)], data=b"new file")
        assert scoped.submission_file(result.submission_id) == b"new file"
        assert new.plan("other-plan").submissions().empty
    finally:
        new.close()


def test_sign_in_sessions_work_at_once_after_an_upgrade_from_version_2(store_url: str, monkeypatch):
    """Version 3 adds sign-in sessions (every row kept: the parametrized upgrade test above)."""
    from lib import sessions
    before = _old_database(store_url, 2, monkeypatch)
    assert "sign_in_sessions" not in before
    new = open_store(store_url, cached=False)
    try:
        assert dump(new)["sign_in_sessions"] == []
        sid = sessions.start_session(new, "planner")
        assert sessions.session_live(new, sid, "planner")
    finally:
        new.close()


def test_the_uploaded_file_is_kept_once_per_content(store: Store):
    first = submit(store, UNIT, [("Y01", 2023, 2, 6.5)], data=b"same bytes")
    store.return_submission(first.submission_id, "planner", "请核实")
    again = submit(store, UNIT, [("Y01", 2023, 2, 6.5)], data=b"same bytes")      # re-sent after the return
    other = submit(store, OTHER, [("Y02", 2023, 2, 9.0)], data=b"same bytes")     # another unit, same file
    assert len({first.submission_id, again.submission_id, other.submission_id}) == 3
    assert {store.submission_file(i) for i in (first.submission_id, again.submission_id, other.submission_id)} == {b"same bytes"}
    assert len(dump(store)["uploaded_files"]) == 1
    with pytest.raises(StoreError):
        store.submission(999)
    assert store.submission_file(999) is None


def test_default_url_is_a_sqlite_file_under_var(monkeypatch):
    from lib.settings import PROJECT_ROOT
    from lib.store import default_url
    monkeypatch.delenv("PLANMON_DB_URL", raising=False)
    assert default_url() == f"sqlite:///{PROJECT_ROOT / 'var' / 'planmon.sqlite'}"
    monkeypatch.setenv("PLANMON_DB_URL", "postgresql+psycopg://u@h/db")
    assert default_url() == "postgresql+psycopg://u@h/db"


# --- submitting --------------------------------------------------------------------------------------

def test_submit_stores_an_immutable_pending_submission(store: Store):
    result = store.submit(UNIT, "fgj01", "2023Q2.xlsx", b"workbook bytes",
                          indicator_rows(UNIT, [("Y01", 2023, 2, 6.5), ("B01", 2023, 2, float("nan"), 3.0, "上级文件")],
                                         excel_rows=True),
                          task_rows(UNIT, [("T01-01", 2023, 2, "推进中", 40.0, "已完成规划编制")]), auto_adopt=False)
    assert (result.duplicate, result.state, result.indicator_rows, result.task_rows) == (False, SubmissionState.PENDING, 2, 1)
    assert result.code == "store.submitted"

    listed = store.submissions()
    assert listed[["id", "unit", "account", "file_name", "indicator_rows", "task_rows", "state", "state_label"]].values.tolist() == [
        [result.submission_id, UNIT, "fgj01", "2023Q2.xlsx", 2, 1, "pending", "待审核"]]
    import hashlib
    assert listed.at[0, "sha256"] == hashlib.sha256(b"workbook bytes").hexdigest()
    assert str(listed.at[0, "created_at"].tz) == "UTC"

    rows = store.submission_rows(result.submission_id)
    assert list(rows.indicator_rows.columns) == INDICATOR_COLUMNS
    assert rows.indicator_rows.astype(object).where(rows.indicator_rows.notna(), None).values.tolist() == [
        ["B01", 2023, 2, None, 3.0, UNIT, "上级文件"], ["Y01", 2023, 2, 6.5, None, UNIT, ""]]
    assert list(rows.task_rows.columns) == TASK_COLUMNS
    assert rows.task_rows.values.tolist() == [["T01-01", 2023, 2, "推进中", 40.0, "已完成规划编制", "", "", UNIT]]
    # Pending rows do not count yet.
    assert store.effective_indicator_progress().empty and store.effective_task_progress().empty


def test_identical_reupload_is_a_noop_that_says_so(store: Store):
    first = submit(store, UNIT, [("Y01", 2023, 2, 6.5)], data=b"same file")
    before = dump(store)
    again = submit(store, UNIT, [("Y01", 2023, 2, 6.5)], data=b"same file")
    assert (again.duplicate, again.submission_id, again.state) == (True, first.submission_id, SubmissionState.PENDING)
    assert again.code == "store.duplicate" and f"第 {first.submission_id} 号" in again.message
    assert dump(store) == before

    # Still a duplicate once adopted; the same bytes from another unit are that unit's own submission.
    store.adopt(first.submission_id, "office")
    assert submit(store, UNIT, [("Y01", 2023, 2, 6.5)], data=b"same file").duplicate
    assert not submit(store, OTHER, [("Y08", 2023, 2, 5.2)], data=b"same file").duplicate


@pytest.mark.parametrize("undo", ["return", "revoke"])
def test_a_returned_or_revoked_file_may_be_submitted_again(store: Store, undo: str):
    first = submit(store, UNIT, [("Y01", 2023, 2, 6.5)], data=b"file")
    if undo == "return":
        store.return_submission(first.submission_id, "office", "数据来源不明")
    else:
        store.adopt(first.submission_id, "office")
        store.revoke(first.submission_id, "office", "误采纳")
    again = submit(store, UNIT, [("Y01", 2023, 2, 6.5)], data=b"file")
    assert not again.duplicate and again.submission_id != first.submission_id


def test_auto_adopt_by_argument_and_by_setting(store: Store, monkeypatch):
    explicit = submit(store, UNIT, [("Y01", 2023, 2, 6.5)], auto_adopt=True)
    assert explicit.state is SubmissionState.ADOPTED
    monkeypatch.setenv("PLANMON_AUTO_ADOPT", "true")
    by_setting = store.submit(UNIT, "dept", "f.xlsx", b"other", indicator_rows(UNIT, [("Y01", 2023, 3, 7.0)]), None)
    assert by_setting.state is SubmissionState.ADOPTED
    monkeypatch.setenv("PLANMON_AUTO_ADOPT", "false")
    default = store.submit(UNIT, "dept", "f.xlsx", b"third", indicator_rows(UNIT, [("Y01", 2023, 4, 7.0)]), None)
    assert default.state is SubmissionState.PENDING
    assert effective_values(store) == {("Y01", 2023, 2): 6.5, ("Y01", 2023, 3): 7.0}
    assert store.submissions(state="adopted")["reviewed_by"].tolist() == ["auto-adopt", "auto-adopt"]


# --- reviewing ---------------------------------------------------------------------------------------

def test_adopt_makes_the_rows_effective_in_the_assess_format(store: Store):
    sub = submit(store, UNIT, [("Y01", 2021, 4, 11.0), ("Y01", 2022, 4, 5.0)],
                 [("T01-01", 2022, 4, "推进中", 30.0)])
    assert store.adopt(sub.submission_id, "office") == f"已采纳第 {sub.submission_id} 号报送,其数据已计入监测结果"
    ind = store.effective_indicator_progress()
    assert list(ind.columns) == INDICATOR_COLUMNS + ["submission_id"]
    assert ind[["indicator_id", "year", "quarter", "value", "submission_id"]].values.tolist() == [
        ["Y01", 2021, 4, 11.0, sub.submission_id], ["Y01", 2022, 4, 5.0, sub.submission_id]]
    assert str(ind["year"].dtype) == "int64" and str(ind["value"].dtype) == "float64"
    tasks = store.effective_task_progress()
    assert list(tasks.columns) == TASK_COLUMNS + ["submission_id"]
    assert tasks[["task_id", "year", "quarter", "state", "percent", "unit"]].values.tolist() == [
        ["T01-01", 2022, 4, "推进中", 30.0, UNIT]]
    record = store.submission(sub.submission_id)
    assert (record.state, record.reviewed_by) == ("adopted", "office")
    assert store.submission_events(sub.submission_id)[["state", "account"]].values.tolist() == [
        ["pending", "dept"], ["adopted", "office"]]


def test_return_keeps_the_reason_for_the_department(store: Store):
    sub = submit(store, UNIT, [("Y01", 2023, 2, 65.0)])
    with pytest.raises(StoreError) as err:
        store.return_submission(sub.submission_id, "office", "   ")
    assert (err.value.code, err.value.message) == ("store.reason_required", "请填写退回原因,填报单位会看到它")
    store.return_submission(sub.submission_id, "office", "数值疑似多写一位,请核实")
    mine = store.submissions(unit=UNIT)
    assert mine[["state_label", "state_reason", "reviewed_by"]].values.tolist() == [["已退回", "数值疑似多写一位,请核实", "office"]]
    assert store.effective_indicator_progress().empty


def test_revoke_brings_back_the_previous_values(store: Store):
    old = submit(store, UNIT, [("Y01", 2022, 4, 5.0), ("Y01", 2023, 2, 6.5)], [("T01-01", 2023, 2, "推进中", 40.0)])
    new = submit(store, UNIT, [("Y01", 2022, 4, 5.4)], [("T01-01", 2023, 2, "推进中", 45.0)])
    store.adopt(old.submission_id, "office")
    store.adopt(new.submission_id, "office")
    assert effective_values(store) == {("Y01", 2022, 4): 5.4, ("Y01", 2023, 2): 6.5}
    assert store.effective_task_progress()["percent"].tolist() == [45.0]

    store.revoke(new.submission_id, "office", "上级统计局更正前的数据")
    assert effective_values(store) == {("Y01", 2022, 4): 5.0, ("Y01", 2023, 2): 6.5}
    assert store.effective_indicator_progress()["submission_id"].unique().tolist() == [old.submission_id]
    assert store.effective_task_progress()["percent"].tolist() == [40.0]
    assert store.submission(new.submission_id)[["state", "state_reason"]].tolist() == ["revoked", "上级统计局更正前的数据"]


def test_the_latest_upload_wins_whatever_the_review_order(store: Store):
    older = submit(store, UNIT, [("Y01", 2022, 4, 5.0)])
    newer = submit(store, UNIT, [("Y01", 2022, 4, 5.4)])
    store.adopt(newer.submission_id, "office")
    store.adopt(older.submission_id, "office")
    assert effective_values(store) == {("Y01", 2022, 4): 5.4}


def test_task_rows_of_different_units_for_one_task_are_kept_apart(store: Store):
    a = submit(store, UNIT, [], [("T01-01", 2023, 2, "推进中", 40.0)], auto_adopt=True)
    b = submit(store, OTHER, [], [("T01-01", 2023, 2, "滞后", 10.0)], auto_adopt=True)
    frame = store.effective_task_progress()
    assert frame[["unit", "state", "submission_id"]].values.tolist() == [
        [OTHER, "滞后", b.submission_id], [UNIT, "推进中", a.submission_id]]


ILLEGAL = [
    # (how far the submission got, action, code, message)
    ("adopted", "adopt", "store.illegal_transition", "第 {id} 号报送当前为「已采纳」,只有「待审核」的报送可以采纳"),
    ("returned", "adopt", "store.illegal_transition", "第 {id} 号报送当前为「已退回」,只有「待审核」的报送可以采纳"),
    ("revoked", "adopt", "store.illegal_transition", "第 {id} 号报送当前为「已撤销」,只有「待审核」的报送可以采纳"),
    ("adopted", "return", "store.illegal_transition", "第 {id} 号报送当前为「已采纳」,只有「待审核」的报送可以退回"),
    ("returned", "return", "store.illegal_transition", "第 {id} 号报送当前为「已退回」,只有「待审核」的报送可以退回"),
    ("pending", "revoke", "store.illegal_transition", "第 {id} 号报送当前为「待审核」,只有「已采纳」的报送可以撤销"),
    ("returned", "revoke", "store.illegal_transition", "第 {id} 号报送当前为「已退回」,只有「已采纳」的报送可以撤销"),
    ("revoked", "revoke", "store.illegal_transition", "第 {id} 号报送当前为「已撤销」,只有「已采纳」的报送可以撤销"),
    ("adopted", "revoke-without-reason", "store.reason_required", "请填写撤销原因,填报单位会看到它"),
    ("missing", "adopt", "store.not_found", "没有第 {id} 号报送,请刷新列表后重试"),
]


@pytest.mark.parametrize("reached, action, code, message", ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(store: Store, reached: str, action: str, code: str, message: str):
    sid = submit(store, UNIT, [("Y01", 2023, 2, 6.5)]).submission_id
    if reached in ("adopted", "revoked"):
        store.adopt(sid, "office")
    if reached == "revoked":
        store.revoke(sid, "office", "误采纳")
    if reached == "returned":
        store.return_submission(sid, "office", "请补充备注")
    if reached == "missing":
        sid += 1000
    before = dump(store)
    do = {"adopt": lambda: store.adopt(sid, "office"),
          "return": lambda: store.return_submission(sid, "office", "理由"),
          "revoke": lambda: store.revoke(sid, "office", "理由"),
          "revoke-without-reason": lambda: store.revoke(sid, "office", "")}[action]
    with pytest.raises(StoreError) as err:
        do()
    assert (err.value.code, err.value.message) == (code, message.format(id=sid))
    assert dump(store) == before


# --- listing -----------------------------------------------------------------------------------------

def test_submission_list_filters(store: Store):
    a = submit(store, UNIT, [("Y01", 2023, 2, 6.5)])
    b = submit(store, OTHER, [("Y08", 2023, 2, 5.2)])
    store.adopt(b.submission_id, "office")
    assert store.submissions()["id"].tolist() == [b.submission_id, a.submission_id]   # newest first
    assert store.submissions(unit=OTHER)["id"].tolist() == [b.submission_id]
    assert store.submissions(state=SubmissionState.PENDING)["id"].tolist() == [a.submission_id]
    assert store.submissions(state="已采纳")["id"].tolist() == [b.submission_id]
    created = store.submissions()["created_at"].min()
    assert len(store.submissions(since=created)) == 2
    assert store.submissions(since=created + timedelta(days=1)).empty
    assert store.submissions(unit="没有的单位").columns.tolist() == store.submissions().columns.tolist()


# --- settings and history -----------------------------------------------------------------------------

def test_annual_targets_latest_setting_wins_and_every_setting_is_history(store: Store):
    sub = submit(store, "区发改局", [("B01", 2022, 4, 3.1, 2.8), ("B01", 2023, 2, 1.2)], auto_adopt=True)
    # The workbook's own number applies until the office sets one.
    assert store.effective_indicator_progress()["annual_target"].tolist()[0] == 2.8
    store.set_annual_target("B01", 2022, 3.0, "office", "省下达文件")
    store.set_annual_target("B01", 2022, 3.2, "office2", "更正")
    store.set_annual_target("B01", 2024, 2.9, "office")
    targets = store.annual_targets()
    assert targets[["indicator_id", "year", "annual_target", "account"]].values.tolist() == [
        ["B01", 2022, 3.2, "office2"], ["B01", 2024, 2.9, "office"]]
    eff = store.effective_indicator_progress()
    assert eff[["year", "quarter"]].values.tolist() == [[2022, 4], [2023, 2]]
    assert eff["annual_target"].fillna(-1).tolist() == [3.2, -1]   # no setting and no number for 2023

    history = store.history("B01")
    settings = history[history["source"] == SOURCE_TARGET]
    assert settings[["period", "annual_target", "account", "note"]].values.tolist() == [
        ["2022", 3.0, "office", "省下达文件"], ["2022", 3.2, "office2", "更正"], ["2024", 2.9, "office", ""]]
    assert history["time"].is_monotonic_increasing

    store.set_annual_target("B01", 2022, None, "office", "撤回设定")   # cleared: the workbook's applies again
    assert store.annual_targets()["year"].tolist() == [2024]
    assert store.effective_indicator_progress()["annual_target"].tolist()[0] == 2.8
    assert sub.submission_id in store.history("B01")["submission_id"].tolist()


@pytest.mark.parametrize("bad", ["abc", float("nan"), float("inf")])
def test_settings_refuse_what_is_not_a_number(store: Store, bad: object):
    with pytest.raises(StoreError) as err:
        store.set_annual_target("B01", 2022, bad, "office")  # type: ignore[arg-type]
    assert err.value.code == "store.value_invalid"
    with pytest.raises(StoreError):
        store.set_baseline("Y03", bad, "office")  # type: ignore[arg-type]
    assert store.history("B01").empty and store.history("Y03").empty


def test_baseline_edits_latest_wins_with_history(store: Store):
    store.set_baseline("Y03", 85.0, "office", "统计公报")
    store.set_baseline("Y03", 85.3, "office2", "第七次人口普查修正")
    store.set_baseline("Y05", 22.0, "office")
    assert store.baselines()[["indicator_id", "baseline_value", "account", "note"]].values.tolist() == [
        ["Y03", 85.3, "office2", "第七次人口普查修正"], ["Y05", 22.0, "office", ""]]
    history = store.history("Y03")
    assert history[["source", "value", "account"]].values.tolist() == [
        [SOURCE_BASELINE, 85.0, "office"], [SOURCE_BASELINE, 85.3, "office2"]]
    store.set_baseline("Y05", None, "office", "恢复规划文件中的基期值")
    assert store.baselines()["indicator_id"].tolist() == ["Y03"]


def test_history_lists_every_value_with_who_and_when(store: Store):
    first = submit(store, UNIT, [("Y01", 2022, 4, 5.0)], [("T01-01", 2022, 4, "推进中", 50.0)], account="alice")
    store.adopt(first.submission_id, "office")
    second = submit(store, UNIT, [("Y01", 2022, 4, 50.0)], account="bob")
    store.return_submission(second.submission_id, "office", "单位写错")
    third = submit(store, UNIT, [("Y01", 2022, 4, 5.1), ("Y01", 2023, 2, 6.5)], account="bob")
    store.adopt(third.submission_id, "office")

    history = store.history("Y01")
    assert history[["source", "period", "value", "account", "submission_id", "submission_state", "reviewed_by"]].values.tolist() == [
        [SOURCE_SUBMITTED, "2022Q4", 5.0, "alice", first.submission_id, "已采纳", "office"],
        [SOURCE_SUBMITTED, "2022Q4", 50.0, "bob", second.submission_id, "已退回", "office"],
        [SOURCE_SUBMITTED, "2022Q4", 5.1, "bob", third.submission_id, "已采纳", "office"],
        [SOURCE_SUBMITTED, "2023Q2", 6.5, "bob", third.submission_id, "已采纳", "office"],
    ]
    assert history["time"].is_monotonic_increasing and str(history["time"].dt.tz) == "UTC"
    tasks = store.history("T01-01")
    assert tasks[["period", "task_state", "percent", "account", "unit"]].values.tolist() == [["2022Q4", "推进中", 50.0, "alice", UNIT]]
    assert store.history("Z99").empty


# --- preview -----------------------------------------------------------------------------------------

def test_preview_marks_each_row_new_changed_or_unchanged(store: Store):
    submit(store, UNIT, [("Y01", 2021, 4, 11.0), ("Y01", 2022, 4, 5.0), ("B01", 2022, 4, 3.1, 3.0)],
           [("T01-01", 2022, 4, "推进中", 50.0, "a")], auto_adopt=True)
    store.set_annual_target("B01", 2023, 2.5, "office")
    upload_ind = indicator_rows(UNIT, [("Y01", 2021, 4, 11.0), ("Y01", 2022, 4, 5.5), ("Y01", 2023, 2, 6.5),
                                       ("B01", 2022, 4, 3.1, 3.3), ("B01", 2023, 2, 1.2)], excel_rows=True)
    upload_tasks = task_rows(UNIT, [("T01-01", 2022, 4, "推进中", 50.0, "b"), ("T01-01", 2023, 2, "已完成", 100.0)])
    frame = store.preview(upload_ind, upload_tasks)
    expected = pd.read_csv(io.StringIO("""\
sheet,row,item_id,period,change,changed,old,new
指标进度,2,Y01,2021Q4,未变,,11,11
指标进度,3,Y01,2022Q4,变更,数值,5,5.5
指标进度,4,Y01,2023Q2,新增,,,6.5
指标进度,5,B01,2022Q4,变更,年度目标值,3.1(年度目标 3),3.1(年度目标 3.3)
指标进度,6,B01,2023Q2,新增,,,1.2(年度目标 2.5)
任务进度,2,T01-01,2022Q4,变更,工作进展,推进中 50%,推进中 50%
任务进度,3,T01-01,2023Q2,新增,,,已完成 100%
"""), dtype=str, keep_default_na=False)
    got = frame[expected.columns].astype(str).replace("<NA>", "")
    assert got.values.tolist() == expected.values.tolist()
    assert set(frame["change"]) == {CHANGE_NEW, CHANGE_CHANGED, CHANGE_SAME}
    assert (frame["unit"] == UNIT).all()


# --- failed imports ------------------------------------------------------------------------------------

FAILURES = {
    # a NOT NULL column left empty in the middle of the file
    "empty indicator id": lambda: (indicator_rows(UNIT, [("Y01", 2023, 1, 1.0), (None, 2023, 2, 2.0), ("Y01", 2023, 3, 3.0)]), None),
    # a CHECK constraint violated by the last task row, after every indicator row went in
    "percent out of range": lambda: (indicator_rows(UNIT, [("Y01", 2023, 1, 1.0)]),
                                     task_rows(UNIT, [("T01-01", 2023, 1, "推进中", 10.0), ("T01-02", 2023, 1, "推进中", 150.0)])),
    # the same id and period twice (a unique constraint)
    "period twice": lambda: (indicator_rows(UNIT, [("Y01", 2023, 1, 1.0), ("Y01", 2023, 1, 2.0)]), None),
    "quarter 5": lambda: (indicator_rows(UNIT, [("Y01", 2023, 5, 1.0)]), None),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failing_import_leaves_the_database_unchanged(store: Store, failure: str):
    kept = submit(store, UNIT, [("Y01", 2022, 4, 5.0)], [("T01-01", 2022, 4, "推进中", 50.0)])
    store.adopt(kept.submission_id, "office")
    store.set_annual_target("B01", 2022, 3.0, "office")
    before = dump(store)
    indicators, tasks = FAILURES[failure]()
    with pytest.raises(StoreError) as err:
        store.submit(UNIT, "dept", "bad.xlsx", b"bad file", indicators, tasks, auto_adopt=True)
    assert err.value.code == "store.write_failed" and err.value.message.startswith("保存失败,数据库未作任何改动")
    assert dump(store) == before


def test_a_crash_after_half_the_rows_leaves_the_database_unchanged(store: Store, monkeypatch):
    submit(store, UNIT, [("Y01", 2022, 4, 5.0)], auto_adopt=True)
    before = dump(store)
    real_insert = Store._insert_rows
    calls = []

    def insert_then_crash(self, conn, table, submission_id, unit, rows):
        real_insert(self, conn, table, submission_id, unit, rows)    # the indicator rows go in …
        calls.append(table.name)
        raise RuntimeError("connection lost")                         # … then the process "dies"

    monkeypatch.setattr(Store, "_insert_rows", insert_then_crash)
    with pytest.raises(RuntimeError):
        submit(store, UNIT, [("Y01", 2023, q, float(q)) for q in (1, 2, 3, 4)], [("T01-01", 2023, 1, "推进中", 10.0)],
               auto_adopt=True)
    assert calls == ["indicator_values"]
    assert dump(store) == before


# --- seeding -------------------------------------------------------------------------------------------

def test_seed_rows_store_one_adopted_submission_per_unit_once(store: Store):
    ind = pd.concat([indicator_rows(UNIT, [("Y01", 2021, 4, 11.0)]), indicator_rows(OTHER, [("Y08", 2021, 4, 5.1)])])
    tasks = task_rows(UNIT, [("T01-01", 2021, 4, "推进中", 20.0)])
    ids = store.seed_rows("progress.xlsx", b"sample", ind, tasks)
    assert len(ids) == 2
    listed = store.submissions().sort_values("id")
    assert listed[["unit", "account", "state", "indicator_rows", "task_rows"]].values.tolist() == [
        [UNIT, "system", "adopted", 1, 1], [OTHER, "system", "adopted", 1, 0]]
    assert store.seed_rows("progress.xlsx", b"sample", ind, tasks) == []
    assert len(store.submissions()) == 2


def test_seed_if_empty_imports_the_sample_workbook(store: Store, plan):
    from pathlib import Path

    from lib.settings import get
    sample = Path(get("sample_progress"))
    ids = store.seed_if_empty(plan)
    assert ids, "the sample workbook gave no rows"
    from lib.workbook import read_workbook
    expected = read_workbook(sample.read_bytes(), plan, file_name=sample.name)
    assert len(store.effective_indicator_progress()) == len(expected.indicator_rows.drop_duplicates(["indicator_id", "year", "quarter"]))
    assert set(store.submissions()["state"]) == {"adopted"}
    assert store.seed_if_empty(plan) == []


def test_seed_if_empty_refuses_a_broken_sample(store: Store, plan, tmp_path):
    broken = tmp_path / "progress.xlsx"
    broken.write_bytes(b"not a workbook at all")
    with pytest.raises(StoreError) as err:
        store.seed_if_empty(plan, broken)
    assert err.value.code == "store.seed_invalid"
    assert store.is_empty()


def test_office_baselines_override_the_plan_without_changing_it(store: Store, plan):
    from lib.store import apply_baselines
    store.set_baseline("Y03", 85.3, "office", "普查修正")
    adjusted = apply_baselines(plan, store.baselines())
    row = adjusted.indicators.set_index("indicator_id").loc["Y03"]
    assert row["baseline_value"] == 85.3 and row["baseline_source"].startswith("区发改局设定(office,")
    assert plan.indicators.set_index("indicator_id").at["Y03", "baseline_value"] == 85.0
    assert apply_baselines(plan, store.baselines().iloc[0:0]) is plan


def test_seed_if_empty_without_a_sample_seeds_nothing(store: Store, plan, tmp_path):
    assert store.seed_if_empty(plan, tmp_path / "missing.xlsx") == []
    assert store.is_empty()


def test_data_version_moves_with_every_change_that_feeds_the_assessment(store: Store):
    seen = [store.data_version()]
    sid = submit(store, "区发改局", [("Y01", 2021, 4, 11.0)]).submission_id
    seen.append(store.data_version())
    store.adopt(sid, "planner")
    seen.append(store.data_version())
    store.set_annual_target("B01", 2022, 3.0, "planner")
    seen.append(store.data_version())
    store.set_baseline("Y03", 85.5, "planner")
    seen.append(store.data_version())
    assert len(set(seen)) == len(seen)
    assert store.data_version() == seen[-1]  # reading changes nothing


def test_data_version_names_its_plan(store: Store):
    """Pages cache on data_version: two plans with the same counts must not share a cached page."""
    from lib.plan_catalog import load_plan_version
    from tests.conftest import ROOT
    other = load_plan_version(open_store(store.url), ROOT / "data" / "plans" / "shili-15", "test")
    mine, theirs = store.data_version(), open_store(store.url).plan(other.plan_id).data_version()
    assert (mine[0], theirs[0]) == (SEED_PLAN, other.plan_id)
