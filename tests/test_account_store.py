"""Accounts in the store (lib/account_store.py, schema version 5): round trip, scope checks, YAML import/export,
the first-start import, demo accounts, and the upgrade of a populated version-4 database.

Runs on SQLite and, with PLANMON_TEST_PG_URL, on PostgreSQL (the store_url fixture of test_store.py).
"""
from __future__ import annotations

import stat

import bcrypt
import pytest
import sqlalchemy as sa
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lib import account_store as stored
from lib import accounts, sessions, store_schema
from lib.accounts import DEMO_PASSWORD, Account, AccountError, Role
from lib.messages import MESSAGES
from lib.plan_catalog import load_plan_version
from lib.store import open_store
from tests.conftest import DATA, SEED_PLAN
from tests.test_store import UNIT, dump, store_url, submit  # noqa: F401  (store_url is a fixture)

PASSWORD = "S3cret-pass"
REAL_GENSALT = bcrypt.gensalt
PLAN_FOLDERS = (DATA, DATA / "plans" / "shashi-15", DATA / "plans" / "shili-15")


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(accounts.bcrypt, "gensalt", lambda: REAL_GENSALT(rounds=4))


@pytest.fixture
def db(store_url):
    """The store with the three sample plans: 沙市区 (shashi-14, shashi-15) and 示例区 (shili-15), both of 荆州市."""
    opened = open_store(store_url, cached=False)
    for folder in PLAN_FOLDERS:
        load_plan_version(opened, folder, "test")
    yield opened
    opened.close()


def account_rows(store) -> list[dict]:
    return dump(store)["accounts"]


def add(store, username: str, role: str, unit: str | None = None, district: str | None = "shashi",
        city: str | None = None, name: str | None = None) -> Account:
    return stored.add_account(store, username, name, role, unit, password=PASSWORD, district_id=district, city_id=city)


# --- round trip and scope -------------------------------------------------------------------------------

def test_an_account_round_trips_through_the_store(db):
    added = add(db, "Dept06", "department", "区人力资源和社会保障局")
    assert (added.username, added.name, added.unit, added.district_id, added.city_id, added.demo) == \
        ("dept06", "区人社局", "区人社局", "shashi", None, False)        # alias → canonical, name follows the unit
    assert stored.get_account(db, "DEPT06") == added
    assert stored.get_account(db, "DEPT06").check_password(PASSWORD)
    assert list(stored.load_accounts(db).accounts) == ["dept06"]
    row = account_rows(db)[0]
    assert PASSWORD not in str(row) and row["password_hash"].startswith("$2b$04$")
    assert row["created_at"] == row["updated_at"]


@pytest.mark.parametrize("username, role, unit, district, city, expected", [
    ("d1", "department", "区统计局", "shashi", None, ("区统计局", "shashi", None)),    # only in shashi-15: any plan of the district
    ("d2", "department", "示例一镇", "shili", None, ("示例一镇", "shili", None)),
    ("d3", "department", "环保分局", "shili", None, ("区生态环境分局", "shili", None)),   # 示例区's own alias
    ("l1", "leader", None, "shili", None, (None, "shili", None)),
    ("c1", "city", None, None, "jingzhou", (None, None, "jingzhou")),
    ("c2", "city", "市发改委", None, "jingzhou", ("市发改委", None, "jingzhou")),         # a city's unit is only a label
])
def test_scope_and_unit_accepted(db, username, role, unit, district, city, expected):
    account = add(db, username, role, unit, district, city, name="某人")
    assert (account.unit, account.district_id, account.city_id) == expected
    assert stored.get_account(db, username) == account


@pytest.mark.parametrize("role, unit, district, city, code", [
    ("department", "区人社局", None, None, "auth.district_required"),
    ("leader", None, None, None, "auth.district_required"),
    ("department", "区人社局", "nowhere", None, "auth.unknown_district"),
    ("department", "区宇宙局", "shashi", None, "auth.unit_not_in_district"),
    ("department", "示例一镇", "shashi", None, "auth.unit_not_in_district"),   # 示例区's town is not 沙市区's
    ("department", "各镇、街道", "shashi", None, "auth.unit_is_group"),
    ("department", None, "shashi", None, "auth.unit_required"),
    ("city", None, None, None, "auth.city_required"),
    ("city", None, None, "yichang", "auth.unknown_city"),
    ("city", None, "shashi", "jingzhou", "auth.city_with_district"),
    ("leader", None, "shashi", "jingzhou", "auth.district_with_city"),
    ("admin", None, "shashi", None, "auth.unknown_role"),
])
def test_refusals_store_nothing(db, role, unit, district, city, code):
    with pytest.raises(AccountError) as exc:
        add(db, "someone", role, unit, district, city, name="某人")
    assert exc.value.code == code and code in MESSAGES
    assert account_rows(db) == []


def test_a_refusal_names_the_district_and_the_closest_units(db):
    with pytest.raises(AccountError) as exc:
        add(db, "someone", "department", "区人社", "shili")
    assert exc.value.params["district"] == "示例区"
    assert "区人社局" in exc.value.params["suggestion"]


def test_duplicate_username_is_refused_and_nothing_changes(db):
    add(db, "dept06", "department", "区人社局")
    before = account_rows(db)
    with pytest.raises(AccountError) as exc:
        add(db, " DEPT06 ", "department", "区人社局", "shili")
    assert (exc.value.code, exc.value.params["value"]) == ("auth.duplicate_username", "dept06")
    assert account_rows(db) == before


def test_the_database_refuses_an_account_without_its_scope(db):
    """The check constraint backs the rule up: no code path can store a district account without a district."""
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.insert(store_schema.ACCOUNTS).values(
            username="x1", name="x", password_hash="$2b$04$x", role="leader", unit=None, district_id=None, city_id=None,
            email="", demo=False, created_at=store_schema.utcnow(), updated_at=store_schema.utcnow()))
    assert account_rows(db) == []


def test_password_change_and_remove(db):
    add(db, "leader2", "leader", name="区领导")
    before = account_rows(db)[0]
    changed = stored.set_password(db, "leader2", "N3w-password")
    assert changed.check_password("N3w-password") and not changed.check_password(PASSWORD)
    after = account_rows(db)[0]
    assert after["updated_at"] >= before["updated_at"] and after["created_at"] == before["created_at"]
    stored.remove_account(db, "LEADER2")
    assert account_rows(db) == []
    for action in (lambda: stored.remove_account(db, "leader2"), lambda: stored.set_password(db, "leader2", PASSWORD)):
        with pytest.raises(AccountError) as exc:
            action()
        assert exc.value.code == "auth.unknown_account"


# --- import and export --------------------------------------------------------------------------------------

def one_of_each_role(store) -> None:
    add(store, "dept06", "department", "区人社局")
    add(store, "shili.dept01", "department", "示例一镇", "shili")
    add(store, "leader2", "leader", None, "shili", name="示例区领导")
    add(store, "planner2", "planning", "区发改局")
    add(store, "city2", "city", None, None, "jingzhou", name="荆州市发改委")


def test_export_then_import_elsewhere_keeps_every_field_and_hash(db, tmp_path, store_url):
    one_of_each_role(db)
    before = stored.load_accounts(db).accounts
    path = tmp_path / "out" / "accounts.yaml"
    assert stored.export_accounts(db, path) == 5
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text(encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == accounts.FILE_VERSION
    with db.engine.begin() as conn:
        conn.execute(sa.delete(store_schema.ACCOUNTS))
    result = stored.import_accounts(db, path)
    assert sorted(result.added) == sorted(before) and result.unchanged == []
    assert stored.load_accounts(db).accounts == before                  # hashes exactly as exported
    assert stored.get_account(db, "city2").check_password(PASSWORD)
    again = stored.import_accounts(db, path)                            # the same file again changes nothing
    assert (again.added, sorted(again.unchanged)) == ([], sorted(before))
    assert stored.load_accounts(db).accounts == before


@pytest.mark.parametrize("entry, reason", [
    ({"role": "department", "unit": "区人社局", "district_id": "nowhere"}, "auth.unknown_district"),
    ({"role": "department", "unit": "示例一镇", "district_id": "shashi"}, "auth.unit_not_in_district"),
    ({"role": "city"}, "auth.city_required"),
    ({"role": "leader", "district_id": "shashi", "city_id": "jingzhou"}, "auth.district_with_city"),
    ({"role": "leader", "district_id": "shili", "name": "另一个人"}, "auth.duplicate_username"),   # differs from the stored one
])
def test_an_import_is_all_or_nothing(db, tmp_path, entry, reason):
    add(db, "taken", "leader", None, "shili", name="示例区领导")
    before = account_rows(db)
    text = {"version": 2, "accounts": {
        "fine": {"name": "好账号", "role": "leader", "district_id": "shashi", "password_hash": "$2b$04$" + "a" * 53},
        "taken": {"name": "某人", "password_hash": "$2b$04$" + "b" * 53, **entry}}}
    path = tmp_path / "in.yaml"
    path.write_text(yaml.safe_dump(text, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AccountError) as exc:
        stored.import_accounts(db, path)
    assert exc.value.code == "auth.import_refused"
    assert (exc.value.params["username"], exc.value.params["reason"]) == ("taken", reason)
    assert account_rows(db) == before                                   # not even the fine entry


def test_a_version_1_file_belongs_to_the_default_plans_district(db, tmp_path):
    path = tmp_path / "v1.yaml"
    path.write_text("version: 1\naccounts:\n  dept06:\n    name: 区人社局\n    role: department\n    unit: 区人社局\n"
                    f"    password_hash: {accounts.hash_password(PASSWORD)}\n", encoding="utf-8")
    assert stored.import_accounts(db, path).added == ["dept06"]
    account = stored.get_account(db, "dept06")
    assert (account.district_id, account.city_id, account.unit) == ("shashi", None, "区人社局")
    assert account.check_password(PASSWORD)


def test_importing_a_missing_file_says_so(db, tmp_path):
    with pytest.raises(AccountError) as exc:
        stored.import_accounts(db, tmp_path / "nope.yaml")
    assert exc.value.code == "auth.import_missing"


def test_first_start_imports_the_configured_file_once(db, tmp_path, monkeypatch):
    """The accounts of the file-based release keep signing in after the upgrade; later edits go to the store."""
    path = tmp_path / "var" / "accounts.yaml"
    accounts.add_account(path, "dept06", "区人社局", "department", "区人社局", password=PASSWORD,
                         units=load_plan_version(db, DATA, "test").plan.units)
    monkeypatch.setenv("PLANMON_ACCOUNTS_FILE", str(path))
    assert stored.import_on_first_start(db).added == ["dept06"]
    assert stored.get_account(db, "dept06").check_password(PASSWORD)
    accounts.add_account(path, "late", "后来者", "leader", password=PASSWORD, units=load_plan_version(db, DATA, "t").plan.units)
    assert stored.import_on_first_start(db) is None                     # the store has accounts: the file is not read
    assert list(stored.load_accounts(db).accounts) == ["dept06"]


def test_two_processes_starting_at_once_import_the_file_once(db, tmp_path, store_url):
    """Each thread has its own engine, as two app processes would: one imports, the other finds it done."""
    import threading
    path = tmp_path / "accounts.yaml"
    accounts.add_account(path, "leader2", "区领导", "leader", password=PASSWORD,
                         units=load_plan_version(db, DATA, "test").plan.units)
    engines = [open_store(store_url, cached=False) for _ in range(2)]
    results: list = []
    barrier = threading.Barrier(2)

    def start(store) -> None:
        barrier.wait()
        results.append(stored.import_on_first_start(store, path))

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.close()
    assert sorted((r.added if r else []) for r in results) == [[], ["leader2"]]
    assert [r["username"] for r in account_rows(db)] == ["leader2"]


def test_first_start_without_a_file_imports_nothing(db, tmp_path):
    assert stored.import_on_first_start(db, tmp_path / "none.yaml") is None
    assert account_rows(db) == []


# --- demo accounts ------------------------------------------------------------------------------------------

def test_demo_accounts_cover_both_districts_and_the_city(db):
    demo = stored.ensure_demo_accounts(db)
    by_name = {d.username: d for d in demo}
    assert [(by_name[u].role, by_name[u].unit, by_name[u].district_id, by_name[u].city_id)
            for u in ("planner", "leader", "dept01", "shili.planner", "shili.leader", "shili.dept01", "city")] == [
        (Role.PLANNING, "区发改局", "shashi", None), (Role.LEADER, None, "shashi", None),
        (Role.DEPARTMENT, "区发改局", "shashi", None), (Role.PLANNING, "区发改局", "shili", None),
        (Role.LEADER, None, "shili", None), (Role.DEPARTMENT, "区发改局", "shili", None), (Role.CITY, None, None, "jingzhou")]
    assert by_name["shili.planner"].name == "示例区·规划办(区发改局)" and by_name["city"].name == "荆州市(演示)"
    seed_units = load_plan_version(db, DATA, "test").plan.units.reporting_units()
    assert [d.unit for d in demo if d.username.startswith("dept")] == seed_units   # the seed plan's numbering
    rows = account_rows(db)
    assert len(rows) == len(demo) and all(r["demo"] for r in rows)
    assert stored.get_account(db, "city").check_password(DEMO_PASSWORD)
    assert stored.ensure_demo_accounts(db) == demo                      # idempotent
    assert account_rows(db) == rows


def test_demo_accounts_leave_a_real_account_with_a_demo_name_alone(db):
    add(db, "city", "leader", None, "shili", name="真实的处长")
    demo = stored.ensure_demo_accounts(db)
    assert "city" not in [d.username for d in demo] and "planner" in [d.username for d in demo]
    assert stored.get_account(db, "city").name == "真实的处长"
    changed = stored.set_password(db, "planner", "N3w-password")        # a demo account given a real password
    assert changed.demo is False


# --- the upgrade from schema version 4 ----------------------------------------------------------------------

def test_a_populated_version_4_database_is_upgraded_with_no_row_lost(store_url, monkeypatch, tmp_path):
    monkeypatch.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:4])
    monkeypatch.setattr(store_schema, "CURRENT_VERSION", 4)
    old = open_store(store_url, cached=False)
    for folder in PLAN_FOLDERS:
        load_plan_version(old, folder, "planner")
    scoped = old.plan(SEED_PLAN)
    first = submit(scoped, UNIT, [("Y01", 2023, 2, 6.5)], data=b"file one")
    scoped.adopt(first.submission_id, "planner")
    submit(old.plan("shili-15"), "区发改局", [("Y01", 2026, 1, 5.0)], data=b"file two")
    scoped.set_annual_target("B01", 2023, 3.0, "planner")
    scoped.set_baseline("Y03", 85.5, "planner")
    sid = sessions.start_session(old, "planner")
    before = dump(old)
    old.close()
    monkeypatch.undo()
    assert "accounts" not in before and all(before[t] for t in ("submissions", "plans", "sign_in_sessions"))

    new = open_store(store_url, cached=False)
    try:
        assert new.schema_version() == store_schema.CURRENT_VERSION == 6
        after = dump(new)
        assert after.pop("accounts") == []
        after["schema_version"], before["schema_version"] = after["schema_version"][:4], before["schema_version"]
        assert after == before                                          # every row of every table, unchanged
        assert [r["version"] for r in dump(new)["schema_version"]] == [1, 2, 3, 4, 5, 6]
        with new.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), store_schema.METADATA) == []
        assert sessions.session_live(new, sid, "planner")               # signed-in browsers stay signed in
        path = tmp_path / "accounts.yaml"
        accounts.add_account(path, "leader2", "区领导", "leader", password=PASSWORD,
                             units=load_plan_version(new, DATA, "t").plan.units)
        assert stored.import_on_first_start(new, path).added == ["leader2"]
        assert stored.get_account(new, "leader2").district_id == "shashi"
    finally:
        new.close()
