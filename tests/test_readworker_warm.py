"""The warm reading process (lib.readworker.warm_up): a spare child, limits set and imports done, serves
the next upload; each child serves exactly one; a spare that died or has other settings is replaced."""
from __future__ import annotations

import os
import signal

import pytest

from lib import readworker
from lib.readworker import read_isolated
from scripts.make_bad_fixtures import good_bytes
from tests.conftest import ROOT

UNIT = "区发改局"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"


@pytest.fixture
def warm(monkeypatch):
    monkeypatch.setattr(readworker, "_keep_warm", False)
    monkeypatch.setattr(readworker, "_spare", None)
    readworker.warm_up()
    yield
    if readworker._spare is not None:
        readworker._discard(readworker._spare[1])


def spare_pid() -> int:
    assert readworker._spare is not None
    return readworker._spare[1].pid


def test_each_upload_takes_the_spare_and_leaves_a_new_one(warm, plan):
    first = spare_pid()
    result = read_isolated(good_bytes(), plan, unit=UNIT)
    assert result.ok and len(result.indicator_rows) > 0
    second = spare_pid()
    assert second != first
    assert read_isolated(good_bytes(), plan, unit=UNIT).ok
    assert spare_pid() not in (first, second)


def test_the_next_spare_starts_after_the_read_is_answered(warm, plan, monkeypatch):
    """Its start-up must not compete with the read the clerk is waiting for."""
    readworker.warm_up()   # a spare started with this test's settings (the plan fixture may change them)
    events: list[str] = []
    start, take = readworker._start, readworker._take_worker

    def taken(env):
        proc = take(env)
        communicate = proc.communicate
        proc.communicate = lambda *a, **k: (communicate(*a, **k), events.append("answered"))[0]
        return proc

    monkeypatch.setattr(readworker, "_start", lambda env: events.append("spare started") or start(env))
    monkeypatch.setattr(readworker, "_take_worker", taken)
    assert read_isolated(good_bytes(), plan, unit=UNIT).ok
    assert events == ["answered", "spare started"]
    assert readworker._spare is not None and readworker._spare[1].poll() is None


def test_a_dead_spare_is_replaced(warm, plan):
    dead = spare_pid()
    os.kill(dead, signal.SIGKILL)
    readworker._spare[1].wait()
    assert read_isolated(good_bytes(), plan, unit=UNIT).ok
    assert spare_pid() != dead


def test_a_spare_with_other_settings_is_not_used(warm, plan, monkeypatch):
    old = readworker._spare[1]
    monkeypatch.setenv("PLANMON_VALIDATE_BUDGET_S", "7")
    assert read_isolated(good_bytes(), plan, unit=UNIT).ok
    assert old.returncode is not None          # discarded (killed and reaped), not handed the upload
    assert ("PLANMON_VALIDATE_BUDGET_S", "7") in readworker._spare[0]


def test_an_abort_in_a_warm_child_is_still_one_message(warm, plan):
    result = read_isolated(HOSTILE / "shared-strings-count-aborts.xlsx", plan, unit=UNIT)
    assert [f.code for f in result.findings] == ["file.unsafe"]
    assert read_isolated(good_bytes(), plan, unit=UNIT).ok   # the next upload is served as usual


def test_without_warm_up_no_spare_is_started(plan, monkeypatch):
    monkeypatch.setattr(readworker, "_keep_warm", False)
    monkeypatch.setattr(readworker, "_spare", None)
    assert read_isolated(good_bytes(), plan, unit=UNIT).ok
    assert readworker._spare is None
