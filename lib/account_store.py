"""Accounts in the store (table `accounts`, schema version 5): every app process of a deployment shares them.

The YAML accounts file (lib/accounts.py, setting `accounts_file`) stays the import/export format:

    import_on_first_start(store)                 # the store has no account yet: the configured file is imported
    import_accounts(store, "accounts.yaml")      # python -m lib user import FILE
    export_accounts(store, "backup.yaml")        # python -m lib user export FILE (bcrypt hashes, mode 0600)

Rules, each decided here:
- **Scope.** A `city` account names one city (`city_id`), which must be the city of a district in the store; every
  other account names one district (`district_id`) of the store and no city. A version-1 file's entries name
  neither: they belong to the default plan's district (setting `plan_dirs`), as rows stored before plans existed.
- **Units resolve within the district.** A department's unit must be a reporting unit of one of its district's
  plans (every district has its own 区发改局); an alias is stored as the canonical name.
- **Import is all or nothing.** Every entry is checked first; an entry equal to the stored account is left as it
  is, one that differs from it is a duplicate username; any refusal leaves the table as it was. Hashes are kept
  as they are (never re-hashed), so an export imported elsewhere signs in with the same passwords.
- **First start.** When the table is empty, the configured accounts file (if any) is imported, under the store's
  write lock, so two processes starting at once import it once. Demo accounts come after it (demo mode).
Every refusal is an `AccountError` (lib.messages: auth.*).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib import accounts as acc
from lib.accounts import Account, AccountError, Accounts, DemoAccount, Role
from lib.store_schema import ACCOUNTS, DISTRICTS, PLAN_VERSIONS, PLANS, lock_database, utcnow

if TYPE_CHECKING:
    from lib.plan import Plan
    from lib.store import Store

DEMO_CITY = "city"   # the demo city account of the first city


@dataclass(frozen=True)
class District:
    district_id: str
    name: str
    city_id: str | None
    city: str | None


@dataclass(frozen=True)
class ImportResult:
    added: list[str]       # usernames stored
    unchanged: list[str]   # usernames already stored exactly so


# --- reading ------------------------------------------------------------------------------------------------

def _account(row: sa.Row) -> Account:
    return Account(row.username, row.name, Role(row.role), row.unit, row.password_hash, row.email,
                   row.district_id, row.city_id, bool(row.demo))


def load_accounts(store: "Store") -> Accounts:
    """Every account in the store, by username."""
    with store._reading() as conn:
        rows = conn.execute(sa.select(ACCOUNTS).order_by(ACCOUNTS.c.created_at, ACCOUNTS.c.username)).all()
    return Accounts({r.username: _account(r) for r in rows})


def get_account(store: "Store", username: str | None) -> Account | None:
    if not username:
        return None
    with store._reading() as conn:
        row = conn.execute(sa.select(ACCOUNTS).where(ACCOUNTS.c.username == acc.normalise_username(username))).first()
    return None if row is None else _account(row)


def districts(store: "Store") -> dict[str, District]:
    """The districts the plans in the store belong to, by id."""
    d = DISTRICTS.c
    with store._reading() as conn:
        rows = conn.execute(sa.select(d.district_id, d.name, d.city_id, d.city).order_by(d.district_id)).all()
    return {r.district_id: District(r.district_id, r.name, r.city_id, r.city) for r in rows}


def _district_plans(conn: Connection, district_id: str) -> list["Plan"]:
    """The district's plans (latest version of each), latest period first: where its unit names live. Read on
    the caller's connection: inside a write transaction a second connection would wait for it (SQLite)."""
    from lib.plan import check_plan_texts
    v = PLAN_VERSIONS.c
    latest = sa.select(v.plan_id, sa.func.max(v.version).label("version")).group_by(v.plan_id).subquery("latest")
    rows = conn.execute(sa.select(v.plan_id, v.version, v.files)
                        .join(latest, sa.and_(latest.c.plan_id == v.plan_id, latest.c.version == v.version))
                        .join(PLANS, PLANS.c.plan_id == v.plan_id)
                        .where(PLANS.c.district_id == district_id)
                        .order_by(v.target_year.desc(), v.plan_id)).all()
    plans = [check_plan_texts(json.loads(r.files), Path(f"store:{r.plan_id}@{r.version}"))[0] for r in rows]
    return [p for p in plans if p is not None]


# --- checking -----------------------------------------------------------------------------------------------

class _Checker:
    """Validates an account's scope and unit against the store's districts and plans (plans read once per district)."""

    def __init__(self, store: "Store", conn: Connection):
        self.store, self.conn = store, conn
        self.districts = {r.district_id: District(r.district_id, r.name, r.city_id, r.city)
                          for r in conn.execute(sa.select(DISTRICTS)).all()}
        self._plans: dict[str, list[Plan]] = {}

    def scope(self, role: Role, district_id: str | None, city_id: str | None) -> tuple[str | None, str | None]:
        district_id, city_id = (district_id or "").strip() or None, (city_id or "").strip() or None
        if role is Role.CITY:
            if district_id:
                raise AccountError("auth.city_with_district", value=district_id)
            if not city_id:
                raise AccountError("auth.city_required")
            cities = sorted({d.city_id for d in self.districts.values() if d.city_id})
            if city_id not in cities:
                raise AccountError("auth.unknown_city", value=city_id, choices="、".join(cities) or "(尚未载入规划)")
            return None, city_id
        if city_id:
            raise AccountError("auth.district_with_city", value=city_id, role=role.label)
        if not district_id:
            raise AccountError("auth.district_required", role=role.label)
        if district_id not in self.districts:
            raise AccountError("auth.unknown_district", value=district_id,
                               choices="、".join(sorted(self.districts)) or "(尚未载入规划)")
        return district_id, None

    def unit(self, role: Role, unit: str | None, district_id: str | None) -> str | None:
        """The canonical unit within the district's plans; required for departments; a city's unit is kept as text."""
        if unit is None or not str(unit).strip():
            if role is Role.DEPARTMENT:
                raise AccountError("auth.unit_required")
            return None
        if district_id is None:   # a city account: its unit (e.g. 市发改委) is no unit of a district plan
            return str(unit).strip()
        if district_id not in self._plans:
            self._plans[district_id] = _district_plans(self.conn, district_id)
        close: list[str] = []
        for plan in self._plans[district_id]:
            canonical = plan.units.resolve(unit)
            if canonical is None:
                close = close or plan.units.closest(unit)
                continue
            if plan.units.units[canonical].is_group:
                raise AccountError("auth.unit_is_group", value=unit)
            return canonical
        raise AccountError("auth.unit_not_in_district", value=unit, district=self.districts[district_id].name,
                           suggestion=f",是否为:{'、'.join(close)}" if close else "")

    def account(self, account: Account) -> Account:
        """The account as it is stored: scope checked, unit canonical."""
        district_id, city_id = self.scope(account.role, account.district_id, account.city_id)
        return replace(account, district_id=district_id, city_id=city_id,
                       unit=self.unit(account.role, account.unit, district_id))


def _check_identity(username: str, display_name: str) -> str:
    name = acc.normalise_username(username)
    if not acc.USERNAME_PATTERN.match(name):
        raise AccountError("auth.bad_username", value=username)
    if not str(display_name).strip():
        raise AccountError("auth.name_required")
    return name


# --- writing ------------------------------------------------------------------------------------------------

def _values(account: Account) -> dict[str, object]:
    return {"username": account.username, "name": account.name, "password_hash": account.password_hash,
            "role": account.role.value, "unit": account.unit, "district_id": account.district_id,
            "city_id": account.city_id, "email": account.email, "demo": account.demo}


def _insert(conn: Connection, accounts: Iterable[Account]) -> None:
    now = utcnow()
    rows = [{**_values(a), "created_at": now, "updated_at": now} for a in accounts]
    if rows:
        conn.execute(sa.insert(ACCOUNTS), rows)


def _stored(conn: Connection, username: str) -> Account | None:
    row = conn.execute(sa.select(ACCOUNTS).where(ACCOUNTS.c.username == username)).first()
    return None if row is None else _account(row)


def add_account(store: "Store", username: str, display_name: str | None, role: Role | str, unit: str | None = None, *,
                password: str, district_id: str | None = None, city_id: str | None = None, email: str = "",
                demo: bool = False) -> Account:
    """Validate, hash and store a new account; returns it. Refuses bad usernames, duplicates, unknown roles,
    a scope the store does not know (district, city), a unit outside the district's plans, short passwords.
    `display_name` None: the canonical unit name, else the username."""
    name = _check_identity(username, username if display_name is None else display_name)
    parsed = acc.parse_role(role)
    acc._check_password(password)
    draft = Account(name, str(display_name or "").strip(), parsed, unit, "", email.strip(), district_id, city_id, demo)
    with store.engine.begin() as conn:
        lock_database(conn)
        checked = _Checker(store, conn).account(draft)
        if display_name is None:
            checked = replace(checked, name=checked.unit or name)
        if _stored(conn, name) is not None:
            raise AccountError("auth.duplicate_username", value=name)
        account = replace(checked, password_hash=acc.hash_password(password))
        _insert(conn, [account])
    return account


def remove_account(store: "Store", username: str) -> None:
    """Delete an account (the caller ends its sessions, lib.sessions); unknown: auth.unknown_account."""
    with store.engine.begin() as conn:
        done = conn.execute(sa.delete(ACCOUNTS).where(ACCOUNTS.c.username == acc.normalise_username(username)))
        if not done.rowcount:
            raise AccountError("auth.unknown_account", value=username)


def set_password(store: "Store", username: str, password: str) -> Account:
    """Replace an account's hash (the caller ends its sessions); it is no longer a demo account."""
    acc._check_password(password)
    name = acc.normalise_username(username)
    hashed = acc.hash_password(password)
    with store.engine.begin() as conn:
        done = conn.execute(sa.update(ACCOUNTS).where(ACCOUNTS.c.username == name)
                            .values(password_hash=hashed, demo=False, updated_at=utcnow()))
        if not done.rowcount:
            raise AccountError("auth.unknown_account", value=username)
        account = _stored(conn, name)
    assert account is not None
    return account


# --- import and export ------------------------------------------------------------------------------------

def default_district_id(store: "Store") -> str | None:
    """The district of the default plan: where a version-1 file's accounts belong."""
    with store._reading() as conn:
        return _default_district(conn)


def _default_district(conn: Connection) -> str | None:
    return conn.execute(sa.select(PLANS.c.district_id).where(PLANS.c.plan_id == _default_plan())).scalar_one_or_none()


def _in_scope(account: Account, default_district: str | None) -> Account:
    """A file entry that names neither district nor city (version 1) belongs to the default district."""
    if account.district_id or account.city_id or account.role is Role.CITY:
        return account
    return replace(account, district_id=default_district)


def _same(a: Account, b: Account) -> bool:
    keys = ("name", "role", "unit", "password_hash", "district_id", "city_id", "email")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _import(conn: Connection, store: "Store", found: Accounts, file_name: str) -> ImportResult:
    checker = _Checker(store, conn)
    default = _default_district(conn)
    added: list[Account] = []
    unchanged: list[str] = []
    for account in found.accounts.values():
        try:
            _check_identity(account.username, account.name)
            checked = checker.account(_in_scope(account, default))
            stored = _stored(conn, checked.username)
            if stored is not None and not _same(stored, checked):
                raise AccountError("auth.duplicate_username", value=checked.username)
        except AccountError as exc:
            raise AccountError("auth.import_refused", file=file_name, username=account.username, detail=exc.message,
                               reason=exc.code) from None
        if stored is None:
            added.append(checked)
        else:
            unchanged.append(checked.username)
    _insert(conn, added)
    return ImportResult([a.username for a in added], unchanged)


def _default_plan() -> str:
    from lib.plan_catalog import default_plan_id
    return default_plan_id()


def import_accounts(store: "Store", path: Path | str) -> ImportResult:
    """Import an accounts file (YAML, lib/accounts.py format) all or nothing; see the module docstring."""
    path = Path(path)
    if not path.is_file():
        raise AccountError("auth.import_missing", value=str(path))
    found = acc.load_accounts(path)
    with store.engine.begin() as conn:
        lock_database(conn)
        return _import(conn, store, found, path.name)


def import_on_first_start(store: "Store", path: Path | str | None = None) -> ImportResult | None:
    """When the store holds no account: import the configured accounts file, if there is one. None: nothing to do."""
    path = Path(path or acc.default_accounts_path())
    if not path.is_file() or _count(store):
        return None
    found = acc.load_accounts(path)
    with store.engine.begin() as conn:
        lock_database(conn)
        if conn.execute(sa.select(sa.func.count()).select_from(ACCOUNTS)).scalar_one():
            return None   # another process imported it meanwhile
        return _import(conn, store, found, path.name)


def _count(store: "Store") -> int:
    with store._reading() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(ACCOUNTS)).scalar_one())


def export_accounts(store: "Store", path: Path | str) -> int:
    """Write every account (hashes only) to `path` as a YAML accounts file (atomic, mode 0600); how many."""
    path = Path(path)
    found = load_accounts(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    acc._write_atomic(path, acc._dump(found.accounts))
    return len(found)


# --- demo accounts ------------------------------------------------------------------------------------------

def demo_plans(store: "Store") -> list["Plan"]:
    """One plan per district, the default plan's district first: the default plan for its district, the earliest
    plan for each other one (its units name the demo departments: the seed plan's stay planner, leader, dept01…)."""
    from lib.plan_catalog import list_plans, stored_plan
    frame = list_plans(store)
    if frame.empty:
        return []
    default = _default_plan()
    frame = frame.assign(home=frame["plan_id"] == default)
    home = set(frame.loc[frame["home"], "district_id"])
    chosen = (frame.assign(first_district=~frame["district_id"].isin(home))
              .sort_values(["first_district", "district_id", "home", "period"], ascending=[True, True, False, True])
              .drop_duplicates("district_id"))
    return [stored_plan(store, plan_id) for plan_id in chosen["plan_id"]]


def demo_accounts(plans: Sequence["Plan"]) -> list[DemoAccount]:
    """Demo accounts for each district's plan (the first without a prefix, the others prefixed with their
    district id, e.g. shili.planner) and one per city (`city`, then `city.<city_id>`)."""
    out: list[DemoAccount] = []
    cities: dict[str, str] = {}
    for n, plan in enumerate(plans):
        c = plan.config
        prefix = "" if n == 0 else f"{c.district_id}."
        label = "" if n == 0 else f"{c.district}·"
        out += [replace(d, username=prefix + d.username, name=label + d.name, district_id=c.district_id or None)
                for d in acc.demo_accounts(plan)]
        if c.city_id:
            cities.setdefault(c.city_id, c.city or c.city_id)
    for n, (city_id, city) in enumerate(cities.items()):
        username = DEMO_CITY if n == 0 else f"{DEMO_CITY}.{city_id}"
        out.append(DemoAccount(username, f"{city}(演示)", Role.CITY, None, city_id=city_id))
    return out


def _matches(account: Account, demo: DemoAccount) -> bool:
    return (account.role, account.unit, account.district_id, account.city_id) == \
        (demo.role, demo.unit, demo.district_id, demo.city_id)


def ensure_demo_accounts(store: "Store", plans: Sequence["Plan"] | None = None) -> list[DemoAccount]:
    """Add the missing demo accounts (DEMO_PASSWORD, marked demo) and return those present as defined: a username
    taken by another account (other role, unit or scope) is left alone and not listed. The caller decides demo mode."""
    wanted = demo_accounts(demo_plans(store) if plans is None else plans)
    current = load_accounts(store).accounts
    missing = [d for d in wanted if d.username not in current]
    if missing:
        # One hash for all: the password is the same, published one, so distinct salts protect nothing.
        shared = acc.hash_password(acc.DEMO_PASSWORD)
        with store.engine.begin() as conn:
            lock_database(conn)
            taken = set(conn.execute(sa.select(ACCOUNTS.c.username)).scalars())
            _insert(conn, [Account(d.username, d.name, d.role, d.unit, shared, "", d.district_id, d.city_id, True)
                           for d in missing if d.username not in taken])
        current = load_accounts(store).accounts
    return [d for d in wanted if (a := current.get(d.username)) is not None and _matches(a, d)]
