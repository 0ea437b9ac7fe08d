"""The database folder is 0700 and the database, its -wal and -shm files and the accounts file are 0600."""
from __future__ import annotations

import stat
from pathlib import Path

from lib.accounts import add_account, cookie_key
from lib.store import open_store
from tests.conftest import seed_plan_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_folder_and_files_are_private(tmp_path, plan):
    db = tmp_path / "var" / "planmon.sqlite"
    store = seed_plan_store(f"sqlite:///{db}", cached=False)
    try:
        store.seed_if_empty(plan, None)
        store.set_baseline("Y01", 1.0, "planner")   # a write: the -wal file has content
        files = {p.name: mode(p) for p in db.parent.iterdir()}
    finally:
        store.close()
    assert mode(db.parent) == 0o700
    assert files == {"planmon.sqlite": 0o600, "planmon.sqlite-wal": 0o600, "planmon.sqlite-shm": 0o600}


def test_existing_world_readable_files_are_tightened(tmp_path, plan):
    db = tmp_path / "planmon.sqlite"
    open_store(f"sqlite:///{db}", cached=False).close()
    for p in tmp_path.iterdir():
        p.chmod(0o644)
    (tmp_path / "planmon.sqlite-wal").touch(mode=0o644)
    store = open_store(f"sqlite:///{db}", cached=False)
    try:
        assert {p.name: mode(p) for p in tmp_path.iterdir() if p.name.startswith("planmon")} == {
            "planmon.sqlite": 0o600, "planmon.sqlite-wal": 0o600, "planmon.sqlite-shm": 0o600}
    finally:
        store.close()


def test_accounts_folder_and_files_are_private(tmp_path, plan, monkeypatch):
    monkeypatch.delenv("PLANMON_COOKIE_KEY", raising=False)
    accounts = tmp_path / "var" / "accounts.yaml"
    add_account(accounts, "renshe", "区人社局", "department", "区人社局", password="long-enough-pw", units=plan.units)
    cookie_key(accounts, demo_mode=True)
    assert mode(accounts.parent) == 0o700
    assert {p.name: mode(p) for p in accounts.parent.iterdir()} == {
        "accounts.yaml": 0o600, "accounts.yaml.lock": 0o600, "cookie.key": 0o600}
