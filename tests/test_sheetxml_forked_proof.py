"""lib.sheetxml's well-formedness proof in a forked copy of the reading process (beside the byte searches):
the same answers as the proof in process, and anything but a clean "yes" from the copy proves nothing."""
from __future__ import annotations

import io
import os
import signal
import sys

import pytest

from lib import sheetxml
from lib.sheetxml import FORKED_PROOF_MIN_BYTES, SheetXmlError, quick_scan, scan_sheet

HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
TAIL = b"</sheetData></worksheet>"


def sheet(rows: int, cell: bytes = b'<c r="B%d"><v>12.5</v></c>') -> bytes:
    """A canonical sheet of `rows` rows: a text cell and a number in each."""
    body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>\xe6\x8c\x87\xe6\xa0\x87</t></is></c>' % (r, r)
                    + cell % r + b"</row>" for r in range(1, rows + 1))
    return HEAD + body + TAIL


LARGE = sheet(40_000)


@pytest.fixture
def forking(monkeypatch):
    """Forking allowed (as in the reading worker), and the pid of every copy started recorded."""
    monkeypatch.setattr(sheetxml, "_fork_allowed", True)
    pids: list[int] = []
    fork = sheetxml._fork_proof

    def recorded(xml: bytes) -> int | None:
        pid = fork(xml)
        if pid is not None:
            pids.append(pid)
        return pid

    monkeypatch.setattr(sheetxml, "_fork_proof", recorded)
    return pids


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_test_sheet_is_large_enough_to_be_proved_in_a_copy():
    assert len(LARGE) >= FORKED_PROOF_MIN_BYTES


def test_a_copy_proves_a_large_sheet_with_the_answer_of_the_proof_in_process(forking):
    here = quick_scan("指标进度", LARGE, set())
    assert here is not None and here.cells == 80_000
    assert len(forking) == 1 and reaped(forking[0])
    sheetxml._fork_allowed = False
    assert quick_scan("指标进度", LARGE, set()) == here


def test_a_small_sheet_is_proved_in_process(forking):
    assert quick_scan("指标进度", sheet(10), set()) is not None
    assert forking == []


def test_a_sheet_that_is_not_well_formed_is_not_proved_by_the_copy(forking):
    broken = LARGE.replace(b"</row>", b"</rows>", 1)
    assert quick_scan("指标进度", broken, set()) is None
    assert len(forking) == 1 and reaped(forking[0])
    with pytest.raises(SheetXmlError):
        scan_sheet("指标进度", io.BytesIO(broken), set())


def test_a_search_that_gives_up_ends_the_copy(forking):
    odd = LARGE.replace(b'<c r="A1" ', b"<c r='A1' ", 1)   # single quotes: only scan_sheet reads these
    assert quick_scan("指标进度", odd, set()) is None
    assert len(forking) == 1 and reaped(forking[0])
    assert scan_sheet("指标进度", io.BytesIO(odd), set()).cells == 80_000


def test_a_copy_that_dies_proves_nothing(forking, monkeypatch):
    monkeypatch.setattr(sheetxml, "_plain_well_formed", lambda xml: os.kill(os.getpid(), signal.SIGKILL))
    assert quick_scan("指标进度", LARGE, set()) is None
    assert len(forking) == 1 and reaped(forking[0])


def test_a_copy_that_raises_proves_nothing(forking, monkeypatch):
    def fail(xml: bytes) -> bool:
        raise MemoryError
    monkeypatch.setattr(sheetxml, "_plain_well_formed", fail)
    assert quick_scan("指标进度", LARGE, set()) is None
    assert len(forking) == 1 and reaped(forking[0])


def test_a_copy_that_does_not_answer_in_time_is_killed_and_proves_nothing(forking, monkeypatch):
    monkeypatch.setattr(sheetxml, "PROOF_TIMEOUT_S", 0.3)
    monkeypatch.setattr(sheetxml, "_plain_well_formed", lambda xml: signal.pause() or True)   # waits for ever
    assert quick_scan("指标进度", LARGE, set()) is None
    assert len(forking) == 1 and reaped(forking[0])


def test_a_copy_that_cannot_be_awaited_is_ended_and_the_proof_runs_in_process(forking, monkeypatch):
    def no_pidfd(pid: int) -> int:
        raise OSError(38, "Function not implemented")
    monkeypatch.setattr(os, "pidfd_open", no_pidfd)
    assert quick_scan("指标进度", LARGE, set()) is not None
    assert len(forking) == 1 and reaped(forking[0])
    assert quick_scan("指标进度", LARGE.replace(b"</row>", b"</rows>", 1), set()) is None


def test_without_a_process_to_spare_the_proof_runs_in_process(monkeypatch):
    monkeypatch.setattr(sheetxml, "_fork_allowed", True)

    def no_fork() -> int:
        raise BlockingIOError("fork: Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", no_fork)
    assert quick_scan("指标进度", LARGE, set()) is not None


def test_the_reading_worker_allows_the_copy(monkeypatch):
    """The worker's own entry point switches it on (the dashboard's and the tests' processes never fork)."""
    from lib import readworker
    monkeypatch.setattr(sheetxml, "_fork_allowed", False)
    monkeypatch.setattr(readworker, "apply_limits", lambda *_: None)      # not this test process's limits
    monkeypatch.setattr(readworker, "_tune_collector", lambda: None)     # nor its garbage collector
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(b"")})())
    assert readworker._child() == 0          # a spare whose parent went away: no request, exits at once
    assert sheetxml._fork_allowed is True
