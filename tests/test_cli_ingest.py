"""`python -m lib validate|import|assess` with the plan and district flags, through a real subprocess on a temp
database: the plan follows from the rows' years, exit codes as in docs/workbook-format.md, nothing stored on error."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lib.store import open_store
from tests.conftest import ALL_PLAN_DIRS, ROOT
from tests.test_ingest import LABEL_14, LABEL_15, UNIT, workbook


@pytest.fixture(autouse=True)
def all_sample_plans(monkeypatch):
    """This module works with both districts: the seed plan and the sample plans are loaded."""
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)


def run(db: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLANMON_DB_URL": db}
    return subprocess.run([sys.executable, "-m", "lib", *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def counts(db: str) -> dict[str, int]:
    store = open_store(db, cached=False)
    try:
        return {pid: len(store.plan(pid).submissions()) for pid in ("shashi-14", "shashi-15", "shili-15")}
    finally:
        store.close()


def write(tmp_path, name: str, *years: int) -> str:
    path = tmp_path / name
    path.write_bytes(workbook(*years))
    return str(path)


@pytest.mark.parametrize("years, extra, exit_code, first_line", [
    ((2025,), [], 0, None),
    ((2026,), [], 0, None),
    ((2025, 2026), [], 1, f"[error] ingest.spans_plans 文件中的数据分属不同规划:2025 年属于{LABEL_14},2026 年属于{LABEL_15}"),
    ((2025,), ["--district", "shili"], 1, "[error] ingest.no_plan 2025 年不在示例区任何规划的规划期内"),
])
def test_validate_routes_by_year_without_a_database(tmp_path, db, years, extra, exit_code, first_line):
    done = run(db, "validate", write(tmp_path, "f.xlsx", *years), "--unit", UNIT, *extra)
    assert done.returncode == exit_code, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    if first_line is None:
        plan = "shashi-14" if years == (2025,) else "shashi-15"
        assert lines == [f"f.xlsx:0 个错误,0 个警告;可导入指标 1 行、任务 0 行,报送到规划 {plan}"]
    else:
        assert lines[0].startswith(first_line)
    assert not (tmp_path / "cli.sqlite").exists()   # validate reads the plan folders, not the database


def test_import_puts_2026_rows_into_the_15th_plan_and_refuses_a_file_spanning_both(tmp_path, db):
    done = run(db, "import", write(tmp_path, "q1.xlsx", 2026), "--unit", UNIT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("报送到规划 shashi-15:已保存为第 1 号报送(指标 1 行、任务 0 行)")
    refused = run(db, "import", write(tmp_path, "both.xlsx", 2025, 2026), "--unit", UNIT)
    assert refused.returncode == 1
    assert refused.stdout.splitlines()[-1] == "有错误,整个文件未导入,数据库未作任何改动"
    assert counts(db) == {"shashi-14": 0, "shashi-15": 1, "shili-15": 0}


def test_import_resolves_the_unit_within_the_named_district(tmp_path, db):
    done = run(db, "import", write(tmp_path, "shili.xlsx", 2026), "--unit", UNIT, "--district", "shili")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "报送到规划 shili-15" in done.stdout
    foreign = run(db, "import", write(tmp_path, "old.xlsx", 2025), "--unit", UNIT, "--district", "shili")
    assert foreign.returncode == 1 and foreign.stdout.startswith("[error] ingest.no_plan 2025 年不在示例区")
    assert counts(db) == {"shashi-14": 0, "shashi-15": 0, "shili-15": 1}


def test_assess_reads_the_named_plan(db):
    done = run(db, "assess", "--plan", "shashi-15", "--format", "json")
    assert done.returncode == 0, done.stderr
    import json
    records = json.loads(done.stdout)
    assert {r["as_of"] for r in records} == {"2026Q3"} and records[0]["indicator_id"] == "Y01"
    unknown = run(db, "assess", "--plan", "nope")
    assert unknown.returncode == 2
    assert "系统中没有规划 nope" in unknown.stderr
