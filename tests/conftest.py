from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `lib` and `tests.*` import from the project root

from lib.plan import Plan, load_plan  # noqa: E402

DATA = ROOT / "data"


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(DATA)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the browser tests (one per test module)."""
    from tests.browser import chromium
    with chromium() as b:
        yield b
