"""A PostgreSQL server for tests that need one whatever the environment: PLANMON_TEST_PG_URL when set (CI sets
it), else the throwaway loopback server of scripts/start_test_postgres.sh, started here (idempotent)."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

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


def fresh_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    from tests.test_store import _fresh_pg_database
    yield from _fresh_pg_database(test_server_url())
