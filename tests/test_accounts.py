"""Accounts (lib/accounts.py): the file, validation, hashing, the authenticator config, permissions, demo accounts."""
from __future__ import annotations

import stat
import threading

import bcrypt
import pytest

from lib import accounts
from lib.accounts import (DEMO_PASSWORD, Account, AccountError, Role, add_account, authenticator_config, can_review,
                          can_upload, cookie_key, ensure_demo_accounts, load_accounts, remove_account)
from lib.messages import MESSAGES

PASSWORD = "S3cret-pass"


REAL_GENSALT = bcrypt.gensalt


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    """Cost 4 instead of 12 keeps the suite fast; `test_default_cost_is_the_librarys` checks the real one."""
    monkeypatch.setattr(accounts.bcrypt, "gensalt", lambda: REAL_GENSALT(rounds=4))


@pytest.fixture(autouse=True)
def no_secret_env(monkeypatch):
    for name in ("PLANMON_COOKIE_KEY", "PLANMON_ACCOUNTS_FILE", "PLANMON_DEMO_MODE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "var" / "accounts.yaml"


def mode(p) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_add_then_load(path, plan):
    added = add_account(path, "Dept06", "区人社局", "department", "区人力资源和社会保障局", password=PASSWORD, units=plan.units)
    assert (added.username, added.unit, added.role) == ("dept06", "区人社局", Role.DEPARTMENT)  # alias → canonical
    loaded = load_accounts(path)
    assert loaded.get("DEPT06") == added
    assert (loaded.role_of("dept06"), loaded.unit_of("dept06")) == (Role.DEPARTMENT, "区人社局")
    assert (loaded.role_of("nobody"), loaded.unit_of(None)) == (None, None)
    assert "dept06" in loaded and len(loaded) == 1


def test_the_file_holds_a_bcrypt_hash_only_and_is_private(path, plan):
    add_account(path, "planner2", "规划办", Role.PLANNING, password=PASSWORD, units=plan.units)
    raw = path.read_bytes()
    assert PASSWORD.encode() not in raw
    stored = load_accounts(path).get("planner2").password_hash
    assert stored.encode() in raw
    assert bcrypt.checkpw(PASSWORD.encode(), stored.encode())
    assert not bcrypt.checkpw(b"wrong-password", stored.encode())
    assert load_accounts(path).get("planner2").check_password(PASSWORD)
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []  # no temp file left behind


def test_default_cost_is_the_librarys(path, plan, monkeypatch):
    """Same hashing as streamlit_authenticator.Hasher.hash (bcrypt.gensalt() default, 12 rounds), so its login verifies it."""
    from streamlit_authenticator.utilities.hasher import Hasher
    monkeypatch.setattr(accounts.bcrypt, "gensalt", REAL_GENSALT)
    add_account(path, "leader2", "区领导", "leader", password=PASSWORD, units=plan.units)
    stored = load_accounts(path).get("leader2").password_hash
    assert stored.startswith("$2b$12$")
    assert Hasher.is_hash(stored) and Hasher.check_pw(PASSWORD, stored)


@pytest.mark.parametrize("username, role, unit, password, code", [
    ("dept01", "admin", None, PASSWORD, "auth.unknown_role"),
    ("dept01", "department", None, PASSWORD, "auth.unit_required"),
    ("dept01", "department", "区宇宙局", PASSWORD, "auth.unknown_unit"),
    ("dept01", "department", "各镇、街道", PASSWORD, "auth.unit_is_group"),
    ("dept01", "leader", "区宇宙局", PASSWORD, "auth.unknown_unit"),
    ("dept01", "department", "区人社局", "short", "auth.password_too_short"),
    ("dept01", "department", "区人社局", "密" * 25, "auth.password_too_long"),   # 75 bytes > bcrypt's 72
    ("x", "leader", None, PASSWORD, "auth.bad_username"),
    ("张三", "leader", None, PASSWORD, "auth.bad_username"),
    ("-dash", "leader", None, PASSWORD, "auth.bad_username"),
])
def test_add_refuses(path, plan, username, role, unit, password, code):
    with pytest.raises(AccountError) as exc:
        add_account(path, username, "某人", role, unit, password=password, units=plan.units)
    assert exc.value.code == code
    assert exc.value.code in MESSAGES
    assert not path.exists()


def test_add_refuses_an_empty_display_name(path, plan):
    with pytest.raises(AccountError) as exc:
        add_account(path, "leader2", "  ", "leader", password=PASSWORD, units=plan.units)
    assert exc.value.code == "auth.name_required"


def test_duplicate_username_is_refused_and_the_file_is_unchanged(path, plan):
    add_account(path, "dept06", "区人社局", "department", "区人社局", password=PASSWORD, units=plan.units)
    before = path.read_bytes()
    with pytest.raises(AccountError) as exc:
        add_account(path, " DEPT06 ", "别的单位", "department", "区财政局", password=PASSWORD, units=plan.units)
    assert (exc.value.code, exc.value.params["value"]) == ("auth.duplicate_username", "dept06")
    assert path.read_bytes() == before


def test_remove(path, plan):
    add_account(path, "a1", "甲", "leader", password=PASSWORD, units=plan.units)
    add_account(path, "b1", "乙", "leader", password=PASSWORD, units=plan.units)
    remove_account(path, "A1")
    assert list(load_accounts(path).accounts) == ["b1"]
    assert mode(path) == 0o600
    with pytest.raises(AccountError) as exc:
        remove_account(path, "a1")
    assert exc.value.code == "auth.unknown_account"


def test_concurrent_adds_all_land(path, plan):
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            add_account(path, f"user{n:02d}", f"用户{n}", "leader", password=PASSWORD, units=plan.units)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(load_accounts(path).accounts) == [f"user{n:02d}" for n in range(8)]


def test_missing_file_is_no_accounts(path):
    assert len(load_accounts(path)) == 0


@pytest.mark.parametrize("text", [
    "accounts: [1, 2]\n",
    "accounts:\n  u1: {name: 甲, role: admin, password_hash: $2b$04$abc}\n",
    "accounts:\n  u1: {name: 甲, role: department, password_hash: $2b$04$abc}\n",
    "accounts:\n  u1: {name: 甲, role: leader, password_hash: plain-text}\n",
    "accounts: {u1: [unclosed\n",
])
def test_malformed_file(path, text):
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AccountError) as exc:
        load_accounts(path)
    assert exc.value.code == "auth.file_invalid"


def test_authenticator_config(path, plan):
    add_account(path, "dept06", "区人社局", "department", "区人社局", password=PASSWORD, units=plan.units, email="rs@example.cn")
    add_account(path, "boss", "区领导", "leader", password=PASSWORD, units=plan.units)
    loaded = load_accounts(path)
    config = authenticator_config(loaded, "k" * 32)
    assert set(config) == {"credentials", "cookie_name", "cookie_key", "cookie_expiry_days", "auto_hash"}
    assert config["auto_hash"] is False and config["cookie_key"] == "k" * 32
    assert config["credentials"]["usernames"]["dept06"] == {
        "name": "区人社局", "password": loaded.get("dept06").password_hash, "email": "rs@example.cn",
        "roles": ["department"], "unit": "区人社局"}
    assert config["credentials"]["usernames"]["boss"]["roles"] == ["leader"]
    config["credentials"]["usernames"]["boss"]["logged_in"] = True        # what the library does to it
    assert "logged_in" not in authenticator_config(loaded, "k" * 32)["credentials"]["usernames"]["boss"]
    with pytest.raises(AccountError):
        authenticator_config(loaded, "")


def test_authenticate_signature_accepts_the_config():
    """The keys are exactly parameters of streamlit_authenticator.Authenticate (0.4.2)."""
    import inspect

    from streamlit_authenticator import Authenticate
    params = inspect.signature(Authenticate.__init__).parameters
    config = authenticator_config(accounts.Accounts({}), "key")
    assert set(config) <= set(params)


# --- permissions ------------------------------------------------------------------------------------------

def account(role: Role, unit: str | None = None, district_id: str | None = "shashi", city_id: str | None = None) -> Account:
    return Account("u", "某人", role, unit, "$2b$04$x", district_id=district_id, city_id=city_id)


@pytest.mark.parametrize("who, item_id, expected", [
    (account(Role.DEPARTMENT, "区人社局"), "K06", True),       # lead unit
    (account(Role.DEPARTMENT, "区人社局"), "y08", True),       # responsible; id case forgiven
    (account(Role.DEPARTMENT, "区人社局"), "T10-01", True),    # through the group 区政府各部门
    (account(Role.DEPARTMENT, "区人社局"), "B03", False),      # 区生态环境分局's indicator
    (account(Role.DEPARTMENT, "区生态环境分局"), "B03", True),
    (account(Role.DEPARTMENT, "胜利街道"), "T01-02", True),     # via 各街道
    (account(Role.DEPARTMENT, "锣场镇"), "T01-02", False),      # 各街道 does not include towns
    (account(Role.LEADER), "K06", False),
    (account(Role.PLANNING, "区发改局"), "B03", True),
    (account(Role.DEPARTMENT, "区人社局", "shili"), "K06", False),      # another district's 区人社局
    (account(Role.PLANNING, "区发改局", "shili"), "B03", False),        # another district's office
    (account(Role.DEPARTMENT, "区人社局", None), "K06", False),         # no district: reaches nothing
    (account(Role.CITY, None, None, "jingzhou"), "K06", False),
    (None, "K06", False),
])
def test_can_upload(plan, who, item_id, expected):
    assert can_upload(who, item_id, plan) is expected


def test_can_upload_at_all_and_can_review():
    assert [can_upload(a) for a in (account(Role.DEPARTMENT, "区人社局"), account(Role.LEADER), account(Role.PLANNING), None)] \
        == [True, False, True, False]
    assert [can_review(a) for a in (account(Role.DEPARTMENT, "区人社局"), account(Role.LEADER), account(Role.PLANNING), None)] \
        == [False, False, True, False]


def test_role_labels_cover_every_role():
    assert {r.label for r in Role} == {"填报单位", "领导(只读)", "规划办(区发改局)", "市级(只读)"}


# --- demo accounts and the cookie key ------------------------------------------------------------------------

def test_no_demo_accounts_outside_demo_mode(path, plan, monkeypatch):
    assert ensure_demo_accounts(path, plan, demo_mode=False) == []
    monkeypatch.setenv("PLANMON_DEMO_MODE", "false")
    assert ensure_demo_accounts(path, plan) == []
    assert not path.exists()


def test_demo_accounts(path, plan, monkeypatch):
    monkeypatch.setenv("PLANMON_DEMO_MODE", "true")
    demo = ensure_demo_accounts(path, plan)
    reporting = plan.units.reporting_units()
    assert [d.username for d in demo] == ["planner", "leader", *[f"dept{n:02d}" for n in range(1, len(reporting) + 1)]]
    assert (demo[0].role, demo[0].unit, demo[1].role) == (Role.PLANNING, "区发改局", Role.LEADER)
    assert [(d.name, d.unit, d.role) for d in demo[2:]] == [(u, u, Role.DEPARTMENT) for u in reporting]
    assert {d.password for d in demo} == {DEMO_PASSWORD}
    loaded = load_accounts(path)
    assert len(loaded) == len(demo)
    for name in ("planner", "leader", "dept06"):
        assert bcrypt.checkpw(DEMO_PASSWORD.encode(), loaded.get(name).password_hash.encode())
    assert DEMO_PASSWORD.encode() not in path.read_bytes()
    assert mode(path) == 0o600
    before = path.read_bytes()
    assert ensure_demo_accounts(path, plan) == demo       # idempotent: nothing re-created
    assert path.read_bytes() == before


def test_demo_accounts_keep_a_real_account_with_a_demo_name(path, plan):
    add_account(path, "leader", "真实的处长", "department", "区财政局", password=PASSWORD, units=plan.units)
    demo = ensure_demo_accounts(path, plan, demo_mode=True)
    assert "leader" not in [d.username for d in demo]
    assert load_accounts(path).get("leader").name == "真实的处长"
    assert "planner" in load_accounts(path)


def test_cookie_key_from_the_environment(path, monkeypatch):
    monkeypatch.setenv("PLANMON_COOKIE_KEY", "from-env-" + "x" * 24)
    assert cookie_key(path, demo_mode=False) == "from-env-" + "x" * 24
    assert not (path.parent / accounts.COOKIE_KEY_FILE).exists()


def test_cookie_key_generated_once_in_demo_mode(path):
    key = cookie_key(path, demo_mode=True)
    stored = path.parent / accounts.COOKIE_KEY_FILE
    assert len(key) >= 32 and mode(stored) == 0o600
    assert cookie_key(path, demo_mode=True) == key
    assert [p.name for p in path.parent.iterdir()] == [accounts.COOKIE_KEY_FILE]   # no temp file left


def test_cookie_key_required_outside_demo_mode(path):
    with pytest.raises(AccountError) as exc:
        cookie_key(path, demo_mode=False)
    assert exc.value.code == "auth.cookie_key_missing"


def test_accounts_file_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANMON_ACCOUNTS_FILE", str(tmp_path / "elsewhere.yaml"))
    assert accounts.default_accounts_path() == tmp_path / "elsewhere.yaml"
    monkeypatch.delenv("PLANMON_ACCOUNTS_FILE")
    assert accounts.default_accounts_path().parts[-2:] == ("var", "accounts.yaml")


# --- scope: districts and cities (pure functions, a table) ------------------------------------------------

A_DEPT = account(Role.DEPARTMENT, "区人社局", "shashi")
A_LEADER = account(Role.LEADER, None, "shashi")
A_PLANNING = account(Role.PLANNING, "区发改局", "shashi")
B_PLANNING = account(Role.PLANNING, "区发改局", "shili")
CITY = account(Role.CITY, None, None, "jingzhou")
OTHER_CITY = account(Role.CITY, None, None, "yichang")
NO_SCOPE = account(Role.LEADER, None, None)
# district → its city: two districts of 荆州市, one of another city, one in no city
DISTRICTS = {"shashi": "jingzhou", "shili": "jingzhou", "xiling": "yichang", "alone": None}


@pytest.mark.parametrize("who, readable", [
    (A_DEPT, ["shashi"]),
    (A_LEADER, ["shashi"]),
    (A_PLANNING, ["shashi"]),
    (B_PLANNING, ["shili"]),
    (CITY, ["shashi", "shili"]),             # every district of its city, no other city's, none outside a city
    (OTHER_CITY, ["xiling"]),
    (NO_SCOPE, []),
    (account(Role.CITY, None, None, None), []),
])
def test_may_read_district(who, readable):
    assert [d for d, city in DISTRICTS.items() if accounts.may_read_district(who, d, city)] == readable


@pytest.mark.parametrize("public, readable", [(True, list(DISTRICTS)), (False, [])])
def test_anonymous_visitors_read_what_public_browsing_allows(monkeypatch, public, readable):
    monkeypatch.setenv("PLANMON_PUBLIC_BROWSING", str(public).lower())
    assert [d for d, city in DISTRICTS.items() if accounts.may_read_district(None, d, city)] == readable


@pytest.mark.parametrize("who, upload, write", [
    (A_DEPT, ["shashi"], []),
    (A_LEADER, [], []),
    (A_PLANNING, ["shashi"], ["shashi"]),
    (B_PLANNING, ["shili"], ["shili"]),
    (CITY, [], []),
    (NO_SCOPE, [], []),
    (None, [], []),
])
def test_upload_and_write_stay_in_the_own_district(who, upload, write):
    assert [d for d in DISTRICTS if accounts.may_upload_to(who, d)] == upload
    assert [d for d in DISTRICTS if accounts.may_write_plan(who, d)] == write
    assert [d for d in DISTRICTS if can_review(who, d)] == write


@pytest.mark.parametrize("who, district, unit, expected", [
    (A_DEPT, "shashi", "区人社局", True),
    (A_DEPT, "shashi", "区财政局", False),       # another unit of its district
    (A_DEPT, "shili", "区人社局", False),        # the same unit name in district B is another unit
    (A_PLANNING, "shashi", "区财政局", True),
    (A_PLANNING, "shili", "区人社局", False),
    (A_LEADER, "shashi", "区人社局", False),
    (CITY, "shashi", "区人社局", False),
    (None, "shashi", "区人社局", False),
])
def test_may_see_submissions(who, district, unit, expected):
    assert accounts.may_see_submissions(who, district, unit) is expected


def test_visible_plan_ids():
    import pandas as pd
    plans = pd.DataFrame({"plan_id": ["shashi-14", "shashi-15", "shili-15", "xiling-15", "alone-15"],
                          "district_id": ["shashi", "shashi", "shili", "xiling", "alone"],
                          "city_id": ["jingzhou", "jingzhou", "jingzhou", "yichang", ""]})
    assert [accounts.visible_plan_ids(who, plans) for who in (A_DEPT, B_PLANNING, CITY, OTHER_CITY, NO_SCOPE)] == [
        ["shashi-14", "shashi-15"], ["shili-15"], ["shashi-14", "shashi-15", "shili-15"], ["xiling-15"], []]


def test_scope_label():
    assert accounts.scope_label(A_DEPT, "沙市区") == "沙市区"
    assert accounts.scope_label(CITY, city="荆州市") == "荆州市(全市各区县)"
    assert accounts.scope_label(B_PLANNING) == "shili"
