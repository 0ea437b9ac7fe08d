"""A broken set-up explains itself: each case gives its setup.* code naming the file, the dashboard shows
one Chinese page with it instead of a traceback, and the command line prints it and exits 2."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.messages import MESSAGES
from lib.plan import load_plan
from lib.setupcheck import check_setup, demo_exposure_warning, is_loopback
from tests.conftest import DATA, ROOT, seed_plan_store

PLAN_FILES = ("plan.toml", "indicators.csv", "tasks.csv", "units.csv")


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """A folder nobody can create files in: as root (who ignores modes) the immutable attribute."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o700)


@pytest.fixture
def setup_dirs(tmp_path: Path, monkeypatch) -> dict[str, Path]:
    plan = tmp_path / "plan"
    plan.mkdir()
    for name in PLAN_FILES:
        shutil.copy(DATA / name, plan / name)
    var = tmp_path / "var"
    env = {"PLANMON_PLAN_DIR": str(plan), "PLANMON_DB_URL": f"sqlite:///{var / 'planmon.sqlite'}",
           "PLANMON_ACCOUNTS_FILE": str(var / "accounts.yaml")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return {"plan": plan, "var": var, "db": var / "planmon.sqlite"}


def gbk_csv(d):
    path = d["plan"] / "indicators.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))


def random_bytes_csv(d):
    (d["plan"] / "tasks.csv").write_bytes(bytes(range(256)) * 20)


def empty_units(d):
    (d["plan"] / "units.csv").write_bytes(b"")


def header_only_units(d):
    path = d["plan"] / "units.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def not_a_database(d):
    d["var"].mkdir()
    d["db"].write_bytes(b"SQLite? no: a spreadsheet saved over the database\n" * 100)


def damaged_pages(d):
    store = seed_plan_store(f"sqlite:///{d['db']}", cached=False)
    store.seed_if_empty(load_plan(DATA), DATA / "progress.xlsx")
    store.close()
    assert d["db"].stat().st_size > 8 * 4096
    with d["db"].open("r+b") as fh:   # keep the header page; overwrite table and index pages
        fh.seek(3 * 4096)
        fh.write(b"\xa5" * (4 * 4096))


CASES: list[tuple[str, Callable, str, Callable[[dict], Path]]] = [
    ("gbk", gbk_csv, "setup.plan_gbk", lambda d: d["plan"] / "indicators.csv"),
    ("random_bytes", random_bytes_csv, "setup.plan_not_text", lambda d: d["plan"] / "tasks.csv"),
    ("empty_units", empty_units, "setup.plan_empty", lambda d: d["plan"] / "units.csv"),
    ("header_only_units", header_only_units, "setup.units_empty", lambda d: d["plan"] / "units.csv"),
    ("not_a_database", not_a_database, "setup.db_not_database", lambda d: d["db"]),
    ("damaged_pages", damaged_pages, "setup.db_damaged", lambda d: d["db"]),
]


@pytest.mark.parametrize("name,breaks,code,where", CASES, ids=[c[0] for c in CASES])
def test_each_broken_setup_has_its_code_and_file(setup_dirs, name, breaks, code, where):
    breaks(setup_dirs)
    assert [(p.code, p.file) for p in check_setup()] == [(code, str(where(setup_dirs)))]


def test_read_only_var_folder(setup_dirs):
    setup_dirs["var"].mkdir()
    with read_only(setup_dirs["var"]):
        assert [(p.code, p.file) for p in check_setup()] == [("setup.folder_read_only", str(setup_dirs["var"]))]


def test_a_good_setup_has_no_problems(setup_dirs):
    assert check_setup() == []


def test_nothing_stored_is_changed_by_the_check(setup_dirs):
    not_a_database(setup_dirs)
    before = setup_dirs["db"].read_bytes()
    check_setup()
    assert setup_dirs["db"].read_bytes() == before


# --- the dashboard: one page with the message, no navigation, no exception ---------------------------

def _page(setup_dirs) -> AppTest:
    import ui
    ui.root_store.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    return at


def _assert_setup_page(at: AppTest, code: str, file: Path) -> None:
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["看板暂时无法使用"]
    assert [c.value for c in at.caption if c.value.startswith("代码 ")] == [f"代码 {code}"]
    (error,) = at.error
    assert str(file).replace("_", "\\_").replace(".", "\\.").replace("-", "\\-") in error.value
    assert not at.selectbox   # no view sidebar, no page ran


@pytest.mark.parametrize("name,breaks,code,where", CASES, ids=[c[0] for c in CASES])
def test_dashboard_shows_the_setup_page(setup_dirs, name, breaks, code, where):
    breaks(setup_dirs)
    _assert_setup_page(_page(setup_dirs), code, where(setup_dirs))


def test_dashboard_shows_the_setup_page_for_a_read_only_var(setup_dirs):
    setup_dirs["var"].mkdir()
    with read_only(setup_dirs["var"]):
        _assert_setup_page(_page(setup_dirs), "setup.folder_read_only", setup_dirs["var"])


def test_dashboard_recovers_once_fixed(setup_dirs):
    random_bytes_csv(setup_dirs)
    at = _page(setup_dirs)
    assert [t.value for t in at.title] == ["看板暂时无法使用"]
    shutil.copy(DATA / "tasks.csv", setup_dirs["plan"] / "tasks.csv")
    at.run()
    assert not at.exception, at.exception
    assert "看板暂时无法使用" not in [t.value for t in at.title]
    assert at.radio(key="v_as_of")


# --- the command line: the same message on stderr, exit 2 -----------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=os.environ.copy())


@pytest.mark.parametrize("name,breaks,code,where", CASES, ids=[c[0] for c in CASES])
def test_cli_prints_the_message_and_exits_2(setup_dirs, name, breaks, code, where):
    breaks(setup_dirs)
    done = _cli("assess")
    assert (done.returncode, done.stdout) == (2, "")
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("[setup.")]
    assert line.startswith(f"[{code}] ") and str(where(setup_dirs)) in line


def test_cli_read_only_var(setup_dirs):
    setup_dirs["var"].mkdir()
    with read_only(setup_dirs["var"]):
        done = _cli("assess")
    assert done.returncode == 2
    assert f"[setup.folder_read_only] 文件夹 {setup_dirs['var']} 不可写" in done.stderr


def test_validate_needs_only_the_plan(setup_dirs):
    """A damaged database does not stop `validate`, which never opens it; a broken plan does."""
    not_a_database(setup_dirs)
    done = _cli("validate", str(DATA / "progress.xlsx"))
    assert done.returncode == 0, done.stderr
    random_bytes_csv(setup_dirs)
    assert _cli("validate", str(DATA / "progress.xlsx")).returncode == 2


# --- sign-in reads the accounts file without the lock ------------------------------------------------

def test_demo_accounts_are_read_in_a_read_only_folder(setup_dirs, plan):
    from lib.accounts import cookie_key, ensure_demo_accounts
    accounts = setup_dirs["var"] / "accounts.yaml"
    created = ensure_demo_accounts(accounts, plan, demo_mode=True)
    key = cookie_key(accounts, demo_mode=True)
    (setup_dirs["var"] / "accounts.yaml.lock").unlink()   # as after a restore from backup: no lock file
    with read_only(setup_dirs["var"]):
        assert ensure_demo_accounts(accounts, plan, demo_mode=True) == created
        assert cookie_key(accounts, demo_mode=True) == key
        assert not (setup_dirs["var"] / "accounts.yaml.lock").exists()


# --- listen address ----------------------------------------------------------------------------------

@pytest.mark.parametrize("address,loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("", False), (None, False), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("dashboard.lan", False),
])
def test_is_loopback(address, loopback):
    assert is_loopback(address) is loopback


@pytest.mark.parametrize("address,demo,expected", [
    ("127.0.0.1", True, None),
    ("0.0.0.0", True, MESSAGES["setup.demo_exposed"].format(address="0.0.0.0")),
    ("", True, MESSAGES["setup.demo_exposed"].format(address="所有地址(0.0.0.0)")),
    ("10.0.0.5", True, MESSAGES["setup.demo_exposed"].format(address="10.0.0.5")),
    ("0.0.0.0", False, None),
])
def test_demo_exposure_warning(address, demo, expected):
    assert demo_exposure_warning(address, demo) == expected


def test_make_run_listens_where_the_setting_says():
    from lib.settings import SETTINGS
    (default,) = [s.default for s in SETTINGS if s.name == "server_address"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert default == "127.0.0.1" and f"PLANMON_SERVER_ADDRESS ?= {default}" in makefile
    assert "--server.address $(PLANMON_SERVER_ADDRESS)" in makefile


def test_user_add_in_a_read_only_folder_says_which_folder(setup_dirs, monkeypatch, capsys):
    import io

    from lib.cli import main
    setup_dirs["var"].mkdir()
    monkeypatch.setattr(sys, "stdin", io.StringIO("long-enough-pw\n"))
    with read_only(setup_dirs["var"]):
        code = main(["user", "add", "renshe", "--role", "department", "--unit", "区人社局"])
    assert code == 2
    # Accounts live in the store: the set-up check of the database folder stops the command first.
    assert capsys.readouterr().err.startswith(f"设置有误,无法运行:\n[setup.folder_read_only] 文件夹 {setup_dirs['var']} 不可写")
    assert list(setup_dirs["var"].iterdir()) == []


SHARED_PG = "postgresql+psycopg://planmon:s3cret@db.internal:5432/planmon"


@pytest.mark.parametrize("db_url,cookie_key,demo,warned", [
    (SHARED_PG, "", True, True),                 # a shared server, a key of this machine's own: warned
    (SHARED_PG, "the-same-everywhere", True, False),
    (SHARED_PG, "", False, False),               # outside demo mode a missing key is an error already
    ("sqlite:////srv/planmon.sqlite", "", True, False),
    ("", "", True, False),                       # the default: SQLite under var/, one machine
])
def test_shared_key_warning(db_url, cookie_key, demo, warned):
    from lib.setupcheck import shared_key_warning
    expected = (MESSAGES["deploy.cookie_key_local"].format(database="postgresql+psycopg://planmon:***@db.internal:5432/planmon",
                                                           file="/srv/var/cookie.key") if warned else None)
    assert shared_key_warning(db_url, cookie_key, demo, "/srv/var/accounts.yaml") == expected
