"""Is the set-up usable? One check before any page, and before the command line's commands.

`check_setup` looks at what a broken installation usually gets wrong and returns `SetupProblem`s (codes
`setup.*` from the message catalogue: what is wrong, which file, what to do), never raises:

- the plan files are UTF-8 text (a CSV saved by Excel as GBK, or overwritten with other bytes, is named),
  not empty, `units.csv` lists units, and the plan passes `lib.plan.check_plan_dir`;
- the folders the dashboard writes to (the SQLite database's, and the accounts file's when demo mode still
  has to create the accounts or the cookie key) accept new files;
- the database opens and is a real, undamaged database (SQLite: `PRAGMA quick_check`).

The dashboard shows these messages on one page instead of the navigation; the command line prints them
and exits 2. `demo_exposure_warning` is the listen-address warning of demo mode; `shared_key_warning` the one
for processes that share a database server but not the cookie key.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lib import settings
from lib.messages import render
from lib.schema import PLAN_CONFIG_FILE

PLAN_FILES = (PLAN_CONFIG_FILE, "indicators.csv", "tasks.csv", "units.csv")
UNITS_FILE = "units.csv"
NO_ADDRESS = ("", "0.0.0.0", "::")     # Streamlit listens on every address


@dataclass(frozen=True)
class SetupProblem:
    code: str
    file: str        # the file or folder concerned (as the administrator would type it)
    message: str     # Chinese: what is wrong and what to do

    @property
    def text(self) -> str:
        return f"[{self.code}] {self.message}"


def problem(code: str, file: Path | str, **params: object) -> SetupProblem:
    return SetupProblem(code, str(file), render(code, file=str(file), **params))


# --- plan files --------------------------------------------------------------------------------------

def _text_problem(path: Path) -> SetupProblem | None:
    """An unreadable, empty, non-UTF-8 or non-text plan file; None when it is UTF-8 text (or missing:
    `check_plan_dir` names missing files)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return problem("setup.file_unreadable", path, detail=exc.strerror or type(exc).__name__)
    if not raw.strip():
        return problem("setup.plan_empty", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return problem("setup.plan_gbk" if _is_gbk(raw) else "setup.plan_not_text", path)
    if "\x00" in text:
        return problem("setup.plan_not_text", path)
    if path.name == UNITS_FILE and len([line for line in text.splitlines()[1:] if line.strip(" ,\t")]) == 0:
        return problem("setup.units_empty", path)
    return None


def _is_gbk(raw: bytes) -> bool:
    """Decodes as GB18030 and has Chinese characters: what Excel's 'CSV' writes on a Chinese Windows."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def check_plan_files(plan_dir: Path | str) -> list[SetupProblem]:
    from lib.plan import check_plan_dir

    plan_dir = Path(plan_dir)
    if not plan_dir.is_dir():
        return [problem("setup.plan_dir_missing", plan_dir)]
    found = [p for name in PLAN_FILES if (p := _text_problem(plan_dir / name))]
    if found:
        return found
    try:
        _, findings = check_plan_dir(plan_dir)
    except (pd.errors.ParserError, ValueError) as exc:   # e.g. an unbalanced quote
        return [problem("setup.plan_not_csv", plan_dir, detail=str(exc).splitlines()[0][:200])]
    return [problem("setup.plan_invalid", plan_dir / f.sheet if f.sheet else plan_dir, where=f.location or f.sheet,
                    detail=f.message) for f in findings if f.is_error]


# --- folders -----------------------------------------------------------------------------------------

def _writable(folder: Path) -> bool:
    """Can a file be created here (or, for a folder still to be created, in its nearest existing parent)?
    A real attempt: os.access says yes to root even on a read-only or immutable folder."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=".planmon-check.", dir=folder)
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    return True


def _sqlite_file(url: str) -> Path | None:
    import sqlalchemy as sa
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _accounts_folder_needed(accounts_file: Path, demo_mode: bool) -> bool:
    """Demo mode writes the accounts file and the cookie key on first start; otherwise only `lib user` writes."""
    from lib.accounts import COOKIE_KEY_FILE
    if not demo_mode:
        return False
    return not accounts_file.exists() or (not settings.get("cookie_key") and not (accounts_file.parent / COOKIE_KEY_FILE).exists())


def check_folders(db_url: str, accounts_file: Path, demo_mode: bool) -> list[SetupProblem]:
    folders: list[Path] = []
    if (database := _sqlite_file(db_url)) is not None:
        folders.append(database.parent)
    if _accounts_folder_needed(accounts_file, demo_mode) and accounts_file.parent not in folders:
        folders.append(accounts_file.parent)
    return [problem("setup.folder_read_only", folder) for folder in folders if not _writable(folder)]


# --- database ----------------------------------------------------------------------------------------

def _sqlite_problem(database: Path) -> SetupProblem | None:
    """Not a database, or damaged pages: what SQLite itself says, checked read-only."""
    if not database.exists() or database.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        return problem("setup.db_unavailable", database, detail=str(exc))
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as exc:
        code = "setup.db_not_database" if "not a database" in str(exc) else "setup.db_damaged"
        return problem(code, database, detail=str(exc))
    finally:
        conn.close()
    if rows != ["ok"]:
        return problem("setup.db_damaged", database, detail=";".join(map(str, rows))[:300])
    return None


def check_database(db_url: str) -> list[SetupProblem]:
    import sqlalchemy as sa

    from lib.store import StoreError, open_store

    database = _sqlite_file(db_url)
    if database is not None and (found := _sqlite_problem(database)):
        return [found]
    where = database or sa.make_url(db_url).render_as_string(hide_password=True)
    try:
        open_store(db_url)
    except StoreError as exc:
        return [problem("setup.db_unavailable", where, detail=exc.message)]
    except (sa.exc.SQLAlchemyError, sqlite3.Error, OSError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return [problem("setup.db_unavailable", where, detail=detail[0] if detail else type(exc).__name__)]
    return []


# --- everything --------------------------------------------------------------------------------------

def check_setup(*, plan_dir: Path | str | None = None, db_url: str | None = None, store: bool = True,
                accounts_file: Path | str | None = None, demo_mode: bool | None = None) -> list[SetupProblem]:
    """Every set-up problem found ([] when the dashboard can run). `store=False` skips the folders and the
    database (commands that do not use them)."""
    from lib.store import default_url

    found = check_plan_files(plan_dir or settings.get("plan_dir"))
    if not store:
        return found
    url = db_url or default_url()
    accounts_path = Path(accounts_file or settings.get("accounts_file"))
    folders = check_folders(url, accounts_path, settings.get("demo_mode") if demo_mode is None else demo_mode)
    found += folders
    database = _sqlite_file(url)
    if not any(database is not None and p.file == str(database.parent) for p in folders):
        found += check_database(url)   # a read-only folder makes SQLite fail too: that message says enough
    return found


# --- listen address ------------------------------------------------------------------------------------

def is_loopback(address: str | None) -> bool:
    """127.0.0.1, ::1, localhost: reachable from this machine only. Empty / 0.0.0.0 / :: = every address."""
    text = (address or "").strip().strip("[]")
    if text in NO_ADDRESS:
        return False
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:   # a host name: it may resolve to a network address
        return False


def demo_exposure_warning(address: str | None, demo_mode: bool) -> str | None:
    """The warning to print when demo accounts (published password) are reachable from the network."""
    if not demo_mode or is_loopback(address):
        return None
    return render("setup.demo_exposed", address=(address or "").strip() or "所有地址(0.0.0.0)")


def shared_key_warning(db_url: str, cookie_key: str, demo_mode: bool, accounts_file: Path | str) -> str | None:
    """The warning when app processes share a database server but sign their cookies with a key of their own
    (demo mode without PLANMON_COOKIE_KEY keeps one per machine): a sign-in would not carry across them."""
    if cookie_key or not demo_mode or not db_url or db_url.startswith("sqlite"):
        return None
    from lib.accounts import COOKIE_KEY_FILE
    import sqlalchemy as sa
    database = sa.make_url(db_url).render_as_string(hide_password=True)
    return render("deploy.cookie_key_local", database=database, file=str(Path(accounts_file).parent / COOKIE_KEY_FILE))


def main(argv: list[str] | None = None) -> int:
    """`python -m lib.setupcheck [--address A]` (make run): print the set-up problems and the demo-mode
    exposure warning to stderr; exit 2 when the set-up is broken (the dashboard then shows the same)."""
    import argparse
    import sys
    parser = argparse.ArgumentParser(prog="python -m lib.setupcheck", description="检查看板的设置")
    parser.add_argument("--address", default=settings.get("server_address"), help="看板监听的地址")
    args = parser.parse_args(argv)
    if warning := demo_exposure_warning(args.address, bool(settings.get("demo_mode"))):
        print(warning, file=sys.stderr)
    if warning := shared_key_warning(str(settings.get("db_url") or ""), str(settings.get("cookie_key") or ""),
                                     bool(settings.get("demo_mode")), settings.get("accounts_file")):
        print(warning, file=sys.stderr)
    problems = check_setup()
    for p in problems:
        print(p.text, file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
