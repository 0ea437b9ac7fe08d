from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `lib` and `tests.*` import from the project root

from lib.plan import Plan, load_plan  # noqa: E402

DATA = ROOT / "data"
SEED_PLAN = "shashi-14"   # the seed plan's id (data/plan.toml)
ALL_PLAN_DIRS = "data,data/plans/shashi-15,data/plans/shili-15"   # the `plan_dirs` default
# Tests start with the seed plan alone, so the dashboard's default plan (the one running today) is the seed plan
# whose numbers most page tests check; a test that needs the sample plans sets PLANMON_PLAN_DIRS=ALL_PLAN_DIRS.
# Set here, at import, so that `streamlit run` processes started by browser tests inherit it too.
os.environ.setdefault("PLANMON_PLAN_DIRS", "data")


def seed_plan_store(url: str, *, cached: bool = True):
    """The store at `url` with the seed plan loaded, scoped to it (what a page or the CLI works with)."""
    from lib.plan_catalog import load_plan_version
    from lib.store import open_store
    opened = open_store(url, cached=cached)
    load_plan_version(opened, DATA, "test")
    return opened.plan(SEED_PLAN)


def sample_inputs(plan: Plan, folder: Path) -> tuple:
    """The dashboard's data: the sample workbook seeded into a store in `folder`, read back as the CLI and the
    pages read it — (plan, indicator progress, task progress, annual targets), as `assessment_inputs` returns."""
    from lib import settings
    from lib.plan_catalog import ready_store
    from lib.store import assessment_inputs
    store = ready_store(plan, f"sqlite:///{folder / 'planmon.sqlite'}", sample=settings.get("sample_progress"))
    out = assessment_inputs(store, plan)
    store.close()
    return out


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(DATA)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the browser tests (one per test module)."""
    from tests.browser import chromium
    with chromium() as b:
        yield b
