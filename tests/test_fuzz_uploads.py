"""Fuzzing (fixed seed): 200 byte mutations each of a valid .xlsx and a valid .xls. Every answer is exit
0, 1 or 2, no traceback is printed, and a mutation that kills its reader is answered by the CLI (which
reads in a separate process) with exit 2.

The mutations run in batches in one driver process (tests/fuzz_workbooks.py); when the driver dies on a
mutation, that mutation goes through `python -m lib validate` and the batch resumes after it."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.fuzz_workbooks import base, mutation

SEED = 20261201
COUNT = 200
HANG_GUARD_S = 600


def driver(kind: str, start: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.fuzz_workbooks", kind, str(SEED), str(COUNT), str(start)],
                          cwd=ROOT, capture_output=True, text=True, timeout=HANG_GUARD_S)


def cli_validate(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", "validate", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=HANG_GUARD_S)


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_mutations_always_get_an_answer(kind, tmp_path):
    answers: dict[int, int] = {}
    died: list[int] = []
    start = 0
    while start < COUNT:
        run = driver(kind, start)
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        for line in run.stdout.split("\n"):
            if line.strip():
                i, code = map(int, line.split())
                answers[i] = code
        if run.returncode == 0:
            break
        assert run.returncode < 0, (run.returncode, run.stderr[-2000:])   # killed by a signal, not an exception
        dead = max(answers, default=start - 1) + 1
        path = tmp_path / f"fuzz-{dead}.{kind}"
        path.write_bytes(mutation(base(kind), kind, SEED, dead))
        cli = cli_validate(path)
        assert "Traceback" not in cli.stderr, cli.stderr[-3000:]
        assert cli.returncode == 2 and "file.unsafe" in cli.stdout, (cli.returncode, cli.stdout, cli.stderr)
        answers[dead] = cli.returncode
        died.append(dead)
        start = dead + 1
    assert sorted(answers) == list(range(COUNT))
    assert set(answers.values()) <= {0, 1, 2}
    assert 2 in answers.values()          # the mutations do reach the damaged-file paths
