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

Value rules: a check constraint on a column that lib/schema.py declares (a quarter's 1–4, a task's percent 0–100,
a task's state among TASK_STATES) is built from the schema's bounds by `range_check` or from its choices by
`choice_check`, so a rule changed there changes the database's rule (with a new migration for existing
databases). Migrations keep the literal text they created then.

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

from lib.schema import INDICATOR_SHEET, TASK_SHEET, Column, Table

# A unit cannot have two live submissions of the same file: the duplicate rule, enforced by the database.
LIVE_STATES = ("pending", "adopted")

METADATA = sa.MetaData()


def _live_clause() -> sa.TextClause:
    return sa.text("state IN ('pending', 'adopted')")


# The schema table (lib/schema.py) whose columns each progress table stores: its bounds are the database's rules.
SHEET_OF: dict[str, Table] = {"indicator_values": INDICATOR_SHEET, "task_values": TASK_SHEET}


def _sql_number(value: float) -> str:
    """A bound as SQL text: 1, not 1.0, so the text matches what the migrations wrote by hand."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def range_rule(column: Column) -> str:
    """The SQL condition a schema column's min/max declare: `quarter BETWEEN 1 AND 4`, or `>=`/`<=` for one bound."""
    low, high = column.min, column.max
    if low is not None and high is not None:
        return f"{column.name} BETWEEN {_sql_number(low)} AND {_sql_number(high)}"
    if low is not None:
        return f"{column.name} >= {_sql_number(low)}"
    if high is not None:
        return f"{column.name} <= {_sql_number(high)}"
    raise ValueError(f"{column.name} declares no min or max")


def range_check(table: str, column: str) -> sa.CheckConstraint:
    """The check constraint `ck_<table>_<column>` for a column's bounds, as lib/schema.py declares them."""
    return sa.CheckConstraint(range_rule(SHEET_OF[table].column(column)), name=f"ck_{table}_{column}")


def choice_rule(column: Column) -> str:
    """The SQL condition a schema column's choices declare: `state IN ('未启动', '推进中', …)`."""
    if not column.choices:
        raise ValueError(f"{column.name} declares no choices")
    return f"{column.name} IN (" + ", ".join("'" + c.replace("'", "''") + "'" for c in column.choices) + ")"


def choice_check(table: str, column: str) -> sa.CheckConstraint:
    """The check constraint `ck_<table>_<column>` for a column's choices, as lib/schema.py declares them."""
    return sa.CheckConstraint(choice_rule(SHEET_OF[table].column(column)), name=f"ck_{table}_{column}")


class StoredRowsInvalid(RuntimeError):
    """A migration found stored rows that break the rule it adds: nothing was changed (the caller says which)."""

    def __init__(self, table: str, column: str, count: int, first_id: int, value: str):
        self.table, self.column, self.count, self.first_id, self.value = table, column, count, first_id, value
        super().__init__(f"{count} rows of {table} break the rule on {column} (first: id {first_id}, {value!r})")


PLAN_ID = sa.String(64)


def _plan_column() -> sa.Column:
    return sa.Column("plan_id", PLAN_ID, nullable=False)


# Districts and their plans (since schema version 4). A plan's files are kept as versions: loading a changed
# folder appends one; the running dashboard reads plans from here, so every app process sees the same ones.
DISTRICTS = sa.Table(
    "districts", METADATA,
    sa.Column("district_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("city_id", sa.String(64), nullable=True),
    sa.Column("city", sa.String(200), nullable=True),
)

PLANS = sa.Table(
    "plans", METADATA,
    sa.Column("plan_id", PLAN_ID, primary_key=True),
    sa.Column("district_id", sa.String(64), sa.ForeignKey("districts.district_id", name="fk_plans_district"), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("archived_by", sa.String(200), nullable=True),
    sa.Column("archived_at", sa.DateTime, nullable=True),
    sa.CheckConstraint("state IN ('active', 'archived')", name="ck_plans_state"),
    sa.Index("ix_plans_district", "district_id"),
)

PLAN_VERSIONS = sa.Table(
    "plan_versions", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_id", PLAN_ID, sa.ForeignKey("plans.plan_id", name="fk_plan_versions_plan"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),    # of the canonical JSON of the files: same files, same hash
    sa.Column("files", sa.Text, nullable=False),           # JSON {file name: text} of plan.toml and the three CSVs
    sa.Column("base_year", sa.Integer, nullable=False),
    sa.Column("target_year", sa.Integer, nullable=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.UniqueConstraint("plan_id", "version", name="uq_plan_versions_version"),
)

SUBMISSIONS = sa.Table(
    "submissions", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _plan_column(),
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
    sa.Index("ix_submissions_plan_unit", "plan_id", "unit"),
    sa.Index("ix_submissions_plan_state", "plan_id", "state"),
    sa.Index("ux_submissions_live_file", "plan_id", "unit", "sha256", unique=True,
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
    _plan_column(),
    sa.Index("ix_submission_events_submission", "submission_id"),
    sa.Index("ix_submission_events_plan", "plan_id", "id"),
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
    range_check("indicator_values", "quarter"),
    _plan_column(),
    sa.UniqueConstraint("submission_id", "indicator_id", "year", "quarter", name="uq_indicator_values_period"),
    sa.Index("ix_indicator_values_plan_key", "plan_id", "indicator_id", "year", "quarter"),
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
    range_check("task_values", "quarter"),
    range_check("task_values", "percent"),
    choice_check("task_values", "state"),
    _plan_column(),
    sa.UniqueConstraint("submission_id", "task_id", "year", "quarter", "unit", name="uq_task_values_period"),
    sa.Index("ix_task_values_plan_key", "plan_id", "task_id", "year", "quarter", "unit"),
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
    _plan_column(),
    sa.Index("ix_target_settings_plan_key", "plan_id", "indicator_id", "year"),
)

BASELINE_SETTINGS = sa.Table(
    "baseline_settings", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_id", sa.String(20), nullable=False),
    sa.Column("value", sa.Float, nullable=True),           # NULL = the setting was cleared
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    _plan_column(),
    sa.Index("ix_baseline_settings_plan_key", "plan_id", "indicator_id"),
)

# Every uploaded file exactly as it arrived (since schema version 2), once per content: submissions point
# at it through their sha256. The office can download what a department sent, and the review page checks
# that file again with the department's own row numbers. Submissions stored under version 1 have none.
UPLOADED_FILES = sa.Table(
    "uploaded_files", METADATA,
    sa.Column("plan_id", PLAN_ID, primary_key=True),
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

# Sign-in accounts (since schema version 5), shared by every app process: the YAML accounts file is only the
# import/export format (lib/account_store.py). A city account has a city, every other account a district.
ROLES = ("department", "leader", "planning", "city")


def _accounts_checks() -> tuple[sa.CheckConstraint, sa.CheckConstraint]:
    roles = ", ".join(f"'{r}'" for r in ROLES)
    return (sa.CheckConstraint(f"role IN ({roles})", name="ck_accounts_role"),
            sa.CheckConstraint("(role = 'city' AND city_id IS NOT NULL) OR (role <> 'city' AND district_id IS NOT NULL)",
                               name="ck_accounts_scope"))


ACCOUNTS = sa.Table(
    "accounts", METADATA,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("unit", sa.String(200), nullable=True),
    sa.Column("district_id", sa.String(64), nullable=True),
    sa.Column("city_id", sa.String(64), nullable=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("demo", sa.Boolean, nullable=False),        # created by demo mode with the published password
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    *_accounts_checks(),
    sa.Index("ix_accounts_district", "district_id"),
    sa.Index("ix_accounts_city", "city_id"),
)

SCHEMA_VERSION = sa.Table(
    "schema_version", METADATA,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

# Every table that holds one plan's data: each row carries plan_id, and every query filters on it first.
PLAN_DATA_TABLES = (SUBMISSIONS, SUBMISSION_EVENTS, INDICATOR_VALUES, TASK_VALUES, TARGET_SETTINGS, BASELINE_SETTINGS,
                    UPLOADED_FILES)


# --- migrations (frozen: append, never edit) ------------------------------------------------------

def _v1_initial(op: Operations) -> None:
    """Version 1: submissions with their rows, target and baseline settings as append-only history.

    Its check constraints stay literal (not `range_check`): they are what version 1 created on databases that
    exist; a bound changed in lib/schema.py reaches those through a new migration, not by rewriting this one.
    """
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



# Indexes that version 4 replaces with plan_id-first ones: (table, old name, new name, new columns, unique).
_V4_INDEXES = (
    ("submissions", "ix_submissions_unit", "ix_submissions_plan_unit", ["plan_id", "unit"], False),
    ("submissions", "ix_submissions_state", "ix_submissions_plan_state", ["plan_id", "state"], False),
    ("submissions", "ux_submissions_live_file", "ux_submissions_live_file", ["plan_id", "unit", "sha256"], True),
    ("submission_events", None, "ix_submission_events_plan", ["plan_id", "id"], False),
    ("indicator_values", "ix_indicator_values_key", "ix_indicator_values_plan_key", ["plan_id", "indicator_id", "year", "quarter"], False),
    ("task_values", "ix_task_values_key", "ix_task_values_plan_key", ["plan_id", "task_id", "year", "quarter", "unit"], False),
    ("target_settings", "ix_target_settings_key", "ix_target_settings_plan_key", ["plan_id", "indicator_id", "year"], False),
    ("baseline_settings", "ix_baseline_settings_key", "ix_baseline_settings_plan_key", ["plan_id", "indicator_id"], False),
)


def _v4_plans(op: Operations) -> None:
    """Version 4: districts, plans and plan versions; every data row carries plan_id.

    Rows stored before belong to the default plan (`default_plan_id()`, the plan of the first folder of the
    `plan_dirs` setting): nothing is lost or changed. The column is added with that id as its server default,
    which fills the existing rows; PostgreSQL then drops the default. SQLite keeps it on upgraded databases
    (removing a default means rebuilding tables that foreign keys point at, inside the migration's transaction);
    the store never relies on it: every insert names its plan.
    """
    from lib.plan_catalog import default_plan_id
    default = default_plan_id()
    op.create_table(
        "districts",
        sa.Column("district_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("city_id", sa.String(64), nullable=True),
        sa.Column("city", sa.String(200), nullable=True),
    )
    op.create_table(
        "plans",
        sa.Column("plan_id", PLAN_ID, primary_key=True),
        sa.Column("district_id", sa.String(64), sa.ForeignKey("districts.district_id", name="fk_plans_district"), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("archived_by", sa.String(200), nullable=True),
        sa.Column("archived_at", sa.DateTime, nullable=True),
        sa.CheckConstraint("state IN ('active', 'archived')", name="ck_plans_state"),
    )
    op.create_index("ix_plans_district", "plans", ["district_id"])
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", PLAN_ID, sa.ForeignKey("plans.plan_id", name="fk_plan_versions_plan"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("base_year", sa.Integer, nullable=False),
        sa.Column("target_year", sa.Integer, nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.UniqueConstraint("plan_id", "version", name="uq_plan_versions_version"),
    )
    postgres = op.get_context().dialect.name == "postgresql"
    for table in PLAN_DATA_TABLES:
        op.add_column(table.name, sa.Column("plan_id", PLAN_ID, nullable=False, server_default=default))
        if postgres:
            op.alter_column(table.name, "plan_id", server_default=None)
    live = _live_clause()
    for table, old, new, columns, unique in _V4_INDEXES:
        if old:
            op.drop_index(old, table_name=table)
        extra = {"sqlite_where": live, "postgresql_where": live} if unique else {}
        op.create_index(new, table, columns, unique=unique, **extra)
    # uploaded_files: the same content uploaded to two plans is two rows (nothing is shared between plans).
    if postgres:
        op.drop_constraint("uploaded_files_pkey", "uploaded_files", type_="primary")
        op.create_primary_key("pk_uploaded_files", "uploaded_files", ["plan_id", "sha256"])
        return
    # SQLite cannot change a primary key in place: copy into a new table (no foreign key points at this one).
    op.create_table(
        "uploaded_files_v4",
        sa.Column("plan_id", PLAN_ID, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "sha256", name="pk_uploaded_files"),
    )
    op.execute("INSERT INTO uploaded_files_v4 (plan_id, sha256, size, content, created_at) "
               "SELECT plan_id, sha256, size, content, created_at FROM uploaded_files")
    op.drop_table("uploaded_files")
    op.rename_table("uploaded_files_v4", "uploaded_files")



def _v5_accounts(op: Operations) -> None:
    """Version 5: sign-in accounts in the store (see ACCOUNTS). The table starts empty; the first start imports
    the configured accounts file into it (lib/account_store.py), so existing accounts keep working."""
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("district_id", sa.String(64), nullable=True),
        sa.Column("city_id", sa.String(64), nullable=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("demo", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        # Literal, as version 5 created them (ROLES may grow; existing databases then need a new migration).
        sa.CheckConstraint("role IN ('department', 'leader', 'planning', 'city')", name="ck_accounts_role"),
        sa.CheckConstraint("(role = 'city' AND city_id IS NOT NULL) OR (role <> 'city' AND district_id IS NOT NULL)",
                           name="ck_accounts_scope"),
    )
    op.create_index("ix_accounts_district", "accounts", ["district_id"])
    op.create_index("ix_accounts_city", "accounts", ["city_id"])


# Literal, as version 6 created it (TASK_STATES may change; existing databases then need a new migration).
_V6_TASK_STATE_RULE = "state IN ('未启动', '推进中', '已完成', '滞后')"


def _v6_task_state_check(op: Operations) -> None:
    """Version 6: a task row's 进展状态 must be one of the task states, in the database as in lib.coerce (which
    every write already goes through). A stored row outside them could only come from a hand edit; it stops the
    upgrade (StoredRowsInvalid), and the transaction leaves the database as it was."""
    conn = op.get_bind()
    bad = conn.execute(sa.text(f"SELECT id, state FROM task_values WHERE NOT ({_V6_TASK_STATE_RULE}) ORDER BY id")).fetchall()
    if bad:
        raise StoredRowsInvalid("task_values", "state", len(bad), int(bad[0][0]), str(bad[0][1]))
    # SQLite cannot add a constraint to a table: batch mode copies it into a new one (its other checks,
    # indexes and foreign key come along); PostgreSQL alters the table in place.
    with op.batch_alter_table("task_values") as batch:
        batch.create_check_constraint("ck_task_values_state", sa.text(_V6_TASK_STATE_RULE))


Migration = Callable[[Operations], None]
MIGRATIONS: tuple[Migration, ...] = (_v1_initial, _v2_uploaded_files, _v3_sign_in_sessions, _v4_plans, _v5_accounts,
                                     _v6_task_state_check)
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
