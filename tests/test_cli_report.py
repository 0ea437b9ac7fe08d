"""`python -m lib report` through a real subprocess on a temp database: the .docx it writes, exit codes and
the Chinese messages for impossible requests, and the report without figures when there is no browser."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from lib.messages import render

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PLANMON_DB_URL": f"sqlite:///{tmp_path / 'planmon.sqlite'}", **env}
    return subprocess.run([sys.executable, "-m", "lib", "report", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=240)


def headings(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name == "Heading 1"]


def test_final_report_with_figures(tmp_path):
    out = tmp_path / "out" / "总结评估.docx"
    done = run(tmp_path, "--kind", "final", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(out)]
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "沙市区“十四五”规划实施情况总结评估报告(初稿)"
    assert headings(out)[-2:] == ["五、对下一个五年规划的建议", "附件"]
    assert len(doc.inline_shapes) >= 6
    assert any(p.text.startswith("附表2 各责任单位2025年第四季度报送情况") for p in doc.paragraphs)


def test_unit_scope_annual(tmp_path):
    out = tmp_path / "a.docx"
    done = run(tmp_path, "--kind", "annual", "--as-of", "2023Q4", "--scope", "unit:区人社局", "--out", str(out),
               BROWSER_PATH=str(tmp_path / "no-such-chromium"))
    assert done.returncode == 2  # written, but without figures: says so
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "沙市区“十四五”规划2023年度实施情况评估报告(初稿)"
    assert doc.paragraphs[1].text == "数据截至2023年第四季度 · 范围:区人社局 · 含示例数据"
    assert done.stderr.splitlines()[-1] == "报告已写出,但不含图表(附图处注明了下载位置)。"


@pytest.mark.parametrize("args, message", [
    (["--kind", "annual", "--as-of", "2023Q2"], render("report.annual_not_q4", value="2023Q2", example="2023Q4")),
    (["--kind", "final", "--as-of", "2024Q4"], render("report.final_as_of", value="2024Q4", last="2025Q4")),
    (["--kind", "midterm", "--as-of", "2019Q4"], render("report.outside_plan", value="2019Q4", first="2021Q1", last="2025Q4")),
    (["--kind", "final", "--scope", "section:99"], "规划中没有第 99 篇,可选:1、2、3、4、5、6、7、8、9、10"),
])
def test_impossible_requests_exit_2_before_writing(tmp_path, args, message):
    out = tmp_path / "x" / "r.docx"
    done = run(tmp_path, *args, "--out", str(out))
    assert (done.returncode, done.stderr.strip()) == (2, message)
    assert not out.exists()


def test_final_for_a_plan_whose_last_quarter_has_no_data(tmp_path):
    """A plan running to 2026: the sample data stop at 2025Q4, so there is nothing to judge completion on."""
    plan_dir = tmp_path / "plan"
    shutil.copytree(ROOT / "data", plan_dir)
    toml = plan_dir / "plan.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("target_year = 2025", "target_year = 2026"), encoding="utf-8")
    out = tmp_path / "r.docx"
    # Only this plan in the store: beside the configured 2026–2030 plan of the same district it would overlap.
    done = run(tmp_path, "--kind", "final", "--plan-dir", str(plan_dir), "--out", str(out), PLANMON_PLAN_DIRS=str(plan_dir))
    assert (done.returncode, done.stderr.strip()) == (2, render("report.final_no_data", last="2026Q4"))
    assert not out.exists()


def test_kind_is_required(tmp_path):
    done = run(tmp_path, "--out", str(tmp_path / "r.docx"))
    assert done.returncode == 2 and "--kind" in done.stderr
