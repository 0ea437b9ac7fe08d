"""Server-side sign-in sessions (lib/sessions.py): a cookie is honoured only while its session is live, and
a cookie that is not ours — another algorithm, a bad signature, garbage, expired — is None, never an error."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from lib import sessions
from lib.sessions import CookieClaims, decode_cookie, encode_cookie
from lib.store import open_store
from tests.test_store import store_url  # noqa: F401 (fixture)

KEY = "test-cookie-key-" * 4   # 64 bytes: long enough for HS512 too
FUTURE = time.time() + 3600


def b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


CLAIMS = {"username": "planner", "sid": "abc", "exp_date": FUTURE}


@pytest.mark.parametrize("name,token", [
    ("alg_none", f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(CLAIMS)}."),
    ("hs512_same_key", jwt.encode(CLAIMS, KEY, algorithm="HS512")),
    ("hs384", jwt.encode(CLAIMS, KEY, algorithm="HS384")),
    ("other_key", jwt.encode(CLAIMS, "another-cookie-key-" * 4, algorithm="HS256")),
    ("garbage", "not a token at all"),
    ("three_dots", "a.b.c"),
    ("empty", ""),
    ("expired", encode_cookie(KEY, "planner", "abc", time.time() - 1)),
    ("library_cookie_without_session", jwt.encode({"username": "planner", "exp_date": FUTURE}, KEY, algorithm="HS256")),
    ("username_not_text", jwt.encode({"username": 7, "sid": "abc", "exp_date": FUTURE}, KEY, algorithm="HS256")),
    ("exp_not_number", jwt.encode({"username": "planner", "sid": "abc", "exp_date": "never"}, KEY, algorithm="HS256")),
])
def test_a_cookie_we_cannot_vouch_for_is_no_sign_in(name, token):
    assert decode_cookie(KEY, token) is None


def test_our_cookie_decodes_to_its_claims():
    assert decode_cookie(KEY, encode_cookie(KEY, "planner", "abc", FUTURE)) == CookieClaims("planner", "abc", FUTURE)
    assert jwt.get_unverified_header(encode_cookie(KEY, "planner", "abc", FUTURE))["alg"] == "HS256"


@pytest.fixture
def store(store_url):
    """SQLite, and PostgreSQL when PLANMON_TEST_PG_URL is set (tests/test_store.py's backends)."""
    s = open_store(store_url, cached=False)
    yield s
    s.close()


def test_sign_out_revokes_only_that_session(store):
    mine, other = sessions.start_session(store, "planner"), sessions.start_session(store, "planner")
    assert sessions.session_live(store, mine, "planner") and sessions.session_live(store, other, "planner")
    sessions.end_session(store, mine)
    assert (sessions.session_live(store, mine, "planner"), sessions.session_live(store, other, "planner")) == (False, True)


def test_password_change_revokes_every_session_of_the_account(store):
    a, b = sessions.start_session(store, "dept06"), sessions.start_session(store, "dept06")
    keep = sessions.start_session(store, "dept01")
    assert sessions.end_all_sessions(store, "dept06") == 2
    assert [sessions.session_live(store, s, u) for s, u in ((a, "dept06"), (b, "dept06"), (keep, "dept01"))] == [False, False, True]


@pytest.mark.parametrize("session_id,username", [("unknown", "planner"), (None, "planner"), ("", "planner"), ("MINE", "leader")])
def test_unknown_or_someone_elses_session_is_not_live(store, session_id, username):
    mine = sessions.start_session(store, "planner")
    assert not sessions.session_live(store, mine if session_id == "MINE" else session_id, username)


def test_an_expired_session_is_not_live(store):
    sid = sessions.start_session(store, "planner", days=-1 / 86400)
    assert not sessions.session_live(store, sid, "planner")


def test_the_cookie_expires_with_its_session(store):
    sid = sessions.start_session(store, "planner", days=7)
    assert abs(sessions.session_expiry(store, sid) - (time.time() + 7 * 86400)) < 60
    assert sessions.session_expiry(store, "unknown") is None
