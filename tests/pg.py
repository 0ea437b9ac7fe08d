"""A PostgreSQL server for tests that need one whatever the environment: PLANMON_TEST_PG_URL when set (CI sets
it), else the throwaway loopback server of scripts/start_test_postgres.sh, started here (idempotent)."""
from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

from tests.conftest import ROOT

PG_ENV = "PLANMON_TEST_PG_URL"


def test_server_url() -> str:
    """The SQLAlchemy URL of a running test server (started by the script when the environment names none)."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    done = subprocess.run(["bash", str(ROOT / "scripts" / "start_test_postgres.sh")], capture_output=True, text=True,
                          timeout=180, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"scripts/start_test_postgres.sh failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def new_pg_database(base_url: str, prefix: str = "planmon_t_") -> Iterator[str]:
    """A new, empty database on the server of `base_url` (never one another test uses), dropped afterwards.
    A generator: a fixture's body, or a context manager through `contextlib.contextmanager`."""
    base = sa.make_url(base_url)
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def fresh_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    yield from new_pg_database(test_server_url())
