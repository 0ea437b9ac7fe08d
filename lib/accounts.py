"""Accounts and roles for signing in (streamlit-authenticator 0.4.2, bcrypt hashes).

Plain Python: this module never imports streamlit or streamlit_authenticator (which imports streamlit).
The UI builds the authenticator from `authenticator_config`:

    config = accounts.authenticator_config(load_accounts(path), cookie_key(path))
    authenticator = stauth.Authenticate(**config)

Roles (`Role`) and their scope (`district_id` / `city_id` on the account; see "Scope" below):
- `department` — one district, one canonical reporting unit of that district's plans; may upload rows only
  for the items that unit answers for (directly, by alias, or through a group), and sees only its own submissions.
- `leader` — one district, read-only.
- `planning` — one district, everything there: upload for any unit, review, targets, baselines, plans, export.
- `city` — one city, read-only: every plan of every district of the city, and the city comparison.

Accounts live in the store (lib/account_store.py, schema version 5) so that every app process shares them;
the YAML file below is the import/export format, and the file-based functions here stay for it.

The accounts file (YAML, default `var/accounts.yaml`, outside git) holds one entry per username with the
bcrypt hash only, never the password; it is rewritten atomically (temporary file + os.replace) with mode
0600, under an exclusive lock so two processes adding accounts at once do not lose one:

    version: 2
    accounts:
      dept06:
        name: 区人社局
        role: department
        unit: 区人社局
        district_id: shashi     # city accounts: city_id instead (version 1 files have neither: see account_store)
        city_id: null
        email: ''
        demo: false
        password_hash: $2b$12$...

Hashing is what streamlit-authenticator's `Hasher.hash` does (`bcrypt.hashpw(pw, bcrypt.gensalt())`), so its
login form verifies our hashes; bcrypt reads at most 72 bytes, so longer passwords are refused.

Demo mode (setting `demo_mode`): `ensure_demo_accounts` creates `planner`, `leader` and one `deptNN` per
reporting unit (units.csv order) with the documented password `DEMO_PASSWORD`, and the sign-in page lists
them. The cookie that keeps a session signed in (lib/sessions.py: it names a server-side session) is signed
with `cookie_key(path)`: the `cookie_key`
setting (env PLANMON_COOKIE_KEY), or in demo mode a random key generated once and kept beside the accounts
file (`cookie.key`, mode 0600).
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bcrypt
import yaml

from lib import settings
from lib.messages import CatalogueError
from lib.private import private_dir
from lib.units import UnitDirectory

if TYPE_CHECKING:
    import pandas as pd

    from lib.plan import Plan

try:  # POSIX; on other systems writes are still atomic, only concurrent writers are not serialised
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

FILE_VERSION = 2   # 2 adds district_id, city_id and demo; version 1 files are still read
FILE_MODE = 0o600
COOKIE_KEY_FILE = "cookie.key"
COOKIE_NAME = "planmon_auth"
COOKIE_EXPIRY_DAYS = 7.0
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72          # bcrypt's limit; bcrypt >= 5 raises beyond it
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

DEMO_PASSWORD = "demo-2025"
DEMO_PLANNER = "planner"
DEMO_LEADER = "leader"
DEMO_PLANNING_UNIT_NAME = "区发改局"    # the planning office's unit, when the plan has it
DEMO_DEPARTMENT_PREFIX = "dept"


class Role(str, Enum):
    DEPARTMENT = "department"
    LEADER = "leader"
    PLANNING = "planning"
    CITY = "city"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.DEPARTMENT: "填报单位",
    Role.LEADER: "领导(只读)",
    Role.PLANNING: "规划办(区发改局)",
    Role.CITY: "市级(只读)",
}


class AccountError(CatalogueError):
    """A refusal the user can act on (see lib.messages.CatalogueError)."""


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    role: Role
    unit: str | None = None          # canonical unit; required for departments, informational otherwise
    password_hash: str = field(default="", repr=False)
    email: str = ""
    district_id: str | None = None   # department, leader, planning: the one district it belongs to
    city_id: str | None = None       # city: the one city it reads
    demo: bool = False               # created by demo mode, with the published DEMO_PASSWORD

    def check_password(self, password: str) -> bool:
        """bcrypt verification, as streamlit-authenticator's login does."""
        try:
            return bcrypt.checkpw(password.encode(), self.password_hash.encode())
        except ValueError:   # not a bcrypt hash, or a password over 72 bytes
            return False


@dataclass(frozen=True)
class Accounts:
    accounts: dict[str, Account]     # username → account, in file order
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.accounts)

    def __contains__(self, username: object) -> bool:
        return isinstance(username, str) and normalise_username(username) in self.accounts

    def get(self, username: str | None) -> Account | None:
        return None if username is None else self.accounts.get(normalise_username(username))

    def role_of(self, username: str | None) -> Role | None:
        account = self.get(username)
        return account.role if account else None

    def unit_of(self, username: str | None) -> str | None:
        account = self.get(username)
        return account.unit if account else None


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: Role
    unit: str | None
    password: str = DEMO_PASSWORD
    district_id: str | None = None
    city_id: str | None = None


# --- paths and secrets ----------------------------------------------------------------------------------

def default_accounts_path() -> Path:
    """Setting `accounts_file` (env PLANMON_ACCOUNTS_FILE); default var/accounts.yaml in the project."""
    return Path(settings.get("accounts_file"))


def cookie_key(accounts_path: Path | str | None = None, *, demo_mode: bool | None = None) -> str:
    """The secret that signs the sign-in cookie: setting `cookie_key` (env PLANMON_COOKIE_KEY); in demo
    mode without it, a random key generated once and stored beside the accounts file with mode 0600.
    Outside demo mode a missing key is an `AccountError` (a guessable key would let anyone forge a sign-in)."""
    key = str(settings.get("cookie_key") or "")
    if key:
        return key
    if not (settings.get("demo_mode") if demo_mode is None else demo_mode):
        raise AccountError("auth.cookie_key_missing", env="PLANMON_COOKIE_KEY")
    path = Path(accounts_path or default_accounts_path()).parent / COOKIE_KEY_FILE
    if not path.exists():
        _private_folder(path.parent)
        # Written in full to a private temporary file, then linked into place: whoever links first wins,
        # so processes starting together agree on one key and nobody reads a half-written file.
        fd, tmp = tempfile.mkstemp(prefix=f".{COOKIE_KEY_FILE}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_urlsafe(32) + "\n")
            os.chmod(tmp, FILE_MODE)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text(encoding="utf-8").strip()


# --- validation ----------------------------------------------------------------------------------------

def normalise_username(username: str) -> str:
    """streamlit-authenticator lower-cases what is typed at sign-in, so usernames are stored lower-case."""
    return str(username).strip().lower()


def parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError("auth.unknown_role", value=role, choices="、".join(r.value for r in Role)) from None


def _check_unit(units: UnitDirectory, role: Role, unit: str | None) -> str | None:
    """The canonical unit of an account (aliases accepted; groups refused); required for departments."""
    if unit is None or not str(unit).strip():
        if role is Role.DEPARTMENT:
            raise AccountError("auth.unit_required")
        return None
    canonical = units.resolve(unit)
    if canonical is None:
        close = units.closest(unit)
        raise AccountError("auth.unknown_unit", value=unit, suggestion=f",是否为:{'、'.join(close)}" if close else "")
    if units.units[canonical].is_group:
        raise AccountError("auth.unit_is_group", value=unit)
    return canonical


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("auth.password_too_short", min_chars=MIN_PASSWORD_CHARS)
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise AccountError("auth.password_too_long", max_bytes=MAX_PASSWORD_BYTES)


def hash_password(password: str) -> str:
    """As streamlit_authenticator.Hasher.hash (0.4.2): bcrypt with a fresh salt, default cost."""
    _check_password(password)
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


# --- the file ------------------------------------------------------------------------------------------

def load_accounts(path: Path | str | None = None) -> Accounts:
    """The accounts in the file; a missing file means no accounts. A malformed file is an AccountError."""
    path = Path(path or default_accounts_path())
    if not path.exists():
        return Accounts({}, path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AccountError("auth.file_invalid", value=path.name, detail=type(exc).__name__) from None
    return Accounts(_parse(data, path), path)


def _parse(data: object, path: Path) -> dict[str, Account]:
    def invalid(detail: str) -> AccountError:
        return AccountError("auth.file_invalid", value=path.name, detail=detail)

    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("accounts", {}), dict):
        raise invalid("应包含 accounts 映射")
    out: dict[str, Account] = {}
    for username, entry in (data.get("accounts") or {}).items():
        if not isinstance(entry, dict):
            raise invalid(f"账号 {username} 不是映射")
        try:
            role = Role(entry.get("role"))
        except ValueError:
            raise invalid(f"账号 {username} 的角色“{entry.get('role')}”无效") from None
        unit = entry.get("unit") or None
        if role is Role.DEPARTMENT and unit is None:
            raise invalid(f"账号 {username} 未绑定单位")
        password_hash = str(entry.get("password_hash") or "")
        if not password_hash.startswith("$2"):
            raise invalid(f"账号 {username} 缺少密码哈希")
        name = normalise_username(str(username))
        out[name] = Account(name, str(entry.get("name") or name), role, None if unit is None else str(unit),
                            password_hash, str(entry.get("email") or ""), _slug_or_none(entry.get("district_id")),
                            _slug_or_none(entry.get("city_id")), bool(entry.get("demo", False)))
    return out


def _slug_or_none(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _dump(accounts: dict[str, Account]) -> str:
    body = {"version": FILE_VERSION, "accounts": {
        a.username: {"name": a.name, "role": a.role.value, "unit": a.unit, "district_id": a.district_id,
                     "city_id": a.city_id, "email": a.email, "demo": a.demo, "password_hash": a.password_hash}
        for a in accounts.values()}}
    header = "# 规划实施监测看板账号文件:由 lib/accounts.py 维护,只存密码的 bcrypt 哈希。不要提交到 git。\n"
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)


def _private_folder(folder: Path) -> None:
    """The accounts folder is 0700 when it is ours: created here, or the project's var/."""
    if not folder.exists() or folder.resolve() == (settings.PROJECT_ROOT / "var").resolve():
        private_dir(folder)


def _write_atomic(path: Path, text: str) -> None:
    """Temporary file in the same directory (mkstemp: mode 0600) → fsync → os.replace."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Exclusive lock around read-modify-write of the accounts file (a sibling .lock file). Only writers
    take it: reading the file (signing in) works in a read-only folder."""
    _private_folder(path.parent)
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def add_account(path: Path | str | None, username: str, display_name: str, role: Role | str, unit: str | None = None,
                *, password: str, units: UnitDirectory, email: str = "") -> Account:
    """Validate, hash and store a new account; returns it. Refuses duplicates (AccountError auth.duplicate_username),
    unknown roles, departments without a unit, unknown or group units, short or over-long passwords.
    `unit` may be an alias: the canonical name is stored."""
    path = Path(path or default_accounts_path())
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise AccountError("auth.bad_username", value=username)
    if not str(display_name).strip():
        raise AccountError("auth.name_required")
    parsed_role = parse_role(role)
    canonical = _check_unit(units, parsed_role, unit)
    _check_password(password)
    with _locked(path):
        current = load_accounts(path).accounts
        if name in current:
            raise AccountError("auth.duplicate_username", value=name)
        account = Account(name, str(display_name).strip(), parsed_role, canonical, hash_password(password), email.strip())
        _write_atomic(path, _dump({**current, name: account}))
    return account


def remove_account(path: Path | str | None, username: str) -> None:
    """Delete an account; an unknown username is an AccountError (auth.unknown_account)."""
    path = Path(path or default_accounts_path())
    name = normalise_username(username)
    with _locked(path):
        current = load_accounts(path).accounts
        if name not in current:
            raise AccountError("auth.unknown_account", value=username)
        _write_atomic(path, _dump({u: a for u, a in current.items() if u != name}))


def set_password(path: Path | str | None, username: str, password: str) -> Account:
    """Replace an account's password hash; the caller ends the account's sessions (lib.sessions), so a
    cookie from before the change no longer signs anyone in. Unknown username: AccountError."""
    path = Path(path or default_accounts_path())
    name = normalise_username(username)
    _check_password(password)
    with _locked(path):
        current = load_accounts(path).accounts
        if name not in current:
            raise AccountError("auth.unknown_account", value=username)
        old = current[name]
        account = replace(old, password_hash=hash_password(password))
        _write_atomic(path, _dump({**current, name: account}))
    return account


# --- streamlit-authenticator ------------------------------------------------------------------------------

def authenticator_config(accounts: Accounts, cookie_key: str, *, cookie_name: str = COOKIE_NAME,
                         expiry_days: float = COOKIE_EXPIRY_DAYS) -> dict[str, Any]:
    """Keyword arguments for `streamlit_authenticator.Authenticate(**config)` (0.4.2): credentials
    {"usernames": {u: {"name", "password" (the bcrypt hash), "email", "roles": [role], "unit"}}}, the cookie
    name, key and expiry, and auto_hash=False (every password is already a hash). A new dict on every call:
    the library mutates the credentials it is given (failed attempts, logged_in)."""
    if not cookie_key:
        raise AccountError("auth.cookie_key_missing", env="PLANMON_COOKIE_KEY")
    usernames = {a.username: {"name": a.name, "password": a.password_hash, "email": a.email,
                              "roles": [a.role.value], "unit": a.unit}
                 for a in accounts.accounts.values()}
    return {"credentials": {"usernames": usernames}, "cookie_name": cookie_name, "cookie_key": cookie_key,
            "cookie_expiry_days": float(expiry_days), "auto_hash": False}


# --- permissions ----------------------------------------------------------------------------------------

def can_upload(account: Account | None, item_id: str | None = None, plan: "Plan | None" = None) -> bool:
    """May `account` upload progress for `item_id` (an indicator or task id)? Without an item: may it upload
    at all. Given a plan, only to its own district's plans. Planning: any item. Department: only items its
    unit answers for (needs `plan`). Leader and city: never."""
    if account is None or account.role in (Role.LEADER, Role.CITY):
        return False
    if plan is not None and not may_upload_to(account, plan.config.district_id):
        return False
    if account.role is Role.PLANNING or item_id is None:
        return True
    if plan is None:
        raise ValueError("can_upload needs the plan to check a department's responsibilities")
    if account.unit is None:
        return False
    resp = plan.responsibilities(account.unit)
    return str(item_id).strip().upper() in set(resp["item_id"])


def can_review(account: Account | None, district_id: str | None = None) -> bool:
    """Review submissions, set annual targets and baselines, export: the planning office only; given a district,
    only its own district's office."""
    if account is None or account.role is not Role.PLANNING:
        return False
    return district_id is None or may_write_plan(account, district_id)


# --- scope: which districts and plans an account reaches (pure; the pages and the CLI ask these) ----------
# Deny by default: an account without its district (or city) reaches nothing. Anonymous visitors (None)
# read every plan when the `public_browsing` setting allows browsing without signing in, and write nothing.

def may_read_district(account: Account | None, district_id: str | None, city_id: str | None = None) -> bool:
    """May `account` read the plans of `district_id` (which belongs to `city_id`, or to no city)?"""
    if not district_id:
        return False
    if account is None:
        return bool(settings.get("public_browsing"))
    if account.role is Role.CITY:
        return account.city_id is not None and account.city_id == (city_id or None)
    return account.district_id is not None and account.district_id == district_id


def may_upload_to(account: Account | None, district_id: str | None) -> bool:
    """Departments and the planning office upload to their own district's plans only."""
    return (account is not None and account.role in (Role.DEPARTMENT, Role.PLANNING)
            and account.district_id is not None and account.district_id == district_id)


def may_write_plan(account: Account | None, district_id: str | None) -> bool:
    """Review, targets, baselines, loading and archiving a plan of `district_id`: that district's planning office."""
    return (account is not None and account.role is Role.PLANNING
            and account.district_id is not None and account.district_id == district_id)


def may_see_submissions(account: Account | None, district_id: str | None, unit: str | None) -> bool:
    """A submission of `unit` to a plan of `district_id`: its department, and that district's planning office."""
    if account is None or account.district_id is None or account.district_id != district_id:
        return False
    if account.role is Role.PLANNING:
        return True
    return account.role is Role.DEPARTMENT and unit is not None and account.unit == unit


def visible_plan_ids(account: Account | None, plans: "pd.DataFrame") -> list[str]:
    """The plans `account` may read, in the frame's order. `plans` has the columns plan_id, district_id and
    city_id (as `lib.plan_catalog.list_plans` returns them)."""
    return [str(r.plan_id) for r in plans.itertuples()
            if may_read_district(account, r.district_id, r.city_id if isinstance(r.city_id, str) else None)]


def scope_label(account: Account, district: str | None = None, city: str | None = None) -> str:
    """What the account reaches, in words: '沙市区' for a district's account, '荆州市(全市各区县)' for a city's;
    the names when known, else the ids."""
    if account.role is Role.CITY:
        return f"{city or account.city_id or '—'}(全市各区县)"
    return district or account.district_id or "—"


# --- demo accounts ----------------------------------------------------------------------------------------

def demo_accounts(plan: "Plan") -> list[DemoAccount]:
    """The demo accounts for this plan: planner, leader, then dept01… per reporting unit in units.csv order."""
    units = plan.units
    planning_unit = units.resolve(DEMO_PLANNING_UNIT_NAME)
    out = [DemoAccount(DEMO_PLANNER, f"规划办({planning_unit})" if planning_unit else "规划办", Role.PLANNING, planning_unit),
           DemoAccount(DEMO_LEADER, "区领导(演示)", Role.LEADER, None)]
    reporting = units.reporting_units()
    width = max(2, len(str(len(reporting))))
    out += [DemoAccount(f"{DEMO_DEPARTMENT_PREFIX}{n:0{width}d}", unit, Role.DEPARTMENT, unit)
            for n, unit in enumerate(reporting, start=1)]
    return out


def ensure_demo_accounts(path: Path | str | None, plan: "Plan", *, demo_mode: bool | None = None) -> list[DemoAccount]:
    """In demo mode (setting `demo_mode`, or the argument), add the missing demo accounts with DEMO_PASSWORD and
    return the demo accounts present (for the sign-in page to list). A username already taken by an account
    that does not match its demo definition (another role or unit) is left alone and not listed.
    Outside demo mode: nothing is touched, returns []."""
    if not (settings.get("demo_mode") if demo_mode is None else demo_mode):
        return []
    path = Path(path or default_accounts_path())
    wanted = demo_accounts(plan)
    current = load_accounts(path).accounts
    if any(d.username not in current for d in wanted):
        current = _add_missing_demo_accounts(path, wanted)
    return [d for d in wanted if (a := current.get(d.username)) is not None and (a.role, a.unit) == (d.role, d.unit)]


def _add_missing_demo_accounts(path: Path, wanted: list[DemoAccount]) -> dict[str, Account]:
    """Under the lock (another process may be adding them too): add what is still missing; the accounts."""
    with _locked(path):
        current = load_accounts(path).accounts
        missing = [d for d in wanted if d.username not in current]
        if missing:
            # One hash for all: the password is the same, published one, so distinct salts protect nothing,
            # and 48 bcrypt rounds at ~0.25 s each would stall the first page load.
            shared = hash_password(DEMO_PASSWORD)
            added = {d.username: Account(d.username, d.name, d.role, d.unit, shared) for d in missing}
            current = {**current, **added}
            _write_atomic(path, _dump(current))
    return current
