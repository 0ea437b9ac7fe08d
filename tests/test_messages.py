"""The message catalogue (lib/messages.py) declares each finding's severity and, where the template does not
say what to do, a fix hint; call sites never pass a severity of their own."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lib.findings import Severity, finding
from lib.messages import HINTS, MESSAGES, WARNING_CODES, hint, severity

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("code, expected", [
    ("wb.required_empty", "error"), ("wb.value_out_of_bounds", "error"), ("wb.column_missing", "error"),
    ("wb.value_implausible", "warning"), ("wb.column_extra", "warning"), ("wb.rows_not_filled", "warning"),
    ("wb.target_changed", "warning"), ("plan.missing_baseline", "warning"), ("plan.bad_choice", "error"),
    ("notice.kind_guessed", "warning"), ("notice.kind_unrecognised", "error"), ("file.truncated", "error"),
])
def test_severity_is_the_catalogues(code, expected):
    assert severity(code) == expected
    assert finding(code, value="x", **_fields(code)).severity is Severity(expected)


def test_unknown_code_has_no_severity():
    with pytest.raises(KeyError):
        severity("wb.no_such_code")


def test_warnings_and_hints_name_catalogue_codes():
    assert sorted(WARNING_CODES - set(MESSAGES)) == []
    assert sorted(set(HINTS) - set(MESSAGES)) == []


def test_hint_is_carried_by_the_finding():
    assert finding("plan.unknown_task", value="T99-01").hint == HINTS["plan.unknown_task"] != ""
    assert hint("wb.required_empty") == ""


def test_inherited_severity_may_still_be_passed():
    """The cap's summary finding takes the severity of what it counts, which may be either."""
    assert finding("wb.more_findings", Severity.WARNING, value=3, kind="wb.value_implausible", shown=200).severity \
        is Severity.WARNING


def _severity_passing_calls(path: Path) -> list[int]:
    """Lines that hand a Severity.X or severity= to finding(…), a checker's add(…) or the notice's note(…)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in ("finding", "add", "note"):
            continue
        literal = [a for a in node.args if isinstance(a, ast.Attribute) and getattr(a.value, "id", "") == "Severity"]
        if literal or any(k.arg == "severity" for k in node.keywords):
            lines.append(node.lineno)
    return lines


def test_call_sites_do_not_declare_severities():
    offenders = {p.relative_to(ROOT).as_posix(): lines for p in sorted((ROOT / "lib").rglob("*.py"))
                 if (lines := _severity_passing_calls(p))}
    assert offenders == {}


def _fields(code: str) -> dict:
    import string
    return {f: "1" for _, f, _, _ in string.Formatter().parse(MESSAGES[code]) if f and f != "value"}
