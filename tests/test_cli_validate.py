"""`python -m lib validate FILE [--unit U]`: exit 0 (no errors), 1 (errors), 2 (not a readable workbook)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", "validate", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("path, unit, exit_code, expected", [
    (FIXTURES / "good" / "progress-good.xlsx", None, 0, []),
    (FIXTURES / "good" / "progress-good.xlsx", "区发改局", 0, []),
    (FIXTURES / "bad" / "implausible-value.xlsx", None, 0, ["[warning] wb.value_implausible 指标进度 第3行「数值」"]),
    (FIXTURES / "bad" / "value-not-number.xlsx", None, 1,
     ["[error] wb.not_number 指标进度 第3行「数值」: “约8.7” 不是数字,请只填写数字,如 8.5"]),
    (FIXTURES / "good" / "progress-good.xlsx", "区财政局", 1, ["[error] wb.unit_mismatch 指标进度 第2行「填报单位」"]),
    (FIXTURES / "hostile" / "png-renamed.xlsx", None, 2, ["[error] file.not_workbook"]),
    (FIXTURES / "hostile" / "encrypted.xlsx", None, 2, ["[error] file.encrypted"]),
    (FIXTURES / "hostile" / "old-format.xls", None, 0, []),
    (FIXTURES / "nope.xlsx", None, 2, ["[error] file.not_found"]),
])
def test_validate_exit_codes_and_findings(path, unit, exit_code, expected):
    proc = validate(path, *(["--unit", unit] if unit else []))
    assert proc.returncode == exit_code, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for prefix in expected:
        assert any(line.startswith(prefix) for line in lines), proc.stdout
    if not expected:
        assert not any(line.startswith("[") for line in lines), proc.stdout


def test_every_finding_is_printed():
    proc = validate(FIXTURES / "good" / "progress-good.xlsx", "--unit", "区财政局")
    assert sum(line.startswith("[error] wb.unit_mismatch") for line in proc.stdout.splitlines()) == 10
