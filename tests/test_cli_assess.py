"""`python -m lib assess` through a real subprocess: exit codes, CSV and JSON columns, plan order."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lib.xlsx import write_progress_workbook
from tests.test_assess import progress_rows, write_plan

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ["indicator_id", "kind", "status", "achievement", "time_elapsed", "latest_period", "latest_value"]


ENV: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def own_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The command reads progress from the store: this module's own database, never the checkout's var/."""
    ENV["PLANMON_DB_URL"] = f"sqlite:///{tmp_path_factory.mktemp('cli-assess') / 'planmon.sqlite'}"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **ENV})


@pytest.fixture(scope="module")
def sample_csv():
    done = run("assess", "--as-of", "2023Q2")
    assert done.returncode == 0, done.stderr
    return pd.read_csv(io.StringIO(done.stdout), dtype={"latest_period": str})


def test_csv_has_one_row_per_indicator_in_plan_order(sample_csv, plan):
    assert REQUIRED == [c for c in sample_csv.columns if c in REQUIRED]
    assert list(sample_csv["indicator_id"]) == list(plan.indicators["indicator_id"])


def test_csv_values(sample_csv):
    rows = sample_csv.set_index("indicator_id")
    assert (rows.at["Y01", "status"], rows.at["Y01", "latest_period"], rows.at["Y01", "latest_value"]) == ("behind", "2023Q2", 6.5)
    assert rows.at["Y01", "achievement"] == pytest.approx(0.4285, abs=1e-4)
    assert rows.at["B01", "latest_period"] == "2022Q4"
    assert pd.isna(rows.at["Y08", "achievement"])          # ceiling: no P → empty cell
    assert (rows.at["B04", "status"], rows.at["B04", "latest_period"]) == ("no_data", "2022Q4")  # no target: value still shown
    assert set(rows["as_of"]) == {"2023Q2"}


def test_outlook_columns(sample_csv):
    assert ["outlook", "projected_achievement", "outlook_from"] == list(sample_csv.columns[-3:])
    rows = sample_csv.set_index("indicator_id")
    judged = rows[rows["outlook"].notna()]
    assert len(judged) > 0 and set(judged["outlook"]) <= {"likely", "at_risk"}
    assert ((judged["projected_achievement"] >= 1 - 1e-9) == (judged["outlook"] == "likely")).all()
    assert rows["outlook"].isna().loc[["Y08", "B01"]].all()   # ceiling, quota: no P, no outlook


def test_json_format():
    done = run("assess", "--as-of", "2023Q2", "--format", "json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert len(records) == 26 and set(REQUIRED) <= set(records[0])
    y08 = next(r for r in records if r["indicator_id"] == "Y08")
    assert y08["achievement"] is None and y08["status"] == "on_track"
    y04 = next(r for r in records if r["indicator_id"] == "Y04")
    assert y04["status"] == "no_data" and y04["reason"] == "缺少2022年第四季度数据"


def test_default_as_of_is_latest_period_present():
    done = run("assess")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(io.StringIO(done.stdout))
    assert set(table["as_of"]) == {"2025Q4"}


def test_tolerance_option_changes_statuses():
    loose = pd.read_csv(io.StringIO(run("assess", "--as-of", "2023Q2", "--tolerance", "0.1").stdout)).set_index("indicator_id")
    assert loose.at["Y01", "status"] == "on_track"  # P = 0.4285 ≥ 0.5 − 0.1


def test_progress_file_and_plan_dir(tmp_path):
    plan_dir = write_plan(tmp_path / "plan", 2025, 2030)
    book = tmp_path / "p.xlsx"
    write_progress_workbook(progress_rows("G1:2026Q4 11, G1:2027Q4 5, G1:2028Q2 6.5, L1:2027Q4 87.5", ""), None).save(book)
    done = run("assess", "--progress", str(book), "--plan-dir", str(plan_dir))
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(io.StringIO(done.stdout)).set_index("indicator_id")
    assert (rows.at["G1", "status"], rows.at["L1", "status"], rows.at["G1", "as_of"]) == ("behind", "ahead", "2028Q2")


@pytest.mark.parametrize("args", [
    ("assess", "--as-of", "2023-06"),
    ("assess", "--tolerance", "abc"),
    ("assess", "--format", "xml"),
    ("assess", "--progress", "no/such/file.xlsx"),
    ("assess", "--plan-dir", "no/such/dir"),
    ("nonsense",),
])
def test_bad_arguments_exit_2(args):
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""


def test_not_a_workbook_exits_2(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("indicator_id,value\nY01,5\n", encoding="utf-8")
    done = run("assess", "--progress", str(fake))
    assert done.returncode == 2 and "fake.xlsx" in done.stderr


def test_subcommands_exist():
    done = run("--help")
    assert done.returncode == 0
    assert all(name in done.stdout for name in ("assess", "validate", "import"))


def test_workbook_with_errors_exits_1(tmp_path):
    book = tmp_path / "bad.xlsx"
    rows = progress_rows("Y01:2022Q4 5, Z99:2022Q4 5", "").assign(unit="区发改局")
    write_progress_workbook(rows, None).save(book)
    done = run("assess", "--progress", str(book))
    assert done.returncode == 1
    assert "Z99" in done.stderr and done.stdout == ""
