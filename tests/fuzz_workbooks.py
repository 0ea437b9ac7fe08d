"""Fuzz driver for tests/test_fuzz_uploads.py: byte mutations of a valid workbook through read_workbook.

    python -m tests.fuzz_workbooks xlsx|xls SEED COUNT START

Mutation i is a pure function of (kind, SEED, i), so a run that dies can be resumed at START = i + 1 and
the dying mutation rebuilt by the test. Prints one line "i exit_code" per mutation, exit codes as
`python -m lib validate` gives them. Runs under the reading process's limits (lib.readworker), so a
mutation that makes calamine allocate without bound ends this process with SIGABRT instead of
exhausting the machine; the test then checks that the CLI answers that one cleanly.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from lib import settings
from lib.readworker import SLACK_S, apply_limits

MAX_FLIPS = 8


ROOT = Path(__file__).resolve().parents[1]
BASES = {"xlsx": ROOT / "tests" / "fixtures" / "good" / "progress-good.xlsx",
         "xls": ROOT / "tests" / "fixtures" / "hostile" / "old-format.xls"}


def base(kind: str) -> bytes:
    """Committed files: generated ones carry the time in their zip headers, which would change the mutations."""
    return BASES[kind].read_bytes()


def mutation(data: bytes, kind: str, seed: int, i: int) -> bytes:
    rng = random.Random(f"{kind}-{seed}-{i}")
    out = bytearray(data)
    for _ in range(rng.randint(1, MAX_FLIPS)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def main(kind: str, seed: int, count: int, start: int) -> None:
    apply_limits(settings.get("reader_memory_mb"), settings.get("validate_budget_s") + SLACK_S)
    from lib.cli import _checked_exit_code
    from lib.plan import load_plan
    from lib.workbook import read_workbook

    plan = load_plan(settings.get("plan_dir"))
    data = base(kind)
    for i in range(start, count):
        result = read_workbook(mutation(data, kind, seed, i), plan, file_name=f"fuzz-{i}.{kind}")
        print(i, _checked_exit_code(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
