"""The progress store's tables and how the database gets to the current schema version.

Why not Alembic's script directory: the store must create and upgrade its own database at start-up
(`make run` needs no set-up step, and a PostgreSQL deployment upgrades itself the same way), so the
migrations live here as a plain ordered list of Python functions, applied by `migrate()` at open:

- `schema_version` holds one row per applied migration (version, name, applied_at).
- `MIGRATIONS[i]` upgrades version i to i+1; `migrate()` runs the missing ones in order, all in one
  transaction that holds a lock, so two processes starting at once do not both migrate.
- Each migration receives Alembic's `Operations` object (`op.create_table`, `op.add_column`,
  `op.batch_alter_table` for SQLite…), so a migration reads like an Alembic one without the scaffolding.
- Migrations are frozen: never edit an applied one; change `METADATA` *and* append a migration.
  `tests/test_store.py` compares the migrated database with `METADATA` (Alembic's `compare_metadata`),
  so the two cannot drift apart unnoticed.

Timestamps are stored as naive UTC (`DateTime` without time zone) on every backend, so SQLite and
PostgreSQL return the same values; the store turns them into UTC-aware pandas timestamps.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.engine import Connection

# A unit cannot have two live submissions of the same file: the duplicate rule, enforced by the database.
LIVE_STATES = ("pending", "adopted")

METADATA = sa.MetaData()


def _live_clause() -> sa.TextClause:
    return sa.text("state IN ('pending', 'adopted')")


SUBMISSIONS = sa.Table(
    "submissions", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit", sa.String(200), nullable=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("indicator_rows", sa.Integer, nullable=False),
    sa.Column("task_rows", sa.Integer, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("state_reason", sa.Text, nullable=False),
    sa.Column("reviewed_by", sa.String(200), nullable=True),
    sa.Column("reviewed_at", sa.DateTime, nullable=True),
    sa.CheckConstraint("state IN ('pending', 'adopted', 'returned', 'revoked')", name="ck_submissions_state"),
    sa.Index("ix_submissions_unit", "unit"),
    sa.Index("ix_submissions_state", "state"),
    sa.Index("ux_submissions_live_file", "unit", "sha256", unique=True,
             sqlite_where=_live_clause(), postgresql_where=_live_clause()),
)

# Every state change of a submission, with who, when and why: the audit trail behind reviewed_by/at.
SUBMISSION_EVENTS = sa.Table(
    "submission_events", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", name="fk_submission_events_submission"), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index("ix_submission_events_submission", "submission_id"),
)

INDICATOR_VALUES = sa.Table(
    "indicator_values", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", name="fk_indicator_values_submission"), nullable=False),
    sa.Column("indicator_id", sa.String(20), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("quarter", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=True),          # empty when the row only carries 年度目标值
    sa.Column("annual_target", sa.Float, nullable=True),
    sa.Column("unit", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_indicator_values_quarter"),
    sa.UniqueConstraint("submission_id", "indicator_id", "year", "quarter", name="uq_indicator_values_period"),
    sa.Index("ix_indicator_values_key", "indicator_id", "year", "quarter"),
)

TASK_VALUES = sa.Table(
    "task_values", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", name="fk_task_values_submission"), nullable=False),
    sa.Column("task_id", sa.String(20), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("quarter", sa.Integer, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("percent", sa.Float, nullable=False),
    sa.Column("progress", sa.Text, nullable=False),
    sa.Column("problems", sa.Text, nullable=False),
    sa.Column("next_steps", sa.Text, nullable=False),
    sa.Column("unit", sa.String(200), nullable=False),
    sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_task_values_quarter"),
    sa.CheckConstraint("percent BETWEEN 0 AND 100", name="ck_task_values_percent"),
    sa.UniqueConstraint("submission_id", "task_id", "year", "quarter", "unit", name="uq_task_values_period"),
    sa.Index("ix_task_values_key", "task_id", "year", "quarter", "unit"),
)

TARGET_SETTINGS = sa.Table(
    "target_settings", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_id", sa.String(20), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=True),           # NULL = the setting was cleared
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Index("ix_target_settings_key", "indicator_id", "year"),
)

BASELINE_SETTINGS = sa.Table(
    "baseline_settings", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_id", sa.String(20), nullable=False),
    sa.Column("value", sa.Float, nullable=True),           # NULL = the setting was cleared
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Index("ix_baseline_settings_key", "indicator_id"),
)

# Every uploaded file exactly as it arrived (since schema version 2), once per content: submissions point
# at it through their sha256. The office can download what a department sent, and the review page checks
# that file again with the department's own row numbers. Submissions stored under version 1 have none.
UPLOADED_FILES = sa.Table(
    "uploaded_files", METADATA,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# Sign-in sessions (since schema version 3): the sign-in cookie names one of these rows, and every page run
# checks it is still live, so 退出登录 (revoked_at) and a password change (all of the account's rows) end
# the session on the server — a copied cookie is worthless afterwards. In the store so that several app
# processes share it. See lib/sessions.py.
SIGN_IN_SESSIONS = sa.Table(
    "sign_in_sessions", METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
    sa.Index("ix_sign_in_sessions_username", "username"),
)

SCHEMA_VERSION = sa.Table(
    "schema_version", METADATA,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)


# --- migrations (frozen: append, never edit) ------------------------------------------------------

def _v1_initial(op: Operations) -> None:
    """Version 1: submissions with their rows, target and baseline settings as append-only history."""
    live = _live_clause()
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("indicator_rows", sa.Integer, nullable=False),
        sa.Column("task_rows", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("state_reason", sa.Text, nullable=False),
        sa.Column("reviewed_by", sa.String(200), nullable=True),
        sa.Column("reviewed_at", sa.DateTime, nullable=True),
        sa.CheckConstraint("state IN ('pending', 'adopted', 'returned', 'revoked')", name="ck_submissions_state"),
    )
    op.create_index("ix_submissions_unit", "submissions", ["unit"])
    op.create_index("ix_submissions_state", "submissions", ["state"])
    op.create_index("ux_submissions_live_file", "submissions", ["unit", "sha256"], unique=True,
                    sqlite_where=live, postgresql_where=live)
    op.create_table(
        "submission_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", name="fk_submission_events_submission"), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_submission_events_submission", "submission_events", ["submission_id"])
    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", name="fk_indicator_values_submission"), nullable=False),
        sa.Column("indicator_id", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("quarter", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("annual_target", sa.Float, nullable=True),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_indicator_values_quarter"),
        sa.UniqueConstraint("submission_id", "indicator_id", "year", "quarter", name="uq_indicator_values_period"),
    )
    op.create_index("ix_indicator_values_key", "indicator_values", ["indicator_id", "year", "quarter"])
    op.create_table(
        "task_values",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", name="fk_task_values_submission"), nullable=False),
        sa.Column("task_id", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("quarter", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("percent", sa.Float, nullable=False),
        sa.Column("progress", sa.Text, nullable=False),
        sa.Column("problems", sa.Text, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="ck_task_values_quarter"),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="ck_task_values_percent"),
        sa.UniqueConstraint("submission_id", "task_id", "year", "quarter", "unit", name="uq_task_values_period"),
    )
    op.create_index("ix_task_values_key", "task_values", ["task_id", "year", "quarter", "unit"])
    op.create_table(
        "target_settings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_target_settings_key", "target_settings", ["indicator_id", "year"])
    op.create_table(
        "baseline_settings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.String(20), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_baseline_settings_key", "baseline_settings", ["indicator_id"])


def _v2_uploaded_files(op: Operations) -> None:
    """Version 2: keep each uploaded file, once per content (see UPLOADED_FILES)."""
    op.create_table(
        "uploaded_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def _v3_sign_in_sessions(op: Operations) -> None:
    """Version 3: server-side sign-in sessions (see SIGN_IN_SESSIONS)."""
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_sign_in_sessions_username", "sign_in_sessions", ["username"])


Migration = Callable[[Operations], None]
MIGRATIONS: tuple[Migration, ...] = (_v1_initial, _v2_uploaded_files, _v3_sign_in_sessions)
CURRENT_VERSION = len(MIGRATIONS)

# Any 64-bit key, the same in every process: serialises migrations (and seeding) on PostgreSQL.
PG_LOCK_KEY = 0x706C616E6D6F6E   # "planmon"


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer program: refuse to touch it rather than corrupt it."""

    def __init__(self, found: int, supported: int):
        self.found, self.supported = found, supported
        super().__init__(f"schema version {found} > supported {supported}")


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp takes in the database (see the module docstring)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def lock_database(conn: Connection) -> None:
    """Serialise this transaction against other writers that take the same lock.

    SQLite: the store begins every write transaction with BEGIN IMMEDIATE, which already holds the
    database write lock. PostgreSQL: a transaction-scoped advisory lock, released at commit/rollback.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(SCHEMA_VERSION.c.version), 0))).scalar_one())


def migrate(conn: Connection) -> int:
    """Bring the database to CURRENT_VERSION inside the caller's transaction; returns the version found.

    The caller's transaction makes an interrupted upgrade leave nothing behind (PostgreSQL and SQLite
    both have transactional DDL); the lock makes concurrent start-ups take turns.
    """
    lock_database(conn)
    found = current_version(conn)
    if found > CURRENT_VERSION:
        raise SchemaTooNew(found, CURRENT_VERSION)
    if found == CURRENT_VERSION:
        return found
    if found == 0:
        SCHEMA_VERSION.create(conn, checkfirst=True)
    op = Operations(MigrationContext.configure(conn))
    for version in range(found + 1, CURRENT_VERSION + 1):
        step = MIGRATIONS[version - 1]
        step(op)
        conn.execute(sa.insert(SCHEMA_VERSION).values(version=version, name=step.__name__.lstrip("_"), applied_at=utcnow()))
    return found
