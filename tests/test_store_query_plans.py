"""The store's queries use plan_id-first indexes (SQLite EXPLAIN QUERY PLAN): no page query scans a big table.

The statements are the ones the pages issue, recorded from the engine while the store methods run (so a new
query in lib/store.py is checked without listing its SQL here). Every access to a table that grows with the
city's submissions must be a SEARCH whose key leads with plan_id (a plan_id-first index), or pins one
submission (its id, or the submission_id-first unique keys of the value tables).
"""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from lib import compare
from lib.plan_catalog import load_plan_version
from lib.store import open_store
from lib.store_schema import (BASELINE_SETTINGS, INDICATOR_VALUES, SUBMISSION_EVENTS, SUBMISSIONS, TARGET_SETTINGS,
                              TASK_VALUES, UPLOADED_FILES)
from tests.conftest import DATA

BIG = (SUBMISSIONS, SUBMISSION_EVENTS, INDICATOR_VALUES, TASK_VALUES, TARGET_SETTINGS, BASELINE_SETTINGS, UPLOADED_FILES)
PLAN_FIRST = {ix.name for t in BIG for ix in t.indexes if list(ix.columns)[0].name == "plan_id"}
# A SEARCH step ends with the key it looks up, e.g. "(plan_id=? AND unit=?)" or "(rowid=?)".
STEP = re.compile(r"^(SCAN|SEARCH) (\w+)\b")
KEY = re.compile(r"\((\w+)[=<>]")
# Keys that narrow a big table to one plan, or to one submission (whose plan the query also checks).
GOOD_KEYS = {"plan_id", "submission_id", "rowid"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """(store, [(statement, parameters)]) for what the pages ask of two seeded plans."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('plans')}/q.sqlite", cached=False)
    for folder in (DATA, DATA / "plans" / "shili-15"):
        loaded = load_plan_version(store, folder, "test")
        store.plan(loaded.plan_id).seed_if_empty(loaded.plan, folder / "progress.xlsx")
    seen: list[tuple[str, tuple]] = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def _record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    scoped = store.plan("shashi-14")
    scoped.data_version()
    scoped.is_empty()
    scoped.effective_indicator_progress()
    scoped.effective_task_progress()
    scoped.annual_targets()
    scoped.baselines()
    scoped.reported_items(2025, 4)
    scoped.submissions()
    scoped.submissions(unit="区统计局")
    scoped.submissions(state="pending")
    scoped.history("Y01")
    first = int(scoped.submissions()["id"].iloc[0])
    scoped.submission(first)
    scoped.submission_rows(first)
    scoped.submission_file(first)
    scoped.submission_events(first)
    compare.compare(store, "jingzhou", date(2026, 12, 1))
    yield store, seen
    store.engine.dispose()


def _steps(store, statement: str, parameters: tuple) -> list[str]:  # noqa: ANN001
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        return [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()]


def test_every_page_method_was_recorded(recorded):
    _, seen = recorded
    touched = {t.name for statement, _ in seen for t in BIG if re.search(rf"\b{t.name}\b", statement)}
    assert touched == {t.name for t in BIG}


def test_no_page_query_scans_a_big_table(recorded):
    store, seen = recorded
    big = {t.name for t in BIG}
    bad = []
    for statement, parameters in seen:
        for step in _steps(store, statement, parameters):
            m = STEP.match(step)
            if not m or m.group(2) not in big:
                continue
            key = KEY.search(step)
            if m.group(1) != "SEARCH" or key is None or key.group(1) not in GOOD_KEYS:
                bad.append((step, statement.split("FROM", 1)[-1][:120]))
    assert bad == []


def test_the_big_tables_have_plan_first_indexes():
    assert {t.name for t in BIG if not any(ix.name in PLAN_FIRST for ix in t.indexes)} == {UPLOADED_FILES.name}
    assert [c.name for c in UPLOADED_FILES.primary_key.columns][0] == "plan_id"   # its key leads with plan_id
