"""Private files: the folder that holds the database and the accounts file is 0700, the files in it 0600.

The SQLite database keeps pending submissions and every uploaded workbook, the accounts file keeps the
password hashes: nobody but the user that runs the dashboard needs to read them. SQLite gives the `-wal`
and `-shm` files it creates the mode of the database file, so creating the database file 0600 before
the first connection is enough for new files; files left by an older version are tightened on open.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path | str) -> Path:
    """Create `path` (and missing parents) as 0700; an existing folder is set to 0700 too.

    Only for folders that belong to the dashboard (var/, or a configured folder of its own)."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):   # not ours to change: the set-up check reports what matters
        if path.stat().st_mode & 0o777 != DIR_MODE:
            os.chmod(path, DIR_MODE)
    return path


def private_sqlite_file(database: Path | str) -> None:
    """Create the database file 0600 if missing (so SQLite gives -wal/-shm the same mode) and tighten any
    existing database and side files to 0600."""
    database = Path(database)
    with contextlib.suppress(FileExistsError, PermissionError):   # a read-only folder: SQLite's error says so
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for path in (database, *(database.with_name(database.name + s) for s in SQLITE_SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if path.stat().st_mode & 0o777 != FILE_MODE:
                os.chmod(path, FILE_MODE)
