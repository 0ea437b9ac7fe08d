"""Sign-in when the session cannot be written (issue 9): the password is right, but the store refuses the new
sign-in session (a full disk, a read-only database…). The visitor gets the Chinese message `auth.session_failed`
with the database's reason and is not signed in; nothing half-done stays behind. Once the store accepts writes
again, the same form signs in. The failure is a SQLite trigger on the sessions table: only that write fails."""
from __future__ import annotations

import sqlite3

import pytest

from lib.messages import render
from tests.test_pages_upload import DEPT_FAGAI, app, env, sign_in, texts  # noqa: F401  (env is a fixture)

REFUSAL = "database or disk is full"


def _sqlite_file(db_url: str) -> str:
    return db_url.removeprefix("sqlite:///")


def refuse_session_writes(db_url: str, refuse: bool) -> None:
    with sqlite3.connect(_sqlite_file(db_url)) as conn:
        conn.execute("DROP TRIGGER IF EXISTS pm_test_refuse_sessions")
        if refuse:
            conn.execute("CREATE TRIGGER pm_test_refuse_sessions BEFORE INSERT ON sign_in_sessions "
                         f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def session_rows(db_url: str) -> int:
    with sqlite3.connect(_sqlite_file(db_url)) as conn:
        return conn.execute("SELECT count(*) FROM sign_in_sessions").fetchone()[0]


@pytest.mark.parametrize("username", [DEPT_FAGAI, "planner"])
def test_a_session_that_cannot_be_stored_means_not_signed_in_and_says_why(env, username):
    at = app()                                   # the store exists (schema migrated) before the trigger
    refuse_session_writes(env, True)
    at = sign_in(at, username)
    assert render("auth.session_failed", detail=REFUSAL) in texts(at, "error")
    assert not at.session_state["authentication_status"]
    assert at.session_state["username"] is None
    for key in ("pm_session_id", "pm_cookie_pending"):
        assert key not in at.session_state       # no session to name, no cookie to write
    assert session_rows(env) == 0
    at.switch_page("app_pages/upload.py").run()
    assert any(render("auth.sign_in_required") in t for t in texts(at, "warning"))

    refuse_session_writes(env, False)            # the administrator fixed the database: the form works again
    at = sign_in(at, username)
    assert at.session_state["authentication_status"] is True and at.session_state["username"] == username
    assert render("auth.session_failed", detail=REFUSAL) not in texts(at, "error")
    assert session_rows(env) == 1
