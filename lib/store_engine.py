"""The store's database engine: which URL, and how a SQLite file is opened (lib.store uses it).

SQLite runs in WAL mode with a busy timeout and begins every write with BEGIN IMMEDIATE, so concurrent
writers queue instead of failing with "database is locked"; reads use a deferred transaction. Switching a new
file to WAL waits its turn the same way (`_enter_wal`; SQLite itself would refuse it at once). The file and
its folder are private (0600 / 0700). PostgreSQL needs nothing special (pre-ping only).
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lib import settings
from lib.private import private_dir, private_sqlite_file

SQLITE_BUSY_TIMEOUT_S = 60.0       # a writer waits this long for another writer before failing
_WAL_RETRY_MAX_S = 0.2             # longest pause between two tries at switching a new file to WAL


def default_url() -> str:
    """PLANMON_DB_URL, else a SQLite file under var/ (outside git)."""
    configured = settings.get("db_url")
    if configured:
        return str(configured)
    return f"sqlite:///{settings.PROJECT_ROOT / 'var' / 'planmon.sqlite'}"


def _configure_sqlite(engine: Engine) -> None:
    """WAL + busy timeout + BEGIN IMMEDIATE for writes: concurrent writers queue instead of failing."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None      # let the "begin" hook below issue BEGIN itself
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        _enter_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "DEFERRED" if conn.get_execution_options().get("planmon_read_only") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")


def _enter_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL, waiting out other connections as the busy timeout would.

    While another connection holds the file's write lock (a process migrating the new database), SQLite
    refuses the switch at once with "database is locked" instead of calling the busy handler: several
    processes opening a new database together would otherwise lose one.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, _WAL_RETRY_MAX_S)


def _private_sqlite(database: Path) -> None:
    """The database folder 0700 when it is ours (created here, or the project's var/), the files 0600:
    they hold pending submissions and the uploaded files."""
    folder = database.parent
    if not folder.exists() or folder.resolve() == (settings.PROJECT_ROOT / "var").resolve():
        private_dir(folder)
    private_sqlite_file(database)


def make_engine(url: str) -> Engine:
    """A new engine for `url`; a SQLite file's directory is created. Prefer `open_store`, which caches."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite(Path(parsed.database))
        engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)
