"""Several sessions writing at once lose nothing: the store under threads, on SQLite and PostgreSQL.

"private" engines behave like separate processes (own connection pools); "shared" is the Streamlit case,
one cached store used from many session threads. A barrier releases all threads together.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
import sqlalchemy as sa

from lib import store_schema
from lib.store import Store, StoreError, open_store
from lib.store_engine import make_engine
from tests.conftest import SEED_PLAN, seed_plan_store
from tests.pg import fresh_database
from tests.test_store import indicator_rows, store_url, task_rows  # noqa: F401  (store_url is a fixture)

T = TypeVar("T")
THREADS = 8
UNITS = ["区发改局", "区公安分局", "区财政局", "区科技局", "区市场监管局", "区人社局", "区农业农村局", "区卫健局"]
YEARS = range(2021, 2026)


def run_together(n: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run work(0..n-1) in n threads released at the same moment; exceptions are returned, not lost."""
    barrier = threading.Barrier(n)
    results: list[T | BaseException] = [RuntimeError("did not finish")] * n

    def body(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return results


def stores_for(url: str, engines: str, n: int) -> list[Store]:
    """n stores scoped to the seed plan (loaded first): one shared engine, or one private engine each."""
    if engines == "shared":
        return [seed_plan_store(url)] * n
    first = seed_plan_store(url, cached=False)
    return [first] + [open_store(url, cached=False).plan(SEED_PLAN) for _ in range(n - 1)]


def close_all(stores: list[Store]) -> None:
    for s in {id(s): s for s in stores}.values():
        s.close()


def unit_file(i: int) -> tuple[list[tuple], list[tuple]]:
    """A realistic quarterly file for unit i: 20 indicator rows and 20 task rows, all distinct keys."""
    indicators = [(f"X{i:02d}", year, q, float(i * 100 + (year - 2020) * 4 + q)) for year in YEARS for q in (1, 2, 3, 4)]
    tasks = [(f"T{i:02d}-01", year, q, "推进中", float(q * 20)) for year in YEARS for q in (1, 2, 3, 4)]
    return indicators, tasks


@pytest.mark.parametrize("engines", ["private", "shared"])
def test_eight_units_importing_at_once_lose_nothing(store_url: str, engines: str):
    stores = stores_for(store_url, engines, THREADS)
    try:
        def work(i: int):
            unit = UNITS[i]
            indicators, tasks = unit_file(i)
            return stores[i].submit(unit, f"user{i}", f"{unit}.xlsx", f"file {i}".encode(),
                                    indicator_rows(unit, indicators), task_rows(unit, tasks), auto_adopt=True)

        results = run_together(THREADS, work)
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert sorted(r.submission_id for r in results) == sorted({r.submission_id for r in results})
        assert not any(r.duplicate for r in results)

        check = stores[0]
        listed = check.submissions()
        assert len(listed) == THREADS and sorted(listed["unit"]) == sorted(UNITS)
        ind = check.effective_indicator_progress()
        tasks = check.effective_task_progress()
        expected_ind = {(r[0], r[1], r[2], r[3]) for i in range(THREADS) for r in unit_file(i)[0]}
        expected_tasks = {(r[0], r[1], r[2], UNITS[i]) for i in range(THREADS) for r in unit_file(i)[1]}
        assert set(zip(ind["indicator_id"], ind["year"], ind["quarter"], ind["value"])) == expected_ind
        assert set(zip(tasks["task_id"], tasks["year"], tasks["quarter"], tasks["unit"])) == expected_tasks
        assert len(ind) == len(expected_ind) and len(tasks) == len(expected_tasks)
    finally:
        close_all(stores)


def test_the_same_file_uploaded_from_eight_sessions_is_stored_once(store_url: str):
    stores = stores_for(store_url, "private", THREADS)
    try:
        indicators, tasks = unit_file(0)
        results = run_together(THREADS, lambda i: stores[i].submit(
            UNITS[0], f"user{i}", "same.xlsx", b"the same bytes", indicator_rows(UNITS[0], indicators),
            task_rows(UNITS[0], tasks), auto_adopt=False))
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert len({r.submission_id for r in results}) == 1
        assert sorted(r.duplicate for r in results) == [False] + [True] * (THREADS - 1)
        assert len(stores[0].submissions()) == 1
    finally:
        close_all(stores)


def test_eight_units_sending_the_same_bytes_at_once_all_land_and_the_file_is_kept_once(store_url: str):
    stores = stores_for(store_url, "private", THREADS)
    try:
        results = run_together(THREADS, lambda i: stores[i].submit(
            UNITS[i], f"user{i}", "汇总.xlsx", b"one shared file", indicator_rows(UNITS[i], unit_file(i)[0]), None,
            auto_adopt=False))
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert len({r.submission_id for r in results}) == THREADS and not any(r.duplicate for r in results)
        assert {stores[0].submission_file(r.submission_id) for r in results} == {b"one shared file"}
        with stores[0].engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(store_schema.UPLOADED_FILES)).scalar_one() == 1
    finally:
        close_all(stores)


def test_concurrent_reviews_of_one_submission_let_exactly_one_through(store_url: str):
    stores = stores_for(store_url, "private", THREADS)
    try:
        sid = stores[0].submit(UNITS[0], "dept", "f.xlsx", b"x", indicator_rows(UNITS[0], [("Y01", 2023, 2, 6.5)]),
                               None, auto_adopt=False).submission_id
        results = run_together(THREADS, lambda i: stores[i].adopt(sid, f"office{i}") if i % 2 == 0
                               else stores[i].return_submission(sid, f"office{i}", "请核实"))
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == THREADS - 1
        assert {e.code for e in errors if isinstance(e, StoreError)} == {"store.illegal_transition"}
        assert len(stores[0].submission_events(sid)) == 2   # submitted, then the one review that won
    finally:
        close_all(stores)


def test_processes_starting_together_seed_once(store_url: str):
    stores = stores_for(store_url, "private", 4)
    try:
        ind = indicator_rows(UNITS[0], [("Y01", 2021, 4, 11.0)])
        results = run_together(4, lambda i: stores[i].seed_rows("progress.xlsx", b"sample", ind, None))
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert sorted(len(r) for r in results) == [0, 0, 0, 1]
        assert len(stores[0].submissions()) == 1
    finally:
        close_all(stores)


def test_fresh_database_opened_by_several_processes_at_once_is_migrated_once(store_url: str):
    results = run_together(4, lambda i: open_store(store_url, cached=False))
    stores = [r for r in results if isinstance(r, Store)]
    try:
        assert len(stores) == 4, [r for r in results if not isinstance(r, Store)]
        assert {s.schema_version() for s in stores} == {store_schema.CURRENT_VERSION}
        with stores[0].engine.connect() as conn:   # each migration applied once, by one of them
            applied = conn.execute(sa.select(store_schema.SCHEMA_VERSION.c.version)).scalars().all()
        assert sorted(applied) == list(range(1, store_schema.CURRENT_VERSION + 1))
    finally:
        close_all(stores)


def test_switching_a_new_file_to_wal_waits_for_a_writer_instead_of_failing(tmp_path):
    """The switch to WAL needs the file to itself, and SQLite fails it at once, without the busy timeout,
    while another connection holds the write lock of the new (still rollback-journal) file, as a process
    migrating it does: a process opening the file then must wait, not fail."""
    path = tmp_path / "store.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")                     # the write lock, held until COMMIT
    engine = make_engine(f"sqlite:///{path}")
    opened: list[str | BaseException] = []

    def connect() -> None:
        try:
            with engine.connect() as conn:
                opened.append(conn.exec_driver_sql("PRAGMA journal_mode").scalar_one())
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            opened.append(exc)

    thread = threading.Thread(target=connect)
    thread.start()
    thread.join(timeout=0.5)
    try:
        assert thread.is_alive() and opened == [], opened     # still waiting for the writer
    finally:
        writer.execute("COMMIT")
        writer.close()
        thread.join(timeout=60)
        engine.dispose()
    assert opened == ["wal"]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from fresh_database()


@pytest.mark.postgres
def test_data_version_moves_when_an_earlier_id_commits_late(pg_url: str):
    """Two app processes: one holds a target setting uncommitted (it got the lower id), the other commits the
    next id and a page caches on data_version. When the first commits, the version must move again, although
    the highest id does not (PostgreSQL hands out ids at insert, not at commit)."""
    # (PostgreSQL only: SQLite has one writer at a time, a later id cannot commit before an earlier one.)
    slow, fast = stores_for(pg_url, "private", 2)
    row = {"indicator_id": "B01", "year": 2022, "value": 3.0, "account": "planner", "note": "",
           "created_at": store_schema.utcnow(), "plan_id": SEED_PLAN}
    try:
        with slow.engine.connect() as conn:
            with conn.begin():
                conn.execute(store_schema.TARGET_SETTINGS.insert().values(row))   # id n, not yet committed
                fast.set_annual_target("B01", 2023, 4.0, "planner")                # id n + 1, committed
                seen = fast.data_version()
            after = fast.data_version()                                            # id n now visible
        assert seen[0] == after[0] == SEED_PLAN
        assert seen[3] == after[3]                                                  # target_settings' highest id
        assert (seen[4], after[4]) == (1, 2)                                        # and its row count
        assert after != seen
    finally:
        close_all([slow, fast])
