"""Server-side sign-in sessions and the sign-in cookie that names one.

Why: streamlit-authenticator 0.4.2's cookie is a JWT {username, exp_date} valid for 7 days whatever happens
on the server, so a copy replayed after 退出登录 was still signed in, and a cookie whose header says
`alg: none` or `HS512` raised `InvalidAlgorithmError` on every page. Here:

- Signing in creates a row in the store's `sign_in_sessions` table (random id, username, expiry) and the
  cookie carries that id: {"username", "sid", "exp_date"}, HS256 with the cookie key. The store is shared
  by every app process, so all of them agree on which sessions are live.
- Every page run checks the session is still live (`session_live`: the row exists, is not revoked, has not
  expired, belongs to that username). 退出登录 revokes the row (`end_session`); a password change or a
  removed account revokes all of the account's rows (`end_all_sessions`). A copied cookie is then worthless.
- `decode_cookie` returns None for anything it cannot vouch for — a bad signature, another algorithm
  (`alg: none`, HS512…), garbage, missing or mistyped claims, expiry — and never raises: such a visitor is
  simply signed out.

The cookie is written by the library's JavaScript cookie component (extra-streamlit-components), so it
cannot be HttpOnly; it is SameSite=Strict, and Secure when the page is served over https.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt
import sqlalchemy as sa

from lib.store import Store
from lib.store_schema import SIGN_IN_SESSIONS, utcnow

ALGORITHM = "HS256"
SESSION_DAYS = 7.0


@dataclass(frozen=True)
class CookieClaims:
    username: str
    session_id: str
    expires: float   # Unix time


def encode_cookie(key: str, username: str, session_id: str, expires: float) -> str:
    return jwt.encode({"username": username, "sid": session_id, "exp_date": float(expires)}, key, algorithm=ALGORITHM)


def decode_cookie(key: str, token: object, *, now: float | None = None) -> CookieClaims | None:
    """The claims of a cookie we signed and that has not expired; None for anything else."""
    if not isinstance(token, str) or not token or not key:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM])
    except jwt.exceptions.PyJWTError:   # InvalidAlgorithmError, InvalidSignatureError, DecodeError, …
        return None
    username, session_id, expires = (claims.get(k) for k in ("username", "sid", "exp_date"))
    if not (isinstance(username, str) and isinstance(session_id, str) and isinstance(expires, (int, float))):
        return None
    if expires <= (datetime.now(timezone.utc).timestamp() if now is None else now):
        return None
    return CookieClaims(username, session_id, float(expires))


def start_session(store: Store, username: str, days: float = SESSION_DAYS) -> str:
    """A new live session for `username`; returns its id (for the cookie)."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    with store.engine.begin() as conn:
        conn.execute(sa.insert(SIGN_IN_SESSIONS).values(id=session_id, username=username, created_at=now,
                                                        expires_at=now + timedelta(days=days)))
    return session_id


def session_expiry(store: Store, session_id: str) -> float | None:
    """The session's expiry as Unix time (for the cookie), None if there is no such session."""
    with store._reading() as conn:
        expires = conn.execute(sa.select(SIGN_IN_SESSIONS.c.expires_at).where(SIGN_IN_SESSIONS.c.id == session_id)).scalar()
    return None if expires is None else expires.replace(tzinfo=timezone.utc).timestamp()


def session_live(store: Store, session_id: str | None, username: str | None) -> bool:
    """Does this session still stand: not revoked, not expired, and the account's own?"""
    if not session_id or not username:
        return False
    t = SIGN_IN_SESSIONS.c
    with store._reading() as conn:
        row = conn.execute(sa.select(t.username, t.expires_at, t.revoked_at).where(t.id == session_id)).first()
    return row is not None and row.username == username and row.revoked_at is None and row.expires_at > utcnow()


def end_session(store: Store, session_id: str | None) -> None:
    """退出登录: the session is revoked for every copy of its cookie."""
    if not session_id:
        return
    t = SIGN_IN_SESSIONS.c
    with store.engine.begin() as conn:
        conn.execute(sa.update(SIGN_IN_SESSIONS).where(t.id == session_id, t.revoked_at.is_(None)).values(revoked_at=utcnow()))


def end_all_sessions(store: Store, username: str) -> int:
    """A password change or a removed account: every live session of `username` ends. Returns how many."""
    t = SIGN_IN_SESSIONS.c
    with store.engine.begin() as conn:
        done = conn.execute(sa.update(SIGN_IN_SESSIONS).where(t.username == username, t.revoked_at.is_(None))
                            .values(revoked_at=utcnow()))
    return int(done.rowcount or 0)
