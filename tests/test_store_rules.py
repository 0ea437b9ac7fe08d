"""The database's value rules are lib/schema.py's bounds and choices (`range_check` and `choice_check` in
lib/store_schema.py), on SQLite and PostgreSQL.

A check constraint that concerns a column the schema declares must name the schema's min/max (or its choices); a
fresh database (migrated as the store opens it, or created from the current tables) accepts the bounds and refuses
a value just outside them, and accepts every choice and refuses any other value.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from lib import store_schema
from lib.schema import TASK_SHEET, Column, Table
from lib.store import open_store
from lib.store_schema import METADATA, SHEET_OF, SUBMISSIONS, choice_rule, range_check, range_rule, utcnow
from tests.conftest import SEED_PLAN
from tests.pg import new_pg_database
from tests.test_store import store_url  # noqa: F401  (a fixture: SQLite, and PostgreSQL when configured)

IDENTIFIER = re.compile(r"[a-z_]+")
NUMBER = r"(-?[0-9]+(?:\.[0-9]+)?)"
RULE_FORMS = (   # the SQL range_check writes → (min, max) it names
    (re.compile(rf"^(\w+) BETWEEN {NUMBER} AND {NUMBER}$"), lambda m: (float(m[2]), float(m[3]))),
    (re.compile(rf"^(\w+) >= {NUMBER}$"), lambda m: (float(m[2]), None)),
    (re.compile(rf"^(\w+) <= {NUMBER}$"), lambda m: (None, float(m[2]))),
)


def _schema_checks() -> list[tuple[str, sa.CheckConstraint, Column]]:
    """Every check constraint of the current tables that concerns a column lib/schema.py declares."""
    found = []
    for table in METADATA.sorted_tables:
        sheet = SHEET_OF.get(table.name)
        for check in (c for c in table.constraints if isinstance(c, sa.CheckConstraint)):
            named = [n for n in IDENTIFIER.findall(str(check.sqltext)) if sheet and n in sheet.names]
            found += [(table.name, check, sheet.column(n)) for n in dict.fromkeys(named)]
    return found


def _bounded_columns() -> list[tuple[str, Column]]:
    """(table, schema column) for every stored column with a declared min or max."""
    return [(name, col) for name, sheet in SHEET_OF.items() for col in sheet.columns
            if col.name in METADATA.tables[name].c and (col.min is not None or col.max is not None)]


def _choice_columns() -> list[tuple[str, Column]]:
    """(table, schema column) for every stored column with declared choices."""
    return [(name, col) for name, sheet in SHEET_OF.items() for col in sheet.columns
            if col.name in METADATA.tables[name].c and col.choices]


CHOICE_FORM = re.compile(r"^(\w+) IN \((.*)\)$")


def _parse_rule(text: str) -> tuple[str, float | None, float | None] | tuple[str, tuple[str, ...]]:
    """(column, min, max) of a range rule, or (column, choices) of a choice rule."""
    for pattern, bounds in RULE_FORMS:
        if m := pattern.match(text):
            return (m[1], *bounds(m))
    if m := CHOICE_FORM.match(text):
        return m[1], tuple(c.replace("''", "'") for c in re.findall(r"'((?:[^']|'')*)'", m[2]))
    raise AssertionError(f"not a range or choice rule: {text!r}")


def _as_float(bound: float | None) -> float | None:
    return None if bound is None else float(bound)


def test_every_bounded_or_choice_schema_column_has_one_check_on_its_table():
    checked = sorted((table, col.name) for table, _, col in _schema_checks())
    assert checked == sorted((table, col.name) for table, col in _bounded_columns() + _choice_columns())
    assert checked == [("indicator_values", "quarter"), ("task_values", "percent"), ("task_values", "quarter"),
                       ("task_values", "state")]


@pytest.mark.parametrize("table, check, column", _schema_checks(), ids=lambda v: getattr(v, "name", None))
def test_a_check_on_a_schema_column_names_the_schema_bounds(table: str, check: sa.CheckConstraint, column: Column):
    rule = _parse_rule(str(check.sqltext))
    if column.choices:
        assert rule == (column.name, tuple(column.choices))
    else:
        assert rule == (column.name, _as_float(column.min), _as_float(column.max))
    assert check.name == f"ck_{table}_{column.name}"


def test_choice_rule_quotes_each_choice_and_refuses_a_column_without_choices():
    assert choice_rule(Column("x", "x", "str", choices=("甲", "O'Neil"))) == "x IN ('甲', 'O''Neil')"
    with pytest.raises(ValueError):
        choice_rule(Column("x", "x", "str"))


@pytest.mark.parametrize("low, high, rule", [
    (1, 4, "x BETWEEN 1 AND 4"),
    (0, 100, "x BETWEEN 0 AND 100"),
    (0.0, 100.0, "x BETWEEN 0 AND 100"),
    (0.5, 99.5, "x BETWEEN 0.5 AND 99.5"),
    (-10, None, "x >= -10"),
    (None, 4, "x <= 4"),
])
def test_range_rule_writes_the_bounds(low, high, rule: str):
    assert range_rule(Column("x", "x", "float", min=low, max=high)) == rule


def test_range_rule_refuses_a_column_without_bounds():
    with pytest.raises(ValueError):
        range_rule(Column("x", "x", "float"))


def test_a_bound_changed_in_the_schema_changes_the_database_rule(monkeypatch):
    wider = dataclasses.replace(TASK_SHEET.column("percent"), max=120)
    sheet = Table(TASK_SHEET.name, TASK_SHEET.label,
                  tuple(wider if c.name == "percent" else c for c in TASK_SHEET.columns))
    monkeypatch.setitem(store_schema.SHEET_OF, "task_values", sheet)
    assert str(range_check("task_values", "percent").sqltext) == "percent BETWEEN 0 AND 120"


# --- a fresh database refuses what the schema's bounds refuse ------------------------------------------------

SUBMISSION = {"plan_id": SEED_PLAN, "unit": "区发改局", "account": "dept", "file_name": "进度.xlsx", "sha256": "0" * 64,
              "indicator_rows": 0, "task_rows": 0, "state": "pending", "state_reason": ""}
VALID_ROWS = {   # one valid row of each bounded table (submission_id and year are filled in)
    "indicator_values": {"plan_id": SEED_PLAN, "indicator_id": "Y01", "quarter": 2, "value": 6.5, "annual_target": None,
                         "unit": "区发改局", "note": ""},
    "task_values": {"plan_id": SEED_PLAN, "task_id": "T01", "quarter": 2, "state": "推进中", "percent": 50.0,
                    "progress": "", "problems": "", "next_steps": "", "unit": "区发改局"},
}


def _inside_and_outside(column: Column) -> tuple[list[float], list[float]]:
    """The declared bounds themselves, and a value just beyond each (a whole step for an int column)."""
    step = 1 if column.dtype == "int" else 0.5
    bounds = [(b, -step) for b in [column.min] if b is not None] + [(b, step) for b in [column.max] if b is not None]
    return [b for b, _ in bounds], [b + s for b, s in bounds]


def _row(table: str, submission_id: int, year: int, column: str, value: float) -> dict:
    return {**VALID_ROWS[table], "submission_id": submission_id, "year": year, column: value}


@pytest.fixture(params=["migrated", "created"])
def fresh_engine(request: pytest.FixtureRequest, store_url: str) -> Iterator[sa.Engine]:  # noqa: F811
    """A new database: migrated as the store opens it, or created from the current table definitions."""
    if request.param == "migrated":
        store = open_store(store_url, cached=False)
        yield store.engine
        store.close()
        return
    engine = sa.create_engine(store_url)
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("table, column", _bounded_columns(), ids=lambda v: getattr(v, "name", v))
def test_a_fresh_database_refuses_a_value_out_of_the_schema_range(fresh_engine: sa.Engine, table: str, column: Column):
    inside, outside = _inside_and_outside(column)
    target = METADATA.tables[table]
    with fresh_engine.begin() as conn:
        sid = conn.execute(sa.insert(SUBMISSIONS).values(created_at=utcnow(), **SUBMISSION)).inserted_primary_key[0]
    for year, value in enumerate(inside, start=2021):
        with fresh_engine.begin() as conn:
            conn.execute(sa.insert(target).values(_row(table, sid, year, column.name, value)))
    for year, value in enumerate(outside, start=2031):
        with pytest.raises(sa.exc.IntegrityError, match=f"ck_{table}_{column.name}"), fresh_engine.begin() as conn:
            conn.execute(sa.insert(target).values(_row(table, sid, year, column.name, value)))
    with fresh_engine.connect() as conn:
        stored = sorted(conn.execute(sa.select(target.c[column.name]).where(target.c.submission_id == sid)).scalars())
    assert stored == sorted(inside)


@pytest.mark.parametrize("table, column", _choice_columns(), ids=lambda v: getattr(v, "name", v))
def test_a_fresh_database_takes_every_schema_choice_and_refuses_any_other(fresh_engine: sa.Engine, table: str,
                                                                          column: Column):
    target = METADATA.tables[table]
    with fresh_engine.begin() as conn:
        sid = conn.execute(sa.insert(SUBMISSIONS).values(created_at=utcnow(), **SUBMISSION)).inserted_primary_key[0]
    for year, value in enumerate(column.choices, start=2021):
        with fresh_engine.begin() as conn:
            conn.execute(sa.insert(target).values(_row(table, sid, year, column.name, value)))
    for year, value in enumerate(["完成", "", " 推进中", "done"], start=2031):   # near misses a hand edit might write
        with pytest.raises(sa.exc.IntegrityError, match=f"ck_{table}_{column.name}"), fresh_engine.begin() as conn:
            conn.execute(sa.insert(target).values(_row(table, sid, year, column.name, value)))
    with fresh_engine.connect() as conn:
        stored = sorted(conn.execute(sa.select(target.c[column.name]).where(target.c.submission_id == sid)).scalars())
    assert stored == sorted(column.choices)


def _v5_database(url: str, state: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database as schema version 5 left it, with one task row in `state` (version 5 had no rule on it)."""
    monkeypatch.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:5])
    monkeypatch.setattr(store_schema, "CURRENT_VERSION", 5)
    old = open_store(url, cached=False)
    with old.engine.begin() as conn:
        sid = conn.execute(sa.insert(SUBMISSIONS).values(created_at=utcnow(), **SUBMISSION)).inserted_primary_key[0]
        conn.execute(sa.insert(METADATA.tables["task_values"]).values(_row("task_values", sid, 2023, "state", state)))
    old.close()
    monkeypatch.undo()


def _task_rows(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT id, task_id, year, quarter, state, percent FROM task_values"))]
    finally:
        engine.dispose()


def test_version_6_keeps_the_task_rows_and_adds_the_state_rule(store_url: str, monkeypatch):  # noqa: F811
    _v5_database(store_url, "推进中", monkeypatch)
    before = _task_rows(store_url)
    store = open_store(store_url, cached=False)
    try:
        assert store.schema_version() == store_schema.CURRENT_VERSION
        with pytest.raises(sa.exc.IntegrityError, match="ck_task_values_state"), store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE task_values SET state = '完成'"))
    finally:
        store.close()
    assert _task_rows(store_url) == before


def test_version_6_refuses_to_upgrade_over_a_stored_state_outside_the_choices(store_url: str, monkeypatch):  # noqa: F811
    from lib.store import StoreError
    _v5_database(store_url, "完成", monkeypatch)
    before = _task_rows(store_url)
    with pytest.raises(StoreError) as refused:
        open_store(store_url, cached=False)
    assert refused.value.code == "store.stored_rows_invalid"
    assert "「进展状态」" in refused.value.message and "“完成”" in refused.value.message
    assert "未启动、推进中、已完成、滞后" in refused.value.message
    from lib.setupcheck import check_database
    assert [refused.value.message in p.message for p in check_database(store_url)] == [True]   # the set-up page says it
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as conn:   # nothing changed: still version 5, the row as it was
            assert store_schema.current_version(conn) == 5
    finally:
        engine.dispose()
    assert _task_rows(store_url) == before


def _checks_in(engine: sa.Engine) -> dict[str, list[tuple[str, str]]]:
    """The check constraints the database itself reports on each bounded table: (name, SQL text)."""
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        return {t: sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(t)) for t in SHEET_OF}


def test_the_migrations_create_the_checks_the_current_tables_declare(store_url: str, tmp_path):  # noqa: F811
    """The migrations keep their literal rules; today those are exactly the rules built from the schema."""
    migrated = open_store(store_url, cached=False)
    try:
        found = _checks_in(migrated.engine)
    finally:
        migrated.close()
    if store_url.startswith("sqlite"):
        created_url = f"sqlite:///{tmp_path / 'created.sqlite'}"
        expected = _created_checks(created_url)
    else:
        with contextmanager(new_pg_database)(store_url) as created_url:
            expected = _created_checks(created_url)
    assert found == expected
    assert [name for name, _ in found["task_values"]] == ["ck_task_values_percent", "ck_task_values_quarter",
                                                          "ck_task_values_state"]


def _created_checks(url: str) -> dict[str, list[tuple[str, str]]]:
    engine = sa.create_engine(url)
    try:
        METADATA.create_all(engine)
        return _checks_in(engine)
    finally:
        engine.dispose()
